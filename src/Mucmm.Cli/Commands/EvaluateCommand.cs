using System.CommandLine;
using System.Globalization;
using Mucmm.Evaluation;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm evaluate --model DIR (data options) --out DIR [--force]</c>: the evaluation protocol
/// (METHOD.md section 6) on the dataset's fixed split, written to <c>DIR/metrics.json</c>.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOption();
        var data = new DataOptions();
        var output = new OutputOptions("metrics.json");
        var ridge = new Option<double>("--ridge")
        {
            Description = "Relative ridge ε of the test canonical correlations and leakage.", HelpName = "E",
            DefaultValueFactory = _ => Leakage.DefaultRidge,
        };
        var cmd = new Command("evaluate",
            "Evaluate a fitted model on the test split: canonical correlations of the common variates, leakage " +
            "(mean squared canonical correlation of individual variates with the other view and with their own common part, " +
            "with its chance level), and linear probes for every label (logistic regression, accuracy) and factor " +
            "(ridge regression, R²) from view 1's common and each view's individual variates, fitted on train and tuned on validation.\n" +
            DataOptions.HelpText + "\n" +
            "Example:\n  mucmm evaluate --model runs/lin --dataset noisy-mnist --out runs/lin-eval");
        model.AddTo(cmd);
        foreach (var o in new Option[] { data.Dataset, data.Fsdd, data.View1, data.View2, data.Seed, data.Samples }) cmd.Options.Add(o);
        cmd.Options.Add(ridge);
        output.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var m = model.Load(parse);
            using var folder = output.Open(parse);
            var dataset = data.LoadAll(parse);
            var metrics = ModelEvaluation.Evaluate(m, dataset, new EvaluationOptions { Ridge = parse.GetValue(ridge) });
            metrics.WriteJson(folder.File("metrics.json"));
            folder.Commit();

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"evaluate: {dataset.Name}, test n = {metrics.SplitCounts["test"]} → {folder.Target}");
            Console.WriteLine(string.Create(inv, $"  total correlation Σρ = {metrics.TotalCorrelation:0.###} (ρ = {string.Join(", ", metrics.CanonicalCorrelations.Take(5).Select(r => r.ToString("0.###", inv)))}{(metrics.CanonicalCorrelations.Length > 5 ? ", …" : "")})"));
            foreach (var (key, v) in metrics.Leakage)
                Console.WriteLine(string.Create(inv, $"  leakage {key} = {v:0.####} (chance {metrics.LeakageChance[key]:0.####})"));
            foreach (var (name, p) in metrics.Probes)
                Console.WriteLine($"  probe {name} ({p.Metric}): " + string.Join(", ", p.Scores.Select(s => string.Create(inv, $"{s.Key} {s.Value.Test:0.###}"))));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

using System.CommandLine;
using Mucmm.Data;
using Mucmm.Evaluation;
using Mucmm.Report;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm evaluate --run DIR [data options] --out DIR [--force]</c>: the evaluation protocol of
/// docs/evaluation.md (<see cref="ModelEvaluation"/>) → <c>DIR/metrics.json</c>.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var runOption = new RunOption();
        var data = new DataOptions();
        var output = new OutputOptions("metrics.json");
        var runtime = new RuntimeOptions();
        var components = new Option<int>("--leakage-components")
        {
            Description = "Principal components of the other view used in the individual-vs-other-view leakage.",
            HelpName = "P",
            DefaultValueFactory = _ => EvaluationOptions.Defaults.OtherViewComponents,
        };
        var cmd = new Command("evaluate",
            "Evaluate a fitted model on the test split: canonical correlations of the common variates, leakage " +
            "(mean squared canonical correlation of individual variates with the other view and with their own common part), " +
            "and linear probes (logistic regression per label, ridge per factor; fitted on train, tuned on validation) " +
            "→ DIR/metrics.json.\n" +
            "Data: by default exactly the data and split the run was fitted on (recorded in its fit.json); data given must " +
            "be the same (checked against the fit's data fingerprint; they use the fit's seed unless --seed is given).\n\n" +
            "Examples:\n" +
            "  mucmm evaluate --run runs/lin --out runs/lin-eval\n" +
            "  mucmm evaluate --run runs/avd --dataset av-digits --fsdd ../shared/data/fsdd --out runs/avd-eval\n" +
            "  mucmm evaluate --run runs/mine/model --view1 a.npy --view2 b.npy --seed 3 --out runs/mine-eval");
        runOption.AddTo(cmd);
        data.AddTo(cmd, withSplit: false);
        cmd.Options.Add(components);
        output.AddTo(cmd);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            var fitted = runOption.Load(parse);
            var run = runOption.RunOf(parse);
            using var folder = output.Open(parse);
            var dataset = data.LoadForRun(parse, run);
            var options = new EvaluationOptions { OtherViewComponents = parse.GetValue(components) };
            runtime.Progress(parse).WriteLine($"evaluate: {fitted.Kind} model on {dataset.Name} ({dataset.Count} rows)…");
            // metrics.json records the model and data it was computed for, so a report can refuse it in another run.
            var result = ModelEvaluation.Evaluate(fitted, dataset, options) with
            {
                Data = DataFingerprint.Of(dataset),
                ModelSha256 = RunFolder.ModelFolderSha256(runOption.ModelPath(parse)),
            };
            result.Write(folder.File(RunFolder.MetricsFile));
            folder.Commit();
            Console.Out.Write(MetricsText.Format(result));
            Console.Out.WriteLine($"evaluate: wrote {Path.Combine(folder.Target, RunFolder.MetricsFile)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

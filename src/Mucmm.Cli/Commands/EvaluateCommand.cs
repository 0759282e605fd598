using System.CommandLine;
using Mucmm.Data;
using Mucmm.Evaluation;
using Mucmm.Report;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm evaluate --model DIR [data options] --out DIR [--force]</c>: the evaluation protocol of
/// METHOD.md section 6 (<see cref="ModelEvaluation"/>) → <c>DIR/metrics.json</c>.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOption();
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
            "Data: as for fit; when omitted, the built-in dataset and seed recorded in the run's fit.json. Given data use " +
            "the seed of fit.json (hence the fit's split) unless --seed is given.\n\n" +
            "Examples:\n" +
            "  mucmm evaluate --model runs/lin --out runs/lin-eval\n" +
            "  mucmm evaluate --model runs/avd --dataset av-digits --fsdd ../shared/data/fsdd --out runs/avd-eval\n" +
            "  mucmm evaluate --model runs/mine/model --view1 a.npy --view2 b.npy --seed 3 --out runs/mine-eval");
        model.AddTo(cmd);
        data.AddTo(cmd, withSplit: false);
        cmd.Options.Add(components);
        output.AddTo(cmd);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            string modelPath = parse.GetValue(model.Option)!;
            var fitted = model.Load(parse);
            using var folder = output.Open(parse);
            var dataset = LoadData(parse, data, modelPath);
            var options = new EvaluationOptions { OtherViewComponents = parse.GetValue(components) };
            runtime.Progress(parse).WriteLine($"evaluate: {fitted.Kind} model on {dataset.Name} ({dataset.Count} rows)…");
            var result = ModelEvaluation.Evaluate(fitted, dataset, options);
            result.Write(folder.File(RunFolder.MetricsFile));
            folder.Commit();
            Console.Out.Write(MetricsText.Format(result));
            Console.Out.WriteLine($"evaluate: wrote {Path.Combine(folder.Target, RunFolder.MetricsFile)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The data named on the command line, or else the built-in dataset recorded in the fit.json of the run
    /// folder <paramref name="modelPath"/> (or of the folder above a model/ folder).
    /// </summary>
    public static PairedDataset LoadData(ParseResult parse, DataOptions data, string modelPath)
    {
        string full = Path.GetFullPath(modelPath);
        string? runDir = File.Exists(Path.Combine(full, RunFolder.FitFile)) ? full
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(full)) == RunFolder.ModelFolder
              && File.Exists(Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full))!, RunFolder.FitFile))
                ? Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)) : null;
        if (data.IsGiven(parse))
            return data.LoadAll(parse, runDir is null ? null : RunFolder.Open(runDir).Seed);
        if (runDir is null)
            throw new MucmmUserException("no data: give --dataset NAME or --view1 FILE --view2 FILE (the model folder has no fit.json to take them from)");
        return RunFolder.Open(runDir).LoadData(parse.GetValue(data.Fsdd), parse.GetValue(data.Samples));
    }
}

using System.CommandLine;
using Mucmm.Data;
using Mucmm.Explain;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm score --model DIR (data options) [--split S] --out FILE.csv [--force]</c>: per-sample
/// common and individual scores (METHOD.md section 4), then the dataset's labels and factors.
/// </summary>
public static class ScoreCommand
{
    /// <summary>Help text of score and transform on where the data come from when --model is a run.</summary>
    internal const string RunDataHelp =
        "With a run folder (or its model/), the data default to the run's own data and split (fit.json); data given must be the " +
        "same and split as at fit time, except with --split all, where named data may be new samples.";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOption();
        var runtime = new RuntimeOptions();
        var data = new DataOptions(defaultSplit: "all");
        var outFile = new Option<string>("--out")
        {
            Description = "CSV file to write: index,common,individual1,individual2 (individual{m} for every view), then labels and factors.",
            HelpName = "FILE",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var cmd = new Command("score",
            "Score every sample: common score S_c = Σᵢ z^c_1ᵢ z^c_2ᵢ (mean over the training set = Σρ) and the individual score " +
            "S_u^m = mean of (z^u_mᵢ)² of each view (mean 1 on the training set; 0 for a model without individual variates).\n" +
            DataOptions.HelpText + "\n" + RunDataHelp + "\n" +
            "Examples:\n  mucmm score --model runs/lin --dataset noisy-mnist --out scores.csv\n" +
            "  mucmm score --model runs/lin --dataset noisy-mnist --split test --out test-scores.csv");
        model.AddTo(cmd);
        data.AddTo(cmd);
        cmd.Options.Add(outFile);
        cmd.Options.Add(force);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            string path = Path.GetFullPath(parse.GetValue(outFile)!);
            var inputs = CommandInputs.Of(parse, outFile);
            AtomicFile.Check(path, parse.GetValue(force), inputs);
            var m = model.Load(parse);
            // A run's data and split by default; with --split all, explicitly named data may be new samples.
            var all = data.LoadForRun(parse, model.RunOf(parse), allowOtherData: data.SplitOf(parse) is null);
            var dataset = data.SplitOf(parse) is { } split ? all.Subset(split) : all;
            var scores = Score.Standard(m.ViewCount);
            var values = Scores.Compute(m, EncoderOptions.ForModel(model.ModelPath(parse), dataset).Views, scores);
            // Written next to the target, then renamed: never a half-written CSV, no temporary file left.
            AtomicFile.Write(path, temp => ScoreTable.WriteCsv(temp, dataset, scores, values), parse.GetValue(force), inputs);
            Console.WriteLine($"score: {dataset.Count} samples → {path} (mean common score {values[0].Average():0.###})");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

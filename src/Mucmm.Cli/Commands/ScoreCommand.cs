using System.CommandLine;
using Mucmm.Data;
using Mucmm.Explain;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm score --run DIR (data options) [--split S] --out DIR [--force]</c>: per-sample common and individual
/// scores (docs/method.md §4) in <c>DIR/scores.csv</c>, then the dataset's labels and factors. <c>--out</c> names the
/// output folder, as in every command that writes results.
/// </summary>
public static class ScoreCommand
{
    /// <summary>The file score writes into its output folder.</summary>
    public const string ScoresFile = "scores.csv";

    /// <summary>Help text of score and transform on where the data come from when --run is a run.</summary>
    internal const string RunDataHelp =
        "With a run folder (--run DIR, or its model/), the data default to the run's own data and split (fit.json); data given must be the " +
        "same and split as at fit time, except with --split all, where named data may be new samples.";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var runOption = new RunOption();
        var runtime = new RuntimeOptions();
        var data = new DataOptions(defaultSplit: "all");
        var output = new OutputOptions($"{ScoresFile}: index,common,individual1,individual2 (individual{{m}} for every view), then labels and factors");
        var cmd = new Command("score",
            "Score every sample: common score S_c = Σᵢ z^c_1ᵢ z^c_2ᵢ (mean over the training set = Σρ) and the individual score " +
            "S_u^m = mean of (z^u_mᵢ)² of each view (mean 1 on the training set; 0 for a model without individual variates).\n" +
            DataOptions.HelpText + "\n" + RunDataHelp + "\n" +
            "Examples:\n  mucmm score --run runs/lin --dataset noisy-mnist --out runs/lin-scores\n" +
            "  mucmm score --run runs/lin --dataset noisy-mnist --split test --out runs/lin-test-scores");
        runOption.AddTo(cmd);
        data.AddTo(cmd);
        output.AddTo(cmd);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            if (parse.GetValue(output.Out)!.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                throw new MucmmUserException(parse.GetValue(output.Out)!, $"--out names the output folder (score writes {ScoresFile} into it), not a .csv file");
            var m = runOption.Load(parse);
            using var folder = output.Open(parse);
            // A run's data and split by default; with --split all, explicitly named data may be new samples.
            var all = data.LoadForRun(parse, runOption.RunOf(parse), allowOtherData: data.SplitOf(parse) is null);
            var dataset = data.SplitOf(parse) is { } split ? all.Subset(split) : all;
            var scores = Score.Standard(m.ViewCount);
            var values = Scores.Compute(m, dataset.Views, scores);
            ScoreTable.WriteCsv(folder.File(ScoresFile), dataset, scores, values);
            folder.Commit();
            Console.WriteLine($"score: {dataset.Count} samples → {Path.Combine(folder.Target, ScoresFile)} (mean common score {values[0].Average():0.###})");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

using System.CommandLine;
using Mucmm.Report;

namespace Mucmm.Cli.Commands;

/// <summary><c>mucmm report --run DIR [data options] [--force]</c>: writes DIR/report.html (<see cref="RunReport"/>).</summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var run = new RunOption("The run folder written by 'mucmm fit --out DIR' (model/, fit.json, maybe train.csv and metrics.json). Alias: --model.");
        var data = new DataOptions();
        var runtime = new RuntimeOptions();
        var force = new Option<bool>("--force") { Description = "Replace an existing report.html." };
        var perSelection = new Option<int>("--samples-per-selection")
        {
            Description = "Samples shown for each top/bottom selection by score.",
            HelpName = "N",
            DefaultValueFactory = _ => new ReportOptions().SamplesPerSelection,
        };
        var cmd = new Command("report",
            "Write DIR/report.html: one self-contained page (figures embedded) with the data summary, training curves, " +
            "canonical correlation spectrum train vs test, explained-variance split per view, leakage, probes, score histograms, " +
            "the top and bottom test samples by each score with their gradient maps, and the commands. " +
            "Computes DIR/metrics.json first when it is missing.\n" +
            "Data: by default exactly the data and split recorded in DIR/fit.json; data given must be the same (checked against " +
            "the fit's data fingerprint). A metrics.json computed for another model or other data is refused.\n\n" +
            "Examples:\n" +
            "  mucmm fit --model linear --dataset noisy-mnist --out runs/lin && mucmm report --run runs/lin\n" +
            "  mucmm report --run runs/avd --fsdd ../shared/data/fsdd\n" +
            "  mucmm report --run runs/mine --view1 a.npy --view2 b.npy --force");
        run.AddTo(cmd);
        data.AddTo(cmd, withSplit: false);
        cmd.Options.Add(perSelection);
        cmd.Options.Add(force);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            if (parse.GetValue(perSelection) < 1) throw new MucmmUserException($"--samples-per-selection must be ≥ 1, got {parse.GetValue(perSelection)}");
            var folder = RunFolder.Open(run.PathOf(parse));
            var dataset = data.LoadForRun(parse, folder);
            string command = "mucmm report " + string.Join(" ", parse.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value));
            string path = RunReport.Write(folder, dataset, parse.GetValue(force), command,
                new ReportOptions { SamplesPerSelection = parse.GetValue(perSelection) }, runtime.Progress(parse));
            Console.Out.WriteLine($"report: wrote {path}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

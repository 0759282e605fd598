using System.Globalization;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Explain;
using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>Issue 14: three views (--view3) through every command, for a deep model and for explain of a linear one.</summary>
public class ThreeViewDeepCommandTests
{
    /// <summary>
    /// Oracle: the file contracts and the library. A deep MUCMM fit on --view1/2/3 (.npy, 600 rows, 2 epochs) saves a
    /// 3-view model; transform writes common{m}/individual{m}.npy for m = 1..3 with k = 2 and r = 2 columns; score writes
    /// common, individual1..3 whose values equal <see cref="Scores.Compute"/> of the saved model on the same rows (written
    /// round-trip: 1e-12); explain --view3 writes maps for the 3 views (maps.json lists 3 views and the individual3 score,
    /// maps.npy is samples × scores × (6 + 5 + 7)); evaluate writes the mean-over-pairs test correlations with one
    /// pairwise entry per pair of views (3) and retrieval for the 6 ordered pairs; report writes report.html with the
    /// per-pair correlation rows.
    /// </summary>
    [Fact]
    public void Deep_fit_transform_score_explain_evaluate_and_report_take_a_third_view()
    {
        string root = TestPaths.NewTempDir();
        var files = ThreeViewCommandTests.WriteViews(root, [6, 5, 7], seed: 5);
        string[] views = ["--view1", files[0], "--view2", files[1], "--view3", files[2]];
        string run = Path.Combine(root, "run");
        var fit = CliHarness.Run(["fit", "--model", "deep", .. views, "--common-dim", "2", "--individual-dim", "2",
            "--epochs", "2", "--batch-size", "100", "--quiet", "--out", run]);
        Assert.True(fit.ExitCode == 0, fit.Stderr + fit.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model", "config.json")))!;
        Assert.Equal([6, 5, 7], config["input_dims"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());

        string tr = Path.Combine(root, "tr");
        var transform = CliHarness.Run("transform", "--model", run, "--out", tr);
        Assert.True(transform.ExitCode == 0, transform.Stderr);
        for (int m = 1; m <= 3; m++)
        {
            Assert.Equal([600, 2], NpyFile.Read(Path.Combine(tr, $"common{m}.npy")).Shape);
            Assert.Equal([600, 2], NpyFile.Read(Path.Combine(tr, $"individual{m}.npy")).Shape);
        }

        string csv = Path.Combine(root, "scores.csv");
        var score = CliHarness.Run(["score", "--model", run, .. views, "--split", "test", "--out", csv]);
        Assert.True(score.ExitCode == 0, score.Stderr);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("index,common,individual1,individual2,individual3", lines[0]);
        var data = PairedFiles.Load(files, seed: 0).Subset(Split.Test);
        using (var model = (IDisposable)ModelStore.Load(Path.Combine(run, "model")))
        {
            var expected = Scores.Compute((IMultiviewModel)model, data.Views, Score.Standard(3));
            Assert.Equal(data.Count + 1, lines.Length);
            for (int i = 0; i < data.Count; i++)
            {
                var cells = lines[i + 1].Split(',');
                for (int s = 0; s < 4; s++)
                    Assert.Equal(expected[s][i], double.Parse(cells[s + 1], CultureInfo.InvariantCulture), 12);
            }
        }

        string ex = Path.Combine(root, "explain");
        var explain = CliHarness.Run(["explain", "--model", run, .. views, "--samples", "2", "--out", ex]);
        Assert.True(explain.ExitCode == 0, explain.Stderr);
        var maps = JsonNode.Parse(File.ReadAllText(Path.Combine(ex, "maps.json")))!;
        Assert.Equal(3, maps["views"]!.AsArray().Count);
        Assert.Contains("individual3", maps["scores"]!.AsArray().Select(s => s!.GetValue<string>()));
        var npy = NpyFile.Read(Path.Combine(ex, "maps.npy"));
        Assert.Equal([2, 4, 18], npy.Shape);

        string eval = Path.Combine(root, "eval");
        var evaluate = CliHarness.Run("evaluate", "--model", run, "--out", eval);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Contains("view1 view3", evaluate.Stdout);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(eval, "metrics.json")))!;
        var pairwise = metrics["test"]!["pairwise_correlations"]!.AsObject();
        Assert.Equal(["view1_view2", "view1_view3", "view2_view3"], pairwise.Select(p => p.Key).ToArray());
        var mean = metrics["test"]!["canonical_correlations"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(2, mean.Length);
        for (int i = 0; i < 2; i++)
            Assert.Equal(pairwise.Select(p => p.Value!.AsArray()[i]!.GetValue<double>()).Average(), mean[i], 12);
        Assert.Equal(6, metrics["retrieval"]!["common"]!.AsObject().Count);

        var report = CliHarness.Run("report", "--run", run, "--samples-per-selection", "2", "--quiet");
        Assert.True(report.ExitCode == 0, report.Stderr);
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("test view2 view3", html);
    }

    /// <summary>
    /// Oracle: the library. explain --view3 of a linear 3-view model with --score individual3 and common draws the
    /// requested scores (maps.json), and their maps equal <see cref="Mucmm.Tests.Linear.LinearScores"/>' closed-form gradients on the same
    /// rows (method gradient; maps.npy is float32: relative 1e-5 of the largest value).
    /// </summary>
    [Fact]
    public void Explain_takes_a_third_view_for_a_linear_model_and_draws_the_closed_form_gradients()
    {
        string root = TestPaths.NewTempDir();
        var files = ThreeViewCommandTests.WriteViews(root, [6, 5, 7], seed: 8);
        string[] views = ["--view1", files[0], "--view2", files[1], "--view3", files[2]];
        string run = Path.Combine(root, "run");
        var fit = CliHarness.Run(["fit", "--model", "linear", .. views, "--common-dim", "2", "--individual-dim", "2", "--out", run]);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        string ex = Path.Combine(root, "explain");
        var explain = CliHarness.Run(["explain", "--model", run, .. views, "--indices", "3,7", "--split", "all", "--method", "gradient",
            "--score", "common", "--score", "individual3", "--out", ex]);
        Assert.True(explain.ExitCode == 0, explain.Stderr);
        var maps = JsonNode.Parse(File.ReadAllText(Path.Combine(ex, "maps.json")))!;
        Assert.Equal(["common", "individual3"], maps["scores"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray());
        var npy = NpyFile.Read(Path.Combine(ex, "maps.npy"));
        Assert.Equal([2, 2, 18], npy.Shape);

        var model = (Mucmm.Linear.LinearModel)ModelStore.Load(Path.Combine(run, "model"));
        var all = PairedFiles.Load(files, seed: 0);
        int[] rows = [3, 7];
        var x = all.Views.Select(v => TorchSharp.torch.tensor(rows.SelectMany(i => v.Data.Skip(i * v.Cols).Take(v.Cols)).ToArray(),
            [rows.Length, v.Cols], dtype: TorchSharp.torch.float64)).ToArray();
        var common = Mucmm.Tests.Linear.LinearScores.CommonGradients(model, x);
        var individual3 = Mucmm.Tests.Linear.LinearScores.IndividualGradient(model, 2, x[2]);
        var values = npy.Data;
        double scale = values.Max(Math.Abs);
        int[] offsets = [0, 6, 11];
        for (int i = 0; i < 2; i++)
            for (int m = 0; m < 3; m++)
                for (int j = 0; j < model.InputDims[m]; j++)
                {
                    double c = values[(i * 2 + 0) * 18 + offsets[m] + j], u = values[(i * 2 + 1) * 18 + offsets[m] + j];
                    Assert.True(Math.Abs(c - common[m][i, j].item<double>()) <= 1e-5 * scale, $"common, sample {i}, view {m + 1}, column {j}");
                    double want = m == 2 ? individual3[i, j].item<double>() : 0;
                    Assert.True(Math.Abs(u - want) <= 1e-5 * scale, $"individual3, sample {i}, view {m + 1}, column {j}");
                }
    }
}

using System.Text.Json.Nodes;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>Issue 14: three views from the command line (--view3) for fit, transform, score and evaluate with a linear model.</summary>
public class ThreeViewCommandTests
{
    /// <summary>Three .npy views of 600 rows sharing 2 signals (z₁, z₂ drawn from System.Random(seed)) plus independent noise per column.</summary>
    internal static string[] WriteViews(string dir, int[] widths, int seed)
    {
        const int n = 600;
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var z = Enumerable.Range(0, 2 * n).Select(_ => Normal()).ToArray();
        return widths.Select((d, m) =>
        {
            var x = new double[n * d];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    x[i * d + j] = (j % 2 == 0 ? z[2 * i] : z[2 * i + 1]) * (1 + 0.3 * j) + 0.5 * Normal();
            string path = Path.Combine(dir, $"v{m + 1}.npy");
            NpyFile.Write(path, x, n, d, NpyDType.Float64);
            return path;
        }).ToArray();
    }

    /// <summary>
    /// Oracle: construction and the file contract. A linear fit on --view1/2/3 (streamed .npy) saves a 3-view model
    /// (config.json dims); transform writes common{m}/individual{m}.npy for m = 1, 2, 3 with k and r columns;
    /// evaluate reports retrieval for all 6 ordered pairs, the common-variate recall@10 of every pair above 3 ×
    /// chance (the 2 shared signals are strong: noise s.d. 0.5), and score writes individual1..3 columns.
    /// A gap in the numbering (--view3 without --view2) is a one-line user error.
    /// </summary>
    [Fact]
    public void Fit_transform_score_and_evaluate_take_a_third_view()
    {
        string root = TestPaths.NewTempDir();
        var files = WriteViews(root, [6, 5, 7], seed: 9);
        string run = Path.Combine(root, "run");
        var fit = CliHarness.Run("fit", "--model", "linear", "--view1", files[0], "--view2", files[1], "--view3", files[2],
            "--common-dim", "2", "--individual-dim", "2", "--out", run);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model", "config.json")))!;
        Assert.Equal([6, 5, 7], config["dims"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());

        string tr = Path.Combine(root, "tr");
        var transform = CliHarness.Run("transform", "--model", run, "--out", tr);
        Assert.True(transform.ExitCode == 0, transform.Stderr);
        for (int m = 1; m <= 3; m++)
        {
            Assert.Equal([600, 2], NpyFile.Read(Path.Combine(tr, $"common{m}.npy")).Shape);
            Assert.Equal([600, 2], NpyFile.Read(Path.Combine(tr, $"individual{m}.npy")).Shape);
        }

        string eval = Path.Combine(root, "eval");
        var evaluate = CliHarness.Run("evaluate", "--model", run, "--out", eval);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Contains("view 3 → view 1", evaluate.Stdout);
        var retrieval = JsonNode.Parse(File.ReadAllText(Path.Combine(eval, "metrics.json")))!["retrieval"]!;
        double chance = retrieval["chance"]!["recall_at_10"]!.GetValue<double>();
        var common = retrieval["common"]!.AsObject();
        Assert.Equal(6, common.Count);
        foreach (var (key, value) in common)
            Assert.True(value!["recall_at_10"]!.GetValue<double>() > 3 * chance, $"{key}: {value.ToJsonString()}");

        string scores = Path.Combine(root, "scores", "scores.csv");
        var score = CliHarness.Run("score", "--run", run, "--out", Path.Combine(root, "scores"));
        Assert.True(score.ExitCode == 0, score.Stderr);
        Assert.StartsWith("index,common,individual1,individual2,individual3", File.ReadLines(scores).First());

        var gap = CliHarness.Run("fit", "--model", "linear", "--view1", files[0], "--view3", files[2], "--out", Path.Combine(root, "gap"));
        Assert.Equal(2, gap.ExitCode);
        Assert.Contains("--view3 needs --view2 FILE as well", gap.Stderr);
    }
}

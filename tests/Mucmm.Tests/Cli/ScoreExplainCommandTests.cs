using System.Globalization;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;
using Mucmm.Explain;
using SkiaSharp;
using Mucmm.Tests.Reliability;
using Xunit;

namespace Mucmm.Tests.Cli;

public class ScoreExplainCommandTests
{
    private static readonly Lazy<string> FitDir = new(() =>
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "fit");
        var r = CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic",
            "--common-dim", "3", "--individual-dim", "2", "--seed", "4", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return dir;
    });

    private static PairedDataset Data() => DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 4 });

    /// <summary>
    /// Happy path: <c>--out DIR</c> gets DIR/scores.csv with the contract columns (index, common, individual1,
    /// individual2, then the dataset's labels/factors), one row per test sample in index order, and values equal the
    /// library's <see cref="Scores.Compute"/> (oracle; written with round-trip formatting, so equal to 1e-12).
    /// </summary>
    [Fact]
    public void ScoreWritesTheContractCsv()
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "scores");
        string csv = Path.Combine(outDir, "scores.csv");
        var r = CliHarness.Run("score", "--run", FitDir.Value, "--dataset", "synthetic", "--seed", "4",
            "--split", "test", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        Assert.Equal(["index", "common", "individual1", "individual2"], header.Take(4));
        var test = Data().Subset(Split.Test);
        Assert.Equal(test.Labels.Count + test.Factors.Count, header.Length - 4);
        Assert.Equal(test.Count + 1, lines.Length);
        var model = ModelStore.Load(Path.Combine(FitDir.Value, "model"));
        var expected = Scores.Compute(model, test.Views, Score.Standard(2));
        for (int i = 0; i < test.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            Assert.Equal(test.Indices[i], int.Parse(cells[0], CultureInfo.InvariantCulture));
            for (int s = 0; s < 3; s++)
                Assert.Equal(expected[s][i], double.Parse(cells[s + 1], CultureInfo.InvariantCulture), 12);
        }

        // Refuses to overwrite without --force; replaces with it.
        r = CliHarness.Run("score", "--run", FitDir.Value, "--dataset", "synthetic", "--seed", "4", "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--force", r.Stderr);
        r = CliHarness.Run("score", "--run", FitDir.Value, "--dataset", "synthetic", "--seed", "4", "--out", outDir, "--force");
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>
    /// <c>--model DIR</c> still names the run in score (an alias of <c>--run</c>): the same scores.csv, byte for byte
    /// (oracle: the <c>--run</c> output). <c>--out FILE.csv</c>, the old meaning, is refused with a hint, writing nothing.
    /// </summary>
    [Fact]
    public void ScoreTakesModelAsAnAliasOfRunAndRefusesACsvOut()
    {
        string root = TestPaths.NewTempDir();
        string[] data = ["--dataset", "synthetic", "--seed", "4", "--split", "test"];
        CliHarness.Run(["score", "--run", FitDir.Value, .. data, "--out", Path.Combine(root, "a")]).AssertOk();
        CliHarness.Run(["score", "--model", FitDir.Value, .. data, "--out", Path.Combine(root, "b")]).AssertOk();
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", "scores.csv")), File.ReadAllBytes(Path.Combine(root, "b", "scores.csv")));
        var r = CliHarness.Run(["score", "--run", FitDir.Value, .. data, "--out", Path.Combine(root, "old.csv")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a .csv file", r.Stderr);
        Assert.False(Path.Exists(Path.Combine(root, "old.csv")));
    }

    [Fact]
    public void ScoreBadInputsAreUserErrors()
    {
        string dir = TestPaths.NewTempDir();
        var r = CliHarness.Run("score", "--run", dir, "--dataset", "synthetic", "--out", Path.Combine(dir, "s"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("config.json", r.Stderr);
        r = CliHarness.Run("score", "--run", FitDir.Value, "--dataset", "noisy-mnist", "--out", Path.Combine(dir, "s"));
        Assert.Equal(2, r.ExitCode);   // 784-pixel views for a model fitted on 30-wide views
        Assert.Single(r.ErrorLines);
    }

    /// <summary>
    /// Happy path: explain writes the pictures (PNG that decode), maps.npy of shape
    /// [samples, scores, d₁ + d₂] whose view-1 common block equals the library's gradient maps
    /// (oracle: <see cref="Attributions.Compute"/>, float32 rounding 1e-6 relative), maps.json, samples.csv
    /// and sanity.json; --indices picks exactly those samples in that order.
    /// </summary>
    [Fact]
    public void ExplainWritesPicturesAndMaps()
    {
        var test = Data().Subset(Split.Test);
        int[] wanted = [test.Indices[5], test.Indices[2]];
        string outDir = Path.Combine(TestPaths.NewTempDir(), "ex");
        var r = CliHarness.Run("explain", "--run", FitDir.Value, "--dataset", "synthetic", "--seed", "4",
            "--indices", $"{wanted[0]},{wanted[1]}", "--method", "integrated-gradients", "--sanity-checks", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("completeness error", r.Stdout);
        foreach (var png in new[] { "explain.png", "grid_common_view1.png", "grid_individual2_view2.png" })
        {
            using var bmp = SKBitmap.Decode(Path.Combine(outDir, png));
            Assert.NotNull(bmp);
            Assert.True(bmp.Width > 200 && bmp.Height > 60, $"{png}: {bmp.Width}×{bmp.Height}");
        }
        var layout = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "maps.json")))!;
        Assert.Equal(wanted, layout["indices"]!.AsArray().Select(x => x!.GetValue<int>()));
        Assert.Equal(["common", "individual1", "individual2"], layout["scores"]!.AsArray().Select(x => x!.GetValue<string>()));
        var npy = NpyFile.Read(Path.Combine(outDir, "maps.npy"));
        Assert.Equal([2, 3, 60], npy.Shape);

        var model = ModelStore.Load(Path.Combine(FitDir.Value, "model"));
        var rows = SampleSelection.ByIndex(test.Indices, wanted);
        var chosen = test.Select(rows);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var inputs = chosen.Views.Select(v => Mucmm.Evaluation.Representations.Slice(v, 0, v.Rows)).ToArray();
        var ig = Attributions.Compute(model, Score.Common, inputs, new AttributionOptions { Method = AttributionMethod.IntegratedGradients });
        for (int i = 0; i < 2; i++)
        {
            var want = ig.Map(0, i).ToArray();
            double scale = want.Max(Math.Abs);
            for (int j = 0; j < 30; j++)
                Assert.True(Math.Abs(npy.Data[i * 180 + j] - want[j]) <= 1e-6 * scale, $"sample {i} input {j}");
        }
        Assert.True(File.Exists(Path.Combine(outDir, "sanity.json")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "samples.csv")).Length);
    }

    [Theory]
    [InlineData("--score", "individual3")]
    [InlineData("--score", "common:9")]
    [InlineData("--indices", "999999")]
    [InlineData("--select", "top-nothing")]
    [InlineData("--count", "0")]
    public void ExplainBadInputsAreUserErrors(string option, string value)
    {
        string outDir = Path.Combine(TestPaths.NewTempDir(), "ex");
        var r = CliHarness.Run("explain", "--run", FitDir.Value, "--dataset", "synthetic", "--seed", "4", option, value, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.False(Directory.Exists(outDir), "no half-written output folder");
    }
}

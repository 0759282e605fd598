using System.Text.Json.Nodes;
using Xunit;

namespace Mucmm.Tests.Cli;

public class CompareCommandTests
{
    /// <summary>
    /// Happy path on synthetic data with the linear methods (the deep ones are exercised by the demo test and
    /// by docs/results.md). Ground truth: the common factors are 3 latents shared by both views, so every method
    /// reaches a test total correlation near 3 (≥ 2.7), and only linear MUCMM has individual probes.
    /// </summary>
    [Fact]
    public void Compare_writes_one_row_per_method()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "cmp");
        var r = CliHarness.Run("compare", "--dataset", "synthetic", "--samples", "1500", "--methods", "pca,cca,linear",
            "--common-dim", "3", "--individual-dim", "3", "--quiet", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "comparison.json")))!;
        var methods = json["methods"]!.AsArray();
        Assert.Equal(["pca", "cca", "linear"], methods.Select(m => m!["method"]!.GetValue<string>()));
        foreach (var m in methods)
            Assert.True(m!["metrics"]!["test"]!["total_correlation"]!.GetValue<double>() >= 2.7);
        Assert.Null(methods[1]!["metrics"]!["probes"]!["common1"]!["individual1"]);
        Assert.NotNull(methods[2]!["metrics"]!["probes"]!["common1"]!["individual1"]);
        string md = File.ReadAllText(Path.Combine(dir, "comparison.md"));
        Assert.Contains("| linear |", md);
        Assert.Contains("leak u1–v2", md);
        Assert.Contains("mucmm compare --dataset synthetic", md);
    }

    /// <summary>
    /// A text view is compared on its frozen minilm features, as <c>mucmm fit</c> trains on them (before, it entered as a
    /// one-column placeholder and every method stopped with "min(d1, d2) = 1"): 80 pairs of a 6-column vector view and a
    /// sentence naming which of two groups the row belongs to, with the group also shifting the vectors. Oracle: the
    /// group is the shared signal, so CCA's first test correlation is high (≥ 0.8), and the deep method's
    /// options put the identity encoder (heads on the features) on the text view only
    /// (<see cref="Mucmm.Evaluation.ComparisonOptions.DeepSettings"/>).
    /// </summary>
    [Fact]
    public void Compare_encodes_text_views_like_fit()
    {
        string dir = TestPaths.NewTempDir();
        var rng = new Random(5);
        int n = 80;
        var vectors = new double[n * 6];
        var texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            int g = i % 2;
            for (int j = 0; j < 6; j++) vectors[i * 6 + j] = rng.NextDouble() + (j < 2 ? 3.0 * g : 0.0);
            texts[i] = g == 1 ? $"a large red apple number {i}" : $"a small blue car number {i}";
        }
        string v1 = Path.Combine(dir, "v1.npy"), v2 = Path.Combine(dir, "v2.txt");
        Mucmm.Data.Readers.NpyFile.Write(v1, vectors, [n, 6]);
        File.WriteAllLines(v2, texts);
        string outDir = Path.Combine(dir, "cmp");
        var r = CliHarness.Run("compare", "--view1", v1, "--view2", v2, "--methods", "pca,cca", "--common-dim", "2", "--quiet", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "comparison.json")))!;
        var cca = json["methods"]!.AsArray().First(m => m!["method"]!.GetValue<string>() == "cca")!;
        var correlations = cca["metrics"]!["test"]!["canonical_correlations"]!.AsArray().Select(c => c!.GetValue<double>()).ToArray();
        Assert.True(correlations[0] >= 0.8, $"first test correlation {correlations[0]}");

        var options = new Mucmm.Evaluation.ComparisonOptions { FeatureViews = [false, true] };
        var (model, _) = options.DeepSettings(Mucmm.Deep.DeepModelKind.Mucmm);
        Assert.Equal([Mucmm.Deep.EncoderKind.Auto, Mucmm.Deep.EncoderKind.Identity], model.EncoderPerView);
        var (all, _) = (options with { FeatureViews = [true, true] }).DeepSettings(Mucmm.Deep.DeepModelKind.Mucmm);
        Assert.Equal(Mucmm.Deep.EncoderKind.Identity, all.Encoder);
    }

    [Fact]
    public void Unknown_method_and_bad_epochs_are_user_errors_before_any_output()
    {
        string root = TestPaths.NewTempDir();
        var r1 = CliHarness.Run("compare", "--dataset", "synthetic", "--methods", "pca,jive", "--out", Path.Combine(root, "a"));
        Assert.Equal(2, r1.ExitCode);
        Assert.Contains("jive", r1.Stderr);
        var r2 = CliHarness.Run("compare", "--dataset", "synthetic", "--epochs", "0", "--out", Path.Combine(root, "b"));
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("--epochs", r2.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public void Missing_data_and_missing_fsdd_are_user_errors()
    {
        string root = TestPaths.NewTempDir();
        var r1 = CliHarness.Run("compare", "--out", Path.Combine(root, "a"));
        Assert.Equal(2, r1.ExitCode);
        Assert.Contains("no data", r1.Stderr);
        var r2 = CliHarness.Run("compare", "--dataset", "av-digits", "--out", Path.Combine(root, "b"));
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("fsdd", r2.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }
}

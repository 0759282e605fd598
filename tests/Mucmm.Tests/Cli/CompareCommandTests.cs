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

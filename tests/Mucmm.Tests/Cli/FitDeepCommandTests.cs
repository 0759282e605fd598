using System.Text.Json.Nodes;
using Xunit;

namespace Mucmm.Tests.Cli;

public class FitDeepCommandTests
{
    /// <summary>
    /// Happy path of <c>mucmm fit --model deep</c> on the built-in synthetic data (tiny run): exit 0, model/
    /// loadable, fit.json with the contract's keys and k descending training canonical correlations in [0, 1],
    /// train.csv with one row per epoch; the checkpoint folder is removed after success. Then
    /// <c>mucmm transform</c> works on the deep model.
    /// </summary>
    [Fact]
    public void FitDeepWritesModelFitJsonAndTrainCsv()
    {
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "run");
        var r = CliHarness.Run("fit", "--model", "deep", "--dataset", "synthetic", "--samples", "600", "--common-dim", "2",
            "--individual-dim", "2", "--epochs", "2", "--batch-size", "100", "--quiet", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")))!;
        Assert.Equal("deep", fit["model"]!.GetValue<string>());
        var rho = fit["canonical_correlations"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal(2, rho.Length);
        Assert.True(rho[0] >= rho[1] && rho[1] >= 0 && rho[0] <= 1);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "train.csv")).Length);
        Assert.False(Directory.Exists(outDir + ".checkpoint"));
        Assert.Equal("deep", ModelStore.Load(Path.Combine(outDir, "model")).Kind);

        var t = CliHarness.Run("transform", "--model", outDir, "--dataset", "synthetic", "--samples", "600", "--split", "test", "--out", Path.Combine(root, "t"));
        Assert.True(t.ExitCode == 0, t.Stderr);
        Assert.True(File.Exists(Path.Combine(root, "t", "individual1.npy")));
    }

    /// <summary>Bad inputs are user errors (exit 2) with a one-line message and no output folder: batch too small, unknown encoder, deep options on a linear model, CNN on vector data, malformed --cnn-channels, --weight-average ≥ 1, unknown --lr-schedule, negative --weight-decay.</summary>
    [Fact]
    public void FitDeepRejectsBadOptions()
    {
        string root = TestPaths.NewTempDir();
        string[] common = ["--dataset", "synthetic", "--samples", "300", "--quiet"];
        var r = CliHarness.Run(["fit", "--model", "deep", .. common, "--batch-size", "10", "--out", Path.Combine(root, "a")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--batch-size 10 is too small", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "deep", .. common, "--encoder", "resnet", "--out", Path.Combine(root, "b")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--encoder must be", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "linear", .. common, "--epochs", "3", "--out", Path.Combine(root, "c")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("do not apply to --model linear", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "dcca", .. common, "--encoder", "cnn", "--batch-size", "50", "--out", Path.Combine(root, "d")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("needs 2-D samples", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "deep", .. common, "--cnn-channels", "32,x", "--out", Path.Combine(root, "e")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--cnn-channels must be comma-separated integers", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "deep", .. common, "--weight-average", "1", "--out", Path.Combine(root, "f")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--weight-average must be in [0, 1)", r.Stderr);
        r = CliHarness.Run(["fit", "--model", "deep", .. common, "--lr-schedule", "linear", "--out", Path.Combine(root, "g")]);
        Assert.Equal(2, r.ExitCode);
        r = CliHarness.Run(["fit", "--model", "deep", .. common, "--weight-decay", "-1", "--out", Path.Combine(root, "h")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--weight-decay must be ≥ 0", r.Stderr);
        Assert.All(new[] { "e", "f", "g", "h" }, d => Assert.False(Directory.Exists(Path.Combine(root, d))));
    }

    /// <summary>
    /// A dataset's own deep defaults (located-mnist: <see cref="Mucmm.Data.Datasets.LocatedMnistDataset.DeepDefaults"/>, the
    /// oracle) apply to every setting whose flag is not given, and a given flag wins: with <c>--individual-dim 4 --epochs 1</c>
    /// fit.json records r = 4 and one epoch, and k is the dataset's; the note names what was applied and not the given flags.
    /// </summary>
    [Fact]
    public void FitDeepAppliesTheDatasetsOwnDefaultsWhereNoFlagIsGiven()
    {
        var own = Mucmm.Data.Datasets.LocatedMnistDataset.DeepDefaults;
        Assert.NotNull(own.CommonDim);
        Assert.NotNull(own.Epochs);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "run");
        var r = CliHarness.Run("fit", "--model", "deep", "--dataset", "located-mnist", "--individual-dim", "4", "--epochs", "1",
            "--patience", "0", "--quiet", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")))!;
        Assert.Equal(own.CommonDim!.Value, fit["common_dim"]!.GetValue<int>());
        Assert.Equal([4, 4], fit["individual_dims"]!.AsArray().Select(x => x!.GetValue<int>()));
        Assert.Equal(1, fit["options"]!["deep_training"]!["epochs"]!.GetValue<int>());
        Assert.Contains($"located-mnist's own deep defaults applied: --common-dim {own.CommonDim}", r.Stderr);
        Assert.DoesNotContain("--individual-dim", r.Stderr);
        Assert.DoesNotContain("--epochs", r.Stderr);
    }
}

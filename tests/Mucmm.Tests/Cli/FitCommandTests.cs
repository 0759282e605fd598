using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Cli;

public class FitCommandTests
{
    /// <summary>
    /// Happy path of the contract: fit linear on synthetic (train split) writes fit.json with the
    /// contract fields (all min(d1, d2) = 30 canonical correlations, descending) and model/; transform
    /// --split test writes float32 .npy files whose rows equal the library's Forward on the test rows,
    /// in index order (oracle: <see cref="LinearModel.Forward"/>, float32 rounding 1e-6 relative).
    /// </summary>
    [Fact]
    public void FitThenTransformSynthetic()
    {
        string root = TestPaths.NewTempDir();
        string fitDir = Path.Combine(root, "fit"), outDir = Path.Combine(root, "test");
        var r = CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--samples", "2000",
            "--common-dim", "3", "--individual-dim", "2", "--permutations", "10", "--seed", "4", "--out", fitDir);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var data = Mucmm.Data.Datasets.DatasetCatalog.Load("synthetic", new Mucmm.Data.Datasets.DatasetOptions { Seed = 4, Samples = 2000 });
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(fitDir, "fit.json")))!;
        Assert.Equal("linear", fit["model"]!.GetValue<string>());
        Assert.Equal(data.RowsOf(Split.Train).Length, fit["n_samples"]!.GetValue<int>());
        Assert.Equal(new[] { 30, 30 }, fit["dims"]!.AsArray().Select(x => x!.GetValue<int>()));
        Assert.Equal(3, fit["common_dim"]!.GetValue<int>());
        Assert.Equal(new[] { 2, 2 }, fit["individual_dims"]!.AsArray().Select(x => x!.GetValue<int>()));
        Assert.Equal(LinearOptions.Defaults.Ridge, fit["ridge"]!.GetValue<double>());
        var rho = fit["canonical_correlations"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal(30, rho.Length);
        Assert.True(rho.Zip(rho.Skip(1), (a, b) => a >= b).All(x => x), "canonical correlations must be descending");
        Assert.True(File.Exists(Path.Combine(fitDir, "model", "config.json")));

        r = CliHarness.Run("transform", "--model", fitDir, "--dataset", "synthetic", "--samples", "2000", "--seed", "4",
            "--split", "test", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var test = data.Subset(Split.Test);
        var model = LinearModel.Load(Path.Combine(fitDir, "model"));
        using var scope = NewDisposeScope();
        var o = model.Forward(test.Views.Select(v => LinearAlgebra.FromArray(v.Data, v.Rows, v.Cols)).ToArray());
        foreach (var (file, want) in new[] { ("common1", o.Common[0]), ("common2", o.Common[1]), ("individual1", o.Individual[0]), ("individual2", o.Individual[1]) })
        {
            var npy = NpyFile.Read(Path.Combine(outDir, file + ".npy"));
            Assert.Equal(NpyDType.Float32, npy.DType);
            Assert.Equal(new[] { test.Count, (int)want.shape[1] }, npy.Shape);
            var got = LinearAlgebra.FromArray(npy.Data, test.Count, (int)want.shape[1]);
            Assert.True((got - want).abs().max().item<double>() < 1e-5 * Math.Max(1, want.abs().max().item<double>()), file);
        }
    }

    /// <summary>
    /// Happy path with user files: plain cca from .npy + .csv (ridge 0). Oracle: the library's
    /// <see cref="CanonicalCorrelation"/> on the train rows of the same fixed-seed split (1e-12).
    /// </summary>
    [Fact]
    public void FitCcaFromFiles()
    {
        string root = TestPaths.NewTempDir();
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(400, 4, 3, seed: 41);
        string f1 = Path.Combine(root, "a.npy"), f2 = Path.Combine(root, "b.csv");
        NpyFile.Write(f1, x.Data, x.Rows, x.Cols, NpyDType.Float64);
        File.WriteAllLines(f2, new[] { "\"p\",\"q\",\"r\"" }.Concat(Enumerable.Range(0, y.Rows).Select(i =>
            string.Join(",", y.Row(i).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))));
        string fitDir = Path.Combine(root, "fit");
        var r = CliHarness.Run("fit", "--model", "cca", "--view1", f1, "--view2", f2, "--ridge", "0", "--common-dim", "2", "--out", fitDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(fitDir, "fit.json")))!;
        Assert.Equal("cca", fit["model"]!.GetValue<string>());
        Assert.Equal(new[] { 0, 0 }, fit["individual_dims"]!.AsArray().Select(v => v!.GetValue<int>()));

        var split = Mucmm.Data.Datasets.DatasetSplits.Random(400, 0);   // the user-file split (80/10/10, --seed 0)
        var train = Enumerable.Range(0, 400).Where(i => split[i] == Split.Train).ToArray();
        var cca = CanonicalCorrelation.Fit(CovarianceStats.FromViews(new[] { x.Select(train), y.Select(train) }), 0);
        var got = fit["canonical_correlations"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(train.Length, fit["n_samples"]!.GetValue<int>());
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(got[i] - cca.Correlations[i]) < 1e-12, $"ρ{i + 1}");
    }

    /// <summary>
    /// Two .npy files are streamed from disk (bounded memory). Oracle: the in-memory library fit on the
    /// train rows of the same files (<see cref="PairedFiles.Load"/>, the split DataOptions gives user
    /// files); correlations and weights agree to 1e-10.
    /// </summary>
    [Fact]
    public void StreamedNpyFitEqualsInMemoryFit()
    {
        string root = TestPaths.NewTempDir();
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(3000, 6, 5, seed: 43);
        string f1 = Path.Combine(root, "a.npy"), f2 = Path.Combine(root, "b.npy");
        NpyFile.Write(f1, x.Data, x.Rows, x.Cols, NpyDType.Float64);
        NpyFile.Write(f2, y.Data, y.Rows, y.Cols, NpyDType.Float64);
        string fitDir = Path.Combine(root, "fit");
        var r = CliHarness.Run("fit", "--view1", f1, "--view2", f2, "--common-dim", "2", "--individual-dim", "2", "--seed", "5", "--out", fitDir);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var train = PairedFiles.Load([f1, f2], 5).Subset(Split.Train);
        var expected = LinearMucmm.Fit(train.Views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var got = LinearModel.Load(Path.Combine(fitDir, "model"));
        Assert.Equal(train.Count, got.TrainingCount);
        for (int i = 0; i < 5; i++) Assert.True(Math.Abs(expected.CanonicalCorrelations[i] - got.CanonicalCorrelations[i]) < 1e-10);
        using var scope = NewDisposeScope();
        for (int m = 0; m < 2; m++)
        {
            Assert.True((expected.CommonDirections(m) - got.CommonDirections(m)).abs().max().item<double>() < 1e-10);
            Assert.True((expected.IndividualLoadings(m) - got.IndividualLoadings(m)).abs().max().item<double>() < 1e-10);
        }
    }

    /// <summary>Bad input: impossible k, both K rules, constant columns with ridge 0, existing output, wrong model dims — exit 2, one line.</summary>
    [Fact]
    public void BadInputsExitWithCode2()
    {
        string root = TestPaths.NewTempDir();
        var r = CliHarness.Run("fit", "--dataset", "synthetic", "--samples", "500", "--common-dim", "31", "--out", Path.Combine(root, "a"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("common dim k = 31 is not possible", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "a")));

        r = CliHarness.Run("fit", "--dataset", "synthetic", "--samples", "500", "--threshold", "0.3", "--permutations", "5", "--out", Path.Combine(root, "b"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not both", r.Stderr);

        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(100, 3, 3, seed: 42);
        var data = (double[])x.Data.Clone();
        for (int i = 0; i < 100; i++) data[i * 3 + 2] = 1;
        string f1 = Path.Combine(root, "x.npy"), f2 = Path.Combine(root, "y.npy");
        NpyFile.Write(f1, data, 100, 3);
        NpyFile.Write(f2, y.Data, 100, 3);
        r = CliHarness.Run("fit", "--model", "cca", "--view1", f1, "--view2", f2, "--ridge", "0", "--common-dim", "1", "--out", Path.Combine(root, "c"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("constant columns (2)", r.Stderr);
        Assert.Single(r.ErrorLines);

        string ok = Path.Combine(root, "ok");
        Assert.Equal(0, CliHarness.Run("fit", "--model", "cca", "--view1", f1, "--view2", f2, "--common-dim", "1", "--out", ok).ExitCode);
        r = CliHarness.Run("fit", "--model", "cca", "--view1", f1, "--view2", f2, "--common-dim", "1", "--out", ok);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(0, CliHarness.Run("fit", "--model", "cca", "--view1", f1, "--view2", f2, "--common-dim", "1", "--out", ok, "--force").ExitCode);

        r = CliHarness.Run("transform", "--model", ok, "--dataset", "synthetic", "--samples", "100", "--out", Path.Combine(root, "t"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("has 30 values per sample but the model expects 3", r.Stderr);
        r = CliHarness.Run("transform", "--model", root, "--dataset", "synthetic", "--out", Path.Combine(root, "t"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("config.json is missing", r.Stderr);
    }
}

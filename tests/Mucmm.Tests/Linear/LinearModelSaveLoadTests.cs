using System.Text.Json.Nodes;
using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

public class LinearModelSaveLoadTests
{
    private static (LinearModel Model, Tensor X1, Tensor X2) Fit(LinearModelKind kind, double? threshold = null)
    {
        var (x, y) = CanonicalCorrelationTests.RandomPair(300, 6, 5, seed: 31);
        var model = LinearMucmm.Fit(new[] { x, y }, new LinearOptions { Kind = kind, CommonDim = 2, IndividualDim = 2, Threshold = threshold });
        return (model, LinearAlgebra.FromArray(x.Data, x.Rows, x.Cols), LinearAlgebra.FromArray(y.Data, y.Rows, y.Cols));
    }

    /// <summary>
    /// Oracle: the model before saving. A saved and reloaded model (directly and through
    /// <see cref="ModelStore.Load"/>) gives bit-identical outputs, metadata and patterns; config.json
    /// carries the contract fields.
    /// </summary>
    [Theory]
    [InlineData(LinearModelKind.Mucmm, "linear")]
    [InlineData(LinearModelKind.Cca, "cca")]
    public void SaveLoadRoundTrips(LinearModelKind kind, string name)
    {
        using var scope = NewDisposeScope();
        var (model, x1, x2) = Fit(kind, threshold: 0.2);
        string dir = Path.Combine(TestPaths.NewTempDir(), "model");
        model.Save(dir);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal(name, config["model"]!.GetValue<string>());
        Assert.Equal(1, config["format_version"]!.GetValue<int>());
        Assert.Equal(new[] { 6, 5 }, config["dims"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(5, config["canonical_correlations"]!.AsArray().Count);

        foreach (var loaded in new IMultiviewModel[] { LinearModel.Load(dir), ModelStore.Load(dir) })
        {
            Assert.Equal(name, loaded.Kind);
            Assert.Equal(model.IndividualDims, loaded.IndividualDims);
            var a = model.Forward(new[] { x1, x2 });
            var b = loaded.Forward(new[] { x1, x2 });
            for (int m = 0; m < 2; m++)
            {
                Assert.True(a.Common[m].eq(b.Common[m]).all().item<bool>());
                Assert.True(a.Individual[m].eq(b.Individual[m]).all().item<bool>());
            }
            var lm = Assert.IsType<LinearModel>(loaded);
            Assert.Equal(model.CanonicalCorrelations, lm.CanonicalCorrelations);
            Assert.Equal(model.Threshold, lm.Threshold);
            Assert.Equal(model.CorrelatedCount, lm.CorrelatedCount);
            Assert.Equal(model.ExplainedVariance, lm.ExplainedVariance);
            Assert.True(model.CommonPatterns(1).eq(lm.CommonPatterns(1)).all().item<bool>());
        }
    }

    /// <summary>Bad input: another format_version, another model kind, missing weights — one clear line naming the file.</summary>
    [Fact]
    public void ForeignOrDamagedFoldersAreClearErrors()
    {
        var (model, _, _) = Fit(LinearModelKind.Mucmm);
        string dir = Path.Combine(TestPaths.NewTempDir(), "model");
        model.Save(dir);
        string configPath = Path.Combine(dir, "config.json");
        string original = File.ReadAllText(configPath);

        File.WriteAllText(configPath, original.Replace("\"format_version\": 1", "\"format_version\": 2"));
        var ex = Assert.Throws<MucmmUserException>(() => LinearModel.Load(dir));
        Assert.StartsWith(configPath + ": format_version 2 is not supported", ex.Message);
        Assert.Throws<MucmmUserException>(() => ModelStore.Load(dir));

        File.WriteAllText(configPath, original.Replace("\"model\": \"linear\"", "\"model\": \"deep\""));
        Assert.Contains("not a linear model", Assert.Throws<MucmmUserException>(() => LinearModel.Load(dir)).Message);
        File.WriteAllText(configPath, original.Replace("\"model\": \"linear\"", "\"model\": \"tree\""));
        Assert.Contains("unknown model kind 'tree'", Assert.Throws<MucmmUserException>(() => ModelStore.Load(dir)).Message);

        File.WriteAllText(configPath, original);
        File.Delete(Path.Combine(dir, LinearModel.WeightsFile));
        Assert.Contains("weights file is missing", Assert.Throws<MucmmUserException>(() => LinearModel.Load(dir)).Message);
        Assert.Contains("config.json is missing", Assert.Throws<MucmmUserException>(() => ModelStore.Load(TestPaths.NewTempDir())).Message);
    }
}

using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Deep;
using Mucmm.Linear;
using Mucmm.Tests.Cli;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Reliability;

/// <summary>
/// docs/reliability.md section 3 (damaged models): every damaged or incomplete model folder is refused
/// by every command that reads it with exit code 2 and one line naming the file and what is wrong —
/// never exit 1 (a crash) and never a result computed from bad weights. The models are tiny (widths 6
/// and 5, built without training) and read with <c>mucmm transform</c>.
/// </summary>
public class DamagedModelTests
{
    private static readonly Lazy<string> Data = new(WriteData);

    private static string WriteData()
    {
        string dir = TestPaths.NewTempDir();
        var rng = new Random(5);
        NpyFile.Write(Path.Combine(dir, "a.npy"), Enumerable.Range(0, 40 * 6).Select(_ => rng.NextDouble()).ToArray(), 40, 6);
        NpyFile.Write(Path.Combine(dir, "b.npy"), Enumerable.Range(0, 40 * 5).Select(_ => rng.NextDouble()).ToArray(), 40, 5);
        return dir;
    }

    /// <summary>A fresh linear MUCMM model folder (k = 2, r = 2) fitted on random 40 × 6 and 40 × 5 views.</summary>
    private static string LinearFolder()
    {
        var rng = new Random(3);
        var x = new View("a", ViewKind.Vector, [6], Enumerable.Range(0, 60 * 6).Select(_ => rng.NextDouble()).ToArray());
        var y = new View("b", ViewKind.Vector, [5], Enumerable.Range(0, 60 * 5).Select(_ => rng.NextDouble()).ToArray());
        var model = LinearMucmm.Fit([x, y], new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        string dir = Path.Combine(TestPaths.NewTempDir(), "model");
        model.Save(dir);
        return dir;
    }

    /// <summary>A fresh deep MUCMM model folder (MLP encoders of width 8, k = 2, r = 2), untrained, with its alignment.</summary>
    private static string DeepFolder()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var options = new DeepModelOptions { Encoder = EncoderKind.Mlp, EncoderHidden = [8], CommonDim = 2, IndividualDim = 2 };
        int[][] shapes = [[6], [5]];
        var network = DeepMultiviewModel.BuildNetwork(options, shapes, [0, 0]);
        Alignment alignment;
        using (no_grad())
        {
            var o = new[] { network[0].call(randn(50, 6)), network[1].call(randn(50, 5)) };
            alignment = Alignment.Fit([o[0].Common, o[1].Common], [o[0].Individual, o[1].Individual]);
        }
        using var model = new DeepMultiviewModel(options, shapes, network, alignment);
        string dir = Path.Combine(TestPaths.NewTempDir(), "model");
        model.Save(dir);
        return dir;
    }

    private static CliResult Transform(string modelDir) =>
        CliHarness.Run("transform", "--model", modelDir, "--view1", Path.Combine(Data.Value, "a.npy"),
            "--view2", Path.Combine(Data.Value, "b.npy"), "--out", Path.Combine(TestPaths.NewTempDir(), "out"));

    /// <summary>Exit 2, exactly one line on stderr, naming <paramref name="file"/> and containing <paramref name="problem"/>.</summary>
    private static void AssertRefused(CliResult r, string file, string problem)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}{r.Stdout}");
        var line = Assert.Single(r.ErrorLines);
        Assert.Contains(file, line);
        Assert.Contains(problem, line);
    }

    private static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    private static void EditWeights(string dir, Action<Dictionary<string, Tensor>> edit)
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(dir, "weights.safetensors");
        Dictionary<string, Tensor> tensors;
        using (var read = File.OpenRead(path)) tensors = TorchSharp.PyBridge.Safetensors.LoadStateDict(read, leaveOpen: false);
        edit(tensors);
        using var write = File.Create(path);
        TorchSharp.PyBridge.Safetensors.SaveStateDict(write, tensors, leaveOpen: true);
    }

    /// <summary>Oracle: the undamaged folders load and transform (exit 0) — the damage below is what is refused.</summary>
    [Fact]
    public void IntactFoldersTransform()
    {
        Assert.Equal(0, Transform(LinearFolder()).ExitCode);
        var r = Transform(DeepFolder());
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>
    /// Issue 11 §3: config.json with an edited "model" kind (was a NullReferenceException for "deep")
    /// names config.json and the entry that does not fit.
    /// </summary>
    [Theory]
    [InlineData("deep", "\"sample_shapes\" is missing")]
    [InlineData("dcca", "\"sample_shapes\" is missing")]
    [InlineData("pca", "\"component_variances\" is missing")]
    [InlineData("cca", "\"individual_dims\" must be [0, 0]")]
    [InlineData("banana", "unknown model kind 'banana'")]
    public void EditedLinearKind(string kind, string problem)
    {
        string dir = LinearFolder();
        EditConfig(dir, c => c["model"] = kind);
        AssertRefused(Transform(dir), "config.json", problem);
    }

    /// <summary>Deep folder whose kind is edited to linear, pca or a number.</summary>
    [Theory]
    [InlineData("linear")]
    [InlineData("pca")]
    public void EditedDeepKind(string kind)
    {
        string dir = DeepFolder();
        EditConfig(dir, c => c["model"] = kind);
        AssertRefused(Transform(dir), "config.json", "is missing");
        EditConfig(dir, c => c["model"] = 7);
        AssertRefused(Transform(dir), "config.json", "model kind");
    }

    /// <summary>Issue 11 §3: a deep run without alignment.json (was a FileNotFoundException).</summary>
    [Fact]
    public void DeepWithoutAlignment()
    {
        string dir = DeepFolder();
        File.Delete(Path.Combine(dir, "alignment.json"));
        AssertRefused(Transform(dir), "alignment.json", "missing");
    }

    /// <summary>alignment.json that is not JSON, or whose arrays do not fit the model's dims.</summary>
    [Fact]
    public void DamagedAlignment()
    {
        string dir = DeepFolder();
        string path = Path.Combine(dir, "alignment.json");
        string good = File.ReadAllText(path);
        File.WriteAllText(path, good[..(good.Length / 2)]);
        AssertRefused(Transform(dir), "alignment.json", "not a valid alignment");
        var json = JsonNode.Parse(good)!.AsObject();
        json["CanonicalCorrelations"] = new JsonArray(0.9);
        File.WriteAllText(path, json.ToJsonString());
        AssertRefused(Transform(dir), "alignment.json", "\"CanonicalCorrelations\" must hold 2 finite values");
    }

    /// <summary>Issue 11 §3: a truncated weights.safetensors (was an EndOfStreamException for deep models).</summary>
    [Theory]
    [InlineData("deep")]
    [InlineData("linear")]
    public void TruncatedWeights(string family)
    {
        string dir = family == "deep" ? DeepFolder() : LinearFolder();
        string path = Path.Combine(dir, "weights.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        AssertRefused(Transform(dir), "weights.safetensors", "cannot read safetensors");
    }

    /// <summary>A tensor missing from the weights, and a config whose dims no longer match the tensors' shapes.</summary>
    [Fact]
    public void MissingTensorsAndWrongShapes()
    {
        string deep = DeepFolder();
        string removed = "";
        EditWeights(deep, t => { removed = t.Keys.First(k => k.Contains("fc0")); t.Remove(removed); });
        AssertRefused(Transform(deep), "weights.safetensors", $"tensor '{removed}' is missing");

        deep = DeepFolder();
        EditConfig(deep, c => c["encoder_hidden"] = new JsonArray(9));
        AssertRefused(Transform(deep), "weights.safetensors", "but the architecture in");

        string linear = LinearFolder();
        EditWeights(linear, t => t.Remove("common2"));
        AssertRefused(Transform(linear), "weights.safetensors", "tensor 'common2' is missing");

        linear = LinearFolder();
        EditConfig(linear, c => c["dims"] = new JsonArray(7, 5));
        AssertRefused(Transform(linear), "weights.safetensors", "expected Float64 [7, 2]");
    }

    /// <summary>Config entries of the wrong type or out of range name the entry.</summary>
    [Theory]
    [InlineData("linear", "common_dim", "\"two\"", "\"common_dim\" must be an integer")]
    [InlineData("linear", "common_dim", "0", "\"common_dim\" must be between 1 and 5")]
    [InlineData("linear", "dims", "[6, -1]", "\"dims\" must be ≥ 1")]
    [InlineData("linear", "ridge", "null", "\"ridge\" is missing")]
    [InlineData("linear", "explained_variance", "[1, 2]", "\"explained_variance\" must be an array of objects")]
    [InlineData("deep", "sample_shapes", "[[6]]", "\"sample_shapes\" must list")]
    [InlineData("deep", "encoder", "\"transformer\"", "\"encoder\" 'transformer' is not one of")]
    [InlineData("deep", "individual_dim", "0", "\"individual_dim\" must be ≥ 1")]
    [InlineData("deep", "train_encoder", "\"yes\"", "\"train_encoder\" must be true or false")]
    [InlineData("deep", "format_version", "\"1\"", "damaged config")]
    public void BadConfigValues(string family, string entry, string json, string problem)
    {
        string dir = family == "deep" ? DeepFolder() : LinearFolder();
        EditConfig(dir, c => c[entry] = JsonNode.Parse(json));
        AssertRefused(Transform(dir), "config.json", problem);
    }

    /// <summary>
    /// Issue 11 §3: a NaN written into a linear model's weights gave NaN variates with exit 0; every
    /// loaded tensor is now checked for finite values (linear and deep, NaN and infinity).
    /// </summary>
    [Theory]
    [InlineData("linear", "common1", double.NaN)]
    [InlineData("linear", "mean2", double.PositiveInfinity)]
    [InlineData("deep", null, double.NaN)]
    public void NonFiniteWeights(string family, string? tensor, double value)
    {
        string dir = family == "deep" ? DeepFolder() : LinearFolder();
        string name = "";
        EditWeights(dir, t =>
        {
            name = tensor ?? t.Keys.First(k => k.EndsWith("weight", StringComparison.Ordinal));
            t[name].view(-1)[0].fill_(value);
        });
        AssertRefused(Transform(dir), "weights.safetensors", $"tensor '{name}' holds NaN or an infinite value");
    }

    /// <summary>A config.json that is a link to /dev/zero is refused after a bounded read, not read forever.</summary>
    [Fact]
    public void EndlessConfig()
    {
        if (!File.Exists("/dev/zero")) return;
        string dir = LinearFolder();
        string path = Path.Combine(dir, "config.json");
        File.Delete(path);
        File.CreateSymbolicLink(path, "/dev/zero");
        AssertRefused(Transform(dir), "config.json", "larger than");
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Linear;

namespace Mucmm;

/// <summary>Loads any saved model folder by the <c>"model"</c> entry of its <c>config.json</c>.</summary>
public static class ModelStore
{
    /// <summary>
    /// Loads the model in <paramref name="directory"/>. Throws <see cref="MucmmUserException"/> when the
    /// folder holds no model, or a model kind this build does not know.
    /// </summary>
    public static IMultiviewModel Load(string directory)
    {
        var (config, configPath) = Parse(directory);
        string? kind;
        try
        {
            kind = config["model"]?.GetValue<string>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new MucmmUserException(configPath, $"cannot read the model kind ({e.Message})");
        }
        return kind switch
        {
            "linear" or "cca" => LinearModel.Load(directory),
            "deep" or "dcca" => Deep.DeepMultiviewModel.Load(directory),
            "pca" => PcaModel.Load(directory),
            null => throw new MucmmUserException(configPath, "\"model\" is missing"),
            _ => throw new MucmmUserException(configPath, $"unknown model kind '{kind}' (this build knows linear, cca, deep, dcca, pca)"),
        };
    }

    /// <summary>
    /// Reads and checks the <c>config.json</c> of a saved model of one family — the one home of the
    /// checks every model's <c>Load</c> needs: the file exists and is JSON, <c>"model"</c> is one of
    /// <paramref name="kinds"/>, and <c>"format_version"</c> is <paramref name="formatVersion"/>.
    /// Each failure is a one-line <see cref="MucmmUserException"/> naming the file.
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="family">Family name used in messages, e.g. "linear", "deep", "PCA".</param>
    /// <param name="formatVersion">The format version this build reads for the family.</param>
    /// <param name="kinds">The <c>"model"</c> values of the family.</param>
    /// <returns>The parsed config, its <c>"model"</c> value, and the config file's path.</returns>
    public static (JsonNode Config, string Kind, string ConfigPath) ReadConfig(string directory, string family, int formatVersion, params string[] kinds)
    {
        var (config, configPath) = Parse(directory);
        try
        {
            string kind = config["model"]?.GetValue<string>() ?? throw new MucmmUserException(configPath, "\"model\" is missing");
            if (!kinds.Contains(kind))
                throw new MucmmUserException(configPath,
                    $"model '{kind}' is not a {family} model (expected {string.Join(" or ", kinds.Select(k => $"\"{k}\""))})");
            int version = config["format_version"]?.GetValue<int>() ?? throw new MucmmUserException(configPath, "format_version is missing");
            if (version != formatVersion)
                throw new MucmmUserException(configPath,
                    $"format_version {version} is not supported: this build of mucmm reads {family} models of format_version {formatVersion}; refit the model or use the matching mucmm version");
            return (config, kind, configPath);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new MucmmUserException(configPath, $"damaged config ({e.Message})");
        }
    }

    /// <summary>
    /// The float64 tensor <paramref name="name"/> of <paramref name="tensors"/> (read by <see cref="ReadWeights"/>) as a
    /// managed array, checked to have exactly <paramref name="shape"/> (which <paramref name="configPath"/> implies):
    /// a missing tensor or another dtype or shape is a <see cref="MucmmUserException"/> naming the weights file.
    /// </summary>
    public static double[] TakeFloat64(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> tensors, string name, long[] shape,
        string weightsPath, string configPath)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(shape);
        if (!tensors.TryGetValue(name, out var t)) throw new MucmmUserException(weightsPath, $"tensor '{name}' is missing");
        if (t.dtype != TorchSharp.torch.ScalarType.Float64 || !t.shape.SequenceEqual(shape))
            throw new MucmmUserException(weightsPath,
                $"tensor '{name}' is {t.dtype} [{string.Join(", ", t.shape)}], expected Float64 [{string.Join(", ", shape)}] (from {configPath})");
        return Numerics.LinearAlgebra.ToArray(t);
    }

    /// <summary>
    /// Reads a safetensors weights file into named tensors (owned by the caller's dispose scope). A
    /// missing, truncated or unreadable file, or a tensor holding NaN or an infinite value, is a
    /// <see cref="MucmmUserException"/> naming the file (and the tensor).
    /// </summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> ReadWeights(string weightsPath)
    {
        if (!File.Exists(weightsPath)) throw new MucmmUserException(weightsPath, "the weights file is missing");
        Dictionary<string, TorchSharp.torch.Tensor> tensors;
        try
        {
            using var stream = File.OpenRead(weightsPath);
            tensors = TorchSharp.PyBridge.Safetensors.LoadStateDict(stream, leaveOpen: false);
        }
        catch (Exception e) when (e is not MucmmUserException)
        {
            string why = e is EndOfStreamException ? "the file is truncated" : e.Message.ReplaceLineEndings(" ");
            throw new MucmmUserException(weightsPath, $"cannot read safetensors ({why})");
        }
        try
        {
            foreach (var (name, t) in tensors) EnsureFinite(weightsPath, name, t);
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks that every value of a loaded floating-point tensor is finite; otherwise throws
    /// <see cref="MucmmUserException"/> naming <paramref name="file"/>, the tensor and the first bad index.
    /// </summary>
    public static void EnsureFinite(string file, string name, TorchSharp.torch.Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!t.is_floating_point() || t.numel() == 0) return;
        using var scope = TorchSharp.torch.NewDisposeScope();
        var ok = TorchSharp.torch.isfinite(t);
        if (ok.all().item<bool>()) return;
        long flat = TorchSharp.torch.logical_not(ok).flatten().nonzero()[0, 0].item<long>();
        var index = new long[t.ndim];
        for (int i = (int)t.ndim - 1; i >= 0; i--)
        {
            index[i] = flat % t.shape[i];
            flat /= t.shape[i];
        }
        throw new MucmmUserException(file,
            $"tensor '{name}' holds NaN or an infinite value (first at index [{string.Join(", ", index)}]); the model is damaged — refit it");
    }

    private static (JsonNode Config, string ConfigPath) Parse(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath)) throw new MucmmUserException(directory, "not a model folder (config.json is missing)");
        try
        {
            return (JsonNode.Parse(Data.Readers.ReaderIO.ReadAllText(configPath)) ?? throw new JsonException("empty file"), configPath);
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(configPath, $"not valid JSON ({e.Message})");
        }
    }
}

/// <summary>
/// Typed, checked access to the entries of a saved model's <c>config.json</c>: a missing entry, a value of
/// the wrong type or out of range is a one-line <see cref="MucmmUserException"/> naming the file and the
/// entry (never a <see cref="NullReferenceException"/>). Used by every model's <c>Load</c>.
/// </summary>
public sealed class ModelConfig
{
    /// <summary>Wraps a parsed config (from <see cref="ModelStore.ReadConfig"/>).</summary>
    public ModelConfig(JsonNode node, string path)
    {
        Node = node ?? throw new ArgumentNullException(nameof(node));
        Path = path;
    }

    /// <summary>The parsed JSON.</summary>
    public JsonNode Node { get; }

    /// <summary>The config file's path (for messages).</summary>
    public string Path { get; }

    /// <summary>Whether the entry exists and is not null.</summary>
    public bool Has(string name) => Node[name] is not null;

    /// <summary>An integer entry in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(string name, int min = int.MinValue, int max = int.MaxValue) => CheckInt(Get(name), name, min, max);

    /// <summary>A 64-bit integer entry ≥ <paramref name="min"/>.</summary>
    public long Long(string name, long min = long.MinValue)
    {
        long v = Value<long>(Get(name), name, "an integer");
        if (v < min) throw Bad(name, $"must be ≥ {min}, found {v}");
        return v;
    }

    /// <summary>A finite number.</summary>
    public double Double(string name) => CheckDouble(Get(name), name);

    /// <summary>A finite number, or null when the entry is missing or null.</summary>
    public double? OptionalDouble(string name) => Node[name] is { } n ? CheckDouble(n, name) : null;

    /// <summary>A boolean entry.</summary>
    public bool Bool(string name) => Value<bool>(Get(name), name, "true or false");

    /// <summary>A string entry.</summary>
    public string String(string name) => Value<string>(Get(name), name, "a string");

    /// <summary>An array of integers, each in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int[] Ints(string name, int min = int.MinValue, int max = int.MaxValue) =>
        Array(name).Select(x => CheckInt(x, name, min, max)).ToArray();

    /// <summary>An array of finite numbers.</summary>
    public double[] Doubles(string name) => Array(name).Select(x => CheckDouble(x, name)).ToArray();

    /// <summary>An array of arrays of integers ≥ <paramref name="min"/>.</summary>
    public int[][] IntArrays(string name, int min = int.MinValue) =>
        Array(name).Select(a => ((a as JsonArray) ?? throw Bad(name, "must be an array of arrays")).Select(x => CheckInt(x, name, min, int.MaxValue)).ToArray()).ToArray();

    /// <summary>An array of arrays of finite numbers.</summary>
    public double[][] DoubleArrays(string name) =>
        Array(name).Select(a => ((a as JsonArray) ?? throw Bad(name, "must be an array of arrays")).Select(x => CheckDouble(x, name)).ToArray()).ToArray();

    /// <summary>An array entry.</summary>
    public JsonArray Array(string name) => Get(name) as JsonArray ?? throw Bad(name, "must be an array");

    /// <summary>An error about entry <paramref name="name"/>: "config.json: "name" problem".</summary>
    public MucmmUserException Bad(string name, string problem) => new(Path, $"\"{name}\" {problem}");

    private JsonNode Get(string name) =>
        Node[name] ?? throw Bad(name, "is missing (a damaged config, or a \"model\" kind that does not match the folder)");

    private int CheckInt(JsonNode? node, string name, int min, int max)
    {
        int v = Value<int>(node, name, "an integer");
        if (v < min || v > max)
            throw Bad(name, max == int.MaxValue ? $"must be ≥ {min}, found {v}" : $"must be between {min} and {max}, found {v}");
        return v;
    }

    private double CheckDouble(JsonNode? node, string name)
    {
        double v = Value<double>(node, name, "a number");
        if (!double.IsFinite(v)) throw Bad(name, $"must be a finite number, found {v}");
        return v;
    }

    private T Value<T>(JsonNode? node, string name, string what)
    {
        if (node is not JsonValue value) throw Bad(name, $"must be {what}");
        try
        {
            return value.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw Bad(name, $"must be {what}, found {CsvShort(value.ToJsonString())}");
        }
    }

    private static string CsvShort(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

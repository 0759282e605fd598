using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mucmm.Data;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// Frozen pretrained encoders in front of a model, one per view (<c>--encoder1 resnet18 --encoder2 minilm</c>): the one
/// home of their names, of the rule that a text view gets <c>minilm</c>, and of turning a dataset's views into the
/// encoders' features once, through the <see cref="FeatureCache"/>. Every model kind (linear, cca, deep, dcca) is then
/// fitted and applied on the features; <c>explain</c> composes the encoders with the model so that gradient maps reach
/// the pixels and the tokens (<see cref="EncodedModel"/>, <see cref="Explain.TokenAttributions"/>).
/// </summary>
/// <remarks>
/// Canonical names (<see cref="Canonical"/>), recorded in <c>model/encoders.json</c> and <c>fit.json</c>:
/// <c>resnet18:SIZE</c>, <c>minilm</c>, <c>onnx:/absolute/path</c>, <c>torchscript:/absolute/path</c>; null for a view
/// without a pretrained encoder.
/// </remarks>
public static class ViewEncoders
{
    /// <summary>The text encoder, and the default of text views.</summary>
    public const string TextEncoder = "minilm";

    /// <summary>The accepted forms, for messages.</summary>
    public const string Forms = "resnet18, resnet18:SIZE, minilm, onnx:PATH or torchscript:PATH";

    /// <summary>File of the model folder that records the encoders.</summary>
    public const string FileName = "encoders.json";

    /// <summary>
    /// Rows per forward pass through a pretrained tensor encoder (images and vectors): when computing features, and for
    /// the variates of a model that runs the encoder inside (<see cref="EncodedModel.Transform"/>). A ResNet18 forward at
    /// 224 px holds about 6 MB of activations per row at its widest layer, so the 2,048 rows of
    /// <see cref="ForwardBatches.Rows"/> would need 13 GB.
    /// </summary>
    public const int ImageBatch = 64;

    /// <summary>Texts per forward pass when computing features.</summary>
    public const int TextBatch = 32;

    private static readonly ConcurrentDictionary<string, string> FileHashes = new();

    /// <summary>Whether <paramref name="spec"/> names a pretrained encoder (one of <see cref="Forms"/>).</summary>
    public static bool IsPretrained(string? spec)
    {
        if (spec is null) return false;
        string s = spec.Trim().ToLowerInvariant();
        return s is "resnet18" or TextEncoder || s.StartsWith("resnet18:", StringComparison.Ordinal)
            || s.StartsWith("onnx:", StringComparison.Ordinal) || s.StartsWith("torchscript:", StringComparison.Ordinal);
    }

    /// <summary>
    /// The canonical name of a pretrained encoder: lower-case kind, the size of <c>resnet18</c> explicit, file paths
    /// absolute (so a run's later commands find them from any folder).
    /// </summary>
    public static string Canonical(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim(), lower = s.ToLowerInvariant();
        if (lower == TextEncoder) return TextEncoder;
        if (lower == "resnet18") return $"resnet18:{ResNet18Encoder.NativeSize}";
        if (lower.StartsWith("resnet18:", StringComparison.Ordinal))
        {
            if (!int.TryParse(s["resnet18:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int size))
                throw new MucmmUserException($"encoder '{spec}': resnet18:SIZE needs an integer size");
            if (size < 32 || size % 32 != 0)
                throw new MucmmUserException($"encoder '{spec}': resnet18:SIZE needs a positive multiple of 32");
            return $"resnet18:{size}";
        }
        foreach (var prefix in new[] { "onnx:", "torchscript:" })
            if (lower.StartsWith(prefix, StringComparison.Ordinal))
            {
                string path = s[prefix.Length..];
                if (path.Length == 0) throw new MucmmUserException($"encoder '{spec}' needs a file after '{prefix}'");
                return prefix + Path.GetFullPath(path);
            }
        throw new MucmmUserException($"encoder must be {Forms}, got '{spec}'");
    }

    /// <summary>
    /// The pretrained encoder of every view: <paramref name="given"/>[m] (canonical), <c>minilm</c> for a text view
    /// given none, null for other views given none. A text view needs <c>minilm</c>, and <c>minilm</c> needs a text view.
    /// </summary>
    public static string?[] Resolve(IReadOnlyList<string?> given, IReadOnlyList<View> views)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(views);
        var result = new string?[views.Count];
        for (int m = 0; m < views.Count; m++)
        {
            string? spec = m < given.Count && given[m] is { } g ? Canonical(g) : null;
            bool text = views[m].Kind == ViewKind.Text;
            if (text && spec is null) spec = TextEncoder;
            if (text && spec != TextEncoder)
                throw new MucmmUserException($"view {m + 1} ({views[m].Name}) is a text view: its encoder must be {TextEncoder}, got '{given[m]}'");
            if (!text && spec == TextEncoder)
                throw new MucmmUserException($"encoder {TextEncoder} encodes text views (a .txt file or FILE.csv#COLUMN), but view {m + 1} ({views[m].Name}) holds numbers");
            result[m] = spec;
        }
        return result;
    }

    /// <summary>Whether any view has a pretrained encoder.</summary>
    public static bool Any(IReadOnlyList<string?>? specs) => specs is not null && specs.Any(s => s is not null);

    /// <summary>
    /// The cache key of the features of <paramref name="view"/> under encoder <paramref name="spec"/> (canonical): a
    /// SHA-256 of the encoder's identity (its kind and preprocessing, e.g. the resnet18 size, and the SHA-256 of its
    /// files or embedded resources), the TorchSharp version, the view's sample shape and its content
    /// (<see cref="DataFingerprint.ViewHash"/>: every value, or every text).
    /// </summary>
    public static string KeyOf(string spec, View view)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(view);
        var text = new StringBuilder("mucmm-features-1\n");
        text.Append(IdentityOf(spec)).Append('\n');
        text.Append(typeof(TorchSharp.torch).Assembly.GetName().Version).Append('\n');
        text.Append(string.Join(",", view.SampleShape)).Append('\n');
        text.Append(Convert.ToHexStringLower(DataFingerprint.ViewHash(view)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>What identifies an encoder's computation: its canonical name without paths, and the hash of what it runs.</summary>
    private static string IdentityOf(string spec)
    {
        if (spec == TextEncoder)
        {
            var assembly = MiniLmEncoder.PackageAssembly;
            return $"minilm:{MiniLmEncoder.DefaultMaxTokens}:{ResourcesHash(assembly)}:{typeof(FastBertTokenizer.BertTokenizer).Assembly.GetName().Version}";
        }
        if (spec.StartsWith("resnet18:", StringComparison.Ordinal))
            return $"{spec}:{FileHash(ResNet18Encoder.ModelPath)}:{FileHash(ResNet18Encoder.PreprocessPath)}";
        int colon = spec.IndexOf(':');
        return $"{spec[..colon]}:{FileHash(spec[(colon + 1)..])}";
    }

    private static string FileHash(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new MucmmUserException(path, "encoder file not found");
        string id = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        return FileHashes.GetOrAdd(id, _ =>
        {
            using var stream = Data.Readers.ReaderIO.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }

    private static string ResourcesHash(System.Reflection.Assembly assembly) =>
        FileHashes.GetOrAdd("resources:" + assembly.FullName, _ =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".onnx", StringComparison.Ordinal) || n.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                hash.AppendData(Encoding.UTF8.GetBytes(name));
                hash.AppendData(SHA256.HashData(stream));
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        });

    /// <summary>
    /// The features (rows × f, row-major) of <paramref name="view"/> under <paramref name="spec"/>, computed now (no
    /// cache) in eval mode under no_grad; <paramref name="progress"/> gets the number of rows done after each batch.
    /// Returns the width f too.
    /// </summary>
    public static (double[] Features, int Width) Compute(string spec, View view, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (spec == TextEncoder)
        {
            var texts = view.Texts ?? throw new MucmmUserException($"encoder {TextEncoder} needs a text view; view '{view.Name}' holds numbers");
            using var text = new MiniLmEncoder();
            return (text.Encode(texts, TextBatch, progress), MiniLmEncoder.Features);
        }
        if (view.Kind == ViewKind.Text)
            throw new MucmmUserException($"view '{view.Name}' is a text view: its encoder must be {TextEncoder}, got '{spec}'");
        using var encoder = Create(spec, view.SampleShape);
        return (PretrainedEncoders.Features(encoder, view.Data, view.Rows, ImageBatch, progress), encoder.OutputDim);
    }

    /// <summary>The tensor encoder (frozen) of a canonical non-text spec for samples of shape <paramref name="sampleShape"/>.</summary>
    public static Encoder Create(string spec, IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec == TextEncoder) throw new ArgumentException("minilm is not a tensor encoder", nameof(spec));
        return PretrainedEncoders.Create(spec, sampleShape);
    }

    /// <summary>Width of the features of <paramref name="spec"/> on samples of shape <paramref name="sampleShape"/>, without computing any.</summary>
    public static int WidthOf(string spec, IReadOnlyList<int> sampleShape)
    {
        if (spec == TextEncoder) return MiniLmEncoder.Features;
        if (spec.StartsWith("resnet18:", StringComparison.Ordinal)) return ResNet18Encoder.Features;
        using var encoder = Create(spec, sampleShape);
        return encoder.OutputDim;
    }

    /// <summary>
    /// The features of <paramref name="view"/> as a plain vector view (same name, rows × f), read from
    /// <paramref name="cache"/> when there, else computed (<see cref="Compute"/>) and stored. <paramref name="progress"/>
    /// (when given) is called before a computation with a description and the row count, and returns the per-batch
    /// callback; nothing is reported for a cache hit.
    /// </summary>
    public static View Encode(string spec, View view, FeatureCache? cache, Func<string, int, Action<int>?>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(view);
        string key = KeyOf(spec, view);
        int width = WidthOf(spec, view.SampleShape);
        double[] Run() => Compute(spec, view, progress?.Invoke($"{spec} features of {view.Name}", view.Rows)).Features;
        var features = cache is null ? Run() : cache.GetOrCompute(key, view.Rows, width, Run, out _);
        return new View(view.Name, ViewKind.Vector, [width], features);
    }

    /// <summary>
    /// <paramref name="data"/> with every view that has an encoder in <paramref name="specs"/> (canonical, from
    /// <see cref="Resolve"/>) replaced by its features (<see cref="Encode(string, View, FeatureCache?, Func{string, int, Action{int}?}?)"/>);
    /// the other views, the rows, split and labels are unchanged. Returns <paramref name="data"/> itself when no view has one.
    /// </summary>
    public static PairedDataset Encode(PairedDataset data, IReadOnlyList<string?> specs, FeatureCache? cache, Func<string, int, Action<int>?>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(specs);
        if (!Any(specs)) return data;
        if (specs.Count != data.Views.Count)
            throw new MucmmUserException($"{specs.Count} view encoders are recorded but the data has {data.Views.Count} views");
        var views = data.Views.Select((v, m) => specs[m] is { } s ? Encode(s, v, cache, progress) : v).ToArray();
        return data.WithViews(views);
    }

    /// <summary>Writes <c>encoders.json</c> into the model folder <paramref name="modelDirectory"/>.</summary>
    public static void Save(string modelDirectory, IReadOnlyList<string?> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["format_version"] = 1,
            ["encoders"] = new System.Text.Json.Nodes.JsonArray(specs.Select(s => (System.Text.Json.Nodes.JsonNode?)s).ToArray()),
            ["note"] = "frozen pretrained encoder of each view (null: none); the model in this folder takes their features",
        };
        File.WriteAllText(Path.Combine(modelDirectory, FileName), json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The encoders recorded in the model folder <paramref name="modelDirectory"/>, or null when it has none.</summary>
    public static string?[]? Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(Data.Readers.ReaderIO.ReadAllText(path));
            if (node?["format_version"]?.GetValue<int>() != 1) throw new MucmmUserException(path, "format_version must be 1");
            var list = node["encoders"]?.AsArray() ?? throw new MucmmUserException(path, "\"encoders\" is missing");
            return list.Select(e => e is null ? null : Canonical(e.GetValue<string>())).ToArray();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new MucmmUserException(path, $"damaged encoder record ({e.Message.ReplaceLineEndings(" ")})");
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>The trainable part of a deep model: one <see cref="ViewNetwork"/> per view.</summary>
public sealed class MultiviewNetwork : nn.Module
{
    private readonly TorchSharp.Modules.ModuleList<ViewNetwork> views;

    /// <summary>Wraps the per-view networks.</summary>
    public MultiviewNetwork(IEnumerable<ViewNetwork> networks) : base(nameof(MultiviewNetwork))
    {
        views = nn.ModuleList(networks.ToArray());
        RegisterComponents();
    }

    /// <summary>The network of view m.</summary>
    public ViewNetwork this[int m] => views[m];

    /// <summary>Number of views.</summary>
    public int Count => views.Count;
}

/// <summary>
/// A trained deep MUCMM or Deep CCA model after post-hoc alignment (<see cref="Alignment"/>): the
/// <see cref="IMultiviewModel"/> that scores, gradient maps, evaluation and reports use.
/// </summary>
/// <remarks>
/// Saved folder: <c>config.json</c> (<c>"model": "deep"|"dcca"</c>, <c>"format_version"</c>, the
/// architecture, input dims and sample shapes, training-set canonical correlations),
/// <c>weights.safetensors</c> (all network parameters, float32; readable with Python's
/// <c>safetensors</c>), <c>alignment.json</c> (float64 means and maps of the alignment) and, for TorchScript
/// encoders, <c>encoder{m}.pt</c>.
/// </remarks>
public sealed class DeepMultiviewModel : IMultiviewModel, IRandomizableModel
{
    /// <summary>Version of the saved format; loading another version fails with a clear message.</summary>
    public const int FormatVersion = 1;

    private readonly MultiviewNetwork network;

    /// <summary>Assembles a model from trained networks and a fitted alignment (the model owns and disposes the networks).</summary>
    internal DeepMultiviewModel(DeepModelOptions options, IReadOnlyList<int[]> sampleShapes, MultiviewNetwork network, Alignment alignment)
    {
        Options = options;
        SampleShapes = sampleShapes;
        this.network = network;
        Alignment = alignment;
        network.eval();
        Device = network.parameters().FirstOrDefault()?.device ?? CPU;
    }

    /// <summary>Architecture the model was built with.</summary>
    public DeepModelOptions Options { get; }

    /// <summary>Shape of one sample of each view (e.g. [28, 28]).</summary>
    public IReadOnlyList<int[]> SampleShapes { get; }

    /// <summary>The per-view networks (encoders, heads, decoders); not part of the public surface, so that a fitted model stays immutable.</summary>
    internal MultiviewNetwork Network => network;

    /// <summary>The post-hoc alignment fitted on the training set.</summary>
    internal Alignment Alignment { get; }

    /// <summary>Device the networks live on.</summary>
    public Device Device { get; }

    /// <inheritdoc/>
    public string Kind => Options.Kind == DeepModelKind.Mucmm ? "deep" : "dcca";

    /// <inheritdoc/>
    public int ViewCount => network.Count;

    /// <inheritdoc/>
    public IReadOnlyList<int> InputDims => SampleShapes.Select(s => s.Aggregate(1, (a, b) => a * b)).ToArray();

    /// <inheritdoc/>
    public int CommonDim => Options.CommonDim;

    /// <inheritdoc/>
    public IReadOnlyList<int> IndividualDims => Enumerable.Range(0, ViewCount).Select(m => network[m].IndividualDim).ToArray();

    /// <summary>Training-set canonical correlations of the aligned common variates.</summary>
    public IReadOnlyList<double> CanonicalCorrelations => Alignment.CanonicalCorrelations;

    /// <inheritdoc/>
    public MultiviewOutput Forward(IReadOnlyList<Tensor> inputs)
    {
        ModelInputs.Check(inputs, InputDims);
        var common = new Tensor[ViewCount];
        var individual = new Tensor[ViewCount];
        for (int m = 0; m < ViewCount; m++)
        {
            using var scope = NewDisposeScope();
            var o = network[m].call(inputs[m].to(float32).to(Device));
            common[m] = Alignment.ApplyCommon(m, o.Common).MoveToOuterDisposeScope();
            individual[m] = Alignment.ApplyIndividual(m, o.Individual).MoveToOuterDisposeScope();
        }
        return new MultiviewOutput(common, individual);
    }

    /// <inheritdoc/>
    public MultiviewOutput Transform(IReadOnlyList<Data.View> views) => ForwardBatches.Transform(this, views);

    /// <summary>
    /// A copy (saved and loaded again) whose every head parameter is redrawn from U(−1/√fan_in, 1/√fan_in) — PyTorch's
    /// default initialization of a linear layer — with a generator seeded by <paramref name="seed"/>, keeping the
    /// trained encoders and the post-hoc alignment.
    /// </summary>
    public IMultiviewModel WithRandomizedHeads(int seed)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mucmm-randomized-" + Guid.NewGuid().ToString("N"));
        try
        {
            Save(dir);
            var copy = Load(dir, Device.type == DeviceType.CUDA ? "cuda" : "cpu");
            using var generator = new Generator((ulong)seed);
            using var _ = no_grad();
            for (int m = 0; m < copy.ViewCount; m++)
            {
                double bound = 1.0;
                foreach (var p in copy.network[m].HeadParameters())
                {
                    if (p.dim() >= 2) bound = 1.0 / Math.Sqrt(p.shape[1]);
                    using var fresh = (rand(p.shape, dtype: p.dtype, generator: generator) * (2 * bound) - bound).to(p.device);
                    p.copy_(fresh);
                }
            }
            return copy;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <inheritdoc/>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var config = new JsonObject
        {
            ["model"] = Kind,
            ["format_version"] = FormatVersion,
            ["encoder"] = Options.Encoder.ToString().ToLowerInvariant(),
            ["train_encoder"] = Options.EncoderTrains,
            ["encoder_hidden"] = new JsonArray(Options.EncoderHidden.Select(h => (JsonNode)h).ToArray()),
            ["cnn_features"] = Options.CnnFeatures,
            ["cnn_channels"] = new JsonArray(Options.CnnChannels.Select(c => (JsonNode)c).ToArray()),
            ["image_size"] = Options.ImageSize,
            ["common_dim"] = Options.CommonDim,
            ["individual_dim"] = Options.Kind == DeepModelKind.Mucmm ? Options.IndividualDim : 0,
            ["head"] = Options.Head.ToString().ToLowerInvariant(),
            ["head_hidden"] = Options.HeadHidden,
            ["decoder_hidden"] = Options.DecoderHidden,
            ["decoder_targets"] = new JsonArray(Enumerable.Range(0, ViewCount).Select(m => (JsonNode)DecoderTargetWidth(m)).ToArray()),
            ["sample_shapes"] = new JsonArray(SampleShapes.Select(s => (JsonNode)new JsonArray(s.Select(x => (JsonNode)x).ToArray())).ToArray()),
            ["input_dims"] = new JsonArray(InputDims.Select(x => (JsonNode)x).ToArray()),
            ["canonical_correlations"] = new JsonArray(CanonicalCorrelations.Select(x => (JsonNode)x).ToArray()),
        };
        if (Options.EncoderPerView is { } perView)
            config["encoder_per_view"] = new JsonArray(perView.Select(e => (JsonNode)e.ToString().ToLowerInvariant()).ToArray());
        if (Options.Encoder == EncoderKind.TorchScript)
        {
            for (int m = 0; m < ViewCount; m++)
                ((TorchScriptEncoder)network[m].Encoder).SaveScript(Path.Combine(directory, $"encoder{m + 1}.pt"));
        }
        if (Options.Encoder == EncoderKind.Onnx)
        {
            for (int m = 0; m < ViewCount; m++)
            {
                string source = ((Onnx.OnnxEncoder)network[m].Encoder).Path, target = Path.GetFullPath(Path.Combine(directory, $"encoder{m + 1}.onnx"));
                if (source != target) File.Copy(source, target, overwrite: true);
            }
        }
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(directory, "alignment.json"), JsonSerializer.Serialize(Alignment, new JsonSerializerOptions { WriteIndented = false }));
        network.save_safetensors(Path.Combine(directory, "weights.safetensors"));
    }

    /// <summary>
    /// Loads a model written by <see cref="Save"/>. Every damaged or incomplete folder is a one-line
    /// <see cref="MucmmUserException"/> naming the file and the problem: another kind or version, a missing
    /// or ill-typed config entry, a missing, truncated or non-finite <c>weights.safetensors</c>, tensors
    /// missing or of the wrong shape for the config, a missing or inconsistent <c>alignment.json</c>.
    /// </summary>
    public static DeepMultiviewModel Load(string directory, string device = "cpu")
    {
        var (json, kind, configPath) = ModelStore.ReadConfig(directory, "deep", FormatVersion, "deep", "dcca");
        var config = new ModelConfig(json, configPath);

        var shapes = config.IntArrays("sample_shapes", min: 1);
        if (shapes.Length < 2 || shapes.Any(sh => sh.Length == 0))
            throw config.Bad("sample_shapes", $"must list a non-empty shape for each of at least 2 views, found {shapes.Length} shapes");
        EncoderKind encoderKind = ParseEnum<EncoderKind>(config, "encoder");
        int commonDim = config.Int("common_dim", min: 1);
        int individualDim = config.Int("individual_dim", min: 0);
        if (kind == "deep" && individualDim < 1)
            throw config.Bad("individual_dim", $"must be ≥ 1 for a \"deep\" (MUCMM) model, found {individualDim}; is \"model\" right?");
        var options = new DeepModelOptions
        {
            Kind = kind == "deep" ? DeepModelKind.Mucmm : DeepModelKind.DeepCca,
            Encoder = encoderKind,
            TrainEncoder = config.Bool("train_encoder"),
            EncoderHidden = config.Ints("encoder_hidden", min: 1),
            CnnFeatures = config.Int("cnn_features", min: 1),
            // Models saved before the option existed used 16 and 32 channels.
            CnnChannels = config.Has("cnn_channels") ? config.Ints("cnn_channels", min: 1) : [16, 32],
            CommonDim = commonDim,
            IndividualDim = Math.Max(1, individualDim),
            Head = ParseEnum<HeadKind>(config, "head"),
            HeadHidden = config.Int("head_hidden", min: 1),
            DecoderHidden = config.Int("decoder_hidden", min: 0),
            TorchScriptPaths = encoderKind == EncoderKind.TorchScript
                ? Enumerable.Range(1, shapes.Length).Select(m => Path.Combine(directory, $"encoder{m}.pt")).ToArray()
                : [],
            OnnxPaths = encoderKind == EncoderKind.Onnx
                ? Enumerable.Range(1, shapes.Length).Select(m => Path.Combine(directory, $"encoder{m}.onnx")).ToArray()
                : [],
            ImageSize = config.Has("image_size") ? config.Int("image_size", min: 32) : Onnx.ResNet18Encoder.NativeSize,
            EncoderPerView = config.Has("encoder_per_view") ? ParseEncoderList(config, "encoder_per_view", shapes.Length) : null,
        };
        if (options.CnnChannels.Count != 2) throw config.Bad("cnn_channels", $"must list 2 channel counts, found {options.CnnChannels.Count}");
        if (encoderKind == EncoderKind.Mlp && options.EncoderHidden.Count == 0) throw config.Bad("encoder_hidden", "must not be empty for an MLP encoder");
        var targets = config.Ints("decoder_targets", min: 0);
        if (targets.Length != shapes.Length) throw config.Bad("decoder_targets", $"must list {shapes.Length} views (one per sample shape), found {targets.Length}");
        if (config.Has("input_dims"))
        {
            var dims = config.Ints("input_dims", min: 1);
            if (!dims.SequenceEqual(shapes.Select(sh => sh.Aggregate(1, (a, b) => a * b))))
                throw config.Bad("input_dims", $"[{string.Join(", ", dims)}] does not match sample_shapes");
        }

        string weightsPath = Path.Combine(directory, "weights.safetensors");
        string alignmentPath = Path.Combine(directory, "alignment.json");
        var alignment = ReadAlignment(alignmentPath, shapes.Length, commonDim, kind == "deep" ? individualDim : 0);
        var network = BuildNetwork(options, shapes, targets);
        try
        {
            LoadWeights(network, weightsPath, configPath);
            network.to(DeviceSelection.Parse(device));
            return new DeepMultiviewModel(options, shapes, network, alignment);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static EncoderKind[] ParseEncoderList(ModelConfig config, string name, int views)
    {
        var list = config.Array(name).Select(x => x is JsonValue v && v.TryGetValue<string>(out var t) ? t : throw config.Bad(name, "must be an array of strings")).ToArray();
        if (list.Length != views) throw config.Bad(name, $"must list {views} encoders, found {list.Length}");
        return list.Select(text => Enum.TryParse<EncoderKind>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !int.TryParse(text, out _)
            && v is EncoderKind.Identity or EncoderKind.Mlp or EncoderKind.Cnn or EncoderKind.Auto
                ? v : throw config.Bad(name, $"'{text}' is not one of auto, mlp, cnn, identity")).ToArray();
    }

    private static T ParseEnum<T>(ModelConfig config, string name) where T : struct, Enum
    {
        string text = config.String(name);
        if (!Enum.TryParse<T>(text, ignoreCase: true, out var value) || !Enum.IsDefined(value) || int.TryParse(text, out _))
            throw config.Bad(name, $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
        return value;
    }

    /// <summary>
    /// Reads <c>weights.safetensors</c> into <paramref name="network"/>: every tensor the network has must be
    /// present, with its shape, and finite (<see cref="ModelStore.ReadWeights"/>); extra tensors are refused too.
    /// </summary>
    private static void LoadWeights(MultiviewNetwork network, string weightsPath, string configPath)
    {
        using var scope = NewDisposeScope();
        var tensors = ModelStore.ReadWeights(weightsPath);
        var expected = network.state_dict();
        foreach (var (name, t) in expected)
        {
            if (!tensors.TryGetValue(name, out var got))
                throw new MucmmUserException(weightsPath, $"tensor '{name}' is missing (the architecture in {configPath} needs it)");
            if (!got.shape.SequenceEqual(t.shape))
                throw new MucmmUserException(weightsPath,
                    $"tensor '{name}' has shape [{string.Join(", ", got.shape)}] but the architecture in {configPath} needs [{string.Join(", ", t.shape)}]");
        }
        foreach (var name in tensors.Keys)
            if (!expected.ContainsKey(name))
                throw new MucmmUserException(weightsPath, $"tensor '{name}' is not part of the architecture in {configPath}");
        using (no_grad())
            foreach (var (name, t) in expected) t.copy_(tensors[name]);
    }

    /// <summary>
    /// Reads and checks <c>alignment.json</c> against the model's dims: k common means, k × k maps and
    /// k correlations, r individual means and r × r maps per view (<paramref name="views"/> views), all finite.
    /// </summary>
    private static Alignment ReadAlignment(string path, int views, int k, int r)
    {
        if (!File.Exists(path)) throw new MucmmUserException(path, "the alignment file is missing (the model folder is incomplete; refit or copy the whole folder)");
        Alignment? a;
        try
        {
            a = JsonSerializer.Deserialize<Alignment>(Data.Readers.ReaderIO.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(path, $"not a valid alignment ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (a is null) throw new MucmmUserException(path, "empty alignment");
        void Check(string name, double[][]? arrays, int length)
        {
            if (arrays is null || arrays.Length != views || arrays.Any(x => x is null || x.Length != length))
                throw new MucmmUserException(path, $"\"{name}\" must hold {views} arrays of {length} values (from the model's dims)");
            if (arrays.Any(x => x.Any(v => !double.IsFinite(v))))
                throw new MucmmUserException(path, $"\"{name}\" holds NaN or an infinite value; the model is damaged — refit it");
        }
        Check(nameof(Alignment.CommonMeans), a.CommonMeans, k);
        Check(nameof(Alignment.CommonMaps), a.CommonMaps, k * k);
        Check(nameof(Alignment.IndividualMeans), a.IndividualMeans, r);
        Check(nameof(Alignment.IndividualMaps), a.IndividualMaps, r * r);
        if (a.CanonicalCorrelations is null || a.CanonicalCorrelations.Length != k || a.CanonicalCorrelations.Any(v => !double.IsFinite(v)))
            throw new MucmmUserException(path, $"\"{nameof(Alignment.CanonicalCorrelations)}\" must hold {k} finite values (from the model's common dim)");
        return a;
    }

    /// <summary>Builds untrained per-view networks for the given architecture; <paramref name="decoderTargets"/>[m] is the reconstruction width of view m (0: none).</summary>
    internal static MultiviewNetwork BuildNetwork(DeepModelOptions options, IReadOnlyList<int[]> sampleShapes, IReadOnlyList<int> decoderTargets)
    {
        ArgumentNullException.ThrowIfNull(decoderTargets);
        return BuildNetwork(options, sampleShapes, (m, _) => decoderTargets[m]);
    }

    /// <summary>
    /// Builds untrained per-view networks; <paramref name="decoderTarget"/>(m, encoder) is the reconstruction width of
    /// view m (0: none), given its encoder (whose <see cref="Encoder.OutputDim"/> is the target of a frozen encoder).
    /// </summary>
    internal static MultiviewNetwork BuildNetwork(DeepModelOptions options, IReadOnlyList<int[]> sampleShapes, Func<int, Encoder, int> decoderTarget)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sampleShapes);
        ArgumentNullException.ThrowIfNull(decoderTarget);
        var views = new List<ViewNetwork>();
        for (int m = 0; m < sampleShapes.Count; m++)
        {
            var shape = sampleShapes[m];
            int d = shape.Aggregate(1, (a, b) => a * b);
            var kind = options.EncoderFor(m, shape);
            Encoder enc = kind switch
            {
                EncoderKind.Identity => new FlattenEncoder(d),
                EncoderKind.Mlp => new MlpEncoder(d, options.EncoderHidden),
                EncoderKind.Cnn => ImageSamples.Of(shape) is { } p
                    ? new CnnEncoder(p.C, p.H, p.W, options.CnnFeatures, options.CnnChannels[0], options.CnnChannels[1])
                    : throw new MucmmUserException($"the CNN encoder needs 2-D samples (H, W) or (C, H, W) (images, spectrograms; e.g. a .npy of shape (n, 28, 28) or (n, 3, 64, 64)); view {m + 1} has samples of shape [{string.Join(", ", shape)}]"),
                EncoderKind.TorchScript => new TorchScriptEncoder(options.TorchScriptPaths[Math.Min(m, options.TorchScriptPaths.Count - 1)], d),
                EncoderKind.Onnx => new Onnx.OnnxEncoder(options.OnnxPaths[Math.Min(m, options.OnnxPaths.Count - 1)], d, options.EncoderTrains),
                EncoderKind.ResNet18 => new Onnx.ResNet18Encoder(shape, options.ImageSize, options.EncoderTrains),
                _ => throw new ArgumentOutOfRangeException(nameof(options)),
            };
            views.Add(new ViewNetwork(enc, options, decoderTarget(m, enc)));
        }
        return new MultiviewNetwork(views);
    }

    private int DecoderTargetWidth(int m) =>
        !network[m].HasDecoder ? 0 : Options.EncoderTrains ? InputDims[m] : network[m].Encoder.OutputDim;

    /// <inheritdoc/>
    public void Dispose() => network.Dispose();
}

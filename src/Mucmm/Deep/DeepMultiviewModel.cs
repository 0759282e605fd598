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
public sealed class DeepMultiviewModel : IMultiviewModel, IDisposable
{
    /// <summary>Version of the saved format; loading another version fails with a clear message.</summary>
    public const int FormatVersion = 1;

    private readonly MultiviewNetwork network;

    /// <summary>Assembles a model from trained networks and a fitted alignment.</summary>
    public DeepMultiviewModel(DeepModelOptions options, IReadOnlyList<int[]> sampleShapes, MultiviewNetwork network, Alignment alignment)
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

    /// <summary>The per-view networks (encoders, heads, decoders).</summary>
    public MultiviewNetwork Network => network;

    /// <summary>The post-hoc alignment fitted on the training set.</summary>
    public Alignment Alignment { get; }

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

    /// <summary>Aligned variates of a whole data set, computed in chunks without gradient (float64 CPU tensors).</summary>
    public MultiviewOutput Transform(IReadOnlyList<Tensor> inputs, int chunk = 2048)
    {
        using var _ = no_grad();
        long n = inputs[0].shape[0];
        var parts = new List<MultiviewOutput>();
        for (long s = 0; s < n; s += chunk)
        {
            long e = Math.Min(n, s + chunk);
            var o = Forward(inputs.Select(x => x.narrow(0, s, e - s)).ToArray());
            parts.Add(new MultiviewOutput(o.Common.Select(t => t.cpu()).ToArray(), o.Individual.Select(t => t.cpu()).ToArray()));
        }
        return new MultiviewOutput(
            Enumerable.Range(0, ViewCount).Select(m => cat(parts.Select(p => p.Common[m]).ToArray(), 0)).ToArray(),
            Enumerable.Range(0, ViewCount).Select(m => cat(parts.Select(p => p.Individual[m]).ToArray(), 0)).ToArray());
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

    /// <summary>Loads a model written by <see cref="Save"/>; a clear <see cref="MucmmUserException"/> for other kinds or versions.</summary>
    public static DeepMultiviewModel Load(string directory, string device = "cpu")
    {
        var (config, kind, configPath) = ModelStore.ReadConfig(directory, "deep", FormatVersion, "deep", "dcca");

        var shapes = config["sample_shapes"]!.AsArray().Select(s => s!.AsArray().Select(x => x!.GetValue<int>()).ToArray()).ToArray();
        var encoderKind = Enum.Parse<EncoderKind>(config["encoder"]!.GetValue<string>(), ignoreCase: true);
        var options = new DeepModelOptions
        {
            Kind = kind == "deep" ? DeepModelKind.Mucmm : DeepModelKind.DeepCca,
            Encoder = encoderKind,
            TrainEncoder = config["train_encoder"]!.GetValue<bool>(),
            EncoderHidden = config["encoder_hidden"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(),
            CnnFeatures = config["cnn_features"]!.GetValue<int>(),
            // Models saved before the option existed used 16 and 32 channels.
            CnnChannels = config["cnn_channels"]?.AsArray().Select(x => x!.GetValue<int>()).ToArray() ?? [16, 32],
            CommonDim = config["common_dim"]!.GetValue<int>(),
            IndividualDim = Math.Max(1, config["individual_dim"]!.GetValue<int>()),
            Head = Enum.Parse<HeadKind>(config["head"]!.GetValue<string>(), ignoreCase: true),
            HeadHidden = config["head_hidden"]!.GetValue<int>(),
            DecoderHidden = config["decoder_hidden"]!.GetValue<int>(),
            TorchScriptPaths = encoderKind == EncoderKind.TorchScript
                ? Enumerable.Range(1, shapes.Length).Select(m => Path.Combine(directory, $"encoder{m}.pt")).ToArray()
                : [],
            OnnxPaths = encoderKind == EncoderKind.Onnx
                ? Enumerable.Range(1, shapes.Length).Select(m => Path.Combine(directory, $"encoder{m}.onnx")).ToArray()
                : [],
            ImageSize = config["image_size"]?.GetValue<int>() ?? Onnx.ResNet18Encoder.NativeSize,
        };
        var targets = config["decoder_targets"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
        var network = BuildNetwork(options, shapes, targets);
        network.load_safetensors(Path.Combine(directory, "weights.safetensors"));
        network.to(DeviceSelection.Parse(device));
        var alignment = JsonSerializer.Deserialize<Alignment>(File.ReadAllText(Path.Combine(directory, "alignment.json")))
            ?? throw new MucmmUserException(Path.Combine(directory, "alignment.json"), "empty alignment");
        return new DeepMultiviewModel(options, shapes, network, alignment);
    }

    /// <summary>Builds untrained per-view networks for the given architecture; <paramref name="decoderTargets"/>[m] is the reconstruction width of view m (0: none).</summary>
    public static MultiviewNetwork BuildNetwork(DeepModelOptions options, IReadOnlyList<int[]> sampleShapes, IReadOnlyList<int> decoderTargets)
    {
        var views = new List<ViewNetwork>();
        for (int m = 0; m < sampleShapes.Count; m++)
        {
            var shape = sampleShapes[m];
            int d = shape.Aggregate(1, (a, b) => a * b);
            var kind = options.Encoder == EncoderKind.Auto ? (shape.Length == 2 && shape[0] >= 4 && shape[1] >= 4 ? EncoderKind.Cnn : EncoderKind.Mlp) : options.Encoder;
            Encoder enc = kind switch
            {
                EncoderKind.Identity => new FlattenEncoder(d),
                EncoderKind.Mlp => new MlpEncoder(d, options.EncoderHidden),
                EncoderKind.Cnn => shape.Length == 2
                    ? new CnnEncoder(shape[0], shape[1], options.CnnFeatures, options.CnnChannels[0], options.CnnChannels[1])
                    : throw new MucmmUserException($"--encoder cnn needs 2-D samples (images, spectrograms); view {m + 1} has shape [{string.Join(", ", shape)}]"),
                EncoderKind.TorchScript => new TorchScriptEncoder(options.TorchScriptPaths[Math.Min(m, options.TorchScriptPaths.Count - 1)], d),
                EncoderKind.Onnx => new Onnx.OnnxEncoder(options.OnnxPaths[Math.Min(m, options.OnnxPaths.Count - 1)], d, options.EncoderTrains),
                EncoderKind.ResNet18 => new Onnx.ResNet18Encoder(shape, options.ImageSize, options.EncoderTrains),
                _ => throw new ArgumentOutOfRangeException(nameof(options)),
            };
            views.Add(new ViewNetwork(enc, options, decoderTargets[m]));
        }
        return new MultiviewNetwork(views);
    }

    private int DecoderTargetWidth(int m) =>
        !network[m].HasDecoder ? 0 : Options.EncoderTrains ? InputDims[m] : network[m].Encoder.OutputDim;

    /// <inheritdoc/>
    public void Dispose() => network.Dispose();
}

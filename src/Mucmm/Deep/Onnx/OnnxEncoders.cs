using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// An encoder read from any ONNX file (<c>--encoder onnx:PATH</c>): a one-input graph whose input is a float tensor of
/// shape (n, …) with the view's per-sample shape (or any shape with the same number of values), and whose first
/// output is flattened to (n × f) features. Frozen by default (see <see cref="OnnxImportOptions.Trainable"/>).
/// </summary>
public sealed class OnnxEncoder : Encoder
{
    private readonly OnnxModule graph;
    private readonly long[] sampleShape;
    private readonly int outputDim;

    /// <summary>Loads <paramref name="path"/> for samples of <paramref name="inputDim"/> values and probes the output width.</summary>
    public OnnxEncoder(string path, int inputDim, bool trainable = false, ScalarType floatType = ScalarType.Float32) : base(nameof(OnnxEncoder))
    {
        graph = OnnxModule.Load(path, new OnnxImportOptions { Trainable = trainable, FloatType = floatType });
        Path = System.IO.Path.GetFullPath(path);
        if (graph.Graph.Inputs.Count != 1)
            throw new MucmmUserException(path, $"an ONNX encoder must have one input, this graph has {graph.Graph.Inputs.Count} ({string.Join(", ", graph.Graph.Inputs.Select(i => i.Name))})");
        var input = graph.Graph.Inputs[0];
        if (input.Dims is null || input.Dims.Skip(1).Any(d => d is null))
            throw new MucmmUserException(path, $"an ONNX encoder's input must declare every dimension but the batch, got {input.ShapeText}");
        sampleShape = input.Dims.Skip(1).Select(d => d!.Value).ToArray();
        long per = sampleShape.Aggregate(1L, (a, b) => a * b);
        if (per != inputDim)
            throw new MucmmUserException(path, $"the ONNX input {input.ShapeText} takes {per} values per sample but the view has {inputDim}");
        using (no_grad())
        using (NewDisposeScope())
            outputDim = (int)(forward(zeros(2, inputDim, dtype: floatType)).shape[1]);
        RegisterComponents();
    }

    /// <summary>Full path of the ONNX file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override int OutputDim => outputDim;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) =>
        graph.call(x.reshape([x.shape[0], .. sampleShape])).flatten(1);
}

/// <summary>
/// The built-in <c>resnet18</c> encoder: the ImageNet ResNet18 (CNTK export) of NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>, copied beside the assembly at build time (no download at run
/// time), with its preprocessing inside the encoder so gradients reach the view's own pixels:
/// <list type="number">
/// <item>the view's images, grey (H, W) / (1, H, W) or RGB (3, H, W) with values in [0, 1], are resized bilinearly
/// (half-pixel centres, no antialiasing) to <see cref="Size"/> × <see cref="Size"/>; grey images are replicated to three channels;</item>
/// <item>exactly the package's <c>ResNetPreprocess.onnx</c>: scale to 0–255, RGB → BGR, minus its per-pixel mean image
/// (BGR means ≈ 103.1, 115.9, 123.2), which is itself resized bilinearly when <see cref="Size"/> is not 224;</item>
/// <item>the ResNet18 graph, whose final 7×7 AveragePool runs as global average pooling so any size gives 512 features.</item>
/// </list>
/// Frozen by default.
/// </summary>
public sealed class ResNet18Encoder : Encoder
{
    /// <summary>The input size the network was trained at, and the default.</summary>
    public const int NativeSize = 224;

    /// <summary>Width of the pooled features.</summary>
    public const int Features = 512;

    private readonly OnnxModule graph;
    private readonly Tensor meanBgr;      // (1, 3, Size, Size), the preprocessing mean image at this size
    private readonly int channels, height, width;

    /// <summary>The folder holding ResNet18.onnx and ResNetPreprocess.onnx (beside the assembly).</summary>
    public static string ModelFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(ResNet18Encoder).Assembly.Location)!, "models", "resnet18");

    /// <summary>Path of the ResNet18 graph.</summary>
    public static string ModelPath => System.IO.Path.Combine(ModelFolder, "ResNet18.onnx");

    /// <summary>Path of the package's preprocessing graph (its mean image is read from it).</summary>
    public static string PreprocessPath => System.IO.Path.Combine(ModelFolder, "ResNetPreprocess.onnx");

    /// <summary>Creates the encoder for samples of shape <paramref name="sampleShape"/> ([H, W], [1, H, W] or [3, H, W]) at input size <paramref name="size"/> (a multiple of 32).</summary>
    public ResNet18Encoder(IReadOnlyList<int> sampleShape, int size = NativeSize, bool trainable = false, ScalarType floatType = ScalarType.Float32)
        : base(nameof(ResNet18Encoder))
    {
        (channels, height, width) = sampleShape.Count switch
        {
            2 => (1, sampleShape[0], sampleShape[1]),
            3 when sampleShape[0] is 1 or 3 => (sampleShape[0], sampleShape[1], sampleShape[2]),
            _ => throw new MucmmUserException($"the resnet18 encoder needs image samples of shape [H, W], [1, H, W] or [3, H, W], got [{string.Join(", ", sampleShape)}]"),
        };
        // The CNTK graph pads its stride-2 layers asymmetrically (one more pixel before than after), which makes the
        // residual and shortcut branches agree only when every stage's input has an even size: a multiple of 32.
        if (size < 32 || size % 32 != 0)
            throw new MucmmUserException($"the resnet18 input size must be a positive multiple of 32 (its five stride-2 stages need even sizes), got {size}");
        Size = size;
        var resnet = OnnxGraph.Load(ModelPath);
        string lastPool = resnet.Nodes.Last(n => n.OpType == "AveragePool").Name;
        graph = new OnnxModule(resnet, new OnnxImportOptions
        {
            Trainable = trainable,
            FloatType = floatType,
            FixedInputShape = false,
            GlobalPoolingNodes = new HashSet<string> { lastPool },
        });
        using (var pre = OnnxModule.Load(PreprocessPath, new OnnxImportOptions { FloatType = floatType }))
        {
            var mean = pre.named_parameters().Single().parameter.detach();
            if (!mean.shape.SequenceEqual(new long[] { 1, 3, NativeSize, NativeSize }))
                throw new MucmmUserException(PreprocessPath, $"expected a [1, 3, 224, 224] mean image, got [{string.Join(", ", mean.shape)}]");
            meanBgr = size == NativeSize ? mean.clone() : Resize(mean, size);
        }
        RegisterComponents();
    }

    /// <summary>The side of the square input the images are resized to.</summary>
    public int Size { get; }

    /// <inheritdoc/>
    public override int OutputDim => Features;

    /// <summary>Bilinear resize of (n, c, h, w) to (n, c, size, size), half-pixel centres (PyTorch align_corners = false).</summary>
    public static Tensor Resize(Tensor images, int size) =>
        images.shape[2] == size && images.shape[3] == size ? images.alias()
            : F.interpolate(images, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Images (n, 3, Size, Size) in [0, 1] RGB → the network's input: 255·BGR − mean image.</summary>
    public Tensor Preprocess(Tensor rgb01)
    {
        using var scope = NewDisposeScope();
        using var bgrIndex = tensor(new long[] { 2, 1, 0 }, device: rgb01.device);
        var mean = meanBgr.device == rgb01.device && meanBgr.dtype == rgb01.dtype ? meanBgr : meanBgr.to(rgb01.dtype, rgb01.device);
        return (rgb01.index_select(1, bgrIndex) * 255.0 - mean).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var images = x.reshape(x.shape[0], channels, height, width);
        var resized = Resize(images, Size);
        var rgb = channels == 3 ? resized : resized.expand(x.shape[0], 3, Size, Size);
        return graph.call(Preprocess(rgb)).flatten(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) meanBgr.Dispose();
        base.Dispose(disposing);
    }
}

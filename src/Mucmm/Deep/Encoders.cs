using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>Which network turns a view's flattened input x_m into features h_m.</summary>
public enum EncoderKind
{
    /// <summary>CNN for views whose samples are 2-D (images, spectrograms), MLP for the others.</summary>
    Auto,
    /// <summary>h = x (flattened input): the linear setting when the heads are linear.</summary>
    Identity,
    /// <summary>Fully connected ReLU network (widths <see cref="DeepModelOptions.EncoderHidden"/>).</summary>
    Mlp,
    /// <summary>Small CNN for image samples [H, W] or [C, H, W] (28×28 digits, spectrograms, RGB images): two stride-2 4×4 convolutions (channels <see cref="DeepModelOptions.CnnChannels"/>, default 32 and 64) and a ReLU fully connected layer.</summary>
    Cnn,
    /// <summary>A TorchScript module (<c>torch.jit.save</c> output) mapping (n × d) float32 inputs to (n × f) features.</summary>
    TorchScript,
    /// <summary>An ONNX graph with one input of the view's per-sample shape (<see cref="Onnx.OnnxEncoder"/>); frozen unless trained explicitly.</summary>
    Onnx,
    /// <summary>The built-in ImageNet ResNet18 (<see cref="Onnx.ResNet18Encoder"/>, 512 features, input size <see cref="DeepModelOptions.ImageSize"/>); frozen unless trained explicitly.</summary>
    ResNet18,
}

/// <summary>An encoder f_m: (n × d) flattened float32 inputs → (n × <see cref="OutputDim"/>) features.</summary>
public abstract class Encoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with a name.</summary>
    protected Encoder(string name) : base(name) { }

    /// <summary>Width of the features h_m.</summary>
    public abstract int OutputDim { get; }
}

/// <summary>Identity / flatten encoder: h = x. Has no parameters.</summary>
public sealed class FlattenEncoder : Encoder
{
    private readonly int _dim;

    /// <summary>Creates the encoder for inputs of width <paramref name="inputDim"/>.</summary>
    public FlattenEncoder(int inputDim) : base(nameof(FlattenEncoder))
    {
        _dim = inputDim;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int OutputDim => _dim;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => x.flatten(1);
}

/// <summary>Fully connected encoder d → hidden₁ → … → hiddenₗ with ReLU after every layer.</summary>
public sealed class MlpEncoder : Encoder
{
    private readonly Sequential layers;
    private readonly int _out;

    /// <summary>Creates the encoder; <paramref name="hidden"/> must not be empty.</summary>
    public MlpEncoder(int inputDim, IReadOnlyList<int> hidden) : base(nameof(MlpEncoder))
    {
        if (hidden.Count == 0) throw new MucmmUserException("an MLP encoder needs at least one hidden layer");
        layers = Layers.Mlp(inputDim, hidden, outputDim: null);
        _out = hidden[^1];
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int OutputDim => _out;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => layers.call(x.flatten(1));
}

/// <summary>
/// Small CNN for image samples of C planes of H × W (C = 1: 28×28 digits or mel × frames spectrograms; C = 3: RGB
/// images; the planes are the first convolution's input channels): conv 4×4 stride 2 (16 channels) → ReLU → conv 4×4 stride 2 (32 channels) → ReLU → flatten →
/// fully connected → ReLU. About as costly per sample as a 784-512-512 MLP, and far more robust to
/// pixel noise and small shifts.
/// </summary>
public sealed class CnnEncoder : Encoder
{
    private readonly Sequential layers;
    private readonly int _c, _h, _w, _out;

    /// <summary>Creates the CNN for one-channel samples of shape <paramref name="height"/> × <paramref name="width"/> (both ≥ 4) with <paramref name="channels1"/> and <paramref name="channels2"/> channels in its two convolutions.</summary>
    public CnnEncoder(int height, int width, int outputDim, int channels1 = 16, int channels2 = 32)
        : this(1, height, width, outputDim, channels1, channels2)
    {
    }

    /// <summary>Creates the CNN for samples of <paramref name="inputChannels"/> planes of <paramref name="height"/> × <paramref name="width"/> (both ≥ 4) with <paramref name="channels1"/> and <paramref name="channels2"/> channels in its two convolutions.</summary>
    public CnnEncoder(int inputChannels, int height, int width, int outputDim, int channels1 = 16, int channels2 = 32) : base(nameof(CnnEncoder))
    {
        if (height < 4 || width < 4)
            throw new MucmmUserException($"the CNN encoder needs 2-D samples of at least 4×4, got {height}×{width}");
        if (inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(inputChannels));
        _c = inputChannels;
        _h = height;
        _w = width;
        _out = outputDim;
        static int Half(int s) => (s + 2 - 4) / 2 + 1;
        int flat = channels2 * Half(Half(height)) * Half(Half(width));
        var modules = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv1", nn.Conv2d(inputChannels, channels1, 4, stride: 2, padding: 1)) };
        modules.Add(("relu1", nn.ReLU()));
        modules.Add(("conv2", nn.Conv2d(channels1, channels2, 4, stride: 2, padding: 1)));
        modules.Add(("relu2", nn.ReLU()));
        modules.Add(("flatten", nn.Flatten()));
        modules.Add(("fc", nn.Linear(flat, outputDim)));
        modules.Add(("relu3", nn.ReLU()));
        layers = nn.Sequential(modules);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override int OutputDim => _out;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => layers.call(x.reshape(x.shape[0], _c, _h, _w));
}

/// <summary>
/// An encoder read from a TorchScript file (the output of <c>torch.jit.save</c> of a PyTorch module that
/// maps an (n × d) float32 tensor to (n × f) features). The module itself trains like any other; the deep
/// trainer freezes it unless fine-tuning is asked for (<see cref="DeepModelOptions.EncoderTrains"/>: parameters
/// without gradient, eval mode). Gradients still flow back to the input, so gradient maps work through it.
/// </summary>
public sealed class TorchScriptEncoder : Encoder
{
    // Held as object, not as a registered child module: TorchSharp cannot dispose a ScriptModule registered as
    // a child (its recursive Dispose enumerates the already-disposed script). Its parameters are registered
    // directly instead, so optimizers, state dicts and requires_grad see them.
    private readonly ScriptBox scriptHolder;
    private readonly int _out;

    private jit.ScriptModule<Tensor, Tensor> module => scriptHolder.Module;

    private sealed class ScriptBox(jit.ScriptModule<Tensor, Tensor> module)
    {
        public jit.ScriptModule<Tensor, Tensor> Module { get; } = module;
    }

    /// <summary>Loads <paramref name="path"/> and probes its output width with a zero input of width <paramref name="inputDim"/>.</summary>
    public TorchScriptEncoder(string path, int inputDim) : base(nameof(TorchScriptEncoder))
    {
        if (!File.Exists(path)) throw new MucmmUserException(path, "TorchScript encoder file not found");
        try
        {
            scriptHolder = new ScriptBox(jit.load<Tensor, Tensor>(path));
        }
        catch (Exception ex) when (ex is not MucmmUserException)
        {
            throw new MucmmUserException(path, $"not a TorchScript module ({ex.Message.Split('\n')[0]})");
        }
        Path = System.IO.Path.GetFullPath(path);
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            Tensor y;
            try
            {
                y = module.call(zeros(2, inputDim, dtype: float32));
            }
            catch (Exception ex)
            {
                throw new MucmmUserException(path, $"the TorchScript module does not accept a (n × {inputDim}) float32 input ({ex.Message.Split('\n')[0]})");
            }
            if (y.dim() != 2 || y.shape[0] != 2)
                throw new MucmmUserException(path, $"the TorchScript module must return an (n × f) matrix, got shape [{string.Join(", ", y.shape)}]");
            _out = (int)y.shape[1];
        }
        RegisterComponents();
        foreach (var (name, p) in module.named_parameters())
            register_parameter("script_" + name.Replace('.', '_'), p);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) module.Dispose();
    }

    /// <summary>Full path of the file the module came from.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public override int OutputDim => _out;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => module.call(x.flatten(1));

    /// <summary>Writes the (possibly fine-tuned) module to <paramref name="path"/> as TorchScript.</summary>
    public void SaveScript(string path) => jit.save(module, path);
}

/// <summary>Small builders shared by encoders, heads and decoders.</summary>
internal static class Layers
{
    /// <summary>Linear+ReLU for each hidden width, then a final linear layer to <paramref name="outputDim"/> when given.</summary>
    public static Sequential Mlp(int inputDim, IReadOnlyList<int> hidden, int? outputDim)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int d = inputDim;
        for (int i = 0; i < hidden.Count; i++)
        {
            modules.Add(($"fc{i}", nn.Linear(d, hidden[i])));
            modules.Add(($"relu{i}", nn.ReLU()));
            d = hidden[i];
        }
        if (outputDim is int o) modules.Add(("out", nn.Linear(d, o)));
        return nn.Sequential(modules);
    }
}

using Mucmm.Deep.Objectives;

namespace Mucmm.Deep;

/// <summary>Deep MUCMM (four-term objective, common and individual parts) or Deep CCA (common part only).</summary>
public enum DeepModelKind
{
    /// <summary>Deep MUCMM: config.json "model": "deep".</summary>
    Mucmm,
    /// <summary>Deep CCA (Andrew et al. 2013): config.json "model": "dcca"; no individual part.</summary>
    DeepCca,
}

/// <summary>Linear (default) or one-hidden-layer MLP heads g_m, q_m.</summary>
public enum HeadKind
{
    /// <summary>A linear map h → c (and h → u).</summary>
    Linear,
    /// <summary>h → hidden (ReLU) → c.</summary>
    Mlp,
}

/// <summary>How the Adam learning rate changes over the main training phase.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate in every epoch.</summary>
    Constant,
    /// <summary>The full rate during warm-up, then a half-cosine from the full rate down to 1 % of it at the last epoch (Loshchilov &amp; Hutter 2017, without restarts).</summary>
    Cosine,
}

/// <summary>
/// Architecture of a deep model: encoders, heads, decoders and dimensions. Defaults live here; they
/// are the settings a new user gets from <c>mucmm fit --model deep</c> (see docs/results.md for how
/// they were chosen on noisy-mnist).
/// </summary>
public sealed record DeepModelOptions
{
    /// <summary>Deep MUCMM or Deep CCA.</summary>
    public DeepModelKind Kind { get; init; } = DeepModelKind.Mucmm;

    /// <summary>Encoder of every view.</summary>
    public EncoderKind Encoder { get; init; } = EncoderKind.Auto;

    /// <summary>
    /// The encoder of each view when they differ (null: <see cref="Encoder"/> for every view). A view whose input is a
    /// frozen pretrained encoder's cached features (<see cref="Onnx.ViewEncoders"/>) gets <see cref="EncoderKind.Identity"/>,
    /// so its heads train on the features.
    /// </summary>
    public IReadOnlyList<EncoderKind>? EncoderPerView { get; init; }

    /// <summary>TorchScript file per view (one path is used for every view) when <see cref="Encoder"/> is TorchScript.</summary>
    public IReadOnlyList<string> TorchScriptPaths { get; init; } = [];

    /// <summary>ONNX file per view (one path is used for every view) when <see cref="Encoder"/> is Onnx.</summary>
    public IReadOnlyList<string> OnnxPaths { get; init; } = [];

    /// <summary>Side of the square input the <c>resnet18</c> encoder resizes images to: a multiple of 32; default 224, the size the network was trained at.</summary>
    public int ImageSize { get; init; } = Onnx.ResNet18Encoder.NativeSize;

    /// <summary>Train the encoder (true) or keep it frozen and train the heads on cached features (false). Null: the trainer freezes the pretrained encoders (TorchScript, ONNX, ResNet18) and trains the MLP and CNN ones (<see cref="EncoderTrains"/>).</summary>
    public bool? TrainEncoder { get; init; }

    /// <summary>Hidden widths of the MLP encoder.</summary>
    public IReadOnlyList<int> EncoderHidden { get; init; } = [512, 512];

    /// <summary>Feature width of the CNN encoder.</summary>
    public int CnnFeatures { get; init; } = 256;

    /// <summary>Channels of the CNN encoder's two convolutions (4×4, stride 2). Default 32, 64: on noisy-mnist it
    /// raised the mean digit accuracy from common variates over five seeds from 0.934 (16, 32) to 0.943 at twice
    /// the cost per epoch (docs/results.md).</summary>
    public IReadOnlyList<int> CnnChannels { get; init; } = [32, 64];

    /// <summary>Common dimension k.</summary>
    public int CommonDim { get; init; } = 10;

    /// <summary>Individual dimension r_m of every view (ignored for Deep CCA).</summary>
    public int IndividualDim { get; init; } = 20;

    /// <summary>Head type.</summary>
    public HeadKind Head { get; init; } = HeadKind.Linear;

    /// <summary>Hidden width of MLP heads.</summary>
    public int HeadHidden { get; init; } = 256;

    /// <summary>Hidden width of the one-hidden-layer decoders D_m; 0 makes the decoders linear (the linear setting).</summary>
    public int DecoderHidden { get; init; } = 512;

    /// <summary>
    /// The architecture a new user gets for model kind <paramref name="kind"/> (<c>mucmm fit --model deep|dcca</c>,
    /// <c>mucmm demo</c>, <c>mucmm compare</c>): the record's defaults with <see cref="Kind"/> set. The one home of
    /// the deep defaults per kind, with <see cref="DeepTrainingOptions.DefaultsFor"/>.
    /// </summary>
    public static DeepModelOptions DefaultsFor(DeepModelKind kind) => new() { Kind = kind };

    /// <summary>Whether the encoder is trained: explicit choice, else true when some view has an MLP or CNN encoder (auto included) and false otherwise (pretrained encoders are frozen; Identity has nothing to train).</summary>
    public bool EncoderTrains => TrainEncoder ?? (EncoderPerView ?? [Encoder]).Any(e => e is EncoderKind.Auto or EncoderKind.Mlp or EncoderKind.Cnn);

    /// <summary>The encoder of view <paramref name="view"/> (0-based) with samples of shape <paramref name="sampleShape"/>:
    /// its entry of <see cref="EncoderPerView"/> when given, else <see cref="Encoder"/>, with auto resolved as in
    /// <see cref="EncoderFor(IReadOnlyList{int})"/>.</summary>
    public EncoderKind EncoderFor(int view, IReadOnlyList<int> sampleShape) =>
        EncoderPerView is { } list && view < list.Count ? (this with { Encoder = list[view], EncoderPerView = null }).EncoderFor(sampleShape) : EncoderFor(sampleShape);

    /// <summary>
    /// This architecture for data whose views <paramref name="featureViews"/> marks are frozen pretrained features (computed
    /// and cached outside the network): those views get the identity encoder (heads on the features), the others
    /// <paramref name="others"/>[m] (an in-network encoder; null or a null entry: <see cref="EncoderKind.Auto"/>). With
    /// every view a feature view the encoder is identity for all. The pretrained-encoder settings (files, image size,
    /// fine-tuning) are reset: the pretrained network runs outside. Used by <c>mucmm fit</c> and the comparison.
    /// </summary>
    public DeepModelOptions OnFeatureViews(IReadOnlyList<bool> featureViews, IReadOnlyList<EncoderKind?>? others = null)
    {
        ArgumentNullException.ThrowIfNull(featureViews);
        var plain = new DeepModelOptions();
        var reset = this with { TrainEncoder = null, TorchScriptPaths = [], OnnxPaths = [], ImageSize = plain.ImageSize };
        if (featureViews.All(f => f)) return reset with { Encoder = EncoderKind.Identity, EncoderPerView = null };
        var global = Encoder is EncoderKind.Auto or EncoderKind.Mlp or EncoderKind.Cnn or EncoderKind.Identity ? Encoder : EncoderKind.Auto;
        var perView = featureViews.Select((f, m) => f ? EncoderKind.Identity : others is { } o && m < o.Count && o[m] is { } e ? e : EncoderKind.Auto).ToArray();
        return reset with { Encoder = global, EncoderPerView = perView };
    }

    /// <summary>Whether any of <paramref name="viewCount"/> views has an encoder that is trained (not identity, not frozen).</summary>
    public bool AnyEncoderTrains(int viewCount) =>
        EncoderTrains && Enumerable.Range(0, viewCount).Any(m => (EncoderPerView is { } l && m < l.Count ? l[m] : Encoder) != EncoderKind.Identity);

    /// <summary>The encoder a view with samples of shape <paramref name="sampleShape"/> gets: <see cref="Encoder"/>, with
    /// <see cref="EncoderKind.Auto"/> resolved to the CNN for 2-D samples of at least 4 × 4 and to the MLP otherwise.</summary>
    public EncoderKind EncoderFor(IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (Encoder != EncoderKind.Auto) return Encoder;
        bool image = sampleShape switch
        {
            [int h, int w] => h >= 4 && w >= 4,
            [1, int h, int w] => h >= 4 && w >= 4,
            _ => false,
        };
        return image ? EncoderKind.Cnn : EncoderKind.Mlp;
    }

    /// <summary>Throws <see cref="MucmmUserException"/> for impossible settings.</summary>
    public void Validate()
    {
        if (CommonDim < 1) throw new MucmmUserException($"DeepModelOptions.CommonDim must be ≥ 1, got {CommonDim}");
        if (Kind == DeepModelKind.Mucmm && IndividualDim < 1) throw new MucmmUserException($"DeepModelOptions.IndividualDim must be ≥ 1, got {IndividualDim}");
        if (CnnChannels.Count != 2 || CnnChannels.Any(c => c < 1))
            throw new MucmmUserException($"DeepModelOptions.CnnChannels needs two positive channel counts, got [{string.Join(", ", CnnChannels)}]");
        if (EncoderHidden.Any(h => h < 1) || HeadHidden < 1 || DecoderHidden < 0 || CnnFeatures < 1)
            throw new MucmmUserException("DeepModelOptions.EncoderHidden, HeadHidden and CnnFeatures must be ≥ 1 and DecoderHidden ≥ 0");
        if (Encoder == EncoderKind.TorchScript && TorchScriptPaths.Count == 0)
            throw new MucmmUserException("DeepModelOptions.TorchScriptPaths needs a file for the TorchScript encoder");
        if (Encoder == EncoderKind.Onnx && OnnxPaths.Count == 0)
            throw new MucmmUserException("DeepModelOptions.OnnxPaths needs a file for the ONNX encoder");
        if (Encoder == EncoderKind.ResNet18 && (ImageSize < 32 || ImageSize % 32 != 0))
            throw new MucmmUserException($"DeepModelOptions.ImageSize needs a positive multiple of 32, got {ImageSize}");
    }
}

/// <summary>
/// How a deep model is trained. Defaults live here (the settings of <c>mucmm fit --model deep</c>).
/// </summary>
public sealed record DeepTrainingOptions
{
    /// <summary>
    /// The training defaults of model kind <paramref name="kind"/> — the one home of what differs by kind: Deep CCA
    /// trains on the R1 measure (Σ of canonical correlations, Andrew et al. 2013), deep MUCMM on R2. Every caller
    /// that trains with defaults (the CLI's fit and demo, the comparison) starts from here.
    /// </summary>
    public static DeepTrainingOptions DefaultsFor(DeepModelKind kind)
    {
        var defaults = new DeepTrainingOptions();
        return defaults with
        {
            Objective = defaults.Objective with { Measure = kind == DeepModelKind.DeepCca ? CorrelationMeasure.R1 : CorrelationMeasure.R2 },
        };
    }

    /// <summary>Maximum number of epochs of the main phase.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Rows per mini-batch (must exceed the widest correlation measure, k + r).</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Random translation of image views by up to this many pixels in each direction while training (0: none).</summary>
    public int AugmentShift { get; init; }

    /// <summary>
    /// Gaussian noise added to the cached features of a frozen (or identity) encoder while training the heads: standard
    /// deviation <c>FeatureNoise · s</c>, where s² is the mean variance of that view's training features (0: none).
    /// Noise of variance ε·s² adds ε·s²·I to the features' covariance in expectation, so for linear heads it acts
    /// like the relative ridge ε = FeatureNoise² of ridge CCA on the features; the decoder still reconstructs
    /// the clean features. Views whose encoder trains and evaluation are untouched.
    /// </summary>
    public double FeatureNoise { get; init; }

    /// <summary>Decay of an exponential moving average of the weights, updated after every step and used for validation and the final model (0: off; e.g. 0.98 averages over about 50 steps).</summary>
    public double WeightAverage { get; init; }

    /// <summary>Decoupled weight decay of the main phase (AdamW; 0: plain Adam).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning-rate schedule of the main phase (pretraining always uses the constant rate).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>The learning rate of main-phase epoch <paramref name="epoch"/> (0-based) under <see cref="Schedule"/>.</summary>
    public double LearningRateAt(int epoch)
    {
        if (Schedule == LearningRateSchedule.Constant || epoch < WarmupEpochs) return LearningRate;
        int span = Epochs - WarmupEpochs;
        if (span <= 1) return LearningRate;
        double t = (double)(epoch - WarmupEpochs) / (span - 1);
        const double floor = 0.01;
        return LearningRate * (floor + (1 - floor) * 0.5 * (1 + Math.Cos(Math.PI * t)));
    }

    /// <summary>Epochs at the start of training with α = β = 0 (correlation and reconstruction terms only, no penalty on the individual part), to let the common part form first.</summary>
    public int WarmupEpochs { get; init; } = 3;

    /// <summary>Epochs of unsupervised autoencoder pretraining of each trainable encoder before the main phase (0: none).</summary>
    public int PretrainEpochs { get; init; }

    /// <summary>Stop when the validation total correlation has not improved for this many epochs (0: never stop early).</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Weights α, β, γ, measure and ridge of the objective.</summary>
    public MucmmObjectiveOptions Objective { get; init; } = new(CommonFromCorrelationOnly: false);

    /// <summary>Seed of initialization and batch order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Least seconds between two checkpoints of a fit with a work folder (the checkpoint and <c>train.csv</c> are written
    /// together): after an epoch they are written only when this many seconds have passed since the last write, and always
    /// after the last epoch of each phase and the epoch that stops early (0: after every epoch). A killed run loses at most
    /// about this much training plus the epoch in progress; its resume replays the lost epochs exactly (each epoch's batch
    /// order is seeded), so the setting never changes the model, and a resume may use another value.
    /// </summary>
    public double CheckpointSeconds { get; init; } = 5;

    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Throws <see cref="MucmmUserException"/> for impossible settings.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new MucmmUserException($"DeepTrainingOptions.Epochs must be ≥ 1, got {Epochs}");
        if (BatchSize < 2) throw new MucmmUserException($"DeepTrainingOptions.BatchSize must be ≥ 2, got {BatchSize}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new MucmmUserException($"DeepTrainingOptions.LearningRate must be a positive number, got {LearningRate}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new MucmmUserException($"DeepTrainingOptions.WeightDecay must be ≥ 0, got {WeightDecay}");
        if (!(WeightAverage >= 0 && WeightAverage < 1)) throw new MucmmUserException($"DeepTrainingOptions.WeightAverage must be in [0, 1), got {WeightAverage}");
        if (!(FeatureNoise >= 0) || !double.IsFinite(FeatureNoise)) throw new MucmmUserException($"DeepTrainingOptions.FeatureNoise must be ≥ 0, got {FeatureNoise}");
        if (AugmentShift < 0) throw new MucmmUserException($"DeepTrainingOptions.AugmentShift must be ≥ 0, got {AugmentShift}");
        if (WarmupEpochs < 0) throw new MucmmUserException($"DeepTrainingOptions.WarmupEpochs must be ≥ 0, got {WarmupEpochs}");
        if (PretrainEpochs < 0) throw new MucmmUserException($"DeepTrainingOptions.PretrainEpochs must be ≥ 0, got {PretrainEpochs}");
        if (Patience < 0) throw new MucmmUserException($"DeepTrainingOptions.Patience must be ≥ 0, got {Patience}");
        if (!(CheckpointSeconds >= 0) || !double.IsFinite(CheckpointSeconds)) throw new MucmmUserException($"DeepTrainingOptions.CheckpointSeconds must be a finite number ≥ 0, got {CheckpointSeconds}");
        Objective.Validate();
        DeviceSelection.Parse(Device);
    }
}

/// <summary>Parses and checks <see cref="DeepTrainingOptions.Device"/>.</summary>
public static class DeviceSelection
{
    /// <summary>The torch device for "cpu" or "cuda" (or "cuda:N"); a clear error when CUDA is not available.</summary>
    public static TorchSharp.torch.Device Parse(string device)
    {
        string d = (device ?? "cpu").Trim().ToLowerInvariant();
        if (d == "cpu") return TorchSharp.torch.CPU;
        if (d == "cuda" || d.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!TorchSharp.torch.cuda.is_available())
                throw new MucmmUserException($"DeepTrainingOptions.Device {device}: CUDA is not available on this machine (this build uses TorchSharp-cpu); use cpu");
            return TorchSharp.torch.device(d);
        }
        throw new MucmmUserException($"DeepTrainingOptions.Device must be cpu or cuda, got '{device}'");
    }
}

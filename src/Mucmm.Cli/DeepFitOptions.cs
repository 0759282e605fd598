using System.CommandLine;
using System.Globalization;
using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using Spectre.Console;

namespace Mucmm.Cli;

/// <summary>
/// The options of <c>mucmm fit --model deep|dcca</c> (encoder, training schedule, objective weights, resume),
/// parsed into the library's <see cref="DeepModelOptions"/> and <see cref="DeepTrainingOptions"/>. Defaults come from
/// those records (one home: <see cref="DeepTrainingOptions.DefaultsFor"/>); <c>--device</c> and <c>--quiet</c> are the
/// shared <see cref="RuntimeOptions"/>.
/// </summary>
public sealed class DeepFitOptions
{
    private static readonly DeepModelOptions ModelDefaults = new();
    private static readonly DeepTrainingOptions TrainingDefaults = new();

    /// <summary>Creates the options.</summary>
    public DeepFitOptions()
    {
        Encoder = new Option<string>("--encoder")
        {
            Description = "Deep models: encoder of each view — auto (cnn for 2-D samples, else mlp), mlp, cnn (images [H, W] or [C, H, W], spectrograms), identity, torchscript:PATH (a torch.jit.save file mapping (n × d) float32 inputs to features), onnx:PATH (an ONNX graph taking the view's per-sample shape), resnet18[:SIZE] (built-in ImageNet ResNet18, 512 features, images resized to SIZE, a multiple of 32, default 224) or minilm (text views). Frozen pretrained encoders are computed once and cached; any model kind fits on their features (docs/pretrained.md). --fine-tune trains a resnet18/onnx/torchscript encoder inside a deep model instead. --encoder1 … set one view.",
            HelpName = "ENC",
            DefaultValueFactory = _ => ModelDefaults.Encoder.ToString().ToLowerInvariant(),
        };
        FineTune = new Option<bool>("--fine-tune") { Description = "Deep models: train a pretrained (torchscript, onnx, resnet18) encoder too (default: frozen, heads trained on cached features)." };
        Head = new Option<string>("--head")
        {
            Description = "Deep models: heads — linear or mlp.", HelpName = "HEAD",
            DefaultValueFactory = _ => ModelDefaults.Head.ToString().ToLowerInvariant(),
        };
        Head.AcceptOnlyFromAmong("linear", "mlp");
        Epochs = new Option<int>("--epochs") { Description = "Deep models: maximum training epochs.", HelpName = "N", DefaultValueFactory = _ => TrainingDefaults.Epochs };
        BatchSize = new Option<int>("--batch-size") { Description = "Deep models: rows per mini-batch (more than common + individual dims).", HelpName = "B", DefaultValueFactory = _ => TrainingDefaults.BatchSize };
        LearningRate = new Option<double>("--lr") { Description = "Deep models: Adam learning rate.", HelpName = "LR", DefaultValueFactory = _ => TrainingDefaults.LearningRate };
        Alpha = new Option<double>("--alpha") { Description = "Deep MUCMM: weight α of R2(individual, other view).", HelpName = "A", DefaultValueFactory = _ => TrainingDefaults.Objective.Alpha };
        Beta = new Option<double>("--beta") { Description = "Deep MUCMM: weight β of R2(individual, own common).", HelpName = "B", DefaultValueFactory = _ => TrainingDefaults.Objective.Beta };
        Gamma = new Option<double>("--gamma") { Description = "Deep MUCMM: weight γ of the relative reconstruction error.", HelpName = "G", DefaultValueFactory = _ => TrainingDefaults.Objective.Gamma };
        Objective = new Option<string>("--objective")
        {
            Description = "Deep models: correlation measure of the common term — r2 (Σρ², Cholesky) or r1 (Σρ, Deep CCA).", HelpName = "R",
            DefaultValueFactory = _ => "default",
        };
        Objective.AcceptOnlyFromAmong("default", "r2", "r1");
        WeightDecay = new Option<double>("--weight-decay") { Description = "Deep models: decoupled weight decay (AdamW); 0 is plain Adam.", HelpName = "WD", DefaultValueFactory = _ => TrainingDefaults.WeightDecay };
        WeightAverage = new Option<double>("--weight-average") { Description = "Deep models: decay of a moving average of the weights used for validation and the final model (0: off).", HelpName = "D", DefaultValueFactory = _ => TrainingDefaults.WeightAverage };
        CnnChannels = new Option<string>("--cnn-channels")
        {
            Description = "Deep models: channels of the CNN encoder's two convolutions, e.g. 32,64.", HelpName = "C1,C2",
            DefaultValueFactory = _ => string.Join(",", ModelDefaults.CnnChannels),
        };
        FeatureNoise = new Option<double>("--feature-noise") { Description = "Deep models on frozen pretrained features: add Gaussian noise of this many times the features' RMS standard deviation while training the heads (acts like a ridge of its square; 0: none).", HelpName = "S", DefaultValueFactory = _ => TrainingDefaults.FeatureNoise };
        AugmentShift = new Option<int>("--augment-shift") { Description = "Deep models: move each training image by up to N pixels in each direction (random, seeded; image views only; all channels of an RGB image alike).", HelpName = "N", DefaultValueFactory = _ => TrainingDefaults.AugmentShift };
        Schedule = new Option<string>("--lr-schedule")
        {
            Description = "Deep models: learning rate over the epochs — constant, or cosine (full rate in warm-up, then down to 1 % at the last epoch).", HelpName = "S",
            DefaultValueFactory = _ => TrainingDefaults.Schedule.ToString().ToLowerInvariant(),
        };
        Schedule.AcceptOnlyFromAmong("constant", "cosine");
        Warmup = new Option<int>("--warmup") { Description = "Deep MUCMM: first epochs with α = β = 0.", HelpName = "N", DefaultValueFactory = _ => TrainingDefaults.WarmupEpochs };
        Pretrain = new Option<int>("--pretrain") { Description = "Deep models: epochs of autoencoder pretraining of each encoder first (0: none).", HelpName = "N", DefaultValueFactory = _ => TrainingDefaults.PretrainEpochs };
        Patience = new Option<int>("--patience") { Description = "Deep models: stop after N epochs without a better validation total correlation (0: never).", HelpName = "N", DefaultValueFactory = _ => TrainingDefaults.Patience };
        Resume = new Option<bool>("--resume") { Description = "Deep models: continue an interrupted run from DIR.checkpoint/ (same options)." };
        CheckpointSeconds = new Option<double>("--checkpoint-seconds")
        {
            Description = "Deep models: write the checkpoint in DIR.checkpoint/ (for --resume) after an epoch only when S seconds have passed since the last one, and after the last epoch (0: after every epoch). A kill loses at most about S seconds of training; the model is the same whatever S.",
            HelpName = "S", DefaultValueFactory = _ => TrainingDefaults.CheckpointSeconds,
        };
    }

    /// <summary>--encoder.</summary>
    public Option<string> Encoder { get; }
    /// <summary>--fine-tune.</summary>
    public Option<bool> FineTune { get; }
    /// <summary>--head.</summary>
    public Option<string> Head { get; }
    /// <summary>--epochs.</summary>
    public Option<int> Epochs { get; }
    /// <summary>--batch-size.</summary>
    public Option<int> BatchSize { get; }
    /// <summary>--lr.</summary>
    public Option<double> LearningRate { get; }
    /// <summary>--alpha.</summary>
    public Option<double> Alpha { get; }
    /// <summary>--beta.</summary>
    public Option<double> Beta { get; }
    /// <summary>--gamma.</summary>
    public Option<double> Gamma { get; }
    /// <summary>--objective.</summary>
    public Option<string> Objective { get; }
    /// <summary>--warmup.</summary>
    public Option<int> Warmup { get; }
    /// <summary>--pretrain.</summary>
    public Option<int> Pretrain { get; }
    /// <summary>--patience.</summary>
    public Option<int> Patience { get; }
    /// <summary>--resume.</summary>
    public Option<bool> Resume { get; }
    /// <summary>--checkpoint-seconds S.</summary>
    public Option<double> CheckpointSeconds { get; }
    /// <summary>--weight-decay WD.</summary>
    public Option<double> WeightDecay { get; }

    /// <summary>--weight-average D.</summary>
    public Option<double> WeightAverage { get; }

    /// <summary>--cnn-channels C1,C2.</summary>
    public Option<string> CnnChannels { get; }

    /// <summary>--feature-noise S.</summary>
    public Option<double> FeatureNoise { get; }

    /// <summary>--augment-shift N.</summary>
    public Option<int> AugmentShift { get; }

    /// <summary>--lr-schedule constant|cosine.</summary>
    public Option<string> Schedule { get; }

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Encoder, FineTune, Head, CnnChannels, Epochs, BatchSize, LearningRate, Schedule, WeightDecay, WeightAverage, FeatureNoise, AugmentShift, Alpha, Beta, Gamma, Objective, Warmup, Pretrain, Patience, Resume, CheckpointSeconds })
            command.Options.Add(o);
    }

    /// <summary>Whether any deep-only option was given explicitly (for refusing them with linear models).</summary>
    public bool AnyGiven(ParseResult parse) =>
        (parse.GetResult(Encoder) is { Implicit: false } && !Mucmm.Deep.Onnx.ViewEncoders.IsPretrained(parse.GetValue(Encoder))) ||
        new Option[] { FineTune, Head, CnnChannels, Epochs, BatchSize, LearningRate, Schedule, WeightDecay, WeightAverage, FeatureNoise, AugmentShift, Alpha, Beta, Gamma, Objective, Warmup, Pretrain, Patience, Resume, CheckpointSeconds }
            .Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary>
    /// Refuses deep options given explicitly that the architecture <paramref name="model"/> does not use on
    /// <paramref name="data"/>: <c>--fine-tune</c> without a pretrained encoder, <c>--cnn-channels</c> when no view
    /// gets the CNN encoder, <c>--augment-shift</c> without an image view whose encoder is trained, <c>--pretrain</c>
    /// when no encoder is trained (pretraining trains the MLP and CNN encoders only).
    /// </summary>
    public void RejectUnused(ParseResult parse, DeepModelOptions model, Mucmm.Data.PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
        var encoders = data.Views.Select((v, m) => model.EncoderFor(m, v.SampleShape)).ToArray();
        string which = $"--encoder {parse.GetValue(Encoder)} gives {string.Join(" and ", encoders.Select(e => e.ToString().ToLowerInvariant()))} encoders on {data.Name}";
        bool trains = model.EncoderTrains && model.Encoder != EncoderKind.Identity;
        if (Given(FineTune) && model.Encoder is not (EncoderKind.TorchScript or EncoderKind.Onnx or EncoderKind.ResNet18))
            throw new MucmmUserException($"--fine-tune applies to pretrained encoders only (torchscript:PATH, onnx:PATH, resnet18) ({which})");
        if (Given(CnnChannels) && !encoders.Contains(EncoderKind.Cnn))
            throw new MucmmUserException($"--cnn-channels does not apply: no view uses the CNN encoder ({which})");
        if (Given(AugmentShift) && parse.GetValue(AugmentShift) > 0 && !(trains && data.Views.Any(v => v.Kind == Mucmm.Data.ViewKind.Image)))
            throw new MucmmUserException($"--augment-shift does not apply: it shifts image views whose encoder is trained, and {(trains ? $"no view of {data.Name} is an image" : "the encoders are frozen")}");
        if (Given(Pretrain) && parse.GetValue(Pretrain) > 0 && !(trains && model.Encoder is not (EncoderKind.TorchScript or EncoderKind.Onnx or EncoderKind.ResNet18)))
            throw new MucmmUserException($"--pretrain does not apply: it pretrains trained MLP or CNN encoders, and {which}{(trains ? "" : " (frozen)")}");
    }

    /// <summary>
    /// The note every command that fits a deep model prints when it applied the dataset's own deep defaults
    /// (<see cref="Mucmm.Data.Datasets.DeepDefaults"/>): "NAME's own deep defaults applied: --flag value … (docs/datasets.md)"
    /// followed by <paramref name="suffix"/>; null when <paramref name="applied"/> is empty.
    /// </summary>
    public static string? DatasetDefaultsNote(string dataset, IReadOnlyCollection<(string Property, string Value)> applied, string suffix = "")
    {
        ArgumentNullException.ThrowIfNull(applied);
        return applied.Count == 0 ? null
            : $"{dataset}'s own deep defaults applied: {string.Join(" ", applied.Select(s => $"{OptionNames.FlagOf(s.Property)} {s.Value}"))}{suffix} (docs/datasets.md)";
    }

    /// <summary>
    /// Parses the architecture for model kind <paramref name="kind"/> with dims k and r; a setting the user did not give
    /// comes from <paramref name="dataDefaults"/> (the dataset's own defaults, <see cref="Mucmm.Data.Datasets.DeepDefaults"/>) when it carries one.
    /// </summary>
    public DeepModelOptions Model(ParseResult parse, DeepModelKind kind, int commonDim, int individualDim, Mucmm.Data.Datasets.DeepDefaults? dataDefaults = null)
    {
        var defaults = (dataDefaults ?? new Mucmm.Data.Datasets.DeepDefaults()).Apply(DeepModelOptions.DefaultsFor(kind));
        string enc = parse.GetValue(Encoder)!.Trim();
        int imageSize = ModelDefaults.ImageSize;
        string[] onnxPaths = [];
        if (enc.StartsWith("onnx:", StringComparison.OrdinalIgnoreCase)) onnxPaths = [enc["onnx:".Length..]];
        else if (enc.StartsWith("resnet18:", StringComparison.OrdinalIgnoreCase)
            && !int.TryParse(enc["resnet18:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out imageSize))
            throw new MucmmUserException($"--encoder resnet18:SIZE needs an integer size, got '{enc}'");
        var (encoder, paths) = enc.ToLowerInvariant() switch
        {
            "auto" => (EncoderKind.Auto, Array.Empty<string>()),
            "mlp" => (EncoderKind.Mlp, []),
            "cnn" => (EncoderKind.Cnn, []),
            "identity" or "flatten" => (EncoderKind.Identity, []),
            _ when enc.StartsWith("torchscript:", StringComparison.OrdinalIgnoreCase) => (EncoderKind.TorchScript, [enc["torchscript:".Length..]]),
            _ when onnxPaths.Length > 0 => (EncoderKind.Onnx, []),
            "resnet18" => (EncoderKind.ResNet18, []),
            Mucmm.Deep.Onnx.ViewEncoders.TextEncoder => (EncoderKind.Auto, []),   // text views only: they enter as cached features
            _ when enc.StartsWith("resnet18:", StringComparison.OrdinalIgnoreCase) => (EncoderKind.ResNet18, []),
            _ => throw new MucmmUserException($"--encoder must be auto, mlp, cnn, identity, torchscript:PATH, onnx:PATH or resnet18[:SIZE], got '{enc}'"),
        };
        bool fine = parse.GetValue(FineTune);
        return new DeepModelOptions
        {
            Kind = kind,
            Encoder = encoder,
            TorchScriptPaths = paths,
            OnnxPaths = onnxPaths,
            ImageSize = imageSize,
            TrainEncoder = encoder is EncoderKind.TorchScript or EncoderKind.Onnx or EncoderKind.ResNet18 ? fine : null,
            CommonDim = commonDim,
            IndividualDim = individualDim,
            Head = Given(parse, Head) ? (parse.GetValue(Head) == "mlp" ? HeadKind.Mlp : HeadKind.Linear) : defaults.Head,
            CnnChannels = ParseInts(parse.GetValue(CnnChannels)!, "--cnn-channels"),
        };
    }

    /// <summary>The in-network encoder named auto, mlp, cnn or identity (per-view <c>--encoderN</c> values of deep fits).</summary>
    public static EncoderKind InNetworkKind(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "auto" => EncoderKind.Auto,
        "mlp" => EncoderKind.Mlp,
        "cnn" => EncoderKind.Cnn,
        "identity" or "flatten" => EncoderKind.Identity,
        _ => throw new MucmmUserException($"encoder must be auto, mlp, cnn, identity or a pretrained encoder ({Mucmm.Deep.Onnx.ViewEncoders.Forms}), got '{name}'"),
    };

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The option's value when the user gave it, else <paramref name="fallback"/> (the general or the dataset's default).</summary>
    private static T Or<T>(ParseResult parse, Option<T> option, T fallback) => Given(parse, option) ? parse.GetValue(option)! : fallback;

    private static int[] ParseInts(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                throw new MucmmUserException($"{option} must be comma-separated integers, got '{text}'");
        return values;
    }

    /// <summary>
    /// Parses the training settings on <paramref name="device"/>; <paramref name="kind"/> picks the default measure
    /// (<see cref="DeepTrainingOptions.DefaultsFor"/>: R2 for MUCMM, R1 for Deep CCA).
    /// </summary>
    /// <remarks>A setting the user did not give comes from <paramref name="dataDefaults"/> (the dataset's own defaults) when it carries one.</remarks>
    public DeepTrainingOptions Training(ParseResult parse, DeepModelKind kind, int seed, string device, Mucmm.Data.Datasets.DeepDefaults? dataDefaults = null)
    {
        var defaults = (dataDefaults ?? new Mucmm.Data.Datasets.DeepDefaults()).Apply(DeepTrainingOptions.DefaultsFor(kind));
        var m = parse.GetValue(Objective) switch
        {
            "r1" => CorrelationMeasure.R1,
            "r2" => CorrelationMeasure.R2,
            _ => defaults.Objective.Measure,
        };
        return defaults with
        {
            Epochs = Or(parse, Epochs, defaults.Epochs),
            BatchSize = Or(parse, BatchSize, defaults.BatchSize),
            LearningRate = Or(parse, LearningRate, defaults.LearningRate),
            WeightDecay = Or(parse, WeightDecay, defaults.WeightDecay),
            WeightAverage = parse.GetValue(WeightAverage),
            AugmentShift = parse.GetValue(AugmentShift),
            FeatureNoise = Or(parse, FeatureNoise, defaults.FeatureNoise),
            Schedule = parse.GetValue(Schedule) == "cosine" ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant,
            WarmupEpochs = parse.GetValue(Warmup),
            PretrainEpochs = parse.GetValue(Pretrain),
            Patience = Or(parse, Patience, defaults.Patience),
            CheckpointSeconds = Or(parse, CheckpointSeconds, defaults.CheckpointSeconds),
            Objective = defaults.Objective with
            {
                Alpha = parse.GetValue(Alpha), Beta = parse.GetValue(Beta), Gamma = parse.GetValue(Gamma), Measure = m,
            },
            Seed = seed,
            Device = device,
        };
    }
}

/// <summary>
/// Draws training progress with Spectre.Console: a live bar per phase with the current epoch, every
/// objective term of the last batch and the remaining time, and one printed line per finished epoch.
/// </summary>
public sealed class ConsoleTrainingProgress : ITrainingObserver
{
    private readonly ProgressContext _context;
    private ProgressTask? _task;
    private int _epochs, _batches;

    private ConsoleTrainingProgress(ProgressContext context) => _context = context;

    /// <summary>Runs <paramref name="work"/> with a progress display (none when <paramref name="quiet"/>).</summary>
    public static T Run<T>(bool quiet, Func<ITrainingObserver?, T> work)
    {
        if (quiet) return work(null);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => { result = work(new ConsoleTrainingProgress(ctx)); });
        return result;
    }

    /// <inheritdoc/>
    public void PhaseStarted(string phase, int epochs, int batchesPerEpoch, int completedEpochs)
    {
        _epochs = epochs;
        _batches = batchesPerEpoch;
        _task?.StopTask();
        _task = _context.AddTask(phase, maxValue: (double)epochs * batchesPerEpoch);
        _task.Value = (double)completedEpochs * batchesPerEpoch;
        if (completedEpochs > 0) AnsiConsole.MarkupLine(Markup.Escape($"{phase}: resuming after epoch {completedEpochs}"));
    }

    /// <inheritdoc/>
    public void BatchFinished(string phase, int epoch, int batch, IReadOnlyList<KeyValuePair<string, double>> terms)
    {
        if (_task is null) return;
        _task.Increment(1);
        _task.Description = Markup.Escape($"{phase} {epoch}/{_epochs} · {Format(terms)}");
    }

    /// <inheritdoc/>
    public void EpochFinished(EpochMetrics m)
    {
        string val = double.IsNaN(m.ValidationCorrelation) ? "" : $" · validation Σρ {m.ValidationCorrelation.ToString("F3", CultureInfo.InvariantCulture)}";
        AnsiConsole.MarkupLine(Markup.Escape($"{m.Phase} epoch {m.Epoch}/{_epochs}: {Format(m.Terms)}{val} ({m.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s)"));
    }

    /// <inheritdoc/>
    public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));

    private static string Format(IReadOnlyList<KeyValuePair<string, double>> terms) =>
        string.Join(" ", terms.Select(t => $"{t.Key} {t.Value.ToString("F3", CultureInfo.InvariantCulture)}"));
}

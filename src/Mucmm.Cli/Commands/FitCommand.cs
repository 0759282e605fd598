using System.CommandLine;
using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Deep.Onnx;
using Mucmm.Linear;
using Mucmm.Report;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm fit --model linear|cca|deep|dcca (data options) [--common-dim K] [--individual-dim R] [model options]
/// [--seed S] --out DIR [--force]</c>: fits on the train split and writes the run folder <c>DIR/</c>
/// (<see cref="RunFolder"/>: <c>model/</c>, <c>fit.json</c>, <c>train.csv</c> for deep models).
/// </summary>
/// <remarks>
/// The command reads as arguments → option records → one library call: the options are parsed into the library's
/// records (<see cref="LinearOptions"/>, or <see cref="DeepModelOptions"/> and <see cref="DeepTrainingOptions"/>) and a
/// <see cref="FitRequest"/>, and <see cref="FitRun.Fit"/> fits and writes the run. Linear models on <c>.npy</c> files
/// (without a permutation test) are fitted from statistics streamed from disk, so n is not bounded by memory. A new
/// model kind adds its name to <see cref="Models"/>, its options to <see cref="Arguments"/>, and one case to
/// <see cref="FitRun.Fit"/>.
/// </remarks>
public static class FitCommand
{
    /// <summary>Model kinds this command fits.</summary>
    public static readonly string[] Models = ["linear", "cca", "deep", "dcca"];

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var a = new Arguments();
        var cmd = new Command("fit",
            "Fit a model on the train split; write DIR/model/ (config.json + weights.safetensors) and DIR/fit.json.\n" +
            DataOptions.HelpText + "\n" +
            "Examples:\n" +
            "  mucmm fit --model linear --dataset synthetic --common-dim 3 --individual-dim 2 --out runs/lin\n" +
            "  mucmm fit --model cca --view1 a.npy --view2 b.csv --ridge 0 --out runs/cca\n" +
            "  mucmm fit --model cca --stats shard1.npz --stats shard2.npz --out runs/cca-stats\n" +
            "  mucmm fit --dataset noisy-mnist --permutations 100 --out runs/mnist-linear\n" +
            "  mucmm fit --model deep --dataset noisy-mnist --out runs/mnist-deep\n" +
            "  mucmm fit --model dcca --dataset noisy-mnist --epochs 20 --quiet --out runs/mnist-dcca\n" +
            "  mucmm fit --model deep --view1 a.npy --view2 b.npy --encoder torchscript:enc.pt --out runs/ts\n" +
            "  mucmm fit --model linear --view1 images.npy --view2 names.txt --encoder1 resnet18:64 --encoder2 minilm --out runs/pre\n" +
            "  mucmm fit --model deep --dataset noisy-mnist --out runs/mnist-deep --resume   (after an interruption)");
        a.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string kind = parse.GetValue(a.Model)!;
            a.RejectUnused(parse, kind);
            a.Runtime.Apply(parse);
            string[] statistics = parse.GetValue(a.Stats) ?? [];
            if (statistics.Length > 0) FitFromStatistics(parse, a, kind, statistics);
            else if (kind is "deep" or "dcca") FitDeep(parse, a, kind);
            else FitLinear(parse, a, kind);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary><c>--stats</c>: a linear fit from statistics files (docs/statistics.md); no data, no split, no permutation test.</summary>
    private static void FitFromStatistics(ParseResult parse, Arguments a, string kind, string[] files)
    {
        if (kind is not ("linear" or "cca"))
            throw new MucmmUserException($"--stats fits the closed-form models (--model linear or cca); --model {kind} trains on the rows themselves");
        if (a.Data.IsGiven(parse))
            throw new MucmmUserException("give either --stats S.npz or data (--dataset, --view1/--view2), not both");
        if (parse.GetResult(a.Data.Split) is { Implicit: false })
            throw new MucmmUserException("--split does not apply to --stats: a fit from statistics uses all the rows they describe");
        if (parse.GetValue(a.Permutations) > 0)
            throw new MucmmUserException("--permutations re-pairs the rows and needs them; with --stats give --threshold T instead");
        if (a.Encoders.AnyGiven(parse) || a.AllEncoders(parse) is not null)
            throw new MucmmUserException("--stats fits from statistics of numbers; encoders (--encoder, --encoderN) do not apply");
        using var folder = a.Output.Open(parse);
        FitRun.Fit(new FitRequest
        {
            Options = new FitOptions(Linear: a.LinearOptions(parse, kind)),
            StatisticsFiles = files,
            DataName = "statistics: " + string.Join(" + ", files),
        }, folder.TempPath);
        folder.Commit();
        Console.WriteLine($"fit: wrote {folder.Target} (fitted from statistics: no rows are kept, so evaluate and report need --view1 FILE --view2 FILE)");
    }

    /// <summary>Linear MUCMM or CCA on a dataset or files; <c>.npy</c> files are streamed unless a permutation test needs the rows.</summary>
    private static void FitLinear(ParseResult parse, Arguments a, string kind)
    {
        using var folder = a.Output.Open(parse);
        var files = parse.GetValue(a.Data.Dataset) is null ? a.Data.FilesOf(parse) : [];
        bool stream = parse.GetValue(a.Data.Dataset) is null && files.Count >= 2 && parse.GetValue(a.Permutations) == 0
            && files.All(f => f.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            && !a.Encoders.AnyGiven(parse) && a.AllEncoders(parse) is null;
        var source = a.Data.SourceOf(parse);
        var raw = stream ? null : source.Load(DataOptions.Warn);
        // Frozen pretrained encoders (--encoderN, --encoder, minilm for text views): the model fits on their features,
        // computed once and cached; the fingerprint stays that of the data themselves.
        var specs = raw is null ? null : a.EncoderSpecs(parse, raw, fineTune: false);
        var all = raw is null ? null : EncoderOptions.Encode(raw, specs, a.Runtime.IsQuiet(parse));
        int[] widths = all is not null ? all.Views.Select(v => v.Cols).ToArray()
            : files.Select(f => { using var rows = PairedFiles.OpenRows(f); return rows.Cols; }).ToArray();
        var (options, note) = a.FitDimsToData(parse, new FitOptions(Linear: a.LinearOptions(parse, kind)) { Encoders = specs }, widths);
        FitRun.Fit(new FitRequest
        {
            Options = options,
            Data = all,
            Fingerprint = specs is null || raw is null ? null : DataFingerprint.Of(raw),
            Split = a.Data.SplitOf(parse),
            StreamedFiles = stream ? files : null,
            DataName = a.DataName(parse, files),
            Source = source,
            Warn = DataOptions.Warn,
        }, folder.TempPath);
        folder.Commit();
        // After the fit, so that a refused fit prints its one error line only.
        if (note is not null) Console.Error.WriteLine($"mucmm: note: {note}");
        Console.WriteLine($"fit: wrote {folder.Target}");
    }

    /// <summary>
    /// Deep MUCMM or Deep CCA. The checkpoint lives in <c>DIR.checkpoint</c>, locked first so that a second fit into
    /// the same <c>--out</c> refuses at once; it is removed after success, and after a failure that left nothing to resume.
    /// </summary>
    private static void FitDeep(ParseResult parse, Arguments a, string kind)
    {
        bool resume = parse.GetValue(a.Deep.Resume);
        string workDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(a.Output.Out)!)) + ".checkpoint";
        bool workExisted = Directory.Exists(workDir);
        using var workLock = WorkFolderLock.Acquire(workDir);
        // A work folder this run creates is removed on interruption unless it holds a resumable checkpoint
        // (tracked from the moment the lock created it, so a signal at any later point leaves nothing behind).
        using var workTrack = workExisted ? null : TemporaryPaths.TrackWork(workDir, keep: () => DeepTrainer.HasCheckpoint(workDir));
        bool done = false;
        try
        {
            using var folder = a.Output.Open(parse);
            var source = a.Data.SourceOf(parse);
            var raw = source.Load(DataOptions.Warn);
            // Views with a frozen pretrained encoder enter as their cached features (heads on the features).
            var specs = a.EncoderSpecs(parse, raw, fineTune: parse.GetValue(a.Deep.FineTune));
            var all = EncoderOptions.Encode(raw, specs, a.Runtime.IsQuiet(parse));
            var deepKind = kind == "dcca" ? DeepModelKind.DeepCca : DeepModelKind.Mucmm;
            // The dataset's own deep defaults (e.g. emoji's k, heads, weight decay) replace the general ones the user did not set.
            var dataDefaults = Mucmm.Data.Datasets.DatasetCatalog.DeepDefaultsOf(raw);
            var defaults = dataDefaults.Apply(DeepModelOptions.DefaultsFor(deepKind));
            int k = parse.GetResult(a.CommonDim) is { Implicit: false } ? parse.GetValue(a.CommonDim) : defaults.CommonDim;
            int r = parse.GetResult(a.IndividualDim) is { Implicit: false } ? parse.GetValue(a.IndividualDim) : defaults.IndividualDim;
            // A run killed before its first checkpoint left nothing to resume: start again in that folder.
            if (!resume && DeepTrainer.HasCheckpoint(workDir))
                throw new MucmmUserException(workDir, "a checkpoint of an interrupted run exists: add --resume to continue it, or delete the folder");
            var model = a.Deep.Model(parse, deepKind, k, r, dataDefaults);
            if (specs is not null) model = WithFeatureViews(model, specs, a.Encoders.Given(parse, specs.Length, a.AllEncoders(parse)));
            else if (a.Encoders.AnyGiven(parse)) model = WithViewEncoders(model, a.Encoders.Given(parse, all.Views.Count, null));
            a.Deep.RejectUnused(parse, model, all);
            var training = a.Deep.Training(parse, deepKind, a.Data.SeedOf(parse), a.Runtime.DeviceOf(parse), dataDefaults);
            // Say which of the dataset's own deep defaults were applied (those whose flag the user did not give).
            var applied = dataDefaults.Settings().Where(s => !a.IsGiven(parse, s.Property)
                && !(deepKind == DeepModelKind.DeepCca && s.Property == "DeepModelOptions.IndividualDim")).ToArray();
            string? datasetNote = DeepFitOptions.DatasetDefaultsNote(raw.Name, applied);
            var (options, note) = a.FitDimsToData(parse, new FitOptions(DeepModel: model, DeepTraining: training) { Encoders = specs }, all.Views.Select(v => v.Cols).ToArray());
            if (resume && new DeepTrainer(options.DeepModel, options.DeepTraining).ResumeDifference(workDir, all) is { } difference)
                throw new MucmmUserException(workDir,
                    $"--resume: {OptionNames.FlagOf(difference.Property)} {difference.Problem}; resume with the options and data of the interrupted run, or delete {workDir} to start again");
            ConsoleTrainingProgress.Run(a.Runtime.IsQuiet(parse), observer => FitRun.Fit(new FitRequest
            {
                Options = options,
                Data = all,
                Fingerprint = specs is null ? null : DataFingerprint.Of(raw),
                DataName = a.DataName(parse, parse.GetValue(a.Data.Dataset) is null ? a.Data.FilesOf(parse) : []),
                Source = source,
                WorkDirectory = workDir,
                Resume = resume,
                Observer = observer,
                Warn = DataOptions.Warn,
            }, folder.TempPath));
            folder.Commit();
            done = true;
            if (datasetNote is not null) Console.Error.WriteLine($"mucmm: note: {datasetNote}");
            if (note is not null) Console.Error.WriteLine($"mucmm: note: {note}");
            Console.WriteLine($"fit: wrote {folder.Target}");
        }
        finally
        {
            if (done) workLock.DeleteFolderAndRelease();
            else if (!DeepTrainer.HasCheckpoint(workDir))
            {
                // Without hiding the failure behind a clean-up error.
                try { workLock.DeleteFolderAndRelease(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>
    /// The architecture of a deep fit whose views <paramref name="specs"/> names a pretrained encoder for enter as their
    /// cached features: those views get the identity encoder (heads on the features); the others keep the encoder
    /// <paramref name="given"/> names for them (auto, mlp, cnn or identity; <c>--encoder</c>'s value otherwise). With every
    /// view encoded, the encoder is identity for all.
    /// </summary>
    private static DeepModelOptions WithFeatureViews(DeepModelOptions model, IReadOnlyList<string?> specs, IReadOnlyList<string?> given) =>
        model.OnFeatureViews([.. specs.Select(s => s is not null)],
            specs.All(s => s is not null) ? null : [.. specs.Select((s, m) => s is not null ? (EncoderKind?)null : DeepFitOptions.InNetworkKind(given[m] ?? "auto"))]);

    /// <summary>
    /// The architecture of a deep fit without pretrained features whose <c>--encoderN</c> name in-network encoders (auto,
    /// mlp, cnn, identity): those views get them, the others <c>--encoder</c>'s (<paramref name="given"/>[m] null).
    /// </summary>
    private static DeepModelOptions WithViewEncoders(DeepModelOptions model, IReadOnlyList<string?> given) =>
        model with { EncoderPerView = given.Select(g => g is null ? model.Encoder : DeepFitOptions.InNetworkKind(g)).ToArray() };

    /// <summary>The options of <c>mucmm fit</c> and their parsing into the library's option records.</summary>
    private sealed class Arguments
    {
        public readonly Option<string> Model = new("--model")
        {
            Description = "Model to fit: linear (linear MUCMM: common + individual), cca (linear CCA, common only), deep (deep MUCMM) or dcca (Deep CCA).",
            HelpName = "MODEL",
            DefaultValueFactory = _ => "linear",
        };
        public readonly DataOptions Data = new(defaultSplit: "train");
        public readonly OutputOptions Output = new("model/ and fit.json");
        public readonly RuntimeOptions Runtime = new();
        public readonly DeepFitOptions Deep = new();
        public readonly EncoderOptions Encoders = new();
        public readonly Option<int> CommonDim = new("--common-dim")
        {
            Description = "Number of common variates k per view (default 10, lowered to min(10, d1, d2) for narrower views, with a note; deep fits on a dataset with its own defaults, e.g. located-mnist, use those: mucmm datasets).", HelpName = "K",
            DefaultValueFactory = _ => Linear.LinearOptions.Defaults.CommonDim,
        };
        public readonly Option<int> IndividualDim = new("--individual-dim")
        {
            Description = "Number of individual variates r per view (default 10, 20 for deep or the dataset's own deep default; lowered to what the views leave after k, with a note).", HelpName = "R",
            DefaultValueFactory = _ => Linear.LinearOptions.Defaults.IndividualDim,
        };
        public readonly Option<double> Ridge = new("--ridge")
        {
            Description = "Ridge relative to the mean variance (0 = classical CCA, needs more samples than columns and no constant column).",
            HelpName = "E",
            DefaultValueFactory = _ => Linear.LinearOptions.Defaults.Ridge,
        };
        public readonly Option<double?> Threshold = new("--threshold")
        {
            Description = "Correlated set K = pairs with regularized canonical correlation above T (at least k). Default: K = k.",
            HelpName = "T",
        };
        public readonly Option<int> Permutations = new("--permutations")
        {
            Description = "Choose the threshold by a permutation test with N re-pairings of the rows (95th percentile of the top correlation; seeded by --seed).",
            HelpName = "N",
            DefaultValueFactory = _ => Linear.LinearOptions.Defaults.Permutations,
        };
        public readonly Option<string[]> Stats = new("--stats")
        {
            Description = "Fit linear/cca from statistics files (mucmm stats; docs/statistics.md) instead of data: merged, then fitted on all their rows. Repeatable.",
            HelpName = "S.npz",
            AllowMultipleArgumentsPerToken = true,
        };

        public Arguments() => Model.AcceptOnlyFromAmong(Models);

        public void AddTo(Command cmd)
        {
            cmd.Options.Add(Model);
            Data.AddTo(cmd);
            foreach (var o in new Option[] { CommonDim, IndividualDim, Ridge, Threshold, Permutations }) cmd.Options.Add(o);
            Deep.AddTo(cmd);
            Encoders.AddTo(cmd);
            Runtime.AddTo(cmd);
            cmd.Options.Add(Stats);
            Output.AddTo(cmd);
        }

        /// <summary>
        /// Refuses option combinations no fit uses, and every option given explicitly that the model kind does not use
        /// (exit 2, naming the option and the kind); <see cref="DeepFitOptions.RejectUnused"/> checks the data-dependent ones.
        /// </summary>
        public void RejectUnused(ParseResult parse, string kind)
        {
            if (parse.GetValue(Threshold) is not null && parse.GetValue(Permutations) > 0)
                throw new MucmmUserException("give either --threshold T or --permutations N, not both");
            if (kind is not ("deep" or "dcca"))
                foreach (var (flag, value) in new[] { ("--encoder", AllEncoders(parse)) }.Concat(Encoders.PerView.Select(o => (o.Name, parse.GetValue(o)))))
                    if (value is not null && !ViewEncoders.IsPretrained(value))
                        throw new MucmmUserException($"{flag} {value}: --model {kind} takes frozen pretrained encoders only ({ViewEncoders.Forms}); {value} is a deep-model encoder");
            if (kind is not ("deep" or "dcca") && Deep.AnyGiven(parse))
                throw new MucmmUserException($"the deep-model options (--encoder, --epochs, --lr, --alpha, …) do not apply to --model {kind}");
            (Option Option, string[] Models)[] uses =
            [
                (Ridge, ["linear", "cca"]), (Threshold, ["linear", "cca"]), (Permutations, ["linear", "cca"]), (Data.Split, ["linear", "cca"]),
                (IndividualDim, ["linear", "deep"]), (Runtime.Device, ["deep", "dcca"]),
                (Deep.Alpha, ["deep"]), (Deep.Beta, ["deep"]), (Deep.Gamma, ["deep"]), (Deep.Warmup, ["deep"]),
            ];
            foreach (var (option, models) in uses)
                if (parse.GetResult(option) is { Implicit: false } && !models.Contains(kind))
                    throw new MucmmUserException($"{option.Name} does not apply to --model {kind} (it is used by --model {string.Join(" and ", models)})");
        }

        /// <summary>
        /// Whether the flag that sets library property <paramref name="property"/> (<see cref="OptionNames.FlagOf"/>, e.g.
        /// "DeepModelOptions.CommonDim" → --common-dim) was given explicitly.
        /// </summary>
        public bool IsGiven(ParseResult parse, string property)
        {
            string flag = OptionNames.FlagOf(property);
            var option = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == flag || o.Aliases.Contains(flag))
                ?? throw new InvalidOperationException($"fit has no option {flag} for {property}");
            return parse.GetResult(option) is { Implicit: false };
        }

        /// <summary>The options of a linear or cca fit.</summary>
        public LinearOptions LinearOptions(ParseResult parse, string kind) => new()
        {
            Kind = kind == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm,
            CommonDim = parse.GetValue(CommonDim),
            IndividualDim = kind == "cca" ? 0 : parse.GetValue(IndividualDim),
            Ridge = parse.GetValue(Ridge),
            Threshold = parse.GetValue(Threshold),
            Permutations = parse.GetValue(Permutations),
            Seed = Data.SeedOf(parse),
        };

        /// <summary><c>--encoder</c>'s value when given explicitly, else null.</summary>
        public string? AllEncoders(ParseResult parse) => parse.GetResult(Deep.Encoder) is { Implicit: false } ? parse.GetValue(Deep.Encoder) : null;

        /// <summary>
        /// The frozen pretrained encoder of each view of <paramref name="raw"/> (<c>--encoderN</c>, <c>--encoder</c>, minilm for
        /// text views), or null when no view has one; with <paramref name="fineTune"/> a pretrained <c>--encoder</c> stays inside the network.
        /// </summary>
        public string?[]? EncoderSpecs(ParseResult parse, PairedDataset raw, bool fineTune)
        {
            if (fineTune && !Encoders.AnyGiven(parse) && raw.Views.All(v => v.Kind != ViewKind.Text)) return null;
            // A view without --encoderN / --encoder gets its dataset's default encoder (e.g. resnet18 for emoji drawings).
            var defaults = Mucmm.Data.Datasets.DatasetCatalog.DefaultEncoders(raw);
            var given = Encoders.Given(parse, raw.Views.Count, AllEncoders(parse)).Select((g, m) => g ?? defaults[m]).ToArray();
            var specs = EncoderOptions.Pretrained(given, raw.Views, parse, Encoders);
            if (fineTune && ViewEncoders.Any(specs))
                throw new MucmmUserException("--fine-tune trains a pretrained encoder given with --encoder inside the network; per-view encoders (--encoderN) and text views stay frozen");
            return ViewEncoders.Any(specs) ? specs : null;
        }

        /// <summary>The data's name in fit.json: the dataset as named, or the files joined by " + ".</summary>
        public string DataName(ParseResult parse, IReadOnlyList<string> files) => parse.GetValue(Data.Dataset) ?? string.Join(" + ", files);

        /// <summary>
        /// Lowers the default k and r (those the user did not give) to what views of <paramref name="widths"/> allow
        /// (<see cref="DimensionDefaults"/>); the note says so (one line, printed after a successful fit).
        /// </summary>
        public (FitOptions Options, string? Note) FitDimsToData(ParseResult parse, FitOptions options, IReadOnlyList<int> widths)
        {
            string kind = options.Kind;
            int k = options.Linear?.CommonDim ?? options.DeepModel!.CommonDim;
            int r = options.Linear?.IndividualDim ?? options.DeepModel!.IndividualDim;
            var choice = DimensionDefaults.Choose(widths, k, parse.GetResult(CommonDim) is { Implicit: false }, r,
                parse.GetResult(IndividualDim) is { Implicit: false }, minIndividual: kind == "deep" ? 1 : 0, hasIndividual: kind is "linear" or "deep");
            if (choice.Note is null) return (options, null);
            return (options with
            {
                Linear = options.Linear is { } l ? l with { CommonDim = choice.CommonDim, IndividualDim = choice.IndividualDim } : null,
                DeepModel = options.DeepModel is { } d ? d with { CommonDim = choice.CommonDim, IndividualDim = choice.IndividualDim } : null,
            }, choice.Note);
        }
    }
}

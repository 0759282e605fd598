using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;
using Mucmm.Linear;
using Mucmm.Numerics;
using Mucmm.Report;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm fit --model linear|cca (data options) [--common-dim K] [--individual-dim R] [--ridge E]
/// [--threshold T | --permutations N] [--seed S] --out DIR [--force]</c>: fits on the train split and
/// writes <c>DIR/model/</c> and <c>DIR/fit.json</c>.
/// </summary>
/// <remarks>
/// Linear models on two <c>.npy</c> files (without a permutation test) are fitted from statistics
/// streamed from disk, so n is not bounded by memory; everything else is loaded through
/// <see cref="DataOptions"/>. All options are parsed here once into a <see cref="FitRequest"/>; <see cref="Run"/> dispatches on
/// <c>--model</c>. A new model kind adds its name to <see cref="Models"/>, its own options to
/// <see cref="Create"/>, and one case to the dispatch that fits it and returns the fitted model plus
/// its training canonical correlations.
/// </remarks>
public static class FitCommand
{
    /// <summary>Model kinds this command fits.</summary>
    public static readonly string[] Models = ["linear", "cca", "deep", "dcca"];

    /// <summary>What every fit needs, parsed once from the command line.</summary>
    /// <param name="Model">Model kind (one of <see cref="Models"/>).</param>
    /// <param name="Train">The rows to fit on (the train split unless --split says otherwise); null when
    /// <paramref name="Streamed"/> is set.</param>
    /// <param name="Streamed">For linear models on .npy files: the files, streamed from disk instead of loaded.</param>
    /// <param name="DataName">Dataset name or the two file names, for fit.json.</param>
    /// <param name="Split">Split name used.</param>
    /// <param name="CommonDim">--common-dim.</param>
    /// <param name="IndividualDim">--individual-dim.</param>
    /// <param name="Ridge">--ridge.</param>
    /// <param name="Threshold">--threshold (null when not given).</param>
    /// <param name="Permutations">--permutations.</param>
    /// <param name="Seed">--seed.</param>
    /// <param name="Deep">Settings of the deep models (null for linear ones).</param>
    /// <param name="Source">How to build the data again (recorded in fit.json).</param>
    /// <param name="Statistics">For linear models fitted from statistics files (<c>--stats</c>, docs/statistics.md): the files.</param>
    /// <param name="Encoders">The frozen pretrained encoder of each view (canonical names, null: none): <see cref="Train"/> and the deep data hold their features; recorded in fit.json and model/encoders.json.</param>
    /// <param name="Fingerprint">The fingerprint of the whole dataset (every split); null for streamed files, whose fingerprint is taken while they are read.</param>
    public sealed record FitRequest(string Model, PairedDataset? Train, IReadOnlyList<string>? Streamed, string DataName, string Split,
        int CommonDim, int IndividualDim, double Ridge, double? Threshold, int Permutations, int Seed,
        DeepFitSettings? Deep = null, DataSource? Source = null, DataFingerprint? Fingerprint = null,
        IReadOnlyList<string>? Statistics = null, IReadOnlyList<string?>? Encoders = null);

    /// <summary>What a deep fit needs besides the common request.</summary>
    /// <param name="All">The whole dataset: the trainer fits on its train rows and stops early on its validation rows.</param>
    /// <param name="Model">Architecture.</param>
    /// <param name="Training">Schedule, objective weights, seed, device.</param>
    /// <param name="WorkDirectory">Where train.csv and the per-epoch checkpoint live during training (DIR.checkpoint).</param>
    /// <param name="Resume">Continue from the checkpoint in <paramref name="WorkDirectory"/>.</param>
    /// <param name="Quiet">No progress display.</param>
    public sealed record DeepFitSettings(PairedDataset All, Mucmm.Deep.DeepModelOptions Model, Mucmm.Deep.DeepTrainingOptions Training,
        string WorkDirectory, bool Resume, bool Quiet);

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model")
        {
            Description = "Model to fit: linear (linear MUCMM: common + individual) or cca (linear CCA, common only).",
            HelpName = "MODEL",
            DefaultValueFactory = _ => "linear",
        };
        model.AcceptOnlyFromAmong(Models);
        var data = new DataOptions(defaultSplit: "train");
        var output = new OutputOptions("model/ and fit.json");
        var commonDim = new Option<int>("--common-dim")
        {
            Description = "Number of common variates k per view (default 10, lowered to min(10, d1, d2) for narrower views, with a note).", HelpName = "K",
            DefaultValueFactory = _ => LinearOptions.Defaults.CommonDim,
        };
        var individualDim = new Option<int>("--individual-dim")
        {
            Description = "Number of individual variates r per view (default 10, 20 for deep; lowered to what the views leave after k, with a note).", HelpName = "R",
            DefaultValueFactory = _ => LinearOptions.Defaults.IndividualDim,
        };
        var ridge = new Option<double>("--ridge")
        {
            Description = "Ridge relative to the mean variance (0 = classical CCA, needs more samples than columns and no constant column).",
            HelpName = "E",
            DefaultValueFactory = _ => LinearOptions.Defaults.Ridge,
        };
        var threshold = new Option<double?>("--threshold")
        {
            Description = "Correlated set K = pairs with regularized canonical correlation above T (at least k). Default: K = k.",
            HelpName = "T",
        };
        var permutations = new Option<int>("--permutations")
        {
            Description = "Choose the threshold by a permutation test with N re-pairings of the rows (95th percentile of the top correlation; seeded by --seed).",
            HelpName = "N",
            DefaultValueFactory = _ => LinearOptions.Defaults.Permutations,
        };

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
        cmd.Options.Add(model);
        data.AddTo(cmd);
        cmd.Options.Add(commonDim);
        cmd.Options.Add(individualDim);
        cmd.Options.Add(ridge);
        cmd.Options.Add(threshold);
        cmd.Options.Add(permutations);
        var deep = new DeepFitOptions();
        deep.AddTo(cmd);
        var encoders = new EncoderOptions();
        encoders.AddTo(cmd);
        var stats = new Option<string[]>("--stats")
        {
            Description = "Fit linear/cca from statistics files (mucmm stats; docs/statistics.md) instead of data: merged, then fitted on all their rows. Repeatable.",
            HelpName = "S.npz",
            AllowMultipleArgumentsPerToken = true,
        };
        cmd.Options.Add(stats);
        output.AddTo(cmd);

        cmd.SetAction(parse =>
        {
            if (parse.GetValue(threshold) is not null && parse.GetValue(permutations) > 0)
                throw new MucmmUserException("give either --threshold T or --permutations N, not both");
            string modelName = parse.GetValue(model)!;
            bool isDeep = modelName is "deep" or "dcca";
            string? allEncoders = parse.GetResult(deep.Encoder) is { Implicit: false } ? parse.GetValue(deep.Encoder) : null;
            if (!isDeep && (encoders.AnyGiven(parse) || allEncoders is not null))
            {
                foreach (var (flag, value) in new[] { ("--encoder", allEncoders) }.Concat(encoders.PerView.Select(o => (o.Name, parse.GetValue(o)))))
                    if (value is not null && !Mucmm.Deep.Onnx.ViewEncoders.IsPretrained(value))
                        throw new MucmmUserException($"{flag} {value}: --model {modelName} takes frozen pretrained encoders only ({Mucmm.Deep.Onnx.ViewEncoders.Forms}); {value} is a deep-model encoder");
            }
            if (!isDeep && deep.AnyGiven(parse))
                throw new MucmmUserException($"the deep-model options (--encoder, --epochs, --lr, --alpha, …) do not apply to --model {modelName}");
            RejectUnused(parse, modelName,
            [
                (ridge, ["linear", "cca"]), (threshold, ["linear", "cca"]), (permutations, ["linear", "cca"]), (data.Split, ["linear", "cca"]),
                (individualDim, ["linear", "deep"]), (deep.Device, ["deep", "dcca"]),
                (deep.Alpha, ["deep"]), (deep.Beta, ["deep"]), (deep.Gamma, ["deep"]), (deep.Warmup, ["deep"]),
            ]);
            bool resume = isDeep && parse.GetValue(deep.Resume);
            string[] statsFiles = parse.GetValue(stats) ?? [];
            if (statsFiles.Length > 0)
            {
                CheckFromStats(parse, data, modelName, parse.GetValue(permutations));
                if (encoders.AnyGiven(parse) || allEncoders is not null) throw new MucmmUserException("--stats fits from statistics of numbers; encoders (--encoder, --encoderN) do not apply");
                using var statsFolder = output.Open(parse);
                Run(new FitRequest(modelName, null, null, "statistics: " + string.Join(" + ", statsFiles), "all",
                    parse.GetValue(commonDim), parse.GetValue(individualDim), parse.GetValue(ridge),
                    parse.GetValue(threshold), 0, data.SeedOf(parse), Statistics: statsFiles), statsFolder);
                statsFolder.Commit();
                Console.WriteLine($"fit: wrote {statsFolder.Target} (fitted from statistics: no rows are kept, so evaluate and report need --view1 FILE --view2 FILE)");
                return ExitCodes.Ok;
            }
            // Deep fits keep their checkpoint in DIR.checkpoint: lock it first, so a second fit into the same
            // --out refuses at once (the lock goes with the process, however it ends).
            string workDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(parse.GetValue(output.Out)!)) + ".checkpoint";
            bool workExisted = Directory.Exists(workDir);
            using var workLock = isDeep ? Mucmm.Deep.WorkFolderLock.Acquire(workDir) : null;
            // A work folder this run creates is removed on interruption unless it holds a resumable checkpoint
            // (tracked from the moment the lock created it, so a signal at any later point leaves nothing behind).
            using var workTrack = isDeep && !workExisted ? TemporaryPaths.TrackWork(workDir, keep: () => Mucmm.Deep.DeepTrainer.HasCheckpoint(workDir)) : null;
            bool done = false;
            try
            {
                using var folder = output.Open(parse);
                var files = parse.GetValue(data.Dataset) is null ? data.FilesOf(parse) : [];
                string split = parse.GetValue(data.Split)!;
                // Closed-form fits need only the statistics: .npy files are streamed (bounded memory, any n).
                bool stream = modelName is "linear" or "cca" && parse.GetValue(data.Dataset) is null
                    && files.Count >= 2 && parse.GetValue(permutations) == 0
                    && files.All(f => f.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                    && !encoders.AnyGiven(parse) && allEncoders is null;
                var source = data.SourceOf(parse);
                var raw = stream ? null : source.Load(DataOptions.Warn);
                // Frozen pretrained encoders (--encoderN, --encoder, minilm for text views): every model fits on their
                // features, computed once and cached; the fingerprint stays that of the data themselves.
                bool fineTune = isDeep && parse.GetValue(deep.FineTune);
                string?[]? specs = raw is null ? null
                    : fineTune && !encoders.AnyGiven(parse) && raw.Views.All(v => v.Kind != ViewKind.Text) ? null
                    : EncoderOptions.Pretrained(encoders.Given(parse, raw.Views.Count, allEncoders), raw.Views, parse, encoders);
                if (fineTune && Mucmm.Deep.Onnx.ViewEncoders.Any(specs))
                    throw new MucmmUserException("--fine-tune trains a pretrained encoder given with --encoder inside the network; per-view encoders (--encoderN) and text views stay frozen");
                if (!Mucmm.Deep.Onnx.ViewEncoders.Any(specs)) specs = null;
                var all = raw is null ? null : EncoderOptions.Encode(raw, specs, parse.GetValue(deep.Quiet));
                string dataName = parse.GetValue(data.Dataset) ?? string.Join(" + ", files);
                var request = new FitRequest(
                    modelName, all is null ? null : data.SplitOf(parse) is { } s ? all.Subset(s) : all, stream ? files : null, dataName, split,
                    parse.GetValue(commonDim), parse.GetValue(individualDim), parse.GetValue(ridge),
                    parse.GetValue(threshold), parse.GetValue(permutations), data.SeedOf(parse),
                    Source: source, Fingerprint: raw is null ? null : DataFingerprint.Of(raw), Encoders: specs);
                if (isDeep)
                {
                    var kind = modelName == "deep" ? Mucmm.Deep.DeepModelKind.Mucmm : Mucmm.Deep.DeepModelKind.DeepCca;
                    var defaults = new Mucmm.Deep.DeepModelOptions();
                    int k = parse.GetResult(commonDim) is { Implicit: false } ? request.CommonDim : defaults.CommonDim;
                    int r = parse.GetResult(individualDim) is { Implicit: false } ? request.IndividualDim : defaults.IndividualDim;
                    // A run killed before its first checkpoint left nothing to resume: start again in that folder.
                    if (!resume && Mucmm.Deep.DeepTrainer.HasCheckpoint(workDir))
                        throw new MucmmUserException(workDir, "a checkpoint of an interrupted run exists: add --resume to continue it, or delete the folder");
                    var architecture = deep.Model(parse, kind, k, r);
                    if (specs is not null) architecture = WithFeatureViews(architecture, specs, encoders.Given(parse, specs.Length, allEncoders));
                    var settings = new DeepFitSettings(all!, architecture, deep.Training(parse, kind, data.SeedOf(parse)),
                        workDir, resume, parse.GetValue(deep.Quiet));
                    deep.RejectUnused(parse, settings.Model, all!);
                    request = request with { CommonDim = k, IndividualDim = r, Train = all!.Subset(Mucmm.Data.Split.Train), Deep = settings };
                }
                if (request.Train is { Count: 0 })
                    throw new MucmmUserException($"the {request.Split} split of {dataName} has no rows");
                (request, string? note) = FitDimsToData(request, parse.GetResult(commonDim) is { Implicit: false }, parse.GetResult(individualDim) is { Implicit: false });
                if (resume && request.Deep is { } ds && new Mucmm.Deep.DeepTrainer(ds.Model, ds.Training).ResumeDifference(workDir, all!) is { } difference)
                    throw new MucmmUserException(workDir,
                        $"--resume: {DeepFitOptions.FlagOf(difference.Setting)} {difference.Problem}; resume with the options and data of the interrupted run, or delete {workDir} to start again");
                Run(request, folder);
                folder.Commit();
                done = true;
                // After the fit, so that a refused fit prints its one error line only.
                if (note is not null) Console.Error.WriteLine($"mucmm: note: {note}");
                Console.WriteLine($"fit: wrote {folder.Target}");
            }
            finally
            {
                // The checkpoint folder goes after success, and after a failure that left nothing to resume
                // (without hiding that failure behind a clean-up error).
                if (workLock is not null && done) workLock.DeleteFolderAndRelease();
                else if (workLock is not null && !Mucmm.Deep.DeepTrainer.HasCheckpoint(workDir))
                {
                    try { workLock.DeleteFolderAndRelease(); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                }
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The architecture of a deep fit whose views <paramref name="specs"/> names a pretrained encoder for enter as their
    /// cached features: those views get the identity encoder (heads on the features); the others keep the encoder
    /// <paramref name="given"/> names for them (auto, mlp, cnn or identity; <c>--encoder</c>'s value otherwise). With every
    /// view encoded, the encoder is identity for all.
    /// </summary>
    private static Mucmm.Deep.DeepModelOptions WithFeatureViews(Mucmm.Deep.DeepModelOptions model, IReadOnlyList<string?> specs, IReadOnlyList<string?> given)
    {
        var plain = new Mucmm.Deep.DeepModelOptions();
        if (specs.All(s => s is not null))
            return model with { Encoder = Mucmm.Deep.EncoderKind.Identity, TrainEncoder = null, TorchScriptPaths = [], OnnxPaths = [], ImageSize = plain.ImageSize };
        var perView = specs.Select((s, m) => s is not null ? Mucmm.Deep.EncoderKind.Identity : DeepFitOptions.InNetworkKind(given[m] ?? "auto")).ToArray();
        var global = model.Encoder is Mucmm.Deep.EncoderKind.Auto or Mucmm.Deep.EncoderKind.Mlp or Mucmm.Deep.EncoderKind.Cnn or Mucmm.Deep.EncoderKind.Identity
            ? model.Encoder : Mucmm.Deep.EncoderKind.Auto;
        return model with { Encoder = global, EncoderPerView = perView, TrainEncoder = null, TorchScriptPaths = [], OnnxPaths = [], ImageSize = plain.ImageSize };
    }

    /// <summary>
    /// Lowers the default k and r (those the user did not give) to what the data allows
    /// (<see cref="DimensionDefaults"/>); the note says so (one line, printed after a successful fit).
    /// </summary>
    private static (FitRequest Request, string? Note) FitDimsToData(FitRequest request, bool commonGiven, bool individualGiven)
    {
        int[] widths = request.Train is { } train
            ? train.Views.Select(v => v.Cols).ToArray()
            : request.Streamed!.Select(f => { using var rows = PairedFiles.OpenRows(f); return rows.Cols; }).ToArray();
        bool hasIndividual = request.Model is "linear" or "deep";
        var choice = DimensionDefaults.Choose(widths, request.CommonDim, commonGiven, request.IndividualDim, individualGiven,
            minIndividual: request.Model == "deep" ? 1 : 0, hasIndividual);
        if (choice.Note is null) return (request, null);
        return (request with
        {
            CommonDim = choice.CommonDim,
            IndividualDim = choice.IndividualDim,
            Deep = request.Deep is { } d ? d with { Model = d.Model with { CommonDim = choice.CommonDim, IndividualDim = choice.IndividualDim } } : null,
        }, choice.Note);
    }

    /// <summary>Refuses every option given explicitly that the model kind does not use (exit 2, naming the option and the kind).</summary>
    private static void RejectUnused(ParseResult parse, string model, IEnumerable<(Option Option, string[] Models)> uses)
    {
        foreach (var (option, models) in uses)
            if (parse.GetResult(option) is { Implicit: false } && !models.Contains(model))
                throw new MucmmUserException($"{option.Name} does not apply to --model {model} (it is used by --model {string.Join(" and ", models)})");
    }

    /// <summary>Fits the requested model and writes <c>model/</c> and <c>fit.json</c> into <paramref name="folder"/>.</summary>
    public static void Run(FitRequest request, OutputFolder folder)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(folder);
        var clock = Stopwatch.StartNew();
        var (fitted, count, correlations, extra, fingerprint) = request.Model switch
        {
            "linear" or "cca" => FitLinear(request),
            "deep" or "dcca" => FitDeep(request, folder),
            _ => throw new MucmmUserException($"unknown model '{request.Model}' (choose from {string.Join(", ", Models)})"),
        };
        double seconds = clock.Elapsed.TotalSeconds;
        fitted.Save(folder.File("model"));
        if (request.Encoders is { } encoders) Mucmm.Deep.Onnx.ViewEncoders.Save(folder.File("model"), encoders);
        new FitRecord
        {
            Model = fitted.Kind,
            Data = request.DataName,
            Split = request.Deep is null ? request.Split : "train",
            NSamples = count,
            Dims = fitted.InputDims.ToArray(),
            CommonDim = fitted.CommonDim,
            IndividualDims = fitted.IndividualDims.ToArray(),
            Seed = request.Seed,
            CanonicalCorrelations = correlations.ToArray(),
            FitSeconds = Math.Round(seconds, 3),
            Source = request.Source,
            Fingerprint = request.Fingerprint ?? fingerprint,
            Options = (request.Deep is { } d ? new FitOptions(DeepModel: d.Model, DeepTraining: d.Training) : new FitOptions(Linear: LinearOptionsOf(request)))
                with { Encoders = request.Encoders },
            Results = extra,
        }.Write(folder.File(RunFolder.FitFile));
    }

    private static (IMultiviewModel Model, long Count, IReadOnlyList<double> Correlations, JsonObject Extra, DataFingerprint? Fingerprint) FitDeep(FitRequest r, OutputFolder folder)
    {
        var d = r.Deep ?? throw new InvalidOperationException("deep settings missing");
        Directory.CreateDirectory(d.WorkDirectory);
        var model = ConsoleTrainingProgress.Run(d.Quiet, observer =>
            new Mucmm.Deep.DeepTrainer(d.Model, d.Training, observer).Fit(d.All, d.WorkDirectory, d.Resume));
        string csv = Path.Combine(d.WorkDirectory, "train.csv");
        if (File.Exists(csv)) File.Copy(csv, folder.File("train.csv"), overwrite: true);
        // The options are recorded whole in fit.json (FitRecord.Options); here only what the fit found.
        var extra = new JsonObject { ["validation_samples"] = d.All.RowsOf(Mucmm.Data.Split.Validation).Length };
        return (model, d.All.RowsOf(Mucmm.Data.Split.Train).Length, model.CanonicalCorrelations, extra, null);
    }

    private static LinearOptions LinearOptionsOf(FitRequest r) => new()
    {
        Kind = r.Model == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm,
        CommonDim = r.CommonDim,
        IndividualDim = r.Model == "cca" ? 0 : r.IndividualDim,
        Ridge = r.Ridge,
        Threshold = r.Threshold,
        Permutations = r.Permutations,
        Seed = r.Seed,
    };

    private static (IMultiviewModel Model, long Count, IReadOnlyList<double> Correlations, JsonObject Extra, DataFingerprint? Fingerprint) FitLinear(FitRequest r)
    {
        var options = LinearOptionsOf(r);
        LinearModel model;
        DataFingerprint? fingerprint = null;
        JsonObject? fromStats = null;
        if (r.Statistics is { Count: > 0 } npz) (model, fromStats) = FitFromStats(npz, options);
        else if (r.Streamed is { } files)
        {
            (var stats, fingerprint) = StreamedStats(files, r.Split, r.Seed, options);
            if (stats.Count == 0) throw new MucmmUserException($"the {r.Split} split of {r.DataName} has no rows");
            model = LinearMucmm.Fit(stats, options);
        }
        else
        {
            var train = r.Train ?? throw new InvalidOperationException("no training data");
            model = LinearMucmm.Fit(train.Views, options);
        }
        var extra = new JsonObject
        {
            ["ridge"] = r.Ridge,
            ["correlated_count"] = model.CorrelatedCount,
            ["threshold"] = model.Threshold,
            ["permutations"] = model.Permutations,
            ["regularized_canonical_correlations"] = new JsonArray(model.RegularizedCanonicalCorrelations.Select(c => (JsonNode)c).ToArray()),
            ["explained_variance"] = new JsonArray(model.ExplainedVariance.Select(s => (JsonNode)new JsonObject
            {
                ["common"] = s.Common, ["individual"] = s.Individual, ["residual"] = s.Residual,
            }).ToArray()),
        };
        foreach (var (key, value) in fromStats ?? []) extra[key] = value?.DeepClone();
        return (model, model.TrainingCount, model.CanonicalCorrelations, extra, fingerprint);
    }

    // --stats takes no data, no split, no permutation test and no deep model: one line each.
    private static void CheckFromStats(ParseResult parse, DataOptions data, string model, int permutations)
    {
        if (model is not ("linear" or "cca"))
            throw new MucmmUserException($"--stats fits the closed-form models (--model linear or cca); --model {model} trains on the rows themselves");
        if (data.IsGiven(parse))
            throw new MucmmUserException("give either --stats S.npz or data (--dataset, --view1/--view2), not both");
        if (parse.GetResult(data.Split) is { Implicit: false })
            throw new MucmmUserException("--split does not apply to --stats: a fit from statistics uses all the rows they describe");
        if (permutations > 0)
            throw new MucmmUserException("--permutations re-pairs the rows and needs them; with --stats give --threshold T instead");
    }

    /// <summary>
    /// Linear fit from statistics files (docs/statistics.md): merged exactly, then fitted on all their rows.
    /// Returns the model and what fit.json records about its origin: that it was fitted from statistics,
    /// and each file with its SHA-256 and n. No rows are kept, so evaluation needs data named again.
    /// </summary>
    internal static (LinearModel Model, JsonObject Record) FitFromStats(IReadOnlyList<string> files, LinearOptions options)
    {
        var merged = StatisticsFile.Merge(files);
        if (merged.Stats.Count <= 1)
            throw new MucmmUserException($"the statistics describe n = {merged.Stats.Count} row in all; a fit needs at least 2");
        var model = LinearMucmm.Fit(merged.Stats, options);
        var record = new JsonObject
        {
            ["fitted_from"] = "statistics",
            ["statistics"] = new JsonArray(merged.Sources.Select(s => (JsonNode)new JsonObject
            {
                ["file"] = Path.GetFullPath(s.Path), ["sha256"] = s.Sha256, ["n"] = s.Count,
            }).ToArray()),
            ["training_rows"] = "not kept: fitted from statistics; evaluate and report need --view1 FILE --view2 FILE",
        };
        return (model, record);
    }

    /// <summary>
    /// Statistics of the rows of <paramref name="split"/> of two .npy files, streamed from disk. The
    /// split is the one <see cref="DataOptions"/> gives user files (<see cref="DatasetSplits.Random"/>
    /// from the header's row count and --seed), so streamed and in-memory fits see the same rows.
    /// </summary>
    internal static (CovarianceStats Stats, DataFingerprint Fingerprint) StreamedStats(IReadOnlyList<string> files, string split, int seed, LinearOptions? options = null)
    {
        var readers = new List<DataFingerprint.HashingReader>();
        try
        {
            PairedFiles.WarnSameFiles(files, DataOptions.Warn);
            foreach (var f in files) readers.Add(new DataFingerprint.HashingReader(PairedFiles.OpenRows(f)));
            long n = readers[0].Rows;
            foreach (var r in readers)
                if (r.Rows != n)
                    throw new MucmmUserException(r.Source, $"has {r.Rows} rows but {readers[0].Source} has {n}; the views must be paired row by row");
            if (n < 3) throw new MucmmUserException(readers[0].Source, $"has {n} rows; need at least 3 paired samples");
            if (n > int.MaxValue) throw new MucmmUserException(readers[0].Source, $"has {n} rows; at most {int.MaxValue} are supported");
            Func<long, bool>? keep = null;
            var splits = DatasetSplits.Random((int)n, seed);
            if (split != "all")
            {
                var wanted = split switch { "train" => Data.Split.Train, "validation" => Data.Split.Validation, _ => Data.Split.Test };
                keep = i => splits[i] == wanted;
            }
            // Shapes and memory are checked before the D × D statistics exist.
            if (options is not null)
                LinearMucmm.CheckFeasible(keep is null ? n : Enumerable.Range(0, (int)n).LongCount(i => keep(i)), readers.Select(r => r.Cols).ToArray(), options);
            var stats = CovarianceStats.FromReaders(readers, keep);
            // Every row passed through the hashing readers: the fingerprint equals that of the files loaded in memory.
            var fingerprint = DataFingerprint.Of((int)n, readers.Select(r => r.Cols).ToArray(), splits, readers.Select(r => r.Hash()).ToArray());
            return (stats, fingerprint);
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }
}

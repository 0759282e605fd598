using System.Diagnostics;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Mucmm.Linear;
using Mucmm.Numerics;

namespace Mucmm.Report;

/// <summary>
/// What one fit into a run folder needs (<see cref="FitRun.Fit"/>): the option records, which also say the model
/// kind, and the data in one of three forms — a dataset in memory (<see cref="Data"/>), two or more <c>.npy</c> files
/// streamed from disk (<see cref="StreamedFiles"/>, linear models), or statistics files
/// (<see cref="StatisticsFiles"/>, linear models; docs/statistics.md).
/// </summary>
public sealed record FitRequest
{
    /// <summary>
    /// The option records of the fit, recorded whole in fit.json: <see cref="FitOptions.Linear"/> for linear MUCMM
    /// and CCA, <see cref="FitOptions.DeepModel"/> and <see cref="FitOptions.DeepTraining"/> for deep MUCMM and Deep CCA.
    /// </summary>
    public required FitOptions Options { get; init; }

    /// <summary>The whole dataset (every split). Deep models train on its train rows and stop early on its validation rows.</summary>
    public PairedDataset? Data { get; init; }

    /// <summary>Linear models: the rows to fit on (null: every row). Deep models always fit on <see cref="Split.Train"/>.</summary>
    public Split? Split { get; init; } = Mucmm.Data.Split.Train;

    /// <summary>
    /// Linear models on <c>.npy</c> files: the files, one per view, streamed from disk (bounded memory, any n) and split
    /// as <see cref="PairedFiles"/> splits them in memory (<see cref="DatasetSplits.Random"/> from the row count and
    /// the options' seed), so streamed and in-memory fits see the same rows.
    /// </summary>
    public IReadOnlyList<string>? StreamedFiles { get; init; }

    /// <summary>Linear models fitted from statistics files (merged exactly, then fitted on all their rows).</summary>
    public IReadOnlyList<string>? StatisticsFiles { get; init; }

    /// <summary>The data's name in fit.json (default: the source's name, else the dataset's).</summary>
    public string? DataName { get; init; }

    /// <summary>How to build the data again, recorded in fit.json so that every command on the run uses the same data.</summary>
    public DataSource? Source { get; init; }

    /// <summary>Deep models: where train.csv and the per-epoch checkpoint live during training (null: none, no resume).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Deep models: continue from the checkpoint in <see cref="WorkDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Deep models: receives training progress (null: none).</summary>
    public ITrainingObserver? Observer { get; init; }

    /// <summary>Receives warnings about the data (e.g. the same file given as two views; null: ignored).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The model kind the options describe: linear, cca, deep or dcca.</summary>
    public string Kind => Options.Kind;

    /// <summary>The seed of the fit (the options' seed: split of user files, initialization, permutations).</summary>
    public int Seed => Options.Linear?.Seed ?? Options.DeepTraining?.Seed ?? 0;
}

/// <summary>
/// One fit from option records to a run folder (<see cref="RunFolder"/>: <c>model/</c>, <c>fit.json</c>, and for deep
/// models <c>train.csv</c>): the library call behind <c>mucmm fit</c> and <c>mucmm demo</c>. A new model kind adds
/// one case to <see cref="Fit"/>.
/// </summary>
public static class FitRun
{
    /// <summary>
    /// Fits the model <paramref name="request"/> describes and writes the run into the existing folder
    /// <paramref name="folder"/> (usually the temporary path of an <see cref="OutputFolder"/>). Returns the run.
    /// User errors (no rows, bad options, bad files) are <see cref="MucmmUserException"/>s naming the file or property.
    /// </summary>
    public static RunFolder Fit(FitRequest request, string folder)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var clock = Stopwatch.StartNew();
        var (fitted, count, extra, fingerprint, trainingLog) = request.Options switch
        {
            { Linear: not null } => FitLinear(request),
            { DeepModel: not null, DeepTraining: not null } => FitDeep(request),
            _ => throw new ArgumentException("FitRequest.Options sets neither Linear nor DeepModel and DeepTraining", nameof(request)),
        };
        using var disposeModel = fitted;
        var record = new FitRecord
        {
            Model = fitted.Kind,
            Data = request.DataName ?? request.Source?.Name ?? request.Data?.Name ?? "",
            Split = request.Options.Linear is null ? "train" : request.StatisticsFiles is { Count: > 0 } ? "all" : SplitName(request.Split),
            NSamples = count,
            Dims = fitted.InputDims.ToArray(),
            CommonDim = fitted.CommonDim,
            IndividualDims = fitted.IndividualDims.ToArray(),
            Seed = request.Seed,
            CanonicalCorrelations = CorrelationsOf(fitted).ToArray(),
            FitSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            Source = request.Source,
            Fingerprint = fingerprint,
            Options = request.Options,
            Results = extra,
        };
        return RunFolder.Create(folder, fitted, record, trainingLog);
    }

    /// <summary>The name of a split as <c>--split</c> and fit.json write it ("all" for null).</summary>
    public static string SplitName(Split? split) => split?.ToString().ToLowerInvariant() ?? "all";

    private static IReadOnlyList<double> CorrelationsOf(IMultiviewModel model) => model switch
    {
        LinearModel l => l.CanonicalCorrelations,
        DeepMultiviewModel d => d.CanonicalCorrelations,
        _ => [],
    };

    private static (IMultiviewModel, long, JsonObject, DataFingerprint?, string?) FitDeep(FitRequest r)
    {
        var all = r.Data ?? throw new ArgumentException("a deep fit needs FitRequest.Data (the whole dataset)", nameof(r));
        if (all.RowsOf(Mucmm.Data.Split.Train).Length == 0)
            throw new MucmmUserException($"the train split of {r.DataName ?? all.Name} has no rows");
        if (r.WorkDirectory is not null) Directory.CreateDirectory(r.WorkDirectory);
        var model = new DeepTrainer(r.Options.DeepModel, r.Options.DeepTraining, r.Observer).Fit(all, r.WorkDirectory, r.Resume);
        // The options are recorded whole in fit.json (FitRecord.Options); here only what the fit found.
        var extra = new JsonObject { ["validation_samples"] = all.RowsOf(Mucmm.Data.Split.Validation).Length };
        string? log = r.WorkDirectory is null ? null : Path.Combine(r.WorkDirectory, TrainingLog.FileName);
        return (model, all.RowsOf(Mucmm.Data.Split.Train).Length, extra, DataFingerprint.Of(all), log);
    }

    private static (IMultiviewModel, long, JsonObject, DataFingerprint?, string?) FitLinear(FitRequest r)
    {
        var options = r.Options.Linear!;
        LinearModel model;
        DataFingerprint? fingerprint = null;
        JsonObject? fromStats = null;
        string dataName = r.DataName ?? r.Source?.Name ?? r.Data?.Name ?? "";
        if (r.StatisticsFiles is { Count: > 0 } npz) (model, fromStats) = FitFromStatistics(npz, options);
        else if (r.StreamedFiles is { Count: > 0 } files)
        {
            (var stats, fingerprint) = StreamedStats(files, r.Split, r.Seed, options, r.Warn);
            if (stats.Count == 0) throw new MucmmUserException($"the {SplitName(r.Split)} split of {dataName} has no rows");
            model = options.Fit(stats);
        }
        else
        {
            var all = r.Data ?? throw new ArgumentException("a linear fit needs FitRequest.Data, StreamedFiles or StatisticsFiles", nameof(r));
            var train = r.Split is { } s ? all.Subset(s) : all;
            if (train.Count == 0) throw new MucmmUserException($"the {SplitName(r.Split)} split of {dataName} has no rows");
            fingerprint = DataFingerprint.Of(all);
            model = options.Fit(train.AsSplit(Mucmm.Data.Split.Train));   // every row of the chosen split
        }
        var extra = new JsonObject
        {
            ["ridge"] = options.Ridge,
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
        return (model, model.TrainingCount, extra, fingerprint, null);
    }

    /// <summary>
    /// Linear fit from statistics files (docs/statistics.md): merged exactly, then fitted on all their rows.
    /// Returns the model and what fit.json records about its origin: that it was fitted from statistics,
    /// and each file with its SHA-256 and n. No rows are kept, so evaluation needs data named again.
    /// </summary>
    private static (LinearModel Model, JsonObject Record) FitFromStatistics(IReadOnlyList<string> files, LinearOptions options)
    {
        var merged = StatisticsFile.Merge(files);
        if (merged.Stats.Count <= 1)
            throw new MucmmUserException($"the statistics describe n = {merged.Stats.Count} row in all; a fit needs at least 2");
        var model = options.Fit(merged.Stats);
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
    /// Statistics of the rows of <paramref name="split"/> (null: all) of paired <c>.npy</c> files, streamed from disk,
    /// and the fingerprint of the files (equal to that of the files loaded in memory). The split is the one
    /// <see cref="PairedFiles"/> gives user files (<see cref="DatasetSplits.Random"/> from the row count and
    /// <paramref name="seed"/>). Shapes and memory are checked (<paramref name="options"/>) before the D × D
    /// statistics exist.
    /// </summary>
    private static (CovarianceStats Stats, DataFingerprint Fingerprint) StreamedStats(IReadOnlyList<string> files, Split? split, int seed, LinearOptions options, Action<string>? warn)
    {
        ArgumentNullException.ThrowIfNull(files);
        var readers = new List<DataFingerprint.HashingReader>();
        try
        {
            PairedFiles.WarnSameFiles(files, warn);
            foreach (var f in files) readers.Add(new DataFingerprint.HashingReader(PairedFiles.OpenRows(f)));
            long n = readers[0].Rows;
            foreach (var r in readers)
                if (r.Rows != n)
                    throw new MucmmUserException(r.Source, $"has {r.Rows} rows but {readers[0].Source} has {n}; the views must be paired row by row");
            if (n < 3) throw new MucmmUserException(readers[0].Source, $"has {n} rows; need at least 3 paired samples");
            if (n > int.MaxValue) throw new MucmmUserException(readers[0].Source, $"has {n} rows; at most {int.MaxValue} are supported");
            var splits = DatasetSplits.Random((int)n, seed);
            Func<long, bool>? keep = split is { } wanted ? i => splits[i] == wanted : null;
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

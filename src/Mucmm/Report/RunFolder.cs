using Mucmm.Data;
using Mucmm.Data.Datasets;

namespace Mucmm.Report;

/// <summary>
/// A run folder: what a fit writes (<see cref="FitRun.Fit"/>, <c>mucmm fit --out DIR</c>), and what
/// <c>report</c> and <c>demo</c> add to it. Each file has one writer and one reader:
/// <code>
/// DIR/
///   model/        the fitted model (config.json + weights) — required      IMultiviewModel.Save / LoadModel (ModelStore.Load)
///   fit.json      fit record: model, data source and fingerprint, options   FitRecord.Write / FitRecord.Read (Record)
///                 (the option records whole), results — required
///   train.csv     deep models: one row per epoch, one column per term      TrainingLog.Write / ReadTrainingLog (TrainingLog.Read)
///   metrics.json  the evaluation; report computes it when missing          WriteMetrics (EvaluationResult.Write) / ReadMetrics
///   commands.txt  the command lines that produced the folder (demo)        WriteCommands / Commands
///   report.html   the report                                               RunReport.Write
/// </code>
/// </summary>
public sealed class RunFolder
{
    /// <summary>Sub-folder holding the model.</summary>
    public const string ModelFolder = "model";
    /// <summary>Fit summary file.</summary>
    public const string FitFile = "fit.json";
    /// <summary>Per-epoch training metrics of deep models.</summary>
    public const string TrainCsvFile = "train.csv";
    /// <summary>Evaluation file.</summary>
    public const string MetricsFile = "metrics.json";
    /// <summary>Command lines that produced the run.</summary>
    public const string CommandsFile = "commands.txt";
    /// <summary>The report.</summary>
    public const string ReportFile = "report.html";

    private RunFolder(string path, string shownPath, FitRecord record)
    {
        Path = path;
        ShownPath = shownPath;
        Record = record;
    }

    /// <summary>The folder (absolute).</summary>
    public string Path { get; }

    /// <summary>The folder as the user named it (for messages).</summary>
    public string ShownPath { get; }

    /// <summary>The fit.json record.</summary>
    public FitRecord Record { get; }

    /// <summary>The model folder.</summary>
    public string ModelPath => System.IO.Path.Combine(Path, ModelFolder);

    /// <summary>Path of a file of the run.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether the run has the file.</summary>
    public bool Has(string name) => System.IO.File.Exists(File(name));

    /// <summary>Model kind from fit.json.</summary>
    public string ModelKind => Record.Model;

    /// <summary>Data fit.json names: a built-in dataset name or the two file names.</summary>
    public string DataName => Record.Data;

    /// <summary>Seed recorded in fit.json.</summary>
    public int Seed => Record.Seed;

    /// <summary>The fingerprint of the data the model was fitted on (null for a fit.json of format 1).</summary>
    public DataFingerprint? Fingerprint => Record.Fingerprint;

    /// <summary>
    /// How to build the run's data again: the recorded source, or for a fit.json of format 1 the built-in dataset
    /// it names with its seed (null when it names files: the caller must name them).
    /// </summary>
    public DataSource? Source => Record.Source
        ?? (DatasetCatalog.Names.Contains(DataName) ? new DataSource { Dataset = DataName, Seed = Seed } : null);

    /// <summary>Training canonical correlations from fit.json (all min(d₁, d₂) for linear models, k for deep ones).</summary>
    public IReadOnlyList<double> TrainCorrelations => Record.CanonicalCorrelations;

    /// <summary>The command lines recorded in commands.txt (empty when absent).</summary>
    public IReadOnlyList<string> Commands =>
        Has(CommandsFile) ? System.IO.File.ReadAllLines(File(CommandsFile)).Where(l => l.Trim().Length > 0).ToArray() : [];

    /// <summary>
    /// Writes a new run into the existing folder <paramref name="path"/> (usually the temporary path of an
    /// <see cref="OutputFolder"/>): the model in <c>model/</c>, <paramref name="record"/> as <c>fit.json</c>, and the
    /// training log <paramref name="trainingLog"/> (a train.csv written by the trainer) as <c>train.csv</c> when it
    /// exists. Returns the run.
    /// </summary>
    public static RunFolder Create(string path, IMultiviewModel model, FitRecord record, string? trainingLog = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(record);
        model.Save(System.IO.Path.Combine(path, ModelFolder));
        record.Write(System.IO.Path.Combine(path, FitFile));
        if (trainingLog is not null && System.IO.File.Exists(trainingLog))
            System.IO.File.Copy(trainingLog, System.IO.Path.Combine(path, TrainCsvFile), overwrite: true);
        return Open(path);
    }

    /// <summary>Loads the run's model (<see cref="ModelStore.Load"/>); the caller disposes it.</summary>
    public IMultiviewModel LoadModel() => ModelStore.Load(ModelPath);

    /// <summary>The training log (train.csv) of a deep run (<see cref="Deep.TrainingLog.Read"/>), or null when the run has none.</summary>
    public (IReadOnlyList<string> Terms, IReadOnlyList<(string Phase, int Epoch, Dictionary<string, double> Values)> Rows)? ReadTrainingLog() =>
        Has(TrainCsvFile) ? Deep.TrainingLog.Read(File(TrainCsvFile)) : null;

    /// <summary>The run's evaluation (metrics.json, <see cref="Evaluation.EvaluationResult.Read"/>), or null when the run has none.</summary>
    public Evaluation.EvaluationResult? ReadMetrics() => Has(MetricsFile) ? Evaluation.EvaluationResult.Read(File(MetricsFile)) : null;

    /// <summary>Writes the run's metrics.json (<see cref="Evaluation.EvaluationResult.Write"/>: atomically).</summary>
    public void WriteMetrics(Evaluation.EvaluationResult metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.Write(File(MetricsFile));
    }

    /// <summary>Writes commands.txt: the command lines that produced the run, one per line (atomically).</summary>
    public void WriteCommands(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        WriteFile(CommandsFile, string.Concat(lines.Select(l => l + Environment.NewLine)));
    }

    /// <summary>
    /// Opens <paramref name="path"/>. Throws <see cref="MucmmUserException"/> naming the folder when it is
    /// not a run folder (no model/ or no fit.json) or fit.json is damaged.
    /// </summary>
    public static RunFolder Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path)) throw new MucmmUserException(path, "no such folder");
        string full = System.IO.Path.GetFullPath(path);
        if (!System.IO.File.Exists(System.IO.Path.Combine(full, ModelFolder, "config.json")))
            throw new MucmmUserException(path, "not a run folder: model/config.json is missing (a run folder is what a fit writes: model/ and fit.json)");
        string fitPath = System.IO.Path.Combine(full, FitFile);
        if (!System.IO.File.Exists(fitPath))
            throw new MucmmUserException(path, "not a run folder: fit.json is missing (a run folder is what a fit writes: model/ and fit.json)");
        return new RunFolder(full, path, FitRecord.Read(fitPath));
    }

    /// <summary>
    /// The run folder a model folder belongs to: <paramref name="modelOrRunPath"/> itself when it holds fit.json,
    /// or its parent when it is the run's model/ folder; null for a model folder outside a run.
    /// </summary>
    public static RunFolder? Find(string modelOrRunPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelOrRunPath);
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(modelOrRunPath));
        if (System.IO.File.Exists(System.IO.Path.Combine(full, FitFile))) return Open(modelOrRunPath);
        string? parent = System.IO.Path.GetDirectoryName(full);
        if (System.IO.Path.GetFileName(full) == ModelFolder && parent is not null && System.IO.File.Exists(System.IO.Path.Combine(parent, FitFile)))
            return Open(System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(modelOrRunPath)) is { Length: > 0 } p ? p : parent);
        return null;
    }

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> naming the run and the difference (e.g. "runs/r: data has 10000 rows,
    /// the model was fitted on 600") when <paramref name="data"/> is not the data the run was fitted on. Runs
    /// without a fingerprint (fit.json of format 1) are not checked.
    /// </summary>
    public void CheckData(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Fingerprint is not null) CheckData(DataFingerprint.Of(data));
    }

    /// <summary>As <see cref="CheckData(PairedDataset)"/>, for data whose fingerprint is known.</summary>
    public void CheckData(DataFingerprint data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Fingerprint?.DifferenceFrom(data) is { } difference)
            throw new MucmmUserException(ShownPath, difference);
    }

    /// <summary>
    /// Loads the run's data (<paramref name="source"/>, by default the recorded <see cref="Source"/>) and checks
    /// it against the fingerprint (<see cref="CheckData(PairedDataset)"/>).
    /// </summary>
    public PairedDataset LoadData(DataSource? source = null)
    {
        source ??= Source ?? throw NoRecordedData();
        var data = source.Load();
        CheckData(data);
        return data;
    }

    /// <summary>Whether the model was fitted from statistics files (<c>fit --stats</c>), which keep no rows.</summary>
    public bool FittedFromStatistics => Record.Results?["fitted_from"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && s == "statistics";

    /// <summary>The error for a command that needs the run's data when fit.json records no way to build it again.</summary>
    public MucmmUserException NoRecordedData() => new(File(FitFile), FittedFromStatistics
        ? "the model was fitted from statistics files, which keep no rows; name the data files (DataSource.Files)"
        : $"the run was fitted on '{DataName}', not a built-in dataset; name the data files (DataSource.Files)");

    /// <summary>SHA-256 (hex) of the run's model folder (<see cref="ModelFolderSha256"/>).</summary>
    public string ModelSha256() => ModelFolderSha256(ModelPath);

    /// <summary>
    /// SHA-256 (lower-case hex) of a model folder: every file, in ordinal order of its relative path, as the path
    /// (UTF-8), a zero byte, its length (int64 little-endian) and its bytes. Identifies the model an evaluation
    /// (metrics.json) was computed for.
    /// </summary>
    public static string ModelFolderSha256(string modelDir)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (string file in Directory.EnumerateFiles(modelDir, "*", SearchOption.AllDirectories)
                     .Select(f => System.IO.Path.GetRelativePath(modelDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file));
            hash.AppendData([0]);
            byte[] bytes = System.IO.File.ReadAllBytes(System.IO.Path.Combine(modelDir, file));
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Writes <paramref name="text"/> to the run's file <paramref name="name"/> atomically (<see cref="AtomicFile"/>:
    /// temporary file, then rename; nothing left behind on failure; a folder in the way is a <see cref="MucmmUserException"/>).
    /// </summary>
    public void WriteFile(string name, string text) => AtomicFile.WriteAllText(File(name), text);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Datasets;

namespace Mucmm.Report;

/// <summary>
/// A run folder: what <c>mucmm fit --out DIR</c> writes, and what <c>evaluate</c>, <c>report</c> and
/// <c>demo</c> add to it.
/// <code>
/// DIR/
///   model/        the fitted model (config.json + weights) — required
///   fit.json      fit summary: model, data, seed, dims, training canonical correlations — required
///   train.csv     deep models: one row per epoch, one column per objective term
///   metrics.json  the evaluation (mucmm evaluate); report computes it when missing
///   commands.txt  the command lines that produced the folder, one per line (demo writes it)
///   report.html   the report (mucmm report)
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

    private RunFolder(string path, JsonObject fit)
    {
        Path = path;
        Fit = fit;
    }

    /// <summary>The folder (absolute).</summary>
    public string Path { get; }

    /// <summary>The parsed fit.json.</summary>
    public JsonObject Fit { get; }

    /// <summary>The model folder.</summary>
    public string ModelPath => System.IO.Path.Combine(Path, ModelFolder);

    /// <summary>Path of a file of the run.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Whether the run has the file.</summary>
    public bool Has(string name) => System.IO.File.Exists(File(name));

    /// <summary>Model kind from fit.json.</summary>
    public string ModelKind => Fit["model"]?.GetValue<string>() ?? "?";

    /// <summary>Data fit.json names: a built-in dataset name or the two file names.</summary>
    public string DataName => Fit["data"]?.GetValue<string>() ?? "?";

    /// <summary>Seed recorded in fit.json (0 when absent).</summary>
    public int Seed => Fit["seed"]?.GetValue<int>() ?? 0;

    /// <summary>Training canonical correlations from fit.json (all min(d₁, d₂) for linear models, k for deep ones).</summary>
    public IReadOnlyList<double> TrainCorrelations =>
        (Fit["canonical_correlations"] as JsonArray)?.Select(x => x?.GetValue<double>() ?? double.NaN).ToArray() ?? [];

    /// <summary>The command lines recorded in commands.txt (empty when absent).</summary>
    public IReadOnlyList<string> Commands =>
        Has(CommandsFile) ? System.IO.File.ReadAllLines(File(CommandsFile)).Where(l => l.Trim().Length > 0).ToArray() : [];

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
            throw new MucmmUserException(path, "not a run folder: model/config.json is missing (give the --out folder of 'mucmm fit')");
        string fitPath = System.IO.Path.Combine(full, FitFile);
        if (!System.IO.File.Exists(fitPath))
            throw new MucmmUserException(path, "not a run folder: fit.json is missing (give the --out folder of 'mucmm fit')");
        try
        {
            var fit = JsonNode.Parse(System.IO.File.ReadAllText(fitPath)) as JsonObject ?? throw new JsonException("not an object");
            return new RunFolder(full, fit);
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(fitPath, $"not valid JSON ({e.Message})");
        }
    }

    /// <summary>
    /// The dataset the run was fitted on, when fit.json names a built-in dataset (loaded with the recorded
    /// seed; <paramref name="fsddDir"/> for av-digits, <paramref name="samples"/> for the synthetic ones).
    /// Throws <see cref="MucmmUserException"/> when the run was fitted on files: the caller must name them.
    /// </summary>
    public PairedDataset LoadData(string? fsddDir = null, int? samples = null)
    {
        if (Fit["fitted_from"]?.GetValue<string>() == "statistics")
            throw new MucmmUserException(File(FitFile),
                "the model was fitted from statistics files, which keep no rows; name the data with --view1 FILE --view2 FILE");
        if (!DatasetCatalog.Names.Contains(DataName))
            throw new MucmmUserException(File(FitFile),
                $"the run was fitted on '{DataName}', not a built-in dataset; name the data with --view1 FILE --view2 FILE");
        return DatasetCatalog.Load(DataName, new DatasetOptions { Seed = Seed, FsddDir = fsddDir, Samples = samples });
    }

    /// <summary>Writes <paramref name="text"/> to the run's file <paramref name="name"/> atomically (temporary file, then rename).</summary>
    public void WriteFile(string name, string text)
    {
        string target = File(name);
        string tmp = target + $".tmp-{Environment.ProcessId}";
        System.IO.File.WriteAllText(tmp, text);
        System.IO.File.Move(tmp, target, overwrite: true);
    }
}

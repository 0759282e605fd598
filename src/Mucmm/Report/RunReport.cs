using System.Globalization;
using Mucmm.Data;
using Mucmm.Evaluation;

namespace Mucmm.Report;

/// <summary>
/// <c>mucmm report</c> as a library call: completes a run folder (computes <c>metrics.json</c> when it is
/// missing) and writes its <c>report.html</c>.
/// </summary>
public static class RunReport
{
    /// <summary>
    /// Writes <c>report.html</c> into <paramref name="run"/> for the data <paramref name="data"/> (every split).
    /// Reads <c>metrics.json</c> or computes and writes it. Refuses to replace an existing report unless
    /// <paramref name="force"/>. <paramref name="command"/> (the command line running now) is listed last
    /// among the commands; <paramref name="shownPath"/> is the folder named in the page (e.g. the final name of a
    /// folder still being written). Returns the report's path.
    /// </summary>
    public static string Write(RunFolder run, PairedDataset data, bool force, string? command = null,
        ReportOptions? options = null, TextWriter? progress = null, string? shownPath = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        progress ??= TextWriter.Null;
        string target = run.File(RunFolder.ReportFile);
        if (File.Exists(target) && !force)
            throw new MucmmUserException(target, "the report already exists; add --force to replace it");
        var model = ModelStore.Load(run.ModelPath);
        try
        {
            Representations.CheckCompatible(model, data.Views);
            EvaluationResult metrics;
            if (run.Has(RunFolder.MetricsFile))
            {
                metrics = EvaluationResult.Read(run.File(RunFolder.MetricsFile));
            }
            else
            {
                progress.WriteLine("report: metrics.json is missing; evaluating…");
                metrics = ModelEvaluation.Evaluate(model, data);
                run.WriteFile(RunFolder.MetricsFile, metrics.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            var commands = run.Commands.ToList();
            if (commands.Count == 0) commands.Add(ReconstructedFitCommand(run) + "   # reconstructed from fit.json");
            if (command is not null && !commands.Contains(command)) commands.Add(command);
            progress.WriteLine("report: drawing figures and gradient maps…");
            string html = ReportBuilder.Build(run, model, data, metrics, commands, options, shownPath);
            run.WriteFile(RunFolder.ReportFile, html);
            return target;
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    /// <summary>A <c>mucmm fit</c> command line equivalent to what fit.json records (model, data, seed, dims, ridge).</summary>
    public static string ReconstructedFitCommand(RunFolder run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var f = run.Fit;
        var parts = new List<string> { "mucmm fit", "--model", run.ModelKind };
        if (f["fitted_from"]?.GetValue<string>() == "statistics" && f["statistics"] is System.Text.Json.Nodes.JsonArray files)
            foreach (var file in files) parts.AddRange(["--stats", file?["file"]?.GetValue<string>() ?? "?"]);
        else if (Data.Datasets.DatasetCatalog.Names.Contains(run.DataName)) parts.AddRange(["--dataset", run.DataName]);
        else parts.Add($"--view1 … --view2 …   # {run.DataName}");
        parts.AddRange(["--seed", run.Seed.ToString(CultureInfo.InvariantCulture)]);
        if (f["common_dim"] is { } k) parts.AddRange(["--common-dim", k.ToJsonString()]);
        if (f["individual_dims"] is System.Text.Json.Nodes.JsonArray r && r.Count > 0 && r[0] is { } r0 && r0.GetValue<int>() > 0)
            parts.AddRange(["--individual-dim", r0.ToJsonString()]);
        if (f["epochs"] is { } e) parts.AddRange(["--epochs", e.ToJsonString()]);
        parts.AddRange(["--out", run.Path]);
        return string.Join(" ", parts);
    }
}

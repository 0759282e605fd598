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
        AtomicFile.Check(target, overwrite: true);   // a folder in the way is refused before any work
        if (!run.Has(RunFolder.MetricsFile)) AtomicFile.Check(run.File(RunFolder.MetricsFile), overwrite: true);
        if (File.Exists(target) && !force)
            throw new MucmmUserException(target, "the report already exists; replace it with RunReport.Write(force)");
        var model = run.LoadModel();
        Deep.Onnx.ExplainableRun? explainable = null;
        try
        {
            var fingerprint = DataFingerprint.Of(data);
            run.CheckData(fingerprint);
            // A model fitted on frozen pretrained features (model/encoders.json) takes those features (cached) for its
            // evaluation and scores; its gradient maps go through the encoders to the pixels and tokens (ExplainableRun).
            var encoders = Deep.Onnx.ViewEncoders.Load(run.ModelPath);
            explainable = Deep.Onnx.ExplainableRun.Of(model, encoders, data, Deep.Onnx.FeatureCache.Default);
            if (encoders is not null) data = Deep.Onnx.ViewEncoders.Encode(data, encoders, Deep.Onnx.FeatureCache.Default);
            ModelInputs.Check(model, data.Views);
            EvaluationResult metrics;
            string modelSha = run.ModelSha256();
            if (run.ReadMetrics() is { } recorded)
            {
                metrics = recorded;
                CheckMetrics(run, metrics, fingerprint, modelSha);
            }
            else
            {
                progress.WriteLine("report: metrics.json is missing; evaluating…");
                metrics = ModelEvaluation.Evaluate(model, data) with { Data = fingerprint, ModelSha256 = modelSha };
                run.WriteMetrics(metrics);
            }
            var commands = run.Commands.ToList();
            if (commands.Count == 0) commands.Add(ReconstructedFitCommand(run) + "   # reconstructed from fit.json");
            if (command is not null && !commands.Contains(command)) commands.Add(command);
            progress.WriteLine("report: drawing figures and gradient maps…");
            string html = ReportBuilder.Build(run, model, data, metrics, commands, options, shownPath, explainable);
            run.WriteFile(RunFolder.ReportFile, html);
            return target;
        }
        finally
        {
            explainable?.Dispose();
            model.Dispose();
        }
    }

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> naming the run's metrics.json when it was not computed for this run's
    /// model and data (e.g. copied from another run): its recorded model hash and data fingerprint must equal the
    /// run's. A metrics.json without them is accepted only in a run without a fingerprint (fit.json of format 1).
    /// </summary>
    public static void CheckMetrics(RunFolder run, EvaluationResult metrics, DataFingerprint data, string modelSha256)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(data);
        string file = System.IO.Path.Combine(run.ShownPath, RunFolder.MetricsFile);
        const string fix = "delete it (the report then evaluates again) or run 'mucmm evaluate' on this run";
        if (metrics.ModelSha256 is null || metrics.Data is null)
        {
            if (run.Fingerprint is null) return;
            throw new MucmmUserException(file, $"records no model and data fingerprint, so it cannot be matched to this run; {fix}");
        }
        if (metrics.ModelSha256 != modelSha256)
            throw new MucmmUserException(file, $"was computed for another model (model hash {metrics.ModelSha256[..Math.Min(12, metrics.ModelSha256.Length)]}…, this run's {modelSha256[..12]}…); {fix}");
        if (metrics.Data.DifferenceFrom(data) is { } difference)
            throw new MucmmUserException(file, $"was computed on other data than this run's ({difference.Replace("the model was fitted on", "metrics.json was computed on", StringComparison.Ordinal)}); {fix}");
    }

    /// <summary>A <c>mucmm fit</c> command line equivalent to what fit.json records (model, data source, seed, dims, main options).</summary>
    public static string ReconstructedFitCommand(RunFolder run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var f = run.Record;
        string I(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var parts = new List<string> { "mucmm fit", "--model", run.ModelKind };
        if (run.Source is { Dataset: { } name } source)
        {
            parts.AddRange(["--dataset", name]);
            if (source.Samples is { } n) parts.AddRange(["--samples", I(n)]);
            if (source.Fsdd is { } fsdd) parts.AddRange(["--fsdd", fsdd]);
            if (source.Emoji is { } emoji) parts.AddRange(["--emoji", emoji]);
            if (source.Views is { } views) parts.AddRange(["--views", string.Join(",", views)]);
            if (source.SkinTones) parts.Add("--skin-tones");
        }
        else if (run.Source is { Files: { Count: 2 } files }) parts.AddRange(["--view1", files[0], "--view2", files[1]]);
        else if (run.FittedFromStatistics && f.Results?["statistics"] is System.Text.Json.Nodes.JsonArray statsFiles)
            foreach (var file in statsFiles) parts.AddRange(["--stats", file?["file"]?.GetValue<string>() ?? "?"]);
        else parts.Add($"--view1 … --view2 …   # {run.DataName}");
        parts.AddRange(["--seed", I(run.Seed), "--common-dim", I(f.CommonDim)]);
        if (f.IndividualDims.Count > 0 && f.IndividualDims[0] > 0) parts.AddRange(["--individual-dim", I(f.IndividualDims[0])]);
        if (f.Options?.Linear is { } linear) parts.AddRange(["--ridge", I(linear.Ridge)]);
        if (f.Options?.DeepTraining is { } t) parts.AddRange(["--epochs", I(t.Epochs), "--lr", I(t.LearningRate)]);
        else if (f.Results?["epochs"] is { } e) parts.AddRange(["--epochs", e.ToJsonString()]);
        parts.AddRange(["--out", run.Path]);
        return string.Join(" ", parts);
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using Mucmm.Data;
using Mucmm.Evaluation;
using Mucmm.Explain;
using SkiaSharp;
using static TorchSharp.torch;

namespace Mucmm.Report;

/// <summary>Settings of <see cref="ReportBuilder"/>; defaults in the initializers.</summary>
public sealed record ReportOptions
{
    /// <summary>Samples shown for each of top/bottom by each score.</summary>
    public int SamplesPerSelection { get; init; } = 3;

    /// <summary>Gradient-map method of the sample figures (default: the evidence-chosen <see cref="AttributionOptions.Defaults.ExplainMethod"/>).</summary>
    public AttributionMethod Method { get; init; } = AttributionOptions.Defaults.ExplainMethod;

    /// <summary>
    /// Gradient-map method of the sample figures when the model runs a pretrained image encoder inside (a run fitted on
    /// frozen features, <see cref="Deep.Onnx.ExplainableRun"/>); drawn as |map| over the picture. Default: the plain
    /// gradient, see <see cref="PretrainedMethodReason"/>.
    /// </summary>
    public AttributionMethod PretrainedMethod { get; init; } = AttributionMethod.Gradient;

    /// <summary>Why <see cref="PretrainedMethod"/> defaults to the gradient (shown in the report).</summary>
    public const string PretrainedMethodReason =
        "through a pretrained network on colour drawings (the emoji run, ResNet18 at 224 px), pattern maps — the gradient times the training covariance of the pixels — " +
        "are dominated by that covariance: every sample got a smooth face-like template (a round outline, eyes, a mouth: the main modes of the drawings' pixel covariance) instead of its own shape. " +
        "The plain gradient's magnitude sits on the sample's own strokes and outline; it is also the cheapest (one backward pass per score; SmoothGrad costs 50 by default, and with 8 noisy copies its maps were noisier, off the shape).";

    /// <summary>Bins of the score histograms.</summary>
    public int HistogramBins { get; init; } = 40;

    /// <summary>Training canonical correlations drawn in the spectrum (at most).</summary>
    public int SpectrumPairs { get; init; } = 40;

    /// <summary>Atlas: common and individual variates per view shown open; the others are in a collapsed block.</summary>
    public int AtlasVariatesShown { get; init; } = 3;

    /// <summary>Atlas: test samples shown at each end of a variate.</summary>
    public int AtlasExtremes { get; init; } = Atlas.DefaultExtremes;
}

/// <summary>
/// Builds the self-contained <c>report.html</c> of a run: every figure is a PNG embedded as base64, the
/// page has no external resource. Sections, in order (each an <c>&lt;section id=…&gt;</c>):
/// <see cref="SectionIds"/>.
/// </summary>
public static partial class ReportBuilder
{
    /// <summary>The section ids of the page, in order.</summary>
    public static readonly IReadOnlyList<string> SectionIds =
        ["data", "training", "spectrum", "variance", "retrieval", "leakage", "probes", "scores", "samples", "atlas", "commands"];

    /// <summary>
    /// The report's HTML for <paramref name="model"/> fitted in <paramref name="run"/>, on <paramref name="data"/>
    /// (every split; scores and samples come from the test rows), with its evaluation <paramref name="metrics"/>.
    /// <paramref name="shownPath"/> is the folder named in the page (default: the run's path). The gradient maps and the
    /// atlas patterns are taken of <paramref name="explainable"/> (the same rows as <paramref name="data"/>; for a model on
    /// frozen pretrained features, <paramref name="data"/> holds the features and <paramref name="explainable"/> the raw
    /// pixels and texts: <see cref="Deep.Onnx.ExplainableRun"/>); default: <paramref name="model"/> on <paramref name="data"/>.
    /// </summary>
    public static string Build(RunFolder run, IMultiviewModel model, PairedDataset data, EvaluationResult metrics,
        IReadOnlyList<string> commands, ReportOptions? options = null, string? shownPath = null, Deep.Onnx.ExplainableRun? explainable = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new ReportOptions();
        ModelInputs.Check(model, data.Views);
        var test = data.Subset(Split.Test);
        var train = data.Subset(Split.Train);
        if (test.Count == 0) throw new MucmmUserException($"{data.Name}: the test split is empty; the report needs test rows");
        using var own = explainable is null ? Deep.Onnx.ExplainableRun.Of(model, null, data, null) : null;
        explainable ??= own!;
        if (explainable.Data.Count != data.Count || !explainable.Data.Splits.SequenceEqual(data.Splits))
            throw new ArgumentException("the explainable data must have the same rows and split as the data", nameof(explainable));

        var html = new StringBuilder();
        string title = $"MUCMM report — {model.Kind} model on {data.Name}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"lead\">Run folder <code>").Append(E(shownPath ?? run.Path)).Append("</code>, written ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Append(". ")
            .Append("Common variates are what the views share (maximally correlated across views); individual variates are what each view has of its own ")
            .Append("(uncorrelated with the other view and with its own common part). Every figure below is on the held-out <b>test</b> rows unless it says otherwise.</p>\n");
        html.Append(Toc());

        DataSection(html, run, model, data, metrics, explainable);
        TrainingSection(html, run, model);
        SpectrumSection(html, run, model, metrics, options);
        VarianceSection(html, model, train);
        RetrievalSection(html, metrics);
        LeakageSection(html, metrics);
        ProbeSection(html, metrics);
        var scoreNames = Explainer.DefaultScoreNames(model);
        var scores = scoreNames.Select(s => Score.Parse(s, model)).ToArray();
        double[][] values = Explain.Scores.Compute(model, test.Views, scores);
        ScoreSection(html, scores, values, options);
        SampleSection(html, explainable, scores, values, options);
        AtlasSection(html, model, test, train, options, explainable);
        CommandSection(html, commands);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void DataSection(StringBuilder html, RunFolder run, IMultiviewModel model, PairedDataset data, EvaluationResult metrics, Deep.Onnx.ExplainableRun explainable)
    {
        Open(html, "data", "Data and model");
        var encoders = explainable.Encoders;
        html.Append("<p>").Append(E(data.Description)).Append("</p>\n<table>\n<tr><th>view</th><th>name</th><th>kind</th><th>shape per sample</th>")
            .Append(encoders is null ? "" : "<th>frozen pretrained encoder</th>")
            .Append("<th>input width</th><th>common dims k</th><th>individual dims r</th></tr>\n");
        for (int m = 0; m < data.Views.Count; m++)
        {
            var v = explainable.Data.Views[m];
            string kind = (v.Kind == ViewKind.Vector && encoders?[m] == Deep.Onnx.ViewEncoders.TextEncoder ? "text" : v.Kind.ToString()).ToLowerInvariant();
            html.Append($"<tr><td>{m + 1}</td><td>{E(v.Name)}</td><td>{E(kind)}</td><td>{(kind == "text" ? "one text" : string.Join(" × ", v.SampleShape))}</td>")
                .Append(encoders is null ? "" : $"<td>{E(encoders[m] ?? "none")}</td>")
                .Append($"<td class=\"n\">{data.Views[m].Cols}</td><td class=\"n\">{model.CommonDim}</td><td class=\"n\">{model.IndividualDims[m]}</td></tr>\n");
        }
        html.Append("</table>\n");
        if (encoders is not null)
            html.Append("<p>The model was fitted on the frozen features of the encoders above (cached): its input width is theirs, and the evaluation, scores and explained variance are on those features. " +
                        "The gradient maps and atlas patterns below are on the views' own inputs: through the encoder to the pixels of an image view, to the tokens of a text view.</p>\n");
        html.Append("<table>\n<tr><th>split</th><th>rows</th></tr>\n");
        html.Append($"<tr><td>train</td><td class=\"n\">{metrics.Split.Train:N0}</td></tr>\n<tr><td>validation</td><td class=\"n\">{metrics.Split.Validation:N0}</td></tr>\n<tr><td>test</td><td class=\"n\">{metrics.Split.Test:N0}</td></tr>\n</table>\n");
        var targets = data.Labels.Keys.Select(k => $"{k} (label, {data.Labels[k].Distinct().Count()} classes)")
            .Concat(data.Factors.Keys.Select(k => $"{k} (continuous factor)")).ToArray();
        html.Append("<p>Probe targets: ").Append(targets.Length == 0 ? "none (the data has no labels or factors)." : E(string.Join(", ", targets)) + ".").Append("</p>\n");
        html.Append($"<p>Model: <b>{E(model.Kind)}</b> ({E(KindText(model.Kind))}), seed {run.Seed}");
        if (run.Record.FitSeconds > 0) html.Append($", fitted in {run.Record.FitSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        html.Append(".</p>\n");
        Close(html);
    }

    private static void TrainingSection(StringBuilder html, RunFolder run, IMultiviewModel model)
    {
        Open(html, "training", "Training curves");
        if (run.ReadTrainingLog() is not { } log)
        {
            html.Append($"<p class=\"note\">The {E(model.Kind)} model has a closed-form fit: there are no training epochs, hence no curves.</p>\n");
            Close(html);
            return;
        }
        var (terms, rows) = log;
        html.Append("<p>Mean of each objective term over the batches of an epoch (unweighted; the loss is their weighted sum), and the total canonical correlation of the common outputs on the validation rows (used for early stopping). From <code>train.csv</code>.</p>\n<div class=\"grid\">\n");
        foreach (string term in terms)
        {
            var series = rows.GroupBy(r => r.Phase).Select(g =>
                (g.Key, g.Select(r => (double)r.Epoch).ToArray(), g.Select(r => r.Values.TryGetValue(term, out double v) ? v : double.NaN).ToArray()))
                .Where(s => s.Item3.Any(double.IsFinite)).ToList();
            if (series.Count == 0) continue;
            Img(html, Figures.Curve(term.Replace('_', ' '), series), $"training curve of {term}");
        }
        html.Append("</div>\n");
        Close(html);
    }

    private static void SpectrumSection(StringBuilder html, RunFolder run, IMultiviewModel model, EvaluationResult metrics, ReportOptions options)
    {
        Open(html, "spectrum", "Canonical correlation spectrum: train vs test");
        var trainCorr = run.TrainCorrelations;
        html.Append($"<p>Training correlations from <code>fit.json</code> ({trainCorr.Count} pairs{(trainCorr.Count > options.SpectrumPairs ? $", first {options.SpectrumPairs} shown" : "")}) against the test correlations of the k = {model.CommonDim} common pairs. " +
                    $"A large gap means the common part is over-fitted. Test total correlation Σρ = <b>{MetricsText.F(metrics.TotalCorrelation, 3)}</b>.</p>\n");
        Img(html, Figures.Spectrum(trainCorr, metrics.TestCorrelations, Math.Max(options.SpectrumPairs, model.CommonDim)), "canonical correlation spectrum");
        html.Append("<table>\n<tr><th>pair</th>").Append(string.Concat(Enumerable.Range(1, metrics.TestCorrelations.Count).Select(i => $"<th>{i}</th>"))).Append("</tr>\n");
        html.Append("<tr><td>train</td>").Append(string.Concat(Enumerable.Range(0, metrics.TestCorrelations.Count).Select(i => $"<td class=\"n\">{(i < trainCorr.Count ? MetricsText.F(trainCorr[i], 3) : "-")}</td>"))).Append("</tr>\n");
        html.Append("<tr><td>test</td>").Append(string.Concat(metrics.TestCorrelations.Select(c => $"<td class=\"n\">{MetricsText.F(c, 3)}</td>"))).Append("</tr>\n");
        // More than two views: the figures above are means over the view pairs; one row per pair of views.
        foreach (var (key, values) in metrics.PairwiseTestCorrelations ?? new Dictionary<string, double[]>())
            html.Append($"<tr><td>test {E(key.Replace('_', ' '))}</td>").Append(string.Concat(values.Select(c => $"<td class=\"n\">{MetricsText.F(c, 3)}</td>"))).Append("</tr>\n");
        html.Append("</table>\n");
        if (metrics.PairwiseTestCorrelations is not null)
            html.Append($"<p class=\"note\">{model.ViewCount} views: each train and test figure is the mean over the view pairs of one multiset canonical variate's correlation (docs/method.md §4.1); the rows below give each pair's test correlations.</p>\n");
        Close(html);
    }

    private static void VarianceSection(StringBuilder html, IMultiviewModel model, PairedDataset train)
    {
        Open(html, "variance", "Explained variance: common / individual / residual");
        var splits = VarianceDecomposition.Compute(model, train.Views);
        html.Append("<p>Fraction of each view's input variance (training rows) explained by a least-squares regression on its common variates, " +
                    "the extra fraction explained by adding its individual variates, and what neither explains (noise, and structure outside the model's dims) — the joint / individual / residual split JIVE users know.</p>\n");
        Img(html, Figures.VarianceSplit(train.Views.Select((v, m) => $"view {m + 1} ({v.Name})").ToArray(), splits), "explained variance split per view");
        html.Append("<table>\n<tr><th>view</th><th>common</th><th>individual</th><th>residual</th></tr>\n");
        for (int m = 0; m < splits.Length; m++)
            html.Append($"<tr><td>{m + 1} ({E(train.Views[m].Name)})</td><td class=\"n\">{P(splits[m].Common)}</td><td class=\"n\">{P(splits[m].Individual)}</td><td class=\"n\">{P(splits[m].Residual)}</td></tr>\n");
        html.Append("</table>\n");
        Close(html);
    }

    private static void RetrievalSection(StringBuilder html, EvaluationResult metrics)
    {
        Open(html, "retrieval", "Cross-view retrieval");
        var retrieval = metrics.Retrieval;
        if (retrieval is null || retrieval.Pairs.Count == 0)
        {
            html.Append("<p class=\"note\">No retrieval figures in this run's metrics.json (written before retrieval existed): run <code>mucmm evaluate</code> again.</p>\n");
            Close(html);
            return;
        }
        var chance = retrieval.Chance;
        html.Append($"<p>For each test row of one view, the {retrieval.Candidates:N0} test rows of the other view ranked by cosine similarity of the variates; " +
                    "the figures say where the true partner lands (recall@K = fraction in the top K, median rank; ties count against the partner). " +
                    $"Common variates should retrieve well; individual variates should be at chance (recall@1 {MetricsText.F(chance.RecallAt1, 3)}, " +
                    $"recall@10 {MetricsText.F(chance.RecallAt10, 3)}, median rank {MetricsText.F(chance.MedianRank, 1)}).</p>\n");
        Img(html, Figures.Retrieval(retrieval.Pairs.Select(p => $"{p.From + 1}→{p.To + 1}").ToArray(),
            retrieval.Pairs.Select(p => p.Common.RecallAt10).ToArray(), retrieval.Pairs.Select(p => p.Individual.RecallAt10).ToArray(),
            chance.RecallAt10), "retrieval recall@10 per ordered pair of views");
        html.Append("<table>\n<tr><th>views (query → candidates)</th><th>common R@1</th><th>common R@10</th><th>common median rank</th>" +
                    "<th>individual R@1</th><th>individual R@10</th><th>individual median rank</th></tr>\n");
        foreach (var p in retrieval.Pairs)
        {
            html.Append($"<tr><td>view {p.From + 1} → view {p.To + 1}</td>");
            foreach (var s in new[] { p.Common, p.Individual })
                html.Append($"<td class=\"n\">{MetricsText.F(s.RecallAt1, 3)}</td><td class=\"n\">{MetricsText.F(s.RecallAt10, 3)}</td><td class=\"n\">{MetricsText.F(s.MedianRank, 1)}</td>");
            html.Append("</tr>\n");
        }
        html.Append($"<tr><td>chance</td><td class=\"n\">{MetricsText.F(chance.RecallAt1, 3)}</td><td class=\"n\">{MetricsText.F(chance.RecallAt10, 3)}</td><td class=\"n\">{MetricsText.F(chance.MedianRank, 1)}</td>" +
                    $"<td class=\"n\">{MetricsText.F(chance.RecallAt1, 3)}</td><td class=\"n\">{MetricsText.F(chance.RecallAt10, 3)}</td><td class=\"n\">{MetricsText.F(chance.MedianRank, 1)}</td></tr>\n");
        html.Append("</table>\n");
        Close(html);
    }

    private static void LeakageSection(StringBuilder html, EvaluationResult metrics)
    {
        Open(html, "leakage", "Leakage");
        html.Append("<p>Mean squared canonical correlation R2(A, B)/width(A) on test rows: how much of the individual variates can be predicted linearly from the other view " +
                    "(its top principal components, fitted on train) or from the view's own common variates. 0 = nothing, 1 = everything. " +
                    "Independent data do not give 0 but about width(B)/n: the chance level column.</p>\n");
        html.Append("<table>\n<tr><th>individual variates vs</th><th>leakage</th><th>chance level</th><th>verdict</th></tr>\n");
        foreach (var l in metrics.Leakage)
        {
            string verdict = !double.IsFinite(l.Value) ? "no individual part"
                : l.Value <= l.Chance + 0.02 ? "at chance" : l.Value <= l.Chance + 0.1 ? "slight" : "clear leakage";
            string cls = verdict == "clear leakage" ? " class=\"bad\"" : verdict == "at chance" ? " class=\"good\"" : "";
            html.Append($"<tr><td>{E(LeakText(l.Key))}</td><td class=\"n\">{MetricsText.F(l.Value, 4)}</td><td class=\"n\">{MetricsText.F(l.Chance, 4)}</td><td{cls}>{verdict}</td></tr>\n");
        }
        html.Append("</table>\n");
        Close(html);
    }

    private static void ProbeSection(StringBuilder html, EvaluationResult metrics)
    {
        Open(html, "probes", "Linear probes");
        if (metrics.Probes.Count == 0)
        {
            html.Append("<p class=\"note\">The data has no labels or factors: no probes.</p>\n");
            Close(html);
            return;
        }
        html.Append("<p>What each representation tells about the known labels and factors: multinomial logistic regression (test accuracy) for labels, ridge regression (test R²) for factors, " +
                    "fitted on the training rows with the regularization chosen on validation. A good split puts shared factors in the common column and view-specific ones in an individual column.</p>\n");
        int views = metrics.Probes.Max(p => p.Individual.Count);
        int commonViews = Math.Max(1, metrics.Probes.Max(p => p.CommonByView?.Count ?? 0));
        html.Append("<table>\n<tr><th>target</th><th>metric</th>")
            .Append(string.Concat(Enumerable.Range(1, commonViews).Select(m => $"<th>common (view {m})</th>")))
            .Append(string.Concat(Enumerable.Range(1, views).Select(m => $"<th>individual {m}</th>"))).Append("</tr>\n");
        foreach (var p in metrics.Probes)
        {
            var cells = new List<double> { p.Common };
            cells.AddRange(Enumerable.Range(1, commonViews - 1).Select(m => p.CommonByView is { } c && m < c.Count ? c[m] : double.NaN));
            cells.AddRange(Enumerable.Range(0, views).Select(m => m < p.Individual.Count && p.Individual[m] is { } v ? v : double.NaN));
            double best = cells.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
            html.Append($"<tr><td>{E(p.Target)}</td><td>{(p.Metric == "accuracy" ? "accuracy" : "R²")}</td>");
            foreach (double c in cells)
                html.Append($"<td class=\"n{(c == best ? " best" : "")}\">{MetricsText.F(c, 3)}</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
        Close(html);
    }

    private static void ScoreSection(StringBuilder html, IReadOnlyList<Score> scores, double[][] values, ReportOptions options)
    {
        Open(html, "scores", "Score distributions");
        html.Append("<p>Per-sample scores on the test rows: the common score S<sub>c</sub> = Σ<sub>i</sub> z<sup>c</sup><sub>1,i</sub> z<sup>c</sup><sub>2,i</sub> " +
                    "(its training mean is Σρ; high where the views agree strongly) and the individual score of view m, S<sub>u</sub> = mean of (z<sup>u</sup><sub>m,i</sub>)² " +
                    "(training mean 1; high where the sample carries much variation of its own).</p>\n<div class=\"grid\">\n");
        for (int s = 0; s < scores.Count; s++)
            Img(html, Figures.Histogram($"{scores[s].Name} score", scores[s].Name, values[s], options.HistogramBins), $"histogram of the {scores[s].Name} score");
        html.Append("</div>\n");
        Close(html);
    }

    private static void CommandSection(StringBuilder html, IReadOnlyList<string> commands)
    {
        Open(html, "commands", "Commands that produced this report");
        html.Append("<pre>").Append(E(string.Join("\n", commands))).Append("</pre>\n");
        Close(html);
    }

    private static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static void Img(StringBuilder html, byte[] png, string alt, bool wide = false) =>
        html.Append($"<figure{(wide ? " class=\"wide\"" : "")}><img alt=\"{E(alt)}\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\"></figure>\n");

    private static void Open(StringBuilder html, string id, string heading) =>
        html.Append($"<section id=\"{id}\">\n<h2>{E(heading)}</h2>\n");

    private static void Close(StringBuilder html) => html.Append("</section>\n");

    private static string Toc()
    {
        string[] titles = ["Data and model", "Training curves", "Correlation spectrum", "Explained variance", "Retrieval", "Leakage", "Probes", "Scores", "Samples and maps", "Atlas", "Commands"];
        return "<nav>" + string.Join(" · ", SectionIds.Select((id, i) => $"<a href=\"#{id}\">{titles[i]}</a>")) + "</nav>\n";
    }

    private static string KindText(string kind) => kind switch
    {
        "linear" => "linear MUCMM, closed form",
        "cca" => "linear CCA, closed form, common part only",
        "deep" => "deep MUCMM",
        "dcca" => "Deep CCA, common part only",
        "pca" => "PCA per view, no pairing",
        _ => kind,
    };

    private static string LeakText(string key)
    {
        var parts = key.Split("_vs_");
        if (parts.Length != 2) return key;
        string a = parts[0].Replace("individual", "individual of view ", StringComparison.Ordinal);
        string b = parts[1].StartsWith("view", StringComparison.Ordinal) ? "input of view " + parts[1][4..] : "common of view " + parts[1].Replace("common", "", StringComparison.Ordinal);
        return $"{a} vs {b}";
    }

    private static string P(double x) => double.IsFinite(x) ? x.ToString("P1", CultureInfo.InvariantCulture) : "-";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #f6f7f9; margin: 0; line-height: 1.45; }
        main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; box-shadow: 0 0 8px rgba(0,0,0,.08); }
        h1 { font-size: 26px; margin: 8px 0 4px; }
        h2 { font-size: 20px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid #e3e6ea; }
        h3 { font-size: 15px; margin: 18px 0 6px; color: #444; }
        section { margin: 28px 0; }
        p.lead { color: #444; }
        p.note { color: #666; font-style: italic; }
        nav { font-size: 14px; margin: 10px 0 0; padding: 8px 12px; background: #f0f3f7; border-radius: 6px; }
        nav a { color: #1f5fa8; text-decoration: none; }
        table { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
        th, td { border: 1px solid #dde1e6; padding: 4px 10px; text-align: left; }
        th { background: #f0f3f7; font-weight: 600; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        td.best { font-weight: 700; background: #eaf4ea; }
        td.good { color: #2a7a2a; }
        td.bad { color: #b02a2a; font-weight: 600; }
        .grid { display: flex; flex-wrap: wrap; gap: 8px; }
        figure { margin: 6px 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figure.wide img { display: block; }
        details summary { cursor: pointer; color: #1f5fa8; margin: 6px 0; }
        pre { background: #f4f5f7; padding: 10px 12px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
        code { font-size: 13px; background: #f4f5f7; padding: 1px 4px; border-radius: 3px; }
        """;
}

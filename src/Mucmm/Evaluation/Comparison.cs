using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Linear;

namespace Mucmm.Evaluation;

/// <summary>Settings of the standard comparison; defaults in the initializers.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Common dim k of every method (principal components per view for PCA).</summary>
    public int CommonDim { get; init; } = LinearOptions.Defaults.CommonDim;

    /// <summary>Individual dim r per view of the MUCMM methods; null: each method's own default (linear
    /// <see cref="LinearOptions.Defaults"/>, deep <see cref="DeepModelOptions.IndividualDim"/>), so the deep row
    /// is the model <c>mucmm fit --model deep</c> gives.</summary>
    public int? IndividualDim { get; init; }

    /// <summary>r of linear MUCMM.</summary>
    public int LinearIndividualDim => IndividualDim ?? LinearOptions.Defaults.IndividualDim;

    /// <summary>r of deep MUCMM: <see cref="IndividualDim"/>, else the dataset's own default, else the general one.</summary>
    public int DeepIndividualDim => IndividualDim ?? DatasetDefaults.Apply(new DeepModelOptions()).IndividualDim;

    /// <summary>Seed of the deep models' initialization and batch order.</summary>
    public int Seed { get; init; }

    /// <summary>Epochs of the deep models (null: the dataset's own default, else the deep trainer's default).</summary>
    public int? DeepEpochs { get; init; }

    /// <summary>
    /// The compared dataset's own deep-model defaults (<see cref="Data.Datasets.DatasetCatalog.DeepDefaultsOf"/>), applied to
    /// the deep methods as <c>mucmm fit</c> applies them: every setting they carry replaces the general default, except
    /// what this record sets itself (<see cref="CommonDim"/>, <see cref="IndividualDim"/>, <see cref="DeepEpochs"/>).
    /// Empty by default (the general defaults).
    /// </summary>
    public Data.Datasets.DeepDefaults DatasetDefaults { get; init; } = new();

    /// <summary>
    /// The options of the deep method of <paramref name="kind"/>: the defaults of <c>mucmm fit</c> for that kind with
    /// <see cref="DatasetDefaults"/> applied, then k = <see cref="CommonDim"/>, r = <see cref="DeepIndividualDim"/>,
    /// <see cref="DeepEpochs"/> (when set), <see cref="Seed"/> and <see cref="Device"/>.
    /// </summary>
    public (DeepModelOptions Model, DeepTrainingOptions Training) DeepSettings(DeepModelKind kind)
    {
        var training = DatasetDefaults.Apply(DeepTrainingOptions.DefaultsFor(kind));
        training = training with { Epochs = DeepEpochs ?? training.Epochs, Seed = Seed, Device = Device };
        var model = DatasetDefaults.Apply(DeepModelOptions.DefaultsFor(kind)) with { CommonDim = CommonDim, IndividualDim = DeepIndividualDim };
        if (FeatureViews is { } features && features.Any(f => f)) model = model.OnFeatureViews(features);
        return (model, training);
    }

    /// <summary>
    /// Which views of the compared data are frozen pretrained features (e.g. the emoji drawings through resnet18): the
    /// deep methods put heads on them directly (the identity encoder), as <c>mucmm fit</c> does; null: none.
    /// </summary>
    public IReadOnlyList<bool>? FeatureViews { get; init; }

    /// <summary>Device of the deep models.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Evaluation settings, the same for every method.</summary>
    public EvaluationOptions Evaluation { get; init; } = new();
}

/// <summary>One method of a comparison: a name, a line of description, and how it is fitted on the train split.</summary>
/// <param name="Name">Short name ("pca", "cca", "linear", "dcca", "deep").</param>
/// <param name="Description">What the method is.</param>
/// <param name="Fit">Fits on the dataset's train rows (validation rows for early stopping); the caller disposes a disposable model.</param>
public sealed record ComparisonMethod(string Name, string Description, Func<PairedDataset, IMultiviewModel> Fit);

/// <summary>The outcome of one method.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Description">The method's description.</param>
/// <param name="Result">Its evaluation.</param>
/// <param name="FitSeconds">Wall time of the fit.</param>
public sealed record ComparisonRow(string Method, string Description, EvaluationResult Result, double FitSeconds);

/// <summary>
/// Fits several methods on the same split of one dataset and evaluates each with the same protocol
/// (<see cref="ModelEvaluation"/>): docs/evaluation.md's baselines side by side.
/// </summary>
public static class Comparison
{
    /// <summary>Names of the standard methods, in table order.</summary>
    public static readonly IReadOnlyList<string> StandardNames = ["pca", "cca", "linear", "dcca", "deep"];

    /// <summary>
    /// The standard methods: PCA per view (k components), linear CCA (k), linear MUCMM (k, r), Deep CCA and
    /// deep MUCMM (the deep trainer's defaults with the dataset's own (<see cref="ComparisonOptions.DatasetDefaults"/>) —
    /// the settings a new user gets from <c>mucmm fit</c> — with the same k and r; Deep CCA with the R1 measure as its
    /// <c>fit</c> default; <see cref="ComparisonOptions.DeepSettings"/>).
    /// </summary>
    public static IReadOnlyList<ComparisonMethod> StandardMethods(ComparisonOptions? options = null, ITrainingObserver? observer = null)
    {
        options ??= new ComparisonOptions();
        var o = options;
        DeepMultiviewModel FitDeep(PairedDataset data, DeepModelKind kind)
        {
            var (model, training) = o.DeepSettings(kind);
            return new DeepTrainer(model, training, observer).Fit(data);
        }
        string encoder = o.FeatureViews is { } f && f.Any(v => v) ? (f.All(v => v) ? "heads on frozen features" : "heads on frozen features where a view has them") : "default encoder";
        return
        [
            new("pca", $"PCA per view, {o.CommonDim} components each (no pairing)",
                d => new PcaOptions { CommonDim = o.CommonDim }.Fit(d)),
            new("cca", $"linear CCA, k = {o.CommonDim}",
                d => new LinearOptions { Kind = LinearModelKind.Cca, CommonDim = o.CommonDim, IndividualDim = 0 }.Fit(d)),
            new("linear", $"linear MUCMM, k = {o.CommonDim}, r = {o.LinearIndividualDim}",
                d => new LinearOptions { CommonDim = o.CommonDim, IndividualDim = o.LinearIndividualDim }.Fit(d)),
            new("dcca", $"Deep CCA ({encoder}), k = {o.CommonDim}", d => FitDeep(d, DeepModelKind.DeepCca)),
            new("deep", $"deep MUCMM ({encoder}), k = {o.CommonDim}, r = {o.DeepIndividualDim}", d => FitDeep(d, DeepModelKind.Mucmm)),
        ];
    }

    /// <summary>
    /// Fits and evaluates every method on <paramref name="data"/>; <paramref name="progress"/> receives one
    /// line per step. Models are disposed after their evaluation.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Run(PairedDataset data, IReadOnlyList<ComparisonMethod> methods,
        EvaluationOptions? evaluation = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(methods);
        var rows = new List<ComparisonRow>();
        foreach (var method in methods)
        {
            progress?.Invoke($"{method.Name}: fitting ({method.Description})…");
            var clock = Stopwatch.StartNew();
            var model = method.Fit(data);
            double seconds = clock.Elapsed.TotalSeconds;
            try
            {
                progress?.Invoke($"{method.Name}: fitted in {seconds:F1} s; evaluating…");
                rows.Add(new ComparisonRow(method.Name, method.Description, ModelEvaluation.Evaluate(model, data, evaluation), seconds));
            }
            finally
            {
                model.Dispose();
            }
        }
        return rows;
    }

    /// <summary>comparison.json: the dataset, then per method its description, fit time and full metrics object (as metrics.json).</summary>
    public static JsonObject ToJson(string dataset, IReadOnlyList<ComparisonRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var methods = new JsonArray();
        foreach (var r in rows)
        {
            methods.Add(new JsonObject
            {
                ["method"] = r.Method,
                ["description"] = r.Description,
                ["fit_seconds"] = Math.Round(r.FitSeconds, 2),
                ["metrics"] = r.Result.ToJson(),
            });
        }
        return new JsonObject { ["dataset"] = dataset, ["methods"] = methods };
    }

    /// <summary>Writes comparison.json and comparison.md into <paramref name="directory"/>.</summary>
    public static void Write(string directory, string dataset, IReadOnlyList<ComparisonRow> rows, string? command = null)
    {
        File.WriteAllText(Path.Combine(directory, "comparison.json"),
            ToJson(dataset, rows).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.WriteAllText(Path.Combine(directory, "comparison.md"), ToMarkdown(dataset, rows, command));
    }

    /// <summary>
    /// comparison.md: one row per method with the test total correlation, the view 1 → view 2 retrieval recall@10
    /// (common and individual variates), every leakage figure and every
    /// probe (accuracy for labels, R² for factors) from common and individual variates, then the fit time.
    /// </summary>
    public static string ToMarkdown(string dataset, IReadOnlyList<ComparisonRow> rows, string? command = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.AppendLine($"# Comparison on {dataset}");
        sb.AppendLine();
        if (rows.Count == 0) return sb.AppendLine("(no methods)").ToString();
        var first = rows[0].Result;
        sb.AppendLine($"Split: train {first.Split.Train}, validation {first.Split.Validation}, test {first.Split.Test} rows; every figure is on the test rows.");
        if (command is not null) sb.AppendLine().AppendLine($"Command: `{command}`");
        sb.AppendLine();
        var leakKeys = rows.SelectMany(r => r.Result.Leakage.Select(l => l.Key)).Distinct().ToArray();
        var probeCols = new List<(string target, string metric, int view)>();   // view −1 = common
        foreach (var p in rows.SelectMany(r => r.Result.Probes).DistinctBy(p => p.Target))
        {
            int views = rows.Max(r => r.Result.Probes.FirstOrDefault(q => q.Target == p.Target)?.Individual.Count ?? 0);
            int commonViews = rows.Max(r => r.Result.Probes.FirstOrDefault(q => q.Target == p.Target)?.CommonByView?.Count ?? 0);
            probeCols.Add((p.Target, p.Metric, -1));
            for (int m = 1; m < commonViews; m++) probeCols.Add((p.Target, p.Metric, -1 - m));   // −1 − m = view m+1's common variates
            for (int m = 0; m < views; m++) probeCols.Add((p.Target, p.Metric, m));
        }
        // Retrieval: recall@10 of the first ordered pair (view 1 → view 2) from common and from individual variates.
        var retrievalKey = rows.Select(r => r.Result.Retrieval?.Pairs.FirstOrDefault()?.Key).FirstOrDefault(k => k is not null);
        var header = new List<string> { "method", "test Σρ" };
        if (retrievalKey is not null) header.AddRange(["R@10 c", "R@10 u"]);
        header.AddRange(leakKeys.Select(k => $"leak {ShortLeak(k)}"));
        header.AddRange(probeCols.Select(c => $"{c.target} {(c.metric == "accuracy" ? "acc" : "R²")} {(c.view == -1 ? "c" : c.view < 0 ? $"c{-c.view}" : $"u{c.view + 1}")}"));
        header.Add("fit s");
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Join("|", header.Select((_, i) => i == 0 ? " --- " : " ---: ")) + "|");
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Method, MetricsText.F(r.Result.TotalCorrelation, 2) };
            if (retrievalKey is not null)
            {
                var pair = r.Result.Retrieval?.Pairs.FirstOrDefault(p => p.Key == retrievalKey);
                cells.Add(MetricsText.F(pair?.Common.RecallAt10 ?? double.NaN, 3));
                cells.Add(MetricsText.F(pair?.Individual.RecallAt10 ?? double.NaN, 3));
            }
            cells.AddRange(leakKeys.Select(k => MetricsText.F(r.Result.Leakage.FirstOrDefault(l => l.Key == k)?.Value ?? double.NaN, 3)));
            foreach (var (target, _, view) in probeCols)
            {
                var p = r.Result.Probes.FirstOrDefault(q => q.Target == target);
                double v = p is null ? double.NaN
                    : view == -1 ? p.Common
                    : view < 0 ? (p.CommonByView is { } c && -1 - view < c.Count ? c[-1 - view] : double.NaN)
                    : view < p.Individual.Count && p.Individual[view] is { } x ? x : double.NaN;
                cells.Add(MetricsText.F(v, 3));
            }
            cells.Add(r.FitSeconds.ToString("F1", CultureInfo.InvariantCulture));
            sb.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
        sb.AppendLine();
        var chance = rows.Select(r => r.Result.Retrieval).FirstOrDefault(x => x is not null)?.Chance;
        sb.AppendLine("Columns: test Σρ = sum of the test correlations of the k canonical pairs of the common variates (CCA fitted on train; " +
                      "with more than two views, multiset CCA and each correlation the mean over the pairs of views). " +
                      (retrievalKey is null ? "" :
                          $"R@10 c / R@10 u = recall@10 of retrieving view 2's test rows from view 1's by cosine similarity of the common / individual " +
                          $"variates (chance {MetricsText.F(chance?.RecallAt10 ?? double.NaN, 3)}; every ordered pair of views in comparison.json). ") +
                      "leak uM–vO = mean squared canonical correlation of view M's individual variates with view O's input (top " +
                      "principal components fitted on train); leak uM–cM = with its own common variates (chance levels in comparison.json). " +
                      "Probes: c = from view 1's common variates (cM = view M's, with more than two views), uM = from view M's individual variates; logistic regression (accuracy) " +
                      "for labels, ridge regression (R²) for factors, fitted on train, regularization chosen on validation. " +
                      "'-' = the method has no such representation.");
        sb.AppendLine();
        foreach (var r in rows) sb.AppendLine($"- **{r.Method}**: {r.Description}");
        return sb.ToString();
    }

    private static string ShortLeak(string key)
    {
        // individual1_vs_view2 → u1–v2; individual1_vs_common1 → u1–c1
        var parts = key.Split("_vs_");
        if (parts.Length != 2) return key;
        string a = parts[0].Replace("individual", "u", StringComparison.Ordinal);
        string b = parts[1].Replace("view", "v", StringComparison.Ordinal).Replace("common", "c", StringComparison.Ordinal);
        return $"{a}–{b}";
    }
}

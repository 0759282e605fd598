using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Evaluation;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>What <see cref="Explainer.Run"/> explains and how; defaults in the initializers.</summary>
public sealed record ExplainOptions
{
    /// <summary>Number of samples to explain when <see cref="Indices"/> is null.</summary>
    public int SampleCount { get; init; } = 8;

    /// <summary>Dataset indices to explain (the order <c>export-dataset</c> writes); overrides selection.</summary>
    public IReadOnlyList<int>? Indices { get; init; }

    /// <summary>"random" (default) or top-SCORE / bottom-SCORE, e.g. "top-common", "bottom-individual1".</summary>
    public string Select { get; init; } = "random";

    /// <summary>Score names to explain; null = common and every individual score the model has.</summary>
    public IReadOnlyList<string>? Scores { get; init; }

    /// <summary>The attribution method and its settings.</summary>
    public AttributionOptions Attribution { get; init; } = new();

    /// <summary>Integrated Gradients (and deletion) baseline: zeros, the mean training input, or each sample blurred.</summary>
    public BaselineKind Baseline { get; init; } = BaselineKind.Zero;

    /// <summary>
    /// Regions each view declares (<see cref="Data.Datasets.ViewDescriptor.Regions"/>), one dictionary
    /// per view; needed by <see cref="Localization"/>.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, bool[]>>? Regions { get; init; }

    /// <summary>
    /// Also score every method (<see cref="Explainer.LocalizationMethods"/>) against <see cref="Regions"/>
    /// on the explained samples; writes <c>localization.json</c>.
    /// </summary>
    public bool Localization { get; init; }

    /// <summary>
    /// Also write the atlas of every variate (<see cref="Explain.Atlas"/>): <c>atlas_view{m}.png</c> and
    /// <c>atlas.json</c> (the extreme samples' dataset indices and values).
    /// </summary>
    public bool Atlas { get; init; }

    /// <summary>Colouring of the maps.</summary>
    public MapStyle Style { get; init; } = MapStyle.Signed;

    /// <summary>Also run the sanity checks (model randomization when the model supports it, deletion test).</summary>
    public bool SanityChecks { get; init; }

    /// <summary>Seed of the random sample choice and of the random deletion order.</summary>
    public int Seed { get; init; }

    /// <summary>Tiles per row of the grid images.</summary>
    public int GridColumns { get; init; } = 8;

    /// <summary>
    /// The texts of the text views, one list per view in dataset order, indexed by <see cref="PairedDataset.Indices"/>
    /// (null entries for other views): those views' model input is their <c>minilm</c> sentence embedding, and each
    /// explained score that depends on one also gets per-token attributions (<see cref="TokenAttributions"/>) drawn as
    /// <c>tokens_SCORE_viewM.png</c> and written to <c>tokens.json</c>; with <see cref="Atlas"/> their variates get
    /// patterns over words (<see cref="TokenAtlas"/>).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>?>? Texts { get; init; }

    /// <summary>Gauss–Legendre nodes of the per-token Integrated Gradients.</summary>
    public int TokenSteps { get; init; } = TokenAttributions.DefaultSteps;
}

/// <summary>What <see cref="Explainer.Run"/> produced.</summary>
/// <param name="Indices">Dataset indices of the explained samples, in figure order.</param>
/// <param name="Maps">Attribution results, one per score.</param>
/// <param name="Randomization">Model-randomization result per score (null when not run or not supported).</param>
/// <param name="Deletion">Deletion result per score and view it depends on (null when not run).</param>
/// <param name="Notes">One-line remarks for the user (e.g. a check that could not run).</param>
/// <param name="Localization">Localization per method label (<see cref="Explainer.LocalizationMethods"/>); null when not asked for.</param>
/// <param name="Tokens">Per-token attributions by "SCORE/viewM" for text views (<see cref="ExplainOptions.Texts"/>); null without text views.</param>
public sealed record ExplainResult(
    int[] Indices,
    IReadOnlyList<AttributionResult> Maps,
    IReadOnlyDictionary<string, RandomizationResult>? Randomization,
    IReadOnlyDictionary<string, DeletionResult>? Deletion,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, IReadOnlyList<LocalizationScore>>? Localization = null,
    IReadOnlyDictionary<string, IReadOnlyList<TokenAttribution>>? Tokens = null);

/// <summary>
/// The <c>mucmm explain</c> workflow as a library call: choose samples, compute gradient maps of the
/// chosen scores, write <c>explain.png</c> (one row per sample), one grid PNG per score and view,
/// <c>maps.npy</c> + <c>maps.json</c> (raw attributions and their layout), <c>samples.csv</c>, and
/// with sanity checks <c>sanity.json</c>.
/// </summary>
public static partial class Explainer
{
    /// <summary>
    /// Explains samples of <paramref name="candidates"/> (the rows to choose from, e.g. the test split)
    /// under <paramref name="model"/>, writing into <paramref name="outputDirectory"/> (which must exist).
    /// <paramref name="training"/> supplies the mean baseline when asked for.
    /// </summary>
    public static ExplainResult Run(
        IMultiviewModel model, PairedDataset candidates, PairedDataset? training, ExplainOptions options, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        options.Attribution.Validate();
        ModelInputs.Check(model, candidates.Views);
        if (candidates.Count == 0) throw new MucmmUserException("no samples to explain (the chosen split is empty)");

        var scores = (options.Scores ?? DefaultScoreNames(model)).Select(s => Score.Parse(s, model)).ToArray();
        if (scores.Length == 0) throw new MucmmUserException("no score to explain");
        int[] rows = ChooseRows(model, candidates, options);
        var chosen = candidates.Select(rows);
        var notes = new List<string>();

        if (options.Localization && options.Regions is null)
            throw new MucmmUserException("localization needs a dataset that declares regions (e.g. located-mnist)");

        using var scope = NewDisposeScope();
        var inputs = chosen.Views.Select(v => Representations.Slice(v, 0, v.Rows)).ToArray();
        var source = training is { Count: > 0 } ? training : candidates;
        Tensor[]? baseline = BaselineOf(options.Baseline, chosen, source);
        using var covariance = AttributionOptions.NeedsCovariance(options.Attribution.Method) || options.Localization
            ? options.Attribution.Covariance is null ? InputCovariance.FromViews(source.Views) : null
            : null;
        var attribution = covariance is null ? options.Attribution : options.Attribution with { Covariance = covariance };
        if (attribution.SampleShapes is null) attribution = attribution with { SampleShapes = chosen.Views.Select(v => v.SampleShape).ToArray() };
        var maps = scores.Select(s => Attributions.Compute(model, s, inputs, attribution, baseline)).ToArray();

        // Pictures.
        var labels = Enumerable.Range(0, chosen.Count).Select(i => RowLabel(chosen, i, maps)).ToArray();
        string method = AttributionOptions.MethodName(options.Attribution.Method);
        using (var figure = ExplanationFigure.Render(chosen.Views, maps, labels,
                   new FigureOptions { Style = options.Style, Title = $"{model.Kind} model — {method} maps of {string.Join(", ", scores.Select(s => s.Name))} ({(options.Style == MapStyle.Signed ? "blue < 0 < red" : "|map| over the input")})" }))
            ExplanationFigure.SavePng(figure, Path.Combine(outputDirectory, "explain.png"));
        var tileLabels = Enumerable.Range(0, chosen.Count).Select(i => "#" + chosen.Indices[i].ToString(CultureInfo.InvariantCulture)).ToArray();
        foreach (var r in maps)
        {
            for (int m = 1; m <= model.ViewCount; m++)
            {
                if (!r.Score.DependsOn(m)) continue;
                using var grid = ExplanationFigure.RenderGrid(chosen.Views[m - 1], r, m, tileLabels, options.GridColumns,
                    new FigureOptions { Style = MapStyle.Magnitude });
                ExplanationFigure.SavePng(grid, Path.Combine(outputDirectory, $"grid_{FileSafe(r.Score.Name)}_view{m}.png"));
            }
        }

        var tokens = options.Texts is { } texts ? ExplainTexts(model, scores, inputs, chosen.Indices, texts, options, outputDirectory, tileLabels) : null;
        WriteMaps(outputDirectory, model, chosen, maps, method);
        WriteSamples(Path.Combine(outputDirectory, "samples.csv"), chosen, maps);

        Dictionary<string, RandomizationResult>? randomization = null;
        Dictionary<string, DeletionResult>? deletion = null;
        if (options.SanityChecks)
        {
            deletion = [];
            if (options.Baseline == BaselineKind.Blurred) notes.Add("deletion test: inputs are replaced by zeros (the blurred baseline differs per sample)");
            foreach (var r in maps)
            {
                for (int m = 1; m <= model.ViewCount; m++)
                {
                    if (!r.Score.DependsOn(m)) continue;
                    deletion[$"{r.Score.Name}/view{m}"] = Explain.SanityChecks.Deletion(model, r.Score, inputs, r, m,
                        new DeletionOptions { Seed = options.Seed }, baseline is { } b && b[m - 1].shape[0] == 1 ? b[m - 1] : null);
                }
            }
            if (HeadRandomization.IsSupported(model))
            {
                randomization = [];
                foreach (var s in scores)
                    randomization[s.Name] = Explain.SanityChecks.ModelRandomization(model, s, inputs, attribution, seed: options.Seed + 1);
            }
            else
            {
                notes.Add($"model randomization test skipped: the {model.Kind} model has no trained heads to re-initialize");
            }
            WriteSanity(Path.Combine(outputDirectory, "sanity.json"), randomization, deletion, notes);
        }

        Dictionary<string, IReadOnlyList<LocalizationScore>>? localization = null;
        if (options.Localization)
        {
            localization = [];
            foreach (var (label, candidate, kind) in LocalizationMethods)
            {
                using var inner = NewDisposeScope();
                var opts = attribution with { Method = candidate };
                var b = candidate is AttributionMethod.IntegratedGradients or AttributionMethod.Occlusion ? BaselineOf(kind, chosen, source) : null;
                var mapsOf = scores.Select(s => Attributions.Compute(model, s, inputs, opts, b)).ToArray();
                localization[label] = Explain.Localization.Evaluate(mapsOf, options.Regions!);
            }
            WriteLocalization(Path.Combine(outputDirectory, "localization.json"), localization, MethodLabel(options.Attribution.Method, options.Baseline), chosen.Count);
        }
        if (options.Atlas) WriteAtlas(outputDirectory, model, source, candidates, options.Texts);
        return new ExplainResult(chosen.Indices, maps, randomization, deletion, notes, localization, tokens);
    }

    /// <summary>Per-token attributions of every score on every text view; writes tokens_SCORE_viewM.png and tokens.json.</summary>
    private static Dictionary<string, IReadOnlyList<TokenAttribution>> ExplainTexts(IMultiviewModel model, IReadOnlyList<Score> scores, Tensor[] inputs,
        int[] indices, IReadOnlyList<IReadOnlyList<string>?> texts, ExplainOptions options, string outputDirectory, string[] labels)
    {
        var result = new Dictionary<string, IReadOnlyList<TokenAttribution>>();
        var json = new JsonObject
        {
            ["method"] = "per-token attributions through minilm: gradient_x_embedding = sum over the 384 components of dS/dE * E; " +
                         $"integrated_gradients = Integrated Gradients on the token embeddings from E = 0 ({options.TokenSteps} Gauss-Legendre nodes)",
        };
        using var minilm = new Deep.Onnx.MiniLmEncoder();
        for (int m = 0; m < model.ViewCount && m < texts.Count; m++)
        {
            if (texts[m] is not { } all) continue;
            var chosen = Explain.Atlas.TextsOf(all, indices, m);
            foreach (var s in scores.Where(s => s.DependsOn(m + 1)))
            {
                var attributions = TokenAttributions.Compute(model, s, inputs, m, minilm, chosen, options.TokenSteps);
                string key = $"{s.Name}/view{m + 1}";
                result[key] = attributions;
                using (var figure = TokenFigure.Render(attributions, labels, $"{model.Kind} model — tokens of view {m + 1} coloured by their attribution to {s.Name} (blue < 0 < red)"))
                    ExplanationFigure.SavePng(figure, Path.Combine(outputDirectory, $"tokens_{FileSafe(s.Name)}_view{m + 1}.png"));
                json[key] = new JsonArray(attributions.Select((a, i) => (JsonNode)new JsonObject
                {
                    ["index"] = labels[i],
                    ["text"] = chosen[i],
                    ["score"] = a.Score,
                    ["baseline_score"] = a.BaselineScore,
                    ["tokens"] = new JsonArray(a.Tokens.Select(t => (JsonNode)t).ToArray()),
                    ["gradient_x_embedding"] = new JsonArray(a.GradientTimesEmbedding.Select(v => (JsonNode)v).ToArray()),
                    ["integrated_gradients"] = new JsonArray(a.IntegratedGradients.Select(v => (JsonNode)v).ToArray()),
                    ["completeness_error"] = a.CompletenessError,
                }).ToArray());
            }
        }
        File.WriteAllText(Path.Combine(outputDirectory, "tokens.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return result;
    }

    /// <summary>
    /// The methods <see cref="ExplainOptions.Localization"/> compares, by label: gradient,
    /// gradient-x-input, smoothgrad, integrated-gradients/zero, /mean, /blurred, pattern, pattern-x-input, occlusion (zero baseline).
    /// </summary>
    public static IReadOnlyList<(string Label, AttributionMethod Method, BaselineKind Baseline)> LocalizationMethods { get; } =
    [
        ("gradient", AttributionMethod.Gradient, BaselineKind.Zero),
        ("gradient-x-input", AttributionMethod.GradientTimesInput, BaselineKind.Zero),
        ("smoothgrad", AttributionMethod.SmoothGrad, BaselineKind.Zero),
        ("integrated-gradients/zero", AttributionMethod.IntegratedGradients, BaselineKind.Zero),
        ("integrated-gradients/mean", AttributionMethod.IntegratedGradients, BaselineKind.Mean),
        ("integrated-gradients/blurred", AttributionMethod.IntegratedGradients, BaselineKind.Blurred),
        ("pattern", AttributionMethod.Pattern, BaselineKind.Zero),
        ("pattern-x-input", AttributionMethod.PatternTimesInput, BaselineKind.Zero),
        ("occlusion", AttributionMethod.Occlusion, BaselineKind.Zero),
    ];

    /// <summary>The label of a method in <see cref="LocalizationMethods"/> (Integrated Gradients with its baseline).</summary>
    public static string MethodLabel(AttributionMethod method, BaselineKind baseline) =>
        method == AttributionMethod.IntegratedGradients || (method == AttributionMethod.Occlusion && baseline != BaselineKind.Zero)
            ? $"{AttributionOptions.MethodName(method)}/{Baselines.Name(baseline)}"
            : AttributionOptions.MethodName(method);

    private static Tensor[]? BaselineOf(BaselineKind kind, PairedDataset chosen, PairedDataset source) => kind switch
    {
        BaselineKind.Mean => source.Views.Select(v => Representations.Slice(v, 0, v.Rows).mean([0], keepdim: true)).ToArray(),
        BaselineKind.Blurred => chosen.Views.Select(v => tensor(Baselines.Blur(v), new long[] { v.Rows, v.Cols }, dtype: float64)).ToArray(),
        _ => null,
    };

    /// <summary>"common" plus "individual{m}" for every view with individual variates.</summary>
    public static IReadOnlyList<string> DefaultScoreNames(IMultiviewModel model) =>
        ["common", .. Enumerable.Range(1, model.ViewCount).Where(m => model.IndividualDims[m - 1] > 0).Select(m => $"individual{m}")];

    private static int[] ChooseRows(IMultiviewModel model, PairedDataset candidates, ExplainOptions options)
    {
        if (options.Indices is { Count: > 0 } wanted)
            return SampleSelection.ByIndex(candidates.Indices, wanted);
        int count = Math.Min(options.SampleCount, candidates.Count);
        if (options.SampleCount < 1) throw new MucmmUserException($"the number of samples must be ≥ 1, got {options.SampleCount}");
        string rule = (options.Select ?? "random").Trim().ToLowerInvariant();
        if (rule == "random") return SampleSelection.Random(candidates.Count, count, options.Seed);
        var (top, score) = SampleSelection.ParseRule(rule, model);
        var values = Scores.Compute(model, candidates.Views, [score])[0];
        return top ? SampleSelection.Top(values, count) : SampleSelection.Bottom(values, count);
    }

    private static string RowLabel(PairedDataset chosen, int i, IReadOnlyList<AttributionResult> maps)
    {
        var parts = new List<string> { "#" + chosen.Indices[i].ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, v) in chosen.Labels) parts.Add($"{name} {v[i]}");
        foreach (var (name, v) in chosen.Factors) parts.Add($"{name} {v[i].ToString("0.#", CultureInfo.InvariantCulture)}");
        foreach (var r in maps) parts.Add($"{r.Score.Name} {r.Values[i].ToString("0.00", CultureInfo.InvariantCulture)}");
        return string.Join("\n", parts);
    }

    private static string FileSafe(string name) => name.Replace(':', '-');
}

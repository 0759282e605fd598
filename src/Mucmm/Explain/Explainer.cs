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
}

/// <summary>What <see cref="Explainer.Run"/> produced.</summary>
/// <param name="Indices">Dataset indices of the explained samples, in figure order.</param>
/// <param name="Maps">Attribution results, one per score.</param>
/// <param name="Randomization">Model-randomization result per score (null when not run or not supported).</param>
/// <param name="Deletion">Deletion result per score and view it depends on (null when not run).</param>
/// <param name="Notes">One-line remarks for the user (e.g. a check that could not run).</param>
/// <param name="Localization">Localization per method label (<see cref="Explainer.LocalizationMethods"/>); null when not asked for.</param>
public sealed record ExplainResult(
    int[] Indices,
    IReadOnlyList<AttributionResult> Maps,
    IReadOnlyDictionary<string, RandomizationResult>? Randomization,
    IReadOnlyDictionary<string, DeletionResult>? Deletion,
    IReadOnlyList<string> Notes,
    IReadOnlyDictionary<string, IReadOnlyList<LocalizationScore>>? Localization = null);

/// <summary>
/// The <c>mucmm explain</c> workflow as a library call: choose samples, compute gradient maps of the
/// chosen scores, write <c>explain.png</c> (one row per sample), one grid PNG per score and view,
/// <c>maps.npy</c> + <c>maps.json</c> (raw attributions and their layout), <c>samples.csv</c>, and
/// with sanity checks <c>sanity.json</c>.
/// </summary>
public static class Explainer
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
        using var covariance = options.Attribution.Method == AttributionMethod.Pattern || options.Localization
            ? options.Attribution.Covariance is null ? InputCovariance.FromViews(source.Views) : null
            : null;
        var attribution = covariance is null ? options.Attribution : options.Attribution with { Covariance = covariance };
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
                var b = candidate == AttributionMethod.IntegratedGradients ? BaselineOf(kind, chosen, source) : null;
                var mapsOf = scores.Select(s => Attributions.Compute(model, s, inputs, opts, b)).ToArray();
                localization[label] = Explain.Localization.Evaluate(mapsOf, options.Regions!);
            }
            WriteLocalization(Path.Combine(outputDirectory, "localization.json"), localization, MethodLabel(options.Attribution.Method, options.Baseline), chosen.Count);
        }
        if (options.Atlas)
        {
            var atlas = Explain.Atlas.Compute(model, source, candidates);
            for (int m = 1; m <= model.ViewCount; m++)
            {
                var entries = atlas.Where(e => e.View == m).ToArray();
                if (entries.Length == 0) continue;
                using var figure = ExplanationFigure.RenderAtlas(candidates.Views[m - 1], entries);
                ExplanationFigure.SavePng(figure, Path.Combine(outputDirectory, $"atlas_view{m}.png"));
            }
            var json = new JsonArray(atlas.Select(e => (JsonNode)new JsonObject
            {
                ["variate"] = e.Name,
                ["highest"] = new JsonArray(e.Highest.Select(r => (JsonNode)new JsonObject { ["index"] = candidates.Indices[r], ["value"] = e.Values[r] }).ToArray()),
                ["lowest"] = new JsonArray(e.Lowest.Select(r => (JsonNode)new JsonObject { ["index"] = candidates.Indices[r], ["value"] = e.Values[r] }).ToArray()),
            }).ToArray());
            File.WriteAllText(Path.Combine(outputDirectory, "atlas.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return new ExplainResult(chosen.Indices, maps, randomization, deletion, notes, localization);
    }

    /// <summary>
    /// The methods <see cref="ExplainOptions.Localization"/> compares, by label: gradient,
    /// gradient-x-input, smoothgrad, integrated-gradients/zero, /mean, /blurred, pattern.
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
    ];

    /// <summary>The label of a method in <see cref="LocalizationMethods"/> (Integrated Gradients with its baseline).</summary>
    public static string MethodLabel(AttributionMethod method, BaselineKind baseline) =>
        method == AttributionMethod.IntegratedGradients
            ? $"{AttributionOptions.MethodName(method)}/{Baselines.Name(baseline)}"
            : AttributionOptions.MethodName(method);

    private static Tensor[]? BaselineOf(BaselineKind kind, PairedDataset chosen, PairedDataset source) => kind switch
    {
        BaselineKind.Mean => source.Views.Select(v => Representations.Slice(v, 0, v.Rows).mean([0], keepdim: true)).ToArray(),
        BaselineKind.Blurred => chosen.Views.Select(v => tensor(Baselines.Blur(v), new long[] { v.Rows, v.Cols }, dtype: float64)).ToArray(),
        _ => null,
    };

    private static void WriteLocalization(string path, Dictionary<string, IReadOnlyList<LocalizationScore>> localization, string chosen, int samples)
    {
        static JsonNode? Num(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;
        var root = new JsonObject
        {
            ["samples"] = samples,
            ["method"] = chosen,
            ["metrics"] = "mass_fraction: mean over samples of sum |a| inside the region / sum |a|; pointing_game: fraction of samples whose max |a| is inside; region_fraction: chance level",
            ["methods"] = new JsonObject(localization.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(
                kv.Value.Select(l => (JsonNode)new JsonObject
                {
                    ["score"] = l.Score,
                    ["view"] = l.View,
                    ["region"] = l.Region,
                    ["mass_fraction"] = Num(l.MassFraction),
                    ["pointing_game"] = Num(l.PointingGame),
                    ["region_fraction"] = l.RegionFraction,
                    ["samples"] = l.Samples,
                }).ToArray())))),
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

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

    private static void WriteMaps(string dir, IMultiviewModel model, PairedDataset chosen, IReadOnlyList<AttributionResult> maps, string method)
    {
        // maps.npy: float32 [samples, scores, Σ input widths]; view m occupies columns offset[m] … offset[m] + d_m.
        int n = chosen.Count, total = model.InputDims.Sum();
        var offsets = new int[model.ViewCount];
        for (int m = 1; m < offsets.Length; m++) offsets[m] = offsets[m - 1] + model.InputDims[m - 1];
        using (var writer = NpyWriter.Create(Path.Combine(dir, "maps.npy"), [n, maps.Count, total]))
        {
            var row = new double[maps.Count * total];
            for (int i = 0; i < n; i++)
            {
                for (int s = 0; s < maps.Count; s++)
                    for (int m = 0; m < model.ViewCount; m++)
                        maps[s].Map(m, i).CopyTo(row.AsSpan(s * total + offsets[m], model.InputDims[m]));
                writer.WriteRows(row);
            }
            writer.Complete();
        }
        var layout = new JsonObject
        {
            ["shape"] = new JsonArray(n, maps.Count, total),
            ["axes"] = new JsonArray("sample", "score", "input"),
            ["method"] = method,
            ["indices"] = new JsonArray(chosen.Indices.Select(i => (JsonNode)i).ToArray()),
            ["scores"] = new JsonArray(maps.Select(r => (JsonNode)r.Score.Name).ToArray()),
            ["views"] = new JsonArray(Enumerable.Range(0, model.ViewCount).Select(m => (JsonNode)new JsonObject
            {
                ["name"] = chosen.Views[m].Name,
                ["offset"] = offsets[m],
                ["width"] = model.InputDims[m],
                ["sample_shape"] = new JsonArray(chosen.Views[m].SampleShape.Select(s => (JsonNode)s).ToArray()),
            }).ToArray()),
        };
        File.WriteAllText(Path.Combine(dir, "maps.json"), layout.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void WriteSamples(string path, PairedDataset chosen, IReadOnlyList<AttributionResult> maps)
    {
        using var w = new StreamWriter(path);
        var header = new List<string> { "index" };
        foreach (var r in maps)
        {
            header.Add(r.Score.Name);
            if (r.CompletenessErrors is not null) { header.Add($"{r.Score.Name}_baseline"); header.Add($"{r.Score.Name}_completeness_error"); }
        }
        header.AddRange(chosen.Labels.Keys);
        header.AddRange(chosen.Factors.Keys);
        w.WriteLine(string.Join(",", header));
        for (int i = 0; i < chosen.Count; i++)
        {
            var cells = new List<string> { chosen.Indices[i].ToString(CultureInfo.InvariantCulture) };
            foreach (var r in maps)
            {
                cells.Add(r.Values[i].ToString("R", CultureInfo.InvariantCulture));
                if (r.CompletenessErrors is not null)
                {
                    cells.Add(r.BaselineValues![i].ToString("R", CultureInfo.InvariantCulture));
                    cells.Add(r.CompletenessErrors[i].ToString("R", CultureInfo.InvariantCulture));
                }
            }
            cells.AddRange(chosen.Labels.Values.Select(v => v[i].ToString(CultureInfo.InvariantCulture)));
            cells.AddRange(chosen.Factors.Values.Select(v => v[i].ToString("R", CultureInfo.InvariantCulture)));
            w.WriteLine(string.Join(",", cells));
        }
    }

    private static void WriteSanity(string path, Dictionary<string, RandomizationResult>? randomization,
        Dictionary<string, DeletionResult> deletion, List<string> notes)
    {
        static JsonArray Arr(IEnumerable<double> v) => new(v.Select(x => (JsonNode)JsonValue.Create(double.IsFinite(x) ? x : 0)!).ToArray());
        var root = new JsonObject
        {
            ["model_randomization"] = randomization is null ? null : new JsonObject(randomization.Select(kv =>
                KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
                {
                    ["spearman"] = kv.Value.Spearman,
                    ["spearman_of_magnitudes"] = kv.Value.SpearmanOfMagnitudes,
                }))),
            ["deletion"] = new JsonObject(deletion.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonObject
            {
                ["area_ratio"] = double.IsFinite(kv.Value.AreaRatio) ? kv.Value.AreaRatio : null,
                ["fractions"] = Arr(kv.Value.Fractions),
                ["salient_first"] = Arr(kv.Value.SalientCurve),
                ["random_order"] = Arr(kv.Value.RandomCurve),
            }))),
            ["notes"] = new JsonArray(notes.Select(n => (JsonNode)n).ToArray()),
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string FileSafe(string name) => name.Replace(':', '-');
}

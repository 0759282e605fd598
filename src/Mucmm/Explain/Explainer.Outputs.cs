using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;

namespace Mucmm.Explain;

/// <summary>The files <see cref="Explainer.Run"/> writes: maps, samples, sanity checks, localization, atlas.</summary>
public static partial class Explainer
{
    /// <summary>
    /// The atlas (<see cref="Explain.Atlas"/>) of every variate: atlas_view{m}.png (for a text view with its texts the
    /// token atlas, <see cref="TokenFigure.RenderAtlas"/>) and atlas.json (extreme samples' dataset indices and values,
    /// their texts, and the token patterns of text views).
    /// </summary>
    private static void WriteAtlas(string outputDirectory, IMultiviewModel model, PairedDataset source, PairedDataset candidates,
        IReadOnlyList<IReadOnlyList<string>?>? texts)
    {
        var atlas = Explain.Atlas.Compute(model, source, candidates, texts: texts);
        var testTexts = Enumerable.Range(0, model.ViewCount)
            .Select(m => texts is not null && m < texts.Count && texts[m] is { } all ? Explain.Atlas.TextsOf(all, candidates.Indices, m) : null).ToArray();
        for (int m = 1; m <= model.ViewCount; m++)
        {
            var entries = atlas.Where(e => e.View == m).ToArray();
            if (entries.Length == 0) continue;
            using var figure = testTexts[m - 1] is { } viewTexts
                ? TokenFigure.RenderAtlas(entries, viewTexts, $"{model.Kind} model — token atlas of view {m} ({candidates.Views[m - 1].Name}): words going with each variate (red: where it is high, blue: low); test texts at its extremes")
                : ExplanationFigure.RenderAtlas(candidates.Views[m - 1], entries);
            ExplanationFigure.SavePng(figure, Path.Combine(outputDirectory, $"atlas_view{m}.png"));
        }
        JsonArray Extremes(AtlasEntry e, int[] rows) => new(rows.Select(r =>
        {
            var o = new JsonObject { ["index"] = candidates.Indices[r], ["value"] = e.Values[r] };
            if (testTexts[e.View - 1] is { } t) o["text"] = t[r];
            return (JsonNode)o;
        }).ToArray());
        var json = new JsonArray(atlas.Select(e =>
        {
            var o = new JsonObject { ["variate"] = e.Name, ["highest"] = Extremes(e, e.Highest), ["lowest"] = Extremes(e, e.Lowest) };
            if (e.Tokens is { } tokens)
                o["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)new JsonObject
                {
                    ["token"] = t.Token, ["weight"] = t.Weight, ["correlation"] = t.Correlation, ["count"] = t.Count,
                }).ToArray());
            return (JsonNode)o;
        }).ToArray());
        File.WriteAllText(Path.Combine(outputDirectory, "atlas.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

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
}

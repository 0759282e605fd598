using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Options of <see cref="ModelEvaluation.Evaluate"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Relative ridge ε of the test canonical correlations and leakage (METHOD.md section 1).</summary>
    public double Ridge { get; init; } = Leakage.DefaultRidge;

    /// <summary>Classification probe settings.</summary>
    public LogisticProbeOptions Logistic { get; init; } = new();

    /// <summary>Regression probe settings.</summary>
    public RidgeProbeOptions RidgeProbe { get; init; } = new();
}

/// <summary>Probe scores of one label or factor.</summary>
/// <param name="Metric">"accuracy" (labels) or "r2" (factors).</param>
/// <param name="Scores">Test score by representation: "common" (view 1's common variates), "individual1", "individual2", …</param>
public sealed record ProbeMetrics(string Metric, IReadOnlyDictionary<string, ProbeResult> Scores);

/// <summary>The evaluation protocol's results (METHOD.md section 6); see <see cref="ModelEvaluation"/>.</summary>
/// <param name="SplitCounts">Rows per split: train, validation, test.</param>
/// <param name="CanonicalCorrelations">Canonical correlations between the common variates of views 1 and 2 on test, descending.</param>
/// <param name="TotalCorrelation">Their sum Σρᵢ (the mean test common score of a perfectly aligned model).</param>
/// <param name="Leakage">Mean squared canonical correlations on test, by contract name (individual{m}_vs_view{o}, individual{m}_vs_common{m}).</param>
/// <param name="LeakageChance">The value each leakage takes on independent data of the same widths (≈ width(B)/(n−1)): read leakage against it.</param>
/// <param name="Probes">Probe results per label and factor (empty without labels).</param>
public sealed record EvaluationMetrics(
    IReadOnlyDictionary<string, int> SplitCounts,
    double[] CanonicalCorrelations,
    double TotalCorrelation,
    IReadOnlyDictionary<string, double> Leakage,
    IReadOnlyDictionary<string, double> LeakageChance,
    IReadOnlyDictionary<string, ProbeMetrics> Probes)
{
    /// <summary>The metrics.json document of <c>mucmm evaluate</c>.</summary>
    public JsonObject ToJson()
    {
        static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        return new JsonObject
        {
            ["split"] = new JsonObject(SplitCounts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["test"] = new JsonObject
            {
                ["canonical_correlations"] = new JsonArray(CanonicalCorrelations.Select(Num).ToArray()),
                ["total_correlation"] = Num(TotalCorrelation),
                ["leakage"] = new JsonObject(Leakage.Select(kv => KeyValuePair.Create(kv.Key, Num(kv.Value)))),
                ["leakage_chance"] = new JsonObject(LeakageChance.Select(kv => KeyValuePair.Create(kv.Key, Num(kv.Value)))),
            },
            ["probes"] = new JsonObject(Probes.Select(kv =>
            {
                var o = new JsonObject { ["metric"] = kv.Value.Metric };
                foreach (var (rep, r) in kv.Value.Scores) o[rep] = Num(r.Test);
                o["regularization"] = new JsonObject(kv.Value.Scores.Select(s => KeyValuePair.Create(s.Key, Num(s.Value.Regularization))));
                return KeyValuePair.Create(kv.Key, (JsonNode?)o);
            })),
        };
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (indented).</summary>
    public void WriteJson(string path) =>
        File.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}

/// <summary>
/// The evaluation protocol of METHOD.md section 6 for any <see cref="IMultiviewModel"/>: on the test
/// split, the canonical correlations of the common variates and the leakage measures
/// (individual variates vs the other view's input, and vs their own view's common variates); linear
/// probes for every label (multinomial logistic regression → accuracy) and factor (ridge → R²),
/// fitted on train representations, tuned on validation, scored on test, for view 1's common
/// variates and each view's individual variates.
/// </summary>
/// <remarks>
/// Leakage against "the other view" uses the other view's input x (the encoder features h of
/// METHOD.md are x for the linear models; the model contract does not expose a deep encoder's
/// features). Wide inputs raise the chance level (≈ width/(n−1)), reported beside each value.
/// </remarks>
public static class ModelEvaluation
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="dataset"/> (all splits; needs train, validation and test rows).</summary>
    public static EvaluationMetrics Evaluate(IMultiviewModel model, PairedDataset dataset, EvaluationOptions? options = null)
    {
        options ??= new EvaluationOptions();
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        Representations.CheckCompatible(model, dataset.Views);
        var rows = new Dictionary<Split, long[]>();
        foreach (var s in new[] { Split.Train, Split.Validation, Split.Test })
            rows[s] = dataset.RowsOf(s).Select(i => (long)i).ToArray();
        if (rows[Split.Test].Length < 2)
            throw new MucmmUserException($"dataset '{dataset.Name}': evaluation needs at least 2 test rows, the test split has {rows[Split.Test].Length}");

        using var scope = NewDisposeScope();
        var output = Representations.Compute(model, dataset.Views);
        Tensor Take(Tensor t, Split s) => t.index_select(0, tensor(rows[s], dtype: int64));
        int mCount = model.ViewCount;
        var testCommon = output.Common.Select(c => Take(c, Split.Test)).ToArray();
        var testIndividual = output.Individual.Select(u => Take(u, Split.Test)).ToArray();
        long nTest = rows[Split.Test].Length;

        var rho = model.CommonDim > 0 ? Leakage.CanonicalCorrelations(testCommon[0], testCommon[1], options.Ridge) : [];
        var leakage = new Dictionary<string, double>();
        var chance = new Dictionary<string, double>();
        for (int m = 0; m < mCount; m++)
        {
            for (int o = 0; o < mCount; o++)
            {
                if (o == m) continue;
                var x = Take(Representations.Slice(dataset.Views[o], 0, dataset.Count), Split.Test);
                string key = $"individual{m + 1}_vs_view{o + 1}";
                leakage[key] = Leakage.MeanSquaredCanonicalCorrelation(testIndividual[m], x, options.Ridge);
                chance[key] = Leakage.ChanceLevel(nTest, model.IndividualDims[m], model.InputDims[o]);
            }
            string own = $"individual{m + 1}_vs_common{m + 1}";
            leakage[own] = Leakage.MeanSquaredCanonicalCorrelation(testIndividual[m], testCommon[m], options.Ridge);
            chance[own] = Leakage.ChanceLevel(nTest, model.IndividualDims[m], model.CommonDim);
        }

        var representations = new List<(string name, Tensor all)> { ("common", output.Common[0]) };
        for (int m = 0; m < mCount; m++) representations.Add(($"individual{m + 1}", output.Individual[m]));
        var probes = new Dictionary<string, ProbeMetrics>();
        foreach (var (name, labels) in dataset.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            int[] Pick(Split s) => rows[s].Select(i => labels[i]).ToArray();
            var scores = representations.ToDictionary(r => r.name, r => LogisticProbe.Evaluate(
                Take(r.all, Split.Train), Pick(Split.Train), Take(r.all, Split.Validation), Pick(Split.Validation),
                Take(r.all, Split.Test), Pick(Split.Test), options.Logistic));
            probes[name] = new ProbeMetrics("accuracy", scores);
        }
        foreach (var (name, factor) in dataset.Factors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            double[] Pick(Split s) => rows[s].Select(i => factor[i]).ToArray();
            var scores = representations.ToDictionary(r => r.name, r => RidgeProbe.Evaluate(
                Take(r.all, Split.Train), Pick(Split.Train), Take(r.all, Split.Validation), Pick(Split.Validation),
                Take(r.all, Split.Test), Pick(Split.Test), options.RidgeProbe));
            probes[name] = new ProbeMetrics("r2", scores);
        }

        var counts = new Dictionary<string, int>
        {
            ["train"] = rows[Split.Train].Length,
            ["validation"] = rows[Split.Validation].Length,
            ["test"] = rows[Split.Test].Length,
        };
        return new EvaluationMetrics(counts, rho, rho.Sum(), leakage, chance, probes);
    }
}

using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Mucmm.Evaluation;
using Mucmm.Explain;
using Mucmm.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests;

/// <summary>
/// The model contract (docs/architecture.md "The model contract"), for every model kind the product fits: an
/// options record → <c>Fit(data)</c> → save → <see cref="ModelStore.Load"/> → transform → score → explain →
/// evaluate, on the built-in synthetic dataset (600 pairs, 80/10/10 split) with tiny deep settings.
/// </summary>
public sealed class ModelContractTests
{
    private const int K = 3, R = 2;

    /// <summary>Every model kind the product fits, by its config.json name, with the estimator that fits it.</summary>
    public static TheoryData<string> Kinds => new(Comparison.StandardNames);

    private static IMultiviewEstimator<IMultiviewModel> Estimator(string kind) => kind switch
    {
        "pca" => new PcaOptions { CommonDim = K },
        "cca" => new LinearOptions { Kind = LinearModelKind.Cca, CommonDim = K, IndividualDim = 0 },
        "linear" => new LinearOptions { CommonDim = K, IndividualDim = R },
        "dcca" or "deep" => new DeepTrainer(
            new DeepModelOptions
            {
                Kind = kind == "deep" ? DeepModelKind.Mucmm : DeepModelKind.DeepCca,
                Encoder = EncoderKind.Mlp, EncoderHidden = [16], CommonDim = K, IndividualDim = R, DecoderHidden = 8,
            },
            DeepTrainingOptions.DefaultsFor(kind == "deep" ? DeepModelKind.Mucmm : DeepModelKind.DeepCca) with
            {
                Epochs = 2, WarmupEpochs = 1, BatchSize = 100, LearningRate = 1e-2, Seed = 1,
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Oracles: identity for the round trip — the loaded model's <see cref="IMultiviewModel.Transform"/> of the test rows
    /// equals the fitted model's within 1e-12 (float64 weights saved bit for bit; float32 deep weights and the float64
    /// alignment likewise), and equals one unbatched <see cref="IMultiviewModel.Forward"/> within 1e-12 (the batching
    /// does not change values); shapes from the options (n × k common, n × r individual, r = 0 for pca, cca and dcca);
    /// every standard score finite; every gradient map of the shape of its view's input, finite and not all zero; and
    /// evaluation metrics with k finite test correlations in [−1, 1], leakage and probes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_fits_saves_loads_transforms_scores_explains_and_evaluates(string kind)
    {
        using var scope = NewDisposeScope();
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Seed = 1, Samples = 600 });
        var test = data.Subset(Split.Test);
        int r = kind is "linear" or "deep" ? R : 0;

        using var model = Estimator(kind).Fit(data);
        Assert.Equal(kind, model.Kind);
        string dir = Path.Combine(TestPaths.NewTempDir(), "model");
        model.Save(dir);
        using var loaded = ModelStore.Load(dir);
        Assert.Equal(kind, loaded.Kind);
        Assert.Equal(model.InputDims, loaded.InputDims);
        Assert.Equal(data.Views.Select(v => v.Cols), loaded.InputDims);

        // Transform: loaded = fitted, batched = one forward pass, shapes from the options.
        var fitted = model.Transform(test.Views);
        var z = loaded.Transform(test.Views);
        MultiviewOutput whole;
        using (no_grad())
            whole = loaded.Forward(test.Views.Select(v => Representations.Slice(v, 0, v.Rows)).ToArray());
        for (int m = 0; m < 2; m++)
        {
            Assert.Equal(new long[] { test.Count, K }, z.Common[m].shape);
            Assert.Equal(new long[] { test.Count, r }, z.Individual[m].shape);
            Assert.Equal(ScalarType.Float64, z.Common[m].dtype);
            Assert.True(z.Common[m].isfinite().all().item<bool>(), $"{kind}: non-finite common variates");
            Assert.True((z.Common[m] - fitted.Common[m]).abs().max().item<double>() <= 1e-12, $"{kind}: loaded common ≠ fitted");
            Assert.True(r == 0 || (z.Individual[m] - fitted.Individual[m]).abs().max().item<double>() <= 1e-12, $"{kind}: loaded individual ≠ fitted");
            Assert.True((z.Common[m] - whole.Common[m].cpu()).abs().max().item<double>() <= 1e-12, $"{kind}: batched ≠ one forward pass");
        }
        Assert.Equal(Enumerable.Repeat(r, 2), loaded.IndividualDims);

        // Scores: one value per row, finite.
        var scores = Scores.Compute(loaded, test.Views, Score.Standard(2));
        Assert.Equal(3, scores.Length);
        Assert.All(scores, s => Assert.Equal(test.Count, s.Length));
        Assert.All(scores.SelectMany(s => s), v => Assert.True(double.IsFinite(v), $"{kind}: non-finite score"));

        // Explain: maps of the input's shape.
        string explainDir = TestPaths.NewTempDir();
        var explained = Explainer.Run(loaded, test, data.Subset(Split.Train), new ExplainOptions { SampleCount = 3, Seed = 2 }, explainDir);
        Assert.NotEmpty(explained.Maps);
        foreach (var map in explained.Maps)
        {
            Assert.Equal(3, map.Rows);
            for (int m = 0; m < 2; m++)
            {
                Assert.Equal(3 * data.Views[m].Cols, map.Maps[m].Length);
                Assert.All(map.Maps[m], v => Assert.True(double.IsFinite(v)));
            }
            Assert.Contains(map.Maps.SelectMany(x => x), v => v != 0);
        }
        Assert.True(File.Exists(Path.Combine(explainDir, "explain.png")));

        // Evaluate: k test correlations, leakage and probes.
        var metrics = ModelEvaluation.Evaluate(loaded, data);
        Assert.Equal(K, metrics.TestCorrelations.Count);
        Assert.All(metrics.TestCorrelations, c => Assert.InRange(c, -1.0, 1.0));
        Assert.NotEmpty(metrics.Leakage);
        Assert.NotEmpty(metrics.Probes);
        Assert.Equal(test.Count, metrics.Split.Test);
    }
}

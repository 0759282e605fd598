using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Evaluation;
using Mucmm.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Evaluation;

/// <summary>Issue 14: the evaluation protocol with M = 3 views.</summary>
public class ThreeViewEvaluationTests
{
    /// <summary>
    /// Oracle: the definitions in docs/evaluation.md and the generator's ground truth. On a three-view synthetic set
    /// (widths 8, 7, 9, k = 2 shared latents, r = 2 per view, σ = 0.3, 2,000 rows) with a linear MUCMM model:
    /// (1) each test correlation is the mean of its three per-pair figures (1e-12); (2) the linear model's common
    /// variates already are multiset canonical variates, so the re-fit on train changes them only through the ridge:
    /// the figures equal the directly computed mean over the pairs of corr_test(c_aᵢ, c_bᵢ) to 0.01; (3) probes carry a
    /// figure from every view's common variates, <c>common1</c> = <c>common</c>, and each view's common variates
    /// predict a shared latent (factor <c>common1</c>, R² ≥ 0.9; the best linear read-out has R² = 9/(9 + σ²) ≈ 0.99)
    /// while its individual variates do not (R² ≤ 0.1); (4) metrics.json written and read back gives the same figures.
    /// A two-view evaluation has neither per-pair figures nor per-view common probes (its metrics.json is unchanged).
    /// </summary>
    [Fact]
    public void Three_view_evaluation_uses_multiset_test_correlations_and_probes_every_view()
    {
        using var scope = NewDisposeScope();
        var (data, _) = SyntheticDataset.Generate(new SyntheticOptions
        {
            Samples = 2000, Dims = [8, 7, 9], CommonDim = 2, IndividualDims = [2, 2, 2], Noise = 0.3, Seed = 7,
        });
        var model = LinearMucmm.Fit(data.Subset(Split.Train).Views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var result = ModelEvaluation.Evaluate(model, data);
        var pairs = result.PairwiseTestCorrelations!;
        Assert.Equal(["view1_view2", "view1_view3", "view2_view3"], pairs.Keys.ToArray());
        Assert.Equal(2, result.TestCorrelations.Count);
        var test = data.Subset(Split.Test);
        var c = model.Forward(test.Views.Select(v => tensor(v.Data, [v.Rows, v.Cols], dtype: float64)).ToArray()).Common;
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(pairs.Values.Average(p => p[i]), result.TestCorrelations[i], 12);
            double direct = 0;
            foreach (var (a, b) in new[] { (0, 1), (0, 2), (1, 2) })
            {
                var x = c[a][.., i] - c[a][.., i].mean();
                var y = c[b][.., i] - c[b][.., i].mean();
                direct += ((x * y).sum() / (x.square().sum() * y.square().sum()).sqrt()).item<double>() / 3;
            }
            Assert.True(Math.Abs(direct - result.TestCorrelations[i]) < 0.01, $"variate {i + 1}: {result.TestCorrelations[i]} vs direct {direct}");
        }

        var probe = result.Probes.Single(p => p.Target == "common1");
        Assert.Equal(3, probe.CommonByView!.Count);
        Assert.Equal(probe.Common, probe.CommonByView[0]);
        Assert.All(probe.CommonByView, r2 => Assert.True(r2 >= 0.9, $"common R² {r2}"));
        Assert.All(probe.Individual, r2 => Assert.True(r2 <= 0.1, $"individual R² {r2}"));

        string path = Path.Combine(TestPaths.NewTempDir(), "metrics.json");
        result.Write(path);
        var back = EvaluationResult.Read(path);
        Assert.Equal(result.TestCorrelations, back.TestCorrelations);
        Assert.Equal(pairs.Keys, back.PairwiseTestCorrelations!.Keys);
        foreach (var (key, values) in pairs) Assert.Equal(values, back.PairwiseTestCorrelations[key]);
        Assert.Equal(probe.CommonByView, back.Probes.Single(p => p.Target == "common1").CommonByView);

        var two = new PairedDataset("two", data.Views.Take(2).ToArray(), data.Splits, factors: data.Factors);
        var twoModel = LinearMucmm.Fit(two.Subset(Split.Train).Views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var twoResult = ModelEvaluation.Evaluate(twoModel, two);
        Assert.Null(twoResult.PairwiseTestCorrelations);
        Assert.All(twoResult.Probes, p => Assert.Null(p.CommonByView));
        Assert.DoesNotContain("pairwise_correlations", twoResult.ToJson().ToJsonString());
    }
}

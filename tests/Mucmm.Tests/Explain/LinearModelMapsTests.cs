using Mucmm.Evaluation;
using Mucmm.Explain;
using Mucmm.Linear;
using Mucmm.Tests.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class LinearModelMapsTests
{
    private static double MaxAbsDiff(double[] a, Tensor b)
    {
        var e = b.contiguous().data<double>().ToArray();
        Assert.Equal(e.Length, a.Length);
        return a.Zip(e, (p, q) => Math.Abs(p - q)).Max();
    }

    /// <summary>
    /// Oracle: the closed-form score gradients of docs/method.md §5 as implemented in
    /// <see cref="LinearScores"/> (A₁c₂, (2/r₁)L₁u₁, and the constant directions of single variates).
    /// Autograd maps through <see cref="LinearModel.Forward"/> must equal them to 1e-10 (float64), the
    /// issue's bound; the mean common score over the training rows equals Σρᵢ of the training data (to 1e-8,
    /// the variates are standardized with divisor n).
    /// </summary>
    [Fact]
    public void AutogradMapsOfALinearModelEqualTheAnalyticGradients()
    {
        using var scope = NewDisposeScope();
        var data = SyntheticLinear.Generate(2000, seed: 5);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 3, IndividualDim = 2 });
        var rows = Enumerable.Range(0, 12).ToArray();
        var x1 = Representations.Rows(data.X1, rows);
        var x2 = Representations.Rows(data.X2, rows);

        var common = Attributions.Compute(model, Score.Common, [x1, x2]);
        var (g1, g2) = LinearScores.CommonGradients(model, x1, x2);
        Assert.True(MaxAbsDiff(common.Maps[0], g1) < 1e-10);
        Assert.True(MaxAbsDiff(common.Maps[1], g2) < 1e-10);

        for (int m = 0; m < 2; m++)
        {
            var ind = Attributions.Compute(model, Score.Individual(m + 1), [x1, x2]);
            Assert.True(MaxAbsDiff(ind.Maps[m], LinearScores.IndividualGradient(model, m, m == 0 ? x1 : x2)) < 1e-10);
            Assert.All(ind.Maps[1 - m], v => Assert.Equal(0.0, v));
        }

        var c12 = Attributions.Compute(model, Score.Parse("common1:2", model), [x1, x2]);
        Assert.True(MaxAbsDiff(c12.Maps[0], LinearScores.CommonVariateGradient(model, 0, 1).unsqueeze(0).expand(12, -1)) < 1e-10);
        var u21 = Attributions.Compute(model, Score.Parse("individual2:1", model), [x1, x2]);
        Assert.True(MaxAbsDiff(u21.Maps[1], LinearScores.IndividualVariateGradient(model, 1, 0).unsqueeze(0).expand(12, -1)) < 1e-10);

        var scores = Scores.Compute(model, [data.X1, data.X2], [Score.Common, Score.Individual(1)]);
        Assert.Equal(model.CanonicalCorrelations.Take(3).Sum(), scores[0].Average(), 8);
        Assert.Equal(1.0, scores[1].Average(), 8);
    }
}

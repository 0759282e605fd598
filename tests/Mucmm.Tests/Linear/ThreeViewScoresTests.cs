using Mucmm.Data.Datasets;
using Mucmm.Explain;
using Mucmm.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

/// <summary>Issue 14: the scores of a linear MUCMM model of three views and their closed-form gradients.</summary>
public class ThreeViewScoresTests
{
    private static readonly Lazy<(LinearModel Model, Tensor[] X)> Fitted = new(() =>
    {
        var (data, _) = SyntheticDataset.Generate(new SyntheticOptions
        {
            Samples = 600, Dims = [7, 6, 8], CommonDim = 2, IndividualDims = [2, 2, 2], Noise = 0.5, Seed = 11,
        });
        var model = LinearMucmm.Fit(data.Views, new LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var x = data.Views.Select(v => tensor(v.Data, [v.Rows, v.Cols], dtype: float64).narrow(0, 0, 40).clone().DetachFromDisposeScope()).ToArray();
        return (model, x);
    });

    /// <summary>
    /// Oracle: the definitions (docs/explain.md, docs/method.md §5) — the common score of M = 3 views is the mean over
    /// the 3 pairs, S_c = (1/3) Σ_{a&lt;b} Σᵢ c_aᵢ c_bᵢ, with ∂S_c/∂xₘ = (1/3) Aₘ Σ_{b≠m} c_b, and S_uᵐ = (1/rₘ) Σᵢ uₘᵢ²
    /// with ∂S_uᵐ/∂xₘ = (2/rₘ) Lₘ uₘ. Checked three ways: <see cref="LinearScores"/>' closed form equals autograd of
    /// <see cref="Score.Evaluate"/> through <see cref="LinearModel.Forward"/> (1e-10, float64), equals central finite
    /// differences on 5 coordinates of each view of 3 rows (step 1e-3; S is quadratic in x, so the central difference
    /// is exact up to rounding: relative tolerance 1e-7), and the score values equal the explicit pair sum (1e-12).
    /// The individual score of view 3 does not depend on views 1 and 2 (autograd gradient exactly 0).
    /// </summary>
    [Fact]
    public void Three_view_score_gradients_equal_autograd_and_finite_differences()
    {
        using var scope = NewDisposeScope();
        var (model, xAll) = Fitted.Value;
        Assert.Equal(3, model.ViewCount);
        var x = xAll.Select(t => t.clone().requires_grad_(true)).ToArray();
        Score.Common.Evaluate(model.Forward(x)).sum().backward();
        var closed = LinearScores.CommonGradients(model, xAll);
        for (int m = 0; m < 3; m++)
            Assert.True((x[m].grad! - closed[m]).abs().max().item<double>() < 1e-10, $"view {m + 1}");

        // Values: the helper equals the explicit mean over the pairs.
        var c = model.Forward(xAll).Common;
        var explicitMean = ((c[0] * c[1]).sum(1) + (c[0] * c[2]).sum(1) + (c[1] * c[2]).sum(1)) / 3;
        Assert.True((LinearScores.Common(model, xAll) - explicitMean).abs().max().item<double>() < 1e-12);
        Assert.True((Score.Common.Evaluate(model.Forward(xAll)) - explicitMean).abs().max().item<double>() < 1e-12);

        // Central finite differences of S_c on a few coordinates.
        const double h = 1e-3;
        for (int m = 0; m < 3; m++)
            for (int row = 0; row < 3; row++)
                for (int j = 0; j < 5; j++)
                {
                    var plus = xAll.Select(t => t.narrow(0, row, 1).clone()).ToArray();
                    var minus = xAll.Select(t => t.narrow(0, row, 1).clone()).ToArray();
                    plus[m][0, j] += h;
                    minus[m][0, j] -= h;
                    double fd = (LinearScores.Common(model, plus).item<double>() - LinearScores.Common(model, minus).item<double>()) / (2 * h);
                    double want = closed[m][row, j].item<double>();
                    Assert.True(Math.Abs(fd - want) <= 1e-7 * Math.Max(1, Math.Abs(want)), $"view {m + 1}, row {row}, column {j}: {fd} vs {want}");
                }

        // Individual score of view 3: closed form vs autograd; no dependence on the other views.
        var y = xAll.Select(t => t.clone().requires_grad_(true)).ToArray();
        Score.Individual(3).Evaluate(model.Forward(y)).sum().backward();
        Assert.True((y[2].grad! - LinearScores.IndividualGradient(model, 2, xAll[2])).abs().max().item<double>() < 1e-10);
        Assert.True(y[0].grad is null || y[0].grad!.abs().max().item<double>() == 0);
        Assert.True(y[1].grad is null || y[1].grad!.abs().max().item<double>() == 0);
        Assert.True((LinearScores.Individual(model, 2, xAll[2]) - model.Forward(xAll).Individual[2].square().mean([1])).abs().max().item<double>() < 1e-12);
        Assert.Throws<MucmmUserException>(() => LinearScores.Individual(model, 3, xAll[2]));
    }
}

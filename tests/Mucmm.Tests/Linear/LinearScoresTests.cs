using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

public class LinearScoresTests
{
    private static readonly Lazy<(LinearModel Model, Tensor X1, Tensor X2)> Fitted = new(() =>
    {
        var (x, y) = CanonicalCorrelationTests.RandomPair(400, 9, 7, seed: 21);
        var model = LinearMucmm.Fit(new[] { x, y }, new LinearOptions { CommonDim = 3, IndividualDim = 2 });
        return (model,
            LinearAlgebra.FromArray(x.Data, x.Rows, x.Cols).DetachFromDisposeScope(),
            LinearAlgebra.FromArray(y.Data, y.Rows, y.Cols).DetachFromDisposeScope());
    });

    /// <summary>
    /// Oracle: autograd through <see cref="LinearModel.Forward"/> of the scores as docs/method.md §5
    /// defines them (S_c = Σᵢ c₁ᵢc₂ᵢ, S_u^m = (1/rₘ)Σᵢ uₘᵢ²), on float64 inputs. The analytic gradients
    /// A₁c₂, A₂c₁ and (2/r)Lu agree to 1e-10; S_u¹ does not depend on x₂ (autograd gradient exactly 0).
    /// </summary>
    [Fact]
    public void AnalyticGradientsEqualAutograd()
    {
        using var scope = NewDisposeScope();
        var (model, x1All, x2All) = Fitted.Value;
        var x1 = x1All.narrow(0, 0, 50).clone().requires_grad_(true);
        var x2 = x2All.narrow(0, 0, 50).clone().requires_grad_(true);

        var o = model.Forward(new[] { x1, x2 });
        (o.Common[0] * o.Common[1]).sum().backward();   // rows are independent: d(Σ_j S_c(j))/dx(j) = dS_c(j)/dx(j)
        var (g1, g2) = LinearScores.CommonGradients(model, x1.detach(), x2.detach());
        Assert.True((x1.grad! - g1).abs().max().item<double>() < 1e-10);
        Assert.True((x2.grad! - g2).abs().max().item<double>() < 1e-10);

        for (int m = 0; m < 2; m++)
        {
            var a = x1.detach().clone().requires_grad_(true);
            var b = x2.detach().clone().requires_grad_(true);
            var u = model.Forward(new[] { a, b }).Individual[m];
            (u.square().sum(1) / model.IndividualDims[m]).sum().backward();
            var own = m == 0 ? a : b;
            var other = m == 0 ? b : a;
            var analytic = LinearScores.IndividualGradient(model, m, own.detach());
            Assert.True((own.grad! - analytic).abs().max().item<double>() < 1e-10);
            Assert.True(other.grad is null || other.grad.abs().max().item<double>() == 0);
        }

        // Score values: analytic helpers equal the definitions on Forward's outputs.
        var plain = model.Forward(new[] { x1.detach(), x2.detach() });
        Assert.True((LinearScores.Common(model, x1.detach(), x2.detach()) - (plain.Common[0] * plain.Common[1]).sum(1)).abs().max().item<double>() < 1e-12);
        Assert.True((LinearScores.Individual(model, 1, x2.detach()) - plain.Individual[1].square().sum(1) / 2).abs().max().item<double>() < 1e-12);
    }

    /// <summary>
    /// Oracle: autograd of a single variate equals its constant analytic gradient (the direction aᵢ or
    /// loading lᵢ), to 1e-12, for float32 inputs too (the model converts to float64 inside the graph).
    /// </summary>
    [Fact]
    public void SingleVariateGradientsAreTheDirections()
    {
        using var scope = NewDisposeScope();
        var (model, x1All, x2All) = Fitted.Value;
        var x1 = x1All.narrow(0, 0, 5).to(float32).requires_grad_(true);
        var x2 = x2All.narrow(0, 0, 5).to(float32);
        var o = model.Forward(new[] { x1, x2 });
        Assert.Equal(ScalarType.Float64, o.Common[0].dtype);
        o.Common[0].select(1, 2).sum().backward();
        var want = LinearScores.CommonVariateGradient(model, 0, 2).to(float32).unsqueeze(0).expand(5, -1);
        Assert.True((x1.grad! - want).abs().max().item<float>() < 1e-6);   // float32 gradient of a float64 graph

        var y1 = x1All.narrow(0, 0, 5).clone().requires_grad_(true);
        model.Forward(new[] { y1, x2All.narrow(0, 0, 5) }).Individual[0].select(1, 1).sum().backward();
        var wantU = LinearScores.IndividualVariateGradient(model, 0, 1).unsqueeze(0);
        Assert.True((y1.grad! - wantU).abs().max().item<double>() < 1e-12);
        Assert.Throws<MucmmUserException>(() => LinearScores.CommonVariateGradient(model, 0, 3));
        Assert.Throws<MucmmUserException>(() => LinearScores.IndividualVariateGradient(model, 1, 2));
    }

    /// <summary>
    /// Oracle: docs/method.md §5 — ∇ₓ₁S_c lies in the span of view 1's common directions and ∇ₓ₁S_u¹ in the
    /// span of view 1's individual loadings: the component outside the span (least-squares residual) is
    /// below 1e-10 of the gradient's norm for every sample, while the other span does not contain them
    /// (residual &gt; 1e-3 of the norm, so the test can fail).
    /// </summary>
    [Fact]
    public void GradientsLieInTheirSpans()
    {
        using var scope = NewDisposeScope();
        var (model, x1, x2) = Fitted.Value;
        var (g1, _) = LinearScores.CommonGradients(model, x1.narrow(0, 0, 30), x2.narrow(0, 0, 30));
        var gu = LinearScores.IndividualGradient(model, 0, x1.narrow(0, 0, 30));
        double Outside(Tensor grads, Tensor basis)
        {
            var q = LinearAlgebra.Orthonormalize(basis);
            var residual = grads - grads.matmul(q).matmul(q.t());
            return (residual.norm(1) / grads.norm(1)).max().item<double>();
        }
        Assert.True(Outside(g1, model.CommonDirections(0)) < 1e-10);
        Assert.True(Outside(gu, model.IndividualLoadings(0)) < 1e-10);
        Assert.True(Outside(g1, model.IndividualLoadings(0)) > 1e-3);
        Assert.True(Outside(gu, model.CommonDirections(0)) > 1e-3);
    }

    /// <summary>
    /// Oracle: docs/method.md §5 — over the training set the mean common score is Σᵢ ρᵢ (i ≤ k) and the
    /// mean individual score is 1 (exact with our unit-mean-square standardization; tolerance 1e-10).
    /// </summary>
    [Fact]
    public void TrainingMeansOfScoresAreSumOfCorrelationsAndOne()
    {
        using var scope = NewDisposeScope();
        var (model, x1, x2) = Fitted.Value;
        double meanCommon = LinearScores.Common(model, x1, x2).mean().item<double>();
        Assert.True(Math.Abs(meanCommon - model.CanonicalCorrelations.Take(3).Sum()) < 1e-10);
        Assert.True(Math.Abs(LinearScores.Individual(model, 0, x1).mean().item<double>() - 1) < 1e-10);
        Assert.True(Math.Abs(LinearScores.Individual(model, 1, x2).mean().item<double>() - 1) < 1e-10);
    }
}

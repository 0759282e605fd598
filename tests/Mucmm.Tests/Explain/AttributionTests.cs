using Mucmm.Explain;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class AttributionTests
{
    private static (Tensor x1, Tensor x2) Inputs(int n, int seed, int d1 = 5, int d2 = 4)
    {
        var g = new TorchSharp.torch.Generator((ulong)seed);
        return (randn(n, d1, dtype: float64, generator: g), randn(n, d2, dtype: float64, generator: g));
    }

    private static double MaxAbsDiff(ReadOnlySpan<double> a, Tensor b)
    {
        var e = b.contiguous().data<double>().ToArray();
        Assert.Equal(e.Length, a.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - e[i]));
        return m;
    }

    /// <summary>
    /// Oracle: closed form (docs/method.md §5, linear setting, row-vector convention c_m = x_m A_m,
    /// u_m = x_m W_m): ∇_{x₁} S_c = A₁ c₂, ∇_{x₂} S_c = A₂ c₁, ∇_{x₁} S_u¹ = (2/r₁) W₁ u₁, ∇_{x₂} S_u¹ = 0.
    /// Tolerance 1e-12 (float64).
    /// </summary>
    [Fact]
    public void GradientsOfALinearModelEqualTheAnalyticGradients()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([5, 4], 3, [2, 2], seed: 2);
        var (x1, x2) = Inputs(7, 11);
        var c1 = x1.matmul(model.A[0]);
        var c2 = x2.matmul(model.A[1]);
        var u1 = x1.matmul(model.W[0]);

        var common = Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { BatchSize = 3 });
        Assert.True(MaxAbsDiff(common.Maps[0], c2.matmul(model.A[0].T)) < 1e-12);
        Assert.True(MaxAbsDiff(common.Maps[1], c1.matmul(model.A[1].T)) < 1e-12);
        Assert.True(MaxAbsDiff(common.Values, (c1 * c2).sum([1])) < 1e-12);

        var ind = Attributions.Compute(model, Score.Individual(1), [x1, x2]);
        Assert.True(MaxAbsDiff(ind.Maps[0], u1.matmul(model.W[0].T) * (2.0 / 2)) < 1e-12);
        Assert.All(ind.Maps[1], v => Assert.Equal(0.0, v));

        var gxi = Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.GradientTimesInput });
        Assert.True(MaxAbsDiff(gxi.Maps[0], c2.matmul(model.A[0].T) * x1) < 1e-12);
    }

    /// <summary>
    /// Oracle: closed form. S_c of a linear model is a homogeneous quadratic in x = (x₁, x₂), so with
    /// a zero baseline ∇S(αx) = α∇S(x) and IG = x ⊙ ∇S(x)/2 exactly; with any baseline the
    /// path integrand is linear in α, so a 2-node Gauss–Legendre rule is exact and the completeness
    /// error Σ IG − (S(x) − S(x′)) vanishes. Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void IntegratedGradientsOfAQuadraticScoreAreExact()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([5, 4], 3, [2, 2], seed: 3);
        var (x1, x2) = Inputs(6, 12);
        var ig = Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.IntegratedGradients, IntegratedGradientsSteps = 2 });
        var c1 = x1.matmul(model.A[0]);
        var c2 = x2.matmul(model.A[1]);
        Assert.True(MaxAbsDiff(ig.Maps[0], x1 * c2.matmul(model.A[0].T) / 2) < 1e-12);
        Assert.True(MaxAbsDiff(ig.Maps[1], x2 * c1.matmul(model.A[1].T) / 2) < 1e-12);
        Assert.All(ig.BaselineValues!, v => Assert.Equal(0.0, v, 12));
        Assert.All(ig.CompletenessErrors!, e => Assert.True(Math.Abs(e) < 1e-12));

        var (b1, b2) = Inputs(1, 13);
        var withBaseline = Attributions.Compute(model, Score.Individual(2), [x1, x2],
            new AttributionOptions { Method = AttributionMethod.IntegratedGradients, IntegratedGradientsSteps = 2 }, [b1, b2]);
        Assert.All(withBaseline.CompletenessErrors!, e => Assert.True(Math.Abs(e) < 1e-12));
        Assert.True(withBaseline.MaxRelativeCompletenessError < 1e-10);
    }

    /// <summary>
    /// Oracle: completeness (Sundararajan et al. 2017, axiom): Σ IG = S(x) − S(x′). With the default
    /// steps (256 Gauss–Legendre nodes) the relative error must stay under 1 % (the bound) on
    /// smooth (tanh) and piecewise-linear (ReLU) two-layer models, for the common and an individual score.
    /// </summary>
    [Theory]
    [InlineData(FixedModel.Encoder.Tanh)]
    [InlineData(FixedModel.Encoder.Relu)]
    public void DefaultIntegratedGradientsAreComplete(FixedModel.Encoder encoder)
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([20, 12], 4, [3, 3], seed: 4, encoder: encoder, hidden: 32);
        var (x1, x2) = Inputs(16, 14, 20, 12);
        foreach (var score in new[] { Score.Common, Score.Individual(1) })
        {
            var ig = Attributions.Compute(model, score, [3 * x1, 3 * x2], new AttributionOptions { Method = AttributionMethod.IntegratedGradients });
            Assert.True(ig.MaxRelativeCompletenessError < 0.01, $"{encoder} {score}: relative completeness error {ig.MaxRelativeCompletenessError}");
        }
    }

    /// <summary>
    /// Oracle: closed form. For a single common variate of a linear model the gradient is the constant
    /// column A₁[:, i], so SmoothGrad (mean gradient over noisy copies) equals it for any noise level;
    /// with noise 0 SmoothGrad equals the plain gradient of any model. Tolerance 1e-12. Same seed, same maps.
    /// </summary>
    [Fact]
    public void SmoothGradAgreesWithClosedFormsAndIsDeterministic()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([5, 4], 3, [2, 2], seed: 5);
        var (x1, x2) = Inputs(4, 15);
        var variate = Score.Parse("common1:2", model);
        var sg = Attributions.Compute(model, variate, [x1, x2], new AttributionOptions { Method = AttributionMethod.SmoothGrad, SmoothGradSamples = 7 });
        var column = model.A[0][.., 1].unsqueeze(0).expand(4, -1);
        Assert.True(MaxAbsDiff(sg.Maps[0], column) < 1e-12);

        var tanh = new FixedModel([5, 4], 3, [2, 2], seed: 6, encoder: FixedModel.Encoder.Tanh);
        var noiseless = Attributions.Compute(tanh, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.SmoothGrad, SmoothGradNoise = 0 });
        var plain = Attributions.Compute(tanh, Score.Common, [x1, x2]);
        Assert.True(MaxAbsDiff(noiseless.Maps[0], tensor(plain.Maps[0], dtype: float64)) < 1e-12);

        var a = Attributions.Compute(tanh, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.SmoothGrad, Seed = 9 });
        var b = Attributions.Compute(tanh, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.SmoothGrad, Seed = 9 });
        Assert.Equal(a.Maps[0], b.Maps[0]);
        Assert.NotEqual(a.Maps[0], plain.Maps[0]);
    }

    [Fact]
    public void BadInputsAreUserErrors()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([5, 4], 3, [2, 2], seed: 5);
        var (x1, x2) = Inputs(4, 15);
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1]));
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x2, x1]));
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { SmoothGradSamples = 0 }));
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1, x2],
            new AttributionOptions { Method = AttributionMethod.IntegratedGradients }, [zeros(1, 4, dtype: float64), zeros(1, 4, dtype: float64)]));
        Assert.Throws<MucmmUserException>(() => AttributionOptions.ParseMethod("saliency"));
    }

    /// <summary>Oracle: Gauss–Legendre exactness. n nodes integrate x^(2n−1) exactly (∫₀¹ = 1/(2n)); the 3-node rule has nodes 1/2 ± √15/10 and weights 5/18, 8/18, 5/18. Tolerance 1e-14.</summary>
    [Fact]
    public void GaussLegendreIsExactForPolynomials()
    {
        var (x3, w3) = GaussLegendre.OnUnitInterval(3);
        Assert.Equal(0.5 - Math.Sqrt(15) / 10, x3[0], 14);
        Assert.Equal(0.5, x3[1], 14);
        Assert.Equal(8.0 / 18, w3[1], 14);
        Assert.Equal(5.0 / 18, w3[2], 14);
        foreach (int n in new[] { 1, 2, 5, 16, 64 })
        {
            var (x, w) = GaussLegendre.OnUnitInterval(n);
            Assert.Equal(1.0, w.Sum(), 13);
            double integral = x.Zip(w, (xi, wi) => wi * Math.Pow(xi, 2 * n - 1)).Sum();
            Assert.Equal(1.0 / (2 * n), integral, 13);
        }
    }
}

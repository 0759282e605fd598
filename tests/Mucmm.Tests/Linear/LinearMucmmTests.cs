using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

public class LinearMucmmTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Lazy<SyntheticLinear> Train = new(() => SyntheticLinear.Generate(20_000, seed: 1));
    private static readonly Lazy<SyntheticLinear> Test = new(() => SyntheticLinear.Generate(20_000, seed: 2));
    private static readonly Lazy<LinearModel> Model = new(() =>
        LinearMucmm.Fit(new[] { Train.Value.X1, Train.Value.X2 },
            new LinearOptions { CommonDim = 3, IndividualDim = 2, Permutations = 20, Seed = 7 }));

    private static Tensor T(View v) => LinearAlgebra.FromArray(v.Data, v.Rows, v.Cols);

    private static double MaxAngleDegrees(Tensor estimate, double[] truth, int d, int cols)
    {
        using var scope = NewDisposeScope();
        return LinearAlgebra.PrincipalAngles(estimate, LinearAlgebra.FromArray(truth, d, cols)).Max() * 180 / Math.PI;
    }

    /// <summary>
    /// Oracle: synthetic ground truth (<see cref="SyntheticLinear"/>: the common signal of view m lives in
    /// span(Qₘ), its individual signal in span(Rₘ); in the population both the common patterns
    /// cov(x, c) and the canonical weights span span(Qₘ), and the individual loadings and patterns span(Rₘ)).
    /// With n = 20,000 and the default ridge the largest principal angle of the estimated common subspace
    /// (patterns: the input-space span of the joint part) and of the individual loadings to the truth is
    /// under 2°. The canonical weights themselves are noisier (they weight low-variance noise directions
    /// up by (a² + σ²)/σ² ≈ 10): under 6°. The permutation test (20 permutations) finds exactly the K = 3
    /// correlated pairs; the training canonical correlations are within 0.01 of the population ρᵢ
    /// (sampling s.e. ≈ (1 − ρ²)/√n ≈ 0.002).
    /// </summary>
    [Fact]
    public void RecoversTrueCommonAndIndividualSubspaces()
    {
        using var scope = NewDisposeScope();
        var model = Model.Value;
        var truth = Train.Value;
        Assert.Equal(3, model.CorrelatedCount);
        Assert.NotNull(model.Threshold);
        Assert.InRange(model.Threshold!.Value, 0.01, 0.2);

        double c1 = MaxAngleDegrees(model.CommonPatterns(0), truth.Q1, SyntheticLinear.D1, 3);
        double c2 = MaxAngleDegrees(model.CommonPatterns(1), truth.Q2, SyntheticLinear.D2, 3);
        double u1 = MaxAngleDegrees(model.IndividualLoadings(0), truth.R1, SyntheticLinear.D1, 2);
        double u2 = MaxAngleDegrees(model.IndividualLoadings(1), truth.R2, SyntheticLinear.D2, 2);
        double p1 = MaxAngleDegrees(model.IndividualPatterns(0), truth.R1, SyntheticLinear.D1, 2);
        double w1 = MaxAngleDegrees(model.CommonDirections(0), truth.Q1, SyntheticLinear.D1, 3);
        double w2 = MaxAngleDegrees(model.CommonDirections(1), truth.Q2, SyntheticLinear.D2, 3);
        string all = $"largest principal angles: common patterns {c1:F3}°, {c2:F3}°, individual loadings {u1:F3}°, {u2:F3}°, individual pattern 1 {p1:F3}°, canonical weights {w1:F3}°, {w2:F3}°";
        output.WriteLine(all);
        Assert.True(c1 < 2 && c2 < 2 && u1 < 2 && u2 < 2 && p1 < 2, all);
        Assert.True(w1 < 6 && w2 < 6, all);

        var rho = SyntheticLinear.Rho;
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(model.CanonicalCorrelations[i] - rho[i]) < 0.01, $"ρ{i + 1} = {model.CanonicalCorrelations[i]} vs {rho[i]}");
        Assert.True(model.CanonicalCorrelations[3] < model.Threshold);
    }

    /// <summary>
    /// Oracle: synthetic ground truth. The JIVE-like variance split of each view equals the population
    /// fractions of <see cref="SyntheticLinear.Split"/> within 0.01, and the three parts sum to 1.
    /// </summary>
    [Fact]
    public void ExplainedVarianceSplitMatchesPopulation()
    {
        for (int m = 0; m < 2; m++)
        {
            var got = Model.Value.ExplainedVariance[m];
            var want = SyntheticLinear.Split(m);
            Assert.True(Math.Abs(got.Common - want.Common) < 0.01, $"view {m + 1} common {got.Common} vs {want.Common}");
            Assert.True(Math.Abs(got.Individual - want.Individual) < 0.01, $"view {m + 1} individual {got.Individual} vs {want.Individual}");
            Assert.True(Math.Abs(got.Residual - want.Residual) < 0.01, $"view {m + 1} residual {got.Residual} vs {want.Residual}");
            Assert.Equal(1.0, got.Common + got.Individual + got.Residual, 12);
        }
    }

    /// <summary>
    /// Oracle: the model's definition (individual ⟂ the other view and its own common part). On 20,000
    /// held-out samples, leakage = mean squared canonical correlation (ridge 0 CCA, Σρ²/r) of u₁ with x₂,
    /// u₂ with x₁, and uₘ with cₘ is under 0.01 (the chance floor for widths r and d is about d/n ≈ 0.0015).
    /// On the training set, uₘ and cₘ are exactly uncorrelated and every variate has unit mean square (1e-10).
    /// </summary>
    [Fact]
    public void IndividualVariatesDoNotLeakOnHeldOutData()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var model = Model.Value;
        var test = Test.Value;
        var x1 = T(test.X1);
        var x2 = T(test.X2);
        var o = model.Forward(new[] { x1, x2 });
        double Leak(Tensor u, Tensor other)
        {
            var cca = CanonicalCorrelation.Fit(CovarianceStats.FromTensors(new[] { u, other }), ridge: 0);
            return cca.Correlations.Sum(r => r * r) / u.shape[1];
        }
        double[] leaks = { Leak(o.Individual[0], x2), Leak(o.Individual[1], x1), Leak(o.Individual[0], o.Common[0]), Leak(o.Individual[1], o.Common[1]) };
        output.WriteLine($"leakage u1→x2 {leaks[0]:G3}, u2→x1 {leaks[1]:G3}, u1→c1 {leaks[2]:G3}, u2→c2 {leaks[3]:G3}");
        Assert.True(leaks.All(l => l < 0.01), $"leakage u1→x2 {leaks[0]:G3}, u2→x1 {leaks[1]:G3}, u1→c1 {leaks[2]:G3}, u2→c2 {leaks[3]:G3}");

        var train = Train.Value;
        var t = model.Forward(new[] { T(train.X1), T(train.X2) });
        for (int m = 0; m < 2; m++)
        {
            var z = cat(new[] { t.Common[m], t.Individual[m] }, 1);
            var gram = z.t().matmul(z) / z.shape[0];
            // unit mean squares; u ⟂ c exactly (the common block itself is only near-diagonal with a ridge)
            Assert.True((gram.diagonal() - 1).abs().max().item<double>() < 1e-10);
            Assert.True(gram.narrow(0, 0, 3).narrow(1, 3, 2).abs().max().item<double>() < 1e-10);
            Assert.True((gram.narrow(0, 3, 2).narrow(1, 3, 2) - eye(2, dtype: float64)).abs().max().item<double>() < 1e-10);
        }
    }

    /// <summary>
    /// Oracle: the in-memory fit. Fitting from statistics streamed in chunks of 999 rows and merged in two
    /// halves gives the same model (directions, loadings, correlations) to 1e-9.
    /// </summary>
    [Fact]
    public void StreamingFitEqualsInMemoryFit()
    {
        using var scope = NewDisposeScope();
        var train = Train.Value;
        var views = new[] { train.X1, train.X2 };
        var options = new LinearOptions { CommonDim = 3, IndividualDim = 2, Threshold = 0.1 };
        var inMemory = LinearMucmm.Fit(views, options);
        CovarianceStats Half(int start, int count)
        {
            using var acc = new CovarianceAccumulator(new[] { SyntheticLinear.D1, SyntheticLinear.D2 });
            for (int s = start; s < start + count; s += 999) acc.Add(views, s, Math.Min(999, start + count - s));
            return acc.ToStats();
        }
        var streamed = LinearMucmm.Fit(Half(0, 12_345).Merge(Half(12_345, 7_655)), options);
        Assert.Equal(inMemory.CorrelatedCount, streamed.CorrelatedCount);
        for (int i = 0; i < inMemory.CanonicalCorrelations.Count; i++)
            Assert.True(Math.Abs(inMemory.CanonicalCorrelations[i] - streamed.CanonicalCorrelations[i]) < 1e-9);
        for (int m = 0; m < 2; m++)
        {
            Assert.True((inMemory.CommonDirections(m) - streamed.CommonDirections(m)).abs().max().item<double>() < 1e-9);
            Assert.True((inMemory.IndividualLoadings(m) - streamed.IndividualLoadings(m)).abs().max().item<double>() < 1e-9);
        }
    }

    /// <summary>Plain CCA is the same model without individual parts: (n × 0) individual outputs, same common part.</summary>
    [Fact]
    public void CcaIsTheModelWithoutIndividualParts()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CanonicalCorrelationTests.RandomPair(300, 5, 4, seed: 11);
        var cca = LinearMucmm.Fit(new[] { x, y }, new LinearOptions { Kind = LinearModelKind.Cca, CommonDim = 2 });
        var mucmm = LinearMucmm.Fit(new[] { x, y }, new LinearOptions { CommonDim = 2, IndividualDim = 1 });
        Assert.Equal("cca", cca.Kind);
        Assert.Equal(new[] { 0, 0 }, cca.IndividualDims);
        var o = cca.Forward(new[] { T(x), T(y) });
        Assert.Equal(new long[] { 300, 0 }, o.Individual[0].shape);
        Assert.Equal(new long[] { 300, 2 }, o.Common[1].shape);
        Assert.True((cca.CommonDirections(0) - mucmm.CommonDirections(0)).abs().max().item<double>() < 1e-12);
        Assert.Equal(0, cca.ExplainedVariance[0].Individual);
    }

    /// <summary>Bad input: k larger than possible, r larger than what is left, 3 views, a permutation test without data.</summary>
    [Fact]
    public void ImpossibleDimensionsAreClearErrors()
    {
        var (x, y) = CanonicalCorrelationTests.RandomPair(300, 5, 4, seed: 12);
        var views = new[] { x, y };
        var ex = Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(views, new LinearOptions { CommonDim = 5 }));
        Assert.Contains("common dim k = 5 is not possible", ex.Message);
        Assert.Contains("min(d1, d2) = 4", ex.Message);
        Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(views, new LinearOptions { CommonDim = 0 }));
        var ex2 = Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(views, new LinearOptions { CommonDim = 2, IndividualDim = 3 }));
        Assert.Contains("individual dim r = 3 is not possible for view 2", ex2.Message);
        Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(new[] { x, y, y }, new LinearOptions { CommonDim = 1 }));
        var stats = CovarianceStats.FromViews(views);
        var ex3 = Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(stats, new LinearOptions { CommonDim = 1, IndividualDim = 1, Permutations = 10 }));
        Assert.Contains("in memory", ex3.Message);
        Assert.Throws<MucmmUserException>(() => LinearMucmm.Fit(stats, new LinearOptions { CommonDim = 1, IndividualDim = 1, Threshold = 1.5 }));
    }

    /// <summary>
    /// With a ridge, constant columns (like MNIST's border pixels) just work: the fit succeeds, the
    /// loadings give constant columns weight 0 (oracle: they carry no variance, so neither the CCA nor
    /// the residual PCA can use them), and all outputs are finite.
    /// </summary>
    [Fact]
    public void ConstantColumnsWorkWithRidge()
    {
        using var scope = NewDisposeScope();
        var (x, y) = CanonicalCorrelationTests.RandomPair(400, 8, 6, seed: 13);
        var data = (double[])x.Data.Clone();
        for (int i = 0; i < x.Rows; i++) { data[i * 8] = 0; data[i * 8 + 7] = 0; }
        var xc = new View("border", ViewKind.Vector, new[] { 8 }, data);
        var model = LinearMucmm.Fit(new[] { xc, y }, new LinearOptions { CommonDim = 2, IndividualDim = 3 });
        var a = model.CommonDirections(0);
        var l = model.IndividualLoadings(0);
        foreach (var w in new[] { a, l })
        {
            Assert.True(w[0].abs().max().item<double>() < 1e-12);
            Assert.True(w[7].abs().max().item<double>() < 1e-12);
        }
        var o = model.Forward(new[] { T(xc), T(y) });
        Assert.True(isfinite(o.Individual[0]).all().item<bool>());
    }
}

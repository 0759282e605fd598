using Mucmm.Deep.Objectives;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Objectives;

public class CorrelationTests
{
    /// <summary>
    /// Central finite differences (h = 1e-6, float64) of a scalar function of one input, compared with
    /// autograd on every entry. Tolerance: 1e-6 relative to max(1, |g|).
    /// </summary>
    internal static void GradCheck(Func<Tensor, Tensor> f, Tensor x0, double tol = 1e-6)
    {
        using var scope = NewDisposeScope();
        var x = x0.detach().clone().requires_grad_(true);
        f(x).backward();
        var g = x.grad!.detach().clone();
        var flat = x0.detach().clone().flatten();
        const double h = 1e-6;
        for (long i = 0; i < flat.shape[0]; i++)
        {
            using var inner = NewDisposeScope();
            double v = flat[i].item<double>();
            flat[i] = v + h;
            double fp = f(flat.reshape(x0.shape)).item<double>();
            flat[i] = v - h;
            double fm = f(flat.reshape(x0.shape)).item<double>();
            flat[i] = v;
            double fd = (fp - fm) / (2 * h);
            double an = g.flatten()[i].item<double>();
            Assert.True(Math.Abs(fd - an) <= tol * Math.Max(1, Math.Abs(an)), $"entry {i}: autograd {an}, finite difference {fd}");
        }
    }

    private static Tensor Correlated(int n, int a, int b, int seed, out Tensor other)
    {
        var g = new Generator((ulong)seed);
        var shared = randn(n, 2, dtype: float64, generator: g);
        var x = shared.matmul(randn(2, a, dtype: float64, generator: g)) + randn(n, a, dtype: float64, generator: g);
        other = shared.matmul(randn(2, b, dtype: float64, generator: g)) + randn(n, b, dtype: float64, generator: g);
        return x;
    }

    /// <summary>Oracle: central finite differences (float64). Both inputs of R2 and R1, ridge 1e-3 and 0.</summary>
    [Theory]
    [InlineData(CorrelationMeasure.R2, 1e-3)]
    [InlineData(CorrelationMeasure.R2, 0.0)]
    [InlineData(CorrelationMeasure.R1, 1e-3)]
    [InlineData(CorrelationMeasure.R1, 0.0)]
    public void MeasureGradientsMatchFiniteDifferences(CorrelationMeasure measure, double ridge)
    {
        using var scope = NewDisposeScope();
        var a = Correlated(15, 3, 4, 7, out var b);
        GradCheck(x => Correlation.Measure(measure, x, b, ridge), a);
        GradCheck(y => Correlation.Measure(measure, a, y, ridge), b);
    }

    /// <summary>
    /// Oracle: closed-form CCA by a different route — symmetric inverse square roots from eigh of the same
    /// ridged covariances, then the singular values ρ of T = S_AA^(−1/2) S_AB S_BB^(−1/2).
    /// R2 must equal Σρ² and R1 Σρ to 1e-10.
    /// </summary>
    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.0)]
    public void MeasuresEqualClosedFormCanonicalCorrelations(double ridge)
    {
        using var scope = NewDisposeScope();
        var a = Correlated(200, 5, 3, 11, out var b);
        var rho = ClosedFormCanonicalCorrelations(a, b, ridge);
        Assert.Equal(rho.square().sum().item<double>(), Correlation.R2(a, b, ridge).item<double>(), 10);
        Assert.Equal(rho.sum().item<double>(), Correlation.R1(a, b, ridge).item<double>(), 10);
        Assert.Equal(new R2Correlation(ridge).call(a, b).item<double>(), Correlation.R2(a, b, ridge).item<double>(), 12);
        Assert.Equal(new R1Correlation(ridge).call(a, b).item<double>(), Correlation.R1(a, b, ridge).item<double>(), 12);
    }

    internal static Tensor ClosedFormCanonicalCorrelations(Tensor a, Tensor b, double ridge)
    {
        using var scope = NewDisposeScope();
        long n = a.shape[0];
        var ac = a - a.mean([0], keepdim: true);
        var bc = b - b.mean([0], keepdim: true);
        Tensor InvSqrt(Tensor s)
        {
            var d = s.shape[0];
            var r = s + eye(d, dtype: float64) * (ridge * s.trace().item<double>() / d);
            var (w, v) = linalg.eigh(r);
            return v.matmul(diag(w.rsqrt())).matmul(v.t());
        }
        var t = InvSqrt(ac.t().matmul(ac) / (n - 1)).matmul(ac.t().matmul(bc) / (n - 1)).matmul(InvSqrt(bc.t().matmul(bc) / (n - 1)));
        return linalg.svdvals(t).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Oracle: the definition — the relative ridge makes every measure invariant to rescaling either input by
    /// a positive scalar and to any invertible linear map of its columns with ridge 0. Tolerance 1e-10.
    /// </summary>
    [Theory]
    [InlineData(CorrelationMeasure.R2)]
    [InlineData(CorrelationMeasure.R1)]
    public void MeasuresAreInvariantToRescalingTheirInputs(CorrelationMeasure measure)
    {
        using var scope = NewDisposeScope();
        var a = Correlated(100, 4, 3, 3, out var b);
        double r = Correlation.Measure(measure, a, b).item<double>();
        Assert.Equal(r, Correlation.Measure(measure, a * 1e4, b).item<double>(), 10);
        Assert.Equal(r, Correlation.Measure(measure, a, b * 1e-5).item<double>(), 10);
        Assert.Equal(r, Correlation.Measure(measure, a * 37, b * 0.01 + 5).item<double>(), 10);
        // float32 inputs are computed in float64 too.
        Assert.Equal(r, Correlation.Measure(measure, a.to(float32), b.to(float32)).item<double>(), 5);
        // Ridge 0: invariant to any invertible map of the columns.
        var m = randn(4, 4, dtype: float64, generator: new Generator(5)) + 3 * eye(4, dtype: float64);
        Assert.Equal(Correlation.Measure(measure, a, b, 0).item<double>(),
            Correlation.Measure(measure, a.matmul(m), b, 0).item<double>(), 9);
    }

    /// <summary>
    /// Degenerate batches. Oracle: the definition — a constant column has zero variance, so with ridge > 0
    /// the loss and gradient stay finite; an all-constant matrix carries no correlation (exactly 0);
    /// with ridge 0 a singular covariance is a clear <see cref="MucmmUserException"/>; NaN never appears.
    /// </summary>
    [Theory]
    [InlineData(CorrelationMeasure.R2)]
    [InlineData(CorrelationMeasure.R1)]
    public void DegenerateBatchesGiveFiniteLossesOrClearErrors(CorrelationMeasure measure)
    {
        using var scope = NewDisposeScope();
        var a = Correlated(50, 4, 3, 2, out var b);
        var constantColumn = a.clone();
        constantColumn[.., 1] = 3.0;
        var rankDeficient = cat([a[.., ..2], a[.., ..2].sum([1], keepdim: true), a[.., ..1] * 2], 1);
        var allConstant = ones(50, 4, dtype: float64);
        foreach (var x in new[] { constantColumn, rankDeficient, allConstant })
        {
            var xg = x.clone().requires_grad_(true);
            var r = Correlation.Measure(measure, xg, b);
            r.backward();
            Assert.True(double.IsFinite(r.item<double>()), "loss must be finite");
            Assert.True(xg.grad!.isfinite().all().item<bool>(), "gradient must be finite");
        }
        Assert.Equal(0.0, Correlation.Measure(measure, allConstant, b).item<double>(), 12);
        var ex = Assert.Throws<MucmmUserException>(() => Correlation.Measure(measure, constantColumn, b, ridge: 0));
        Assert.Contains("singular", ex.Message);
    }

    /// <summary>
    /// Oracle: <see cref="Correlation.R2"/> of each pair on its own (the unbatched measure, concatenating the blocks of a
    /// group with <c>cat</c>). Pairs of unequal widths, a group used by several pairs, groups of two blocks, ridge 1e-3
    /// and 0: values to 1e-12, gradients with respect to every block to 1e-10.
    /// </summary>
    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.0)]
    public void BatchedPairsEqualTheMeasureOfEachPair(double ridge)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(31);
        var shared = randn(40, 2, dtype: float64, generator: g);
        var blocks = new[] { 3, 2, 4, 1 }.Select(w => (shared.matmul(randn(2, w, dtype: float64, generator: g)) + randn(40, w, dtype: float64, generator: g)).requires_grad_(true)).ToArray();
        (int[] A, int[] B)[] pairs = [([0], [1]), ([2], [1, 3]), ([3], [0, 2]), ([2], [0]), ([3], [1]), ([1, 3], [0, 2])];
        Tensor Group(int[] list) => cat(list.Select(i => blocks[i]).ToArray(), 1);
        var batched = Correlation.R2Pairs(blocks, pairs, ridge);
        Assert.Equal(pairs.Length, (int)batched.shape[0]);
        var weights = randn(pairs.Length, dtype: float64, generator: g);
        var gradBatched = autograd.grad([(batched * weights).sum()], blocks);
        Tensor oracle = zeros([], dtype: float64);
        for (int p = 0; p < pairs.Length; p++)
        {
            var r = Correlation.R2(Group(pairs[p].A), Group(pairs[p].B), ridge);
            Assert.Equal(r.item<double>(), batched[p].item<double>(), 12);
            oracle = oracle + r * weights[p];
        }
        var gradOracle = autograd.grad([oracle], blocks);
        for (int i = 0; i < blocks.Length; i++)
            Assert.True((gradBatched[i] - gradOracle[i]).abs().max().item<double>() < 1e-10, $"block {i}: gradients differ");
    }

    /// <summary>
    /// Oracle: the unbatched measure's rules, kept by the batched one — an all-constant block carries no correlation
    /// (exactly 0) while the others are unchanged, a singular covariance with ridge 0 is a clear error naming its size,
    /// and a batch not wider than a pair's widest group is refused.
    /// </summary>
    [Fact]
    public void BatchedPairsKeepTheRulesOfTheMeasure()
    {
        using var scope = NewDisposeScope();
        var a = Correlated(50, 4, 3, 2, out var b);
        var allConstant = ones(50, 2, dtype: float64);
        var r = Correlation.R2Pairs([a, b, allConstant], [([0], [1]), ([2], [1])]);
        Assert.Equal(Correlation.R2(a, b).item<double>(), r[0].item<double>(), 12);
        Assert.Equal(0.0, r[1].item<double>(), 12);
        var ex = Assert.Throws<MucmmUserException>(() => Correlation.R2Pairs([a, b, allConstant], [([0], [1]), ([2], [1])], ridge: 0));
        Assert.Contains("(2×2) is singular", ex.Message);
        var rows = Assert.Throws<MucmmUserException>(() => Correlation.R2Pairs([randn(5, 3, dtype: float64), randn(5, 2, dtype: float64)], [([0], [0, 1])]));
        Assert.Contains("batch of 5 rows", rows.Message);
    }

    /// <summary>Oracle: docs/method.md §2 — a batch must have more rows than the widest matrix.</summary>
    [Fact]
    public void BatchesNotWiderThanTheirMatricesAreRefused()
    {
        using var scope = NewDisposeScope();
        var a = randn(5, 5, dtype: float64);
        var b = randn(5, 2, dtype: float64);
        var ex = Assert.Throws<MucmmUserException>(() => Correlation.R2(a, b));
        Assert.Contains("batch of 5 rows", ex.Message);
        Assert.Throws<MucmmUserException>(() => Correlation.R1(b, a));
        Assert.True(double.IsFinite(Correlation.R2(randn(6, 5, dtype: float64), randn(6, 2, dtype: float64)).item<double>()));
    }
}

public class DeepObjectiveTests
{
    private static ViewBatch[] RandomViews(int m, int n, int k, int r, int d, int seed, bool requireGrad = false)
    {
        var g = new Generator((ulong)seed);
        var shared = randn(n, k, dtype: float64, generator: g);
        return Enumerable.Range(0, m).Select(_ =>
        {
            var c = (shared + 0.5 * randn(n, k, dtype: float64, generator: g)).requires_grad_(requireGrad);
            var u = randn(n, r, dtype: float64, generator: g).requires_grad_(requireGrad);
            var t = randn(n, d, dtype: float64, generator: g);
            var rec = (t + 0.3 * randn(n, d, dtype: float64, generator: g)).requires_grad_(requireGrad);
            return new ViewBatch(c, u, t, rec);
        }).ToArray();
    }

    /// <summary>
    /// Oracle: central finite differences (float64) of the full four-term loss with respect to every
    /// common, individual and reconstruction input of both views; also for Deep CCA (R1 and R2).
    /// </summary>
    [Fact]
    public void MucmmAndDeepCcaGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var views = RandomViews(2, 14, 2, 3, 3, 21);
        var opts = new MucmmObjectiveOptions(Alpha: 0.7, Beta: 1.3, Gamma: 0.5, CommonFromCorrelationOnly: false);
        for (int m = 0; m < 2; m++)
        {
            int mm = m;
            ViewBatch[] Replace(ViewBatch v) { var copy = (ViewBatch[])views.Clone(); copy[mm] = v; return copy; }
            CorrelationTests.GradCheck(c => DeepObjectives.Mucmm(Replace(views[mm] with { Common = c }), opts).Loss, views[m].Common);
            CorrelationTests.GradCheck(u => DeepObjectives.Mucmm(Replace(views[mm] with { Individual = u }), opts).Loss, views[m].Individual);
            CorrelationTests.GradCheck(r => DeepObjectives.Mucmm(Replace(views[mm] with { Reconstruction = r }), opts).Loss, views[m].Reconstruction!);
            foreach (var measure in new[] { CorrelationMeasure.R1, CorrelationMeasure.R2 })
                CorrelationTests.GradCheck(c => DeepObjectives.DeepCca(Replace(views[mm] with { Common = c }), measure).Loss, views[m].Common);
        }
    }

    /// <summary>
    /// Oracle: docs/method.md §8 written out term by term with the functional measures; the loss is
    /// −R(c₁,c₂) + α[R2(u₁,z₂)+R2(u₂,z₁)] + β[R2(u₁,c₁)+R2(u₂,c₂)] + γ Σ relative errors. Tolerance 1e-12.
    /// The typed module returns the same as its functional twin.
    /// </summary>
    [Fact]
    public void TwoViewLossIsTheFormulaOfTheMethod()
    {
        using var scope = NewDisposeScope();
        var v = RandomViews(2, 40, 3, 2, 5, 4);
        var opts = new MucmmObjectiveOptions(Alpha: 2, Beta: 3, Gamma: 0.25);
        var res = DeepObjectives.Mucmm(v, opts);
        Tensor Z(ViewBatch b) => cat([b.Common, b.Individual], 1);
        double corr = Correlation.R2(v[0].Common, v[1].Common).item<double>();
        double other = (Correlation.R2(v[0].Individual, Z(v[1])) + Correlation.R2(v[1].Individual, Z(v[0]))).item<double>();
        double own = (Correlation.R2(v[0].Individual, v[0].Common) + Correlation.R2(v[1].Individual, v[1].Common)).item<double>();
        double rec = 0;
        foreach (var b in v)
            rec += ((b.Target! - b.Reconstruction!).square().sum() / (b.Target! - b.Target!.mean([0])).square().sum()).item<double>();
        Assert.Equal(corr, res[TermNames.Correlation].Value.item<double>(), 12);
        Assert.Equal(other, res[TermNames.LeakOther].Value.item<double>(), 12);
        Assert.Equal(own, res[TermNames.LeakOwn].Value.item<double>(), 12);
        Assert.Equal(rec, res[TermNames.Reconstruction].Value.item<double>(), 12);
        Assert.Equal(-corr + 2 * other + 3 * own + 0.25 * rec, res.Loss.item<double>(), 12);
        Assert.Equal(new[] { "correlation", "leak_other", "leak_own", "reconstruction" }, res.Terms.Select(t => t.Name));
        Assert.Equal(res.Loss.item<double>(), new MucmmObjective(opts).call(v).Loss.item<double>(), 14);
        var dcca = new DeepCcaObjective(CorrelationMeasure.R1).call(v);
        Assert.Equal(-Correlation.R1(v[0].Common, v[1].Common).item<double>(), dcca.Loss.item<double>(), 14);
        Assert.Single(dcca.Terms);
    }

    /// <summary>
    /// Oracle: the all-pairs definition for M = 3 — correlation Σ_{m&lt;m'} R(c_m,c_m') (3 pairs),
    /// leak_other Σ_{m≠m'} R2(u_m, z_m') (6 ordered pairs), leak_own Σ_m R2(u_m,c_m). Tolerance 1e-12;
    /// gradients by finite differences.
    /// </summary>
    [Fact]
    public void ThreeViewsSumOverAllPairs()
    {
        using var scope = NewDisposeScope();
        var v = RandomViews(3, 30, 2, 2, 3, 9);
        var res = DeepObjectives.Mucmm(v, new MucmmObjectiveOptions());
        Tensor Z(ViewBatch b) => cat([b.Common, b.Individual], 1);
        double corr = 0, other = 0, own = 0;
        for (int m = 0; m < 3; m++)
        {
            own += Correlation.R2(v[m].Individual, v[m].Common).item<double>();
            for (int o = 0; o < 3; o++)
            {
                if (o == m) continue;
                other += Correlation.R2(v[m].Individual, Z(v[o])).item<double>();
                if (o > m) corr += Correlation.R2(v[m].Common, v[o].Common).item<double>();
            }
        }
        Assert.Equal(corr, res[TermNames.Correlation].Value.item<double>(), 12);
        Assert.Equal(other, res[TermNames.LeakOther].Value.item<double>(), 12);
        Assert.Equal(own, res[TermNames.LeakOwn].Value.item<double>(), 12);
        CorrelationTests.GradCheck(c => DeepObjectives.Mucmm(new[] { v[0], v[1] with { Common = c }, v[2] }, new MucmmObjectiveOptions(CommonFromCorrelationOnly: false)).Loss, v[1].Common);
    }

    /// <summary>
    /// Oracle: the option's definition — with <c>CommonFromCorrelationOnly</c> the loss value is unchanged and
    /// its gradient with respect to a common representation is exactly that of −R(c₁, c₂) alone, while the
    /// gradient with respect to an individual representation is the full one. Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void CommonLearnsFromCorrelationOnlyWhenAsked()
    {
        using var scope = NewDisposeScope();
        var v = RandomViews(2, 40, 3, 2, 5, 12, requireGrad: true);
        var plain = DeepObjectives.Mucmm(v, new MucmmObjectiveOptions(CommonFromCorrelationOnly: false));
        var split = DeepObjectives.Mucmm(v, new MucmmObjectiveOptions(CommonFromCorrelationOnly: true));
        Assert.Equal(plain.Loss.item<double>(), split.Loss.item<double>(), 12);
        var gSplit = autograd.grad([split.Loss], [v[0].Common, v[0].Individual], retain_graph: true);
        var gCorr = autograd.grad([-split[TermNames.Correlation].Value], [v[0].Common], retain_graph: true)[0];
        var gPlain = autograd.grad([plain.Loss], [v[0].Individual], retain_graph: true)[0];
        Assert.True((gSplit[0] - gCorr).abs().max().item<double>() < 1e-12);
        Assert.True((gSplit[1] - gPlain).abs().max().item<double>() < 1e-12);
    }

    /// <summary>Oracle: docs/method.md §2 — a batch narrower than z_m (k + r) is refused with a clear message.</summary>
    [Fact]
    public void ObjectiveRefusesBatchesTooSmallForItsWidestMeasure()
    {
        using var scope = NewDisposeScope();
        var v = RandomViews(2, 6, 3, 3, 2, 1); // z has 6 columns: n = 6 is too small.
        var ex = Assert.Throws<MucmmUserException>(() => DeepObjectives.Mucmm(v, new MucmmObjectiveOptions()));
        Assert.Contains("6 columns", ex.Message);
        Assert.Throws<MucmmUserException>(() => new MucmmObjectiveOptions(Alpha: -1).Validate());
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>Which correlation measure an objective maximizes between common representations.</summary>
public enum CorrelationMeasure
{
    /// <summary><c>R2(A,B) = ‖T‖²_F = Σ ρᵢ²</c>, computed with Cholesky factors (default; smooth).</summary>
    R2,
    /// <summary><c>R1(A,B) = ‖T‖_* = Σ ρᵢ</c>, the Deep CCA objective (Andrew et al. 2013); SVD backward.</summary>
    R1,
}

/// <summary>
/// Functional correlation measures between two batch matrices (rows = samples). The typed
/// modules <see cref="R2Correlation"/> and <see cref="R1Correlation"/> wrap these.
/// </summary>
/// <remarks>
/// <para>Mathematics (docs/method.md §2). For centered A (n×a) and B (n×b):
/// <c>S_AB = AᵀB/(n−1)</c>, <c>S_AA^ε = S_AA + ε·(tr S_AA / a)·I</c> and
/// <c>T = (S_AA^ε)^(−1/2) S_AB (S_BB^ε)^(−1/2)</c>, whose singular values are the canonical correlations
/// ρ₁ ≥ ρ₂ ≥ …. With Cholesky factors <c>S_AA^ε = L_A L_Aᵀ</c>, <c>W = L_A⁻¹ S_AB L_B⁻ᵀ</c> equals
/// <c>Q_A T Q_B</c> for orthogonal Q's, so it has the same singular values as T; both measures are
/// computed from W by two triangular solves (no eigendecomposition, no SVD for R2).</para>
/// <para>The ridge is relative to the mean variance, so every measure is invariant to rescaling either
/// input (a head cannot shrink its output to dodge a penalty). A matrix whose columns are all constant
/// in the batch has zero variance; its ridge then falls back to a tiny absolute floor, so the measure is
/// exactly 0 (finite, with finite gradients) rather than NaN.</para>
/// <para>All computation is in float64 whatever the input dtype (the inputs are cast; autograd flows
/// back through the cast). A batch needs more rows than the widest matrix:
/// n &gt; max(a, b), otherwise a <see cref="MucmmUserException"/> is thrown.</para>
/// <para>References: Hotelling (1936), canonical correlations; Andrew, Arora, Bilmes &amp; Livescu (2013),
/// "Deep Canonical Correlation Analysis", ICML — R1 is their objective (sum of canonical correlations,
/// with a ridge on the covariances).</para>
/// </remarks>
public static class Correlation
{
    /// <summary>Default relative ridge ε.</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>Absolute variance floor used only when every column of a matrix is constant in the batch.</summary>
    private const double VarianceFloor = 1e-30;

    /// <summary>
    /// <c>W = L_A⁻¹ S_AB L_B⁻ᵀ</c> (a×b, float64), the whitened cross-covariance whose singular values are
    /// the canonical correlations of <paramref name="a"/> and <paramref name="b"/>.
    /// </summary>
    /// <param name="a">n × a batch (any floating dtype).</param>
    /// <param name="b">n × b batch with the same rows.</param>
    /// <param name="ridge">Relative ridge ε ≥ 0.</param>
    public static Tensor Whitened(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        CheckShapes(a, b, ridge);
        using var scope = NewDisposeScope();
        long n = a.shape[0];
        var ac = a.to(float64);
        var bc = b.to(float64);
        ac = ac - ac.mean([0], keepdim: true);
        bc = bc - bc.mean([0], keepdim: true);
        var la = CholeskyOfRidged(ac.t().matmul(ac) / (n - 1), ridge);
        var lb = CholeskyOfRidged(bc.t().matmul(bc) / (n - 1), ridge);
        var sab = ac.t().matmul(bc) / (n - 1);
        // L_A⁻¹ S_AB, then (L_B⁻¹ (L_A⁻¹ S_AB)ᵀ)ᵀ = L_A⁻¹ S_AB L_B⁻ᵀ.
        var left = linalg.solve_triangular(la, sab, upper: false);
        var w = linalg.solve_triangular(lb, left.t(), upper: false).t();
        return w.MoveToOuterDisposeScope();
    }

    /// <summary><c>R2(A,B) = ‖L_A⁻¹ S_AB L_B⁻ᵀ‖²_F = Σ ρᵢ²</c>, a float64 scalar.</summary>
    public static Tensor R2(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        using var scope = NewDisposeScope();
        return Whitened(a, b, ridge).square().sum().MoveToOuterDisposeScope();
    }

    /// <summary><c>R1(A,B) = ‖T‖_* = Σ ρᵢ</c> (Deep CCA), a float64 scalar; its backward goes through an SVD.</summary>
    public static Tensor R1(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        using var scope = NewDisposeScope();
        return linalg.svdvals(Whitened(a, b, ridge)).sum().MoveToOuterDisposeScope();
    }

    /// <summary>The measure <paramref name="measure"/> of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static Tensor Measure(CorrelationMeasure measure, Tensor a, Tensor b, double ridge = DefaultRidge) => measure switch
    {
        CorrelationMeasure.R2 => R2(a, b, ridge),
        CorrelationMeasure.R1 => R1(a, b, ridge),
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, "unknown correlation measure"),
    };

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> unless a batch of <paramref name="rows"/> rows is larger than
    /// <paramref name="widest"/>, the widest matrix entering a correlation measure.
    /// </summary>
    public static void RequireRows(long rows, long widest)
    {
        if (rows <= widest)
            throw new MucmmUserException(
                $"a batch of {rows} rows is too small for a correlation measure over {widest} columns: " +
                $"a batch needs more than {widest} rows (raise DeepTrainingOptions.BatchSize or lower the common/individual dimensions)");
    }

    private static void CheckShapes(Tensor a, Tensor b, double ridge)
    {
        if (a.dim() != 2 || b.dim() != 2)
            throw new ArgumentException($"correlation measures take matrices, got {a.dim()}-d and {b.dim()}-d tensors");
        if (a.shape[0] != b.shape[0])
            throw new ArgumentException($"correlation measures need paired rows, got {a.shape[0]} and {b.shape[0]}");
        if (!(ridge >= 0) || double.IsInfinity(ridge))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {ridge}");
        RequireRows(a.shape[0], Math.Max(a.shape[1], b.shape[1]));
    }

    private static Tensor CholeskyOfRidged(Tensor s, double ridge)
    {
        long d = s.shape[0];
        // ε·(tr S / d), or the absolute floor when every column is constant (tr S = 0).
        var ridged = ridge == 0
            ? s
            : s + eye(d, dtype: float64, device: s.device) * (s.diagonal().mean().clamp_min(VarianceFloor) * ridge);
        var (l, info) = linalg.cholesky_ex(ridged);
        if (info.item<int>() != 0)
            throw new MucmmUserException(
                $"a correlation measure's covariance matrix ({d}×{d}) is singular in this batch " +
                "(constant or collinear columns); use a ridge > 0");
        return l;
    }
}

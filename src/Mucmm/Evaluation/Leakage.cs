using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>
/// Closed-form, float64 canonical correlations between two representations of the same samples
/// and the leakage measure of METHOD.md section 6: the mean squared canonical correlation
/// <c>R2(A, B) / width(A)</c>.
/// </summary>
/// <remarks>
/// For centered A (n×a), B (n×b): <c>S_AB = AᵀB/(n−1)</c>, <c>S_AA^ε = S_AA + ε·(tr S_AA / a)·I</c>
/// (ridge relative to the mean variance, so the measure does not change when a representation is
/// rescaled), and the canonical correlations are the singular values of
/// <c>L_A⁻¹ S_AB L_B⁻ᵀ</c> with <c>S_AA^ε = L_A L_Aᵀ</c> (Cholesky), the same singular values as
/// <c>(S_AA^ε)^(−1/2) S_AB (S_BB^ε)^(−1/2)</c>. Computed without gradient; the differentiable
/// training objectives live in <c>Mucmm.Deep.Objectives</c>.
/// </remarks>
public static class Leakage
{
    /// <summary>Default relative ridge ε of every correlation measure (METHOD.md section 1).</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>
    /// All min(a, b) canonical correlations between the rows of <paramref name="a"/> (n×a) and
    /// <paramref name="b"/> (n×b), descending. A constant (zero-variance) representation has
    /// correlations 0. Throws <see cref="MucmmUserException"/> when the row counts differ, when
    /// n &lt; 2, or when <paramref name="ridge"/> is 0 and a covariance is singular.
    /// </summary>
    public static double[] CanonicalCorrelations(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (sab, la, lb) = Whitened(a, b, ridge);
        if (sab is null) return new double[Math.Min(a.shape[1], b.shape[1])];
        // M = L_A⁻¹ S_AB L_B⁻ᵀ.
        var left = linalg.solve_triangular(la!, sab, upper: false);
        var m = linalg.solve_triangular(lb!, left.t(), upper: false).t();
        return linalg.svdvals(m).clamp(0.0, 1.0).data<double>().ToArray();
    }

    /// <summary><c>R2(A, B) = Σ ρᵢ²</c>, the squared Frobenius norm of the whitened cross-covariance.</summary>
    public static double R2(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        double sum = 0;
        foreach (double r in CanonicalCorrelations(a, b, ridge)) sum += r * r;
        return sum;
    }

    /// <summary>
    /// Mean squared canonical correlation <c>R2(A, B) / width(A)</c>: how much of representation
    /// <paramref name="a"/> can be predicted linearly from <paramref name="b"/> (0 = nothing,
    /// 1 = all of it). Returns 0 when <paramref name="a"/> has no columns.
    /// </summary>
    /// <remarks>
    /// On n samples of two independent matrices the expected value is about width(B)/n, not 0
    /// (see <see cref="ChanceLevel"/>): evaluate on held-out data and read it against that floor.
    /// </remarks>
    public static double MeanSquaredCanonicalCorrelation(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        long width = a.shape[1];
        return width == 0 ? 0.0 : R2(a, b, ridge) / width;
    }

    /// <summary>
    /// The value <see cref="MeanSquaredCanonicalCorrelation"/> takes on average for independent
    /// Gaussian representations of widths a and b on n samples: about min(1, b/(n−1)) (the sum of
    /// squared canonical correlations of independent data is ≈ a·b/(n−1) when a + b ≪ n).
    /// </summary>
    public static double ChanceLevel(long n, long widthA, long widthB) =>
        widthA == 0 ? 0.0 : Math.Min(1.0, widthB / (double)(n - 1));

    /// <summary>Covariances, Cholesky factors; (null, null, null) when either side has zero variance or no columns.</summary>
    private static (Tensor? sab, Tensor? la, Tensor? lb) Whitened(Tensor a, Tensor b, double ridge)
    {
        if (a.dim() != 2 || b.dim() != 2)
            throw new ArgumentException("representations must be 2-D (rows = samples)");
        long n = a.shape[0];
        if (b.shape[0] != n)
            throw new MucmmUserException($"representations are not paired: {n} rows vs {b.shape[0]} rows");
        if (n < 2)
            throw new MucmmUserException($"canonical correlations need at least 2 samples, got {n}");
        if (ridge < 0 || !double.IsFinite(ridge))
            throw new MucmmUserException($"ridge must be a finite number ≥ 0, got {ridge}");
        if (a.shape[1] == 0 || b.shape[1] == 0) return (null, null, null);

        var x = a.detach().to(float64);
        var y = b.detach().to(float64);
        x = x - x.mean([0], keepdim: true);
        y = y - y.mean([0], keepdim: true);
        var saa = x.t().matmul(x) / (n - 1);
        var sbb = y.t().matmul(y) / (n - 1);
        var sab = x.t().matmul(y) / (n - 1);
        double ta = saa.trace().item<double>(), tb = sbb.trace().item<double>();
        if (ta <= 0 || tb <= 0) return (null, null, null);
        saa = saa + eye(saa.shape[0], dtype: float64) * (ridge * ta / saa.shape[0]);
        sbb = sbb + eye(sbb.shape[0], dtype: float64) * (ridge * tb / sbb.shape[0]);
        var (la, infoA) = linalg.cholesky_ex(saa);
        var (lb, infoB) = linalg.cholesky_ex(sbb);
        if (infoA.item<int>() != 0 || infoB.item<int>() != 0)
            throw new MucmmUserException(
                "a representation has a singular covariance (constant or collinear columns, or fewer samples than columns); use a ridge > 0");
        return (sab, la, lb);
    }
}

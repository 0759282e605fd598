using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>
/// Closed-form, float64 canonical correlations between two representations of the same samples
/// and the leakage measure of docs/evaluation.md: the mean squared canonical correlation
/// <c>R2(A, B) / width(A)</c>.
/// </summary>
/// <remarks>
/// For centered A (n×a), B (n×b): <c>S_AB = AᵀB/(n−1)</c>, <c>S_AA^ε = S_AA + ε·(tr S_AA / a)·I</c>
/// (ridge relative to the mean variance, so the measure does not change when a representation is
/// rescaled), and the canonical correlations are the singular values of
/// <c>L_A⁻¹ S_AB L_B⁻ᵀ</c> with <c>S_AA^ε = L_A L_Aᵀ</c> (Cholesky), the same singular values as
/// <c>(S_AA^ε)^(−1/2) S_AB (S_BB^ε)^(−1/2)</c>. Computed without gradient by the closed-form
/// <see cref="CanonicalCorrelation"/> of <c>Mucmm.Linear</c> (the one home of CCA); the
/// differentiable training objectives live in <c>Mucmm.Deep.Objectives</c>.
/// </remarks>
public static class Leakage
{
    /// <summary>Default relative ridge ε of every correlation measure (docs/method.md §2).</summary>
    public const double DefaultRidge = 1e-3;

    /// <summary>
    /// All min(a, b) canonical correlations between the rows of <paramref name="a"/> (n×a) and
    /// <paramref name="b"/> (n×b), descending. A constant (zero-variance) representation has
    /// correlations 0. Throws <see cref="MucmmUserException"/> when the row counts differ, when
    /// n &lt; 2, or when <paramref name="ridge"/> is 0 and a covariance is singular.
    /// </summary>
    public static double[] CanonicalCorrelations(Tensor a, Tensor b, double ridge = DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() != 2 || b.dim() != 2)
            throw new MucmmUserException($"representations must be 2-D (rows = samples), got shapes [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}]");
        long n = a.shape[0];
        if (b.shape[0] != n)
            throw new MucmmUserException($"representations are not paired: {n} rows vs {b.shape[0]} rows");
        if (n < 2)
            throw new MucmmUserException($"canonical correlations need at least 2 samples, got {n}");
        var none = new double[Math.Min(a.shape[1], b.shape[1])];
        if (none.Length == 0) return none;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var stats = CovarianceStats.FromTensors([a.detach(), b.detach()]);
        if (AllConstant(stats, 0) || AllConstant(stats, 1)) return none;
        // The one home of closed-form CCA (Cholesky whitening, relative ridge, SVD).
        var cca = CanonicalCorrelation.Fit(stats, ridge);
        return cca.RegularizedCorrelations.Select(r => Math.Clamp(r, 0.0, 1.0)).ToArray();
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

    private static bool AllConstant(CovarianceStats stats, int view)
    {
        var variances = stats.Variances(view);
        var means = stats.Mean(view);
        for (int j = 0; j < variances.Length; j++)
            if (!CanonicalCorrelation.IsConstant(variances[j], means[j])) return false;
        return true;
    }
}

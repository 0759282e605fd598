using Mucmm.Numerics;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// Multiset canonical correlation (MCCA, the common part of linear MUCMM for M &gt; 2 views; docs/method.md §4.1)
/// from <see cref="CovarianceStats"/>, closed form in float64, with the relative ridge of
/// <see cref="CanonicalCorrelation"/>. Immutable: p = min dₘ multiset variates, one direction per view each.
/// </summary>
/// <remarks>
/// With Σ̃ₘₘ = Σₘₘ + ε·(tr Σₘₘ / dₘ)·I = Lₘ Lₘᵀ, the whitened M-view matrix W has identity diagonal blocks
/// and off-diagonal blocks W_ab = L_a⁻¹ Σ_ab L_b⁻ᵀ. Its top-p eigenvectors v (blocks vₘ) give the directions
/// aₘ = Lₘ⁻ᵀ vₘ: the stationary points of Σ_{a,b} a_aᵀ Σ̃_ab a_b subject to Σₘ aₘᵀ Σ̃ₘₘ aₘ = 1 (the MCCA of
/// cca_zoo, i.e. SUMCOR with the sum-of-variances constraint; the generalized eigenproblem C̃ w = λ D̃ w with
/// D̃ = blockdiag(Σ̃ₘₘ) and C̃ = Σ with its diagonal blocks replaced by D̃). For M = 2, W = [[I, T], [Tᵀ, I]]
/// has eigenvalues 1 ± ρ̃ᵢ with eigenvectors (uᵢ, vᵢ)/√2, so the directions are exactly CCA's.
/// Then, as in <see cref="CanonicalCorrelation"/>, each view's column is rescaled to unit training mean
/// square (divisor n), each variate gets the sign that makes the largest-magnitude entry of view 1's
/// direction positive, and the variates are ordered by <see cref="Correlations"/> (descending, stable).
/// </remarks>
public sealed class MultisetCorrelation
{
    private readonly double[][] _directions;   // per view dₘ × p, row-major
    private readonly double[][] _means;

    private MultisetCorrelation(long count, double ridge, int[] dims, double[][] means, double[][] directions,
        double[] correlations, double[] regularized, double[] eigenvalues)
    {
        Count = count;
        Ridge = ridge;
        Dims = dims;
        _means = means;
        _directions = directions;
        Correlations = correlations;
        RegularizedCorrelations = regularized;
        Eigenvalues = eigenvalues;
    }

    /// <summary>Number of training rows.</summary>
    public long Count { get; }

    /// <summary>Relative ridge ε used.</summary>
    public double Ridge { get; }

    /// <summary>Widths dₘ of the views.</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>Number of multiset variates p = min dₘ.</summary>
    public int PairCount => Correlations.Count;

    /// <summary>Per variate, the mean over the M(M−1)/2 pairs of views of the training correlation corr(c_ai, c_bi) (descending).</summary>
    public IReadOnlyList<double> Correlations { get; }

    /// <summary>Per variate (same order), ρ̃ = (λ − 1)/(M − 1) from the eigenvalue λ of W: the regularized mean pairwise correlation (ρ̃ᵢ of CCA when M = 2).</summary>
    public IReadOnlyList<double> RegularizedCorrelations { get; }

    /// <summary>Per variate (same order), the eigenvalue λ of the whitened M-view matrix W.</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>Training means of view <paramref name="view"/>.</summary>
    public IReadOnlyList<double> Mean(int view) => _means[view];

    /// <summary>Directions of view <paramref name="view"/> as a new (dₘ × p) float64 tensor (unit training mean square per column).</summary>
    public Tensor Directions(int view) => LinearAlgebra.FromArray(_directions[view], Dims[view], PairCount);

    /// <summary>Fits MCCA on every view of <paramref name="stats"/> (at least 2) with relative ridge <paramref name="ridge"/>.</summary>
    /// <exception cref="MucmmUserException">The conditions of <see cref="CanonicalCorrelation.Fit"/>, for any view.</exception>
    public static MultisetCorrelation Fit(CovarianceStats stats, double ridge = LinearOptions.Defaults.Ridge)
    {
        ArgumentNullException.ThrowIfNull(stats);
        int mCount = stats.ViewCount;
        if (mCount < 2) throw new MucmmUserException($"multiset CCA needs at least 2 views, got {mCount}");
        if (ridge < 0 || !double.IsFinite(ridge))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {ridge}");
        if (stats.Count < 2)
            throw new MucmmUserException($"CCA needs at least 2 samples, got {stats.Count}");
        for (int m = 0; m < mCount; m++) CanonicalCorrelation.CheckView(stats, m, ridge);
        int[] dims = stats.Dims.ToArray();
        int p = dims.Min();
        int total = dims.Sum();
        var offsets = new int[mCount + 1];
        for (int m = 0; m < mCount; m++) offsets[m + 1] = offsets[m] + dims[m];

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var l = new Tensor[mCount];
        for (int m = 0; m < mCount; m++)
            l[m] = LinearAlgebra.Cholesky(LinearAlgebra.RelativeRidge(stats.Covariance(m, m), ridge), $"the covariance of view {m + 1}");
        var w = eye(total, dtype: float64);
        for (int a = 0; a < mCount; a++)
        {
            for (int b = a + 1; b < mCount; b++)
            {
                var x = linalg.solve_triangular(l[a], stats.Covariance(a, b), upper: false);     // L_a⁻¹ Σ_ab
                var t = linalg.solve_triangular(l[b], x.t(), upper: false).t();                 // L_a⁻¹ Σ_ab L_b⁻ᵀ
                w[TensorIndex.Slice(offsets[a], offsets[a + 1]), TensorIndex.Slice(offsets[b], offsets[b + 1])] = t;
                w[TensorIndex.Slice(offsets[b], offsets[b + 1]), TensorIndex.Slice(offsets[a], offsets[a + 1])] = t.t();
            }
        }
        var (lambda, v) = LinearAlgebra.TopEigenpairs(w, p);   // w is symmetric: its symmetric part is itself, bit for bit

        var directions = new Tensor[mCount];
        for (int m = 0; m < mCount; m++)
            directions[m] = linalg.solve_triangular(l[m].t(), v.narrow(0, offsets[m], dims[m]), upper: true);   // Lₘ⁻ᵀ vₘ
        var signs = LinearAlgebra.SignsOfLargest(directions[0]);
        double toMeanSquare = (stats.Count - 1.0) / stats.Count;
        var scales = new Tensor[mCount];
        for (int m = 0; m < mCount; m++)
        {
            directions[m] = directions[m] * signs;
            var variance = (stats.Covariance(m, m).matmul(directions[m]) * directions[m]).sum(dim: 0) * toMeanSquare;
            scales[m] = where(variance > 0, variance.rsqrt(), 0.0);   // 0 marks a variate without variance in this view
            directions[m] = directions[m] * where(variance > 0, variance.rsqrt(), 1.0);
        }
        var corr = zeros(p, dtype: float64);
        for (int a = 0; a < mCount; a++)
            for (int b = a + 1; b < mCount; b++)
            {
                // directions are already rescaled, so the covariance of the rescaled variates is their correlation
                var cov = (stats.Covariance(a, b).matmul(directions[b]) * directions[a]).sum(dim: 0) * toMeanSquare;
                corr = corr + where((scales[a] > 0) & (scales[b] > 0), cov, 0.0);
            }
        corr = corr / (mCount * (mCount - 1) / 2.0);
        var regularized = (lambda - 1) / (mCount - 1);

        var (_, order) = sort(corr, dim: 0, descending: true, stable: true);
        return new MultisetCorrelation(stats.Count, ridge, dims,
            Enumerable.Range(0, mCount).Select(m => stats.Mean(m).ToArray()).ToArray(),
            directions.Select(d => LinearAlgebra.ToArray(d.index_select(1, order))).ToArray(),
            LinearAlgebra.ToArray(corr.index_select(0, order)),
            LinearAlgebra.ToArray(regularized.index_select(0, order)),
            LinearAlgebra.ToArray(lambda.index_select(0, order)));
    }
}

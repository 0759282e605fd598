using Mucmm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// Exact (closed-form, float64) canonical correlation analysis of two views from their
/// <see cref="CovarianceStats"/>, with a ridge relative to the mean variance of each view.
/// Immutable: all p = min(d₁, d₂) canonical pairs, ordered by decreasing training correlation.
/// </summary>
/// <remarks>
/// With Σ̃ₘₘ = Σₘₘ + ε·(tr Σₘₘ / dₘ)·I = Lₘ Lₘᵀ (Cholesky) and the SVD
/// L₁⁻¹ Σ₁₂ L₂⁻ᵀ = U diag(ρ̃) Vᵀ, the canonical directions are A = L₁⁻ᵀ U and B = L₂⁻ᵀ V (the same
/// directions as with the symmetric whitening Σ̃^(−1/2), since both whitenings differ by a rotation).
/// Each column is then rescaled so that its centred variate (x − x̄)·aᵢ has mean square 1 on the training
/// data (variance with divisor n; then the mean over the training set of Σᵢ c₁ᵢc₂ᵢ is exactly Σᵢ ρᵢ), and each
/// pair gets the sign that makes the largest-magnitude entry of aᵢ positive. <see cref="Correlations"/>
/// are the training correlations corr(x₁aᵢ, x₂bᵢ), and the pairs are ordered by them (descending).
/// With ε = 0 they equal the singular values ρ̃ᵢ (classical CCA). With ε &gt; 0 each is slightly larger
/// than its ρ̃ᵢ (kept in <see cref="RegularizedCorrelations"/>, in the same pair order, which can differ
/// from descending among near-ties).
/// </remarks>
public sealed class CanonicalCorrelation
{
    private readonly double[] _a;      // d1 × p, row-major
    private readonly double[] _b;      // d2 × p
    private readonly double[] _mean1, _mean2;

    private CanonicalCorrelation(long count, double ridge, int d1, int d2, double[] mean1, double[] mean2,
        double[] a, double[] b, double[] correlations, double[] regularized)
    {
        Count = count;
        Ridge = ridge;
        Dims = new[] { d1, d2 };
        _mean1 = mean1;
        _mean2 = mean2;
        _a = a;
        _b = b;
        Correlations = correlations;
        RegularizedCorrelations = regularized;
    }

    /// <summary>Number of training rows.</summary>
    public long Count { get; }

    /// <summary>Relative ridge ε used (0 = classical CCA).</summary>
    public double Ridge { get; }

    /// <summary>Widths (d₁, d₂) of the two views.</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>Number of canonical pairs p = min(d₁, d₂).</summary>
    public int PairCount => Correlations.Count;

    /// <summary>Training correlation of each canonical pair (length p, descending).</summary>
    public IReadOnlyList<double> Correlations { get; }

    /// <summary>Singular value ρ̃ of the regularized T belonging to each pair (length p, pair order); equal to <see cref="Correlations"/> when ε = 0.</summary>
    public IReadOnlyList<double> RegularizedCorrelations { get; }

    /// <summary>Training means of view <paramref name="side"/> (0 or 1).</summary>
    public IReadOnlyList<double> Mean(int side) => side == 0 ? _mean1 : _mean2;

    /// <summary>
    /// Canonical directions of view <paramref name="side"/> (0 or 1) as a new (dₘ × p) float64 tensor;
    /// column i gives the variate (x − x̄)·aᵢ with unit training mean square (a column whose variate has
    /// no variance at all is returned as is).
    /// </summary>
    public Tensor Directions(int side) =>
        side == 0 ? LinearAlgebra.FromArray(_a, Dims[0], PairCount)
        : side == 1 ? LinearAlgebra.FromArray(_b, Dims[1], PairCount)
        : throw new ArgumentOutOfRangeException(nameof(side));

    /// <summary>Row-major copy of <see cref="Directions"/>(side) (dₘ × p).</summary>
    public double[] DirectionsArray(int side) => (double[])(side == 0 ? _a : _b).Clone();

    /// <summary>
    /// Canonical variates of new data of view <paramref name="side"/>: (x − x̄) A[:, :k] as an (n × k)
    /// float64 tensor (k = p when null). Differentiable with respect to <paramref name="x"/>.
    /// </summary>
    public Tensor Transform(int side, Tensor x, int? k = null)
    {
        int kk = k ?? PairCount;
        if (kk < 0 || kk > PairCount) throw new MucmmUserException($"k = {kk} is outside 0..{PairCount}");
        if (x.ndim != 2 || x.shape[1] != Dims[side])
            throw new MucmmUserException($"view {side + 1}: expected (rows × {Dims[side]}), got shape [{string.Join(", ", x.shape)}]");
        using var scope = NewDisposeScope();
        var x64 = x.to_type(float64);
        var mean = torch.tensor(side == 0 ? _mean1 : _mean2, dtype: float64, device: x.device);
        var w = Directions(side).to(x.device).narrow(1, 0, kk);
        return (x64 - mean).matmul(w).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Fits CCA between views <paramref name="view1"/> and <paramref name="view2"/> of
    /// <paramref name="stats"/> with relative ridge <paramref name="ridge"/> (default
    /// <see cref="LinearOptions.Defaults.Ridge"/>; 0 = classical CCA).
    /// </summary>
    /// <exception cref="MucmmUserException">
    /// Fewer than 2 rows; with ridge 0: n ≤ dₘ, constant columns (named), or collinear columns;
    /// a view with no variance at all; a negative ridge.
    /// </exception>
    public static CanonicalCorrelation Fit(CovarianceStats stats, double ridge = LinearOptions.Defaults.Ridge, int view1 = 0, int view2 = 1)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (view1 == view2 || view1 < 0 || view2 < 0 || view1 >= stats.ViewCount || view2 >= stats.ViewCount)
            throw new ArgumentOutOfRangeException(nameof(view2), $"views {view1} and {view2} of {stats.ViewCount}");
        if (ridge < 0 || !double.IsFinite(ridge))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {ridge}");
        if (stats.Count < 2)
            throw new MucmmUserException($"CCA needs at least 2 samples, got {stats.Count}");
        int d1 = stats.Dims[view1], d2 = stats.Dims[view2];
        CheckView(stats, view1, ridge);
        CheckView(stats, view2, ridge);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var s11 = stats.Covariance(view1, view1);
        var s22 = stats.Covariance(view2, view2);
        var s12 = stats.Covariance(view1, view2);
        var l1 = LinearAlgebra.Cholesky(LinearAlgebra.RelativeRidge(s11, ridge), $"the covariance of view {view1 + 1}");
        var l2 = LinearAlgebra.Cholesky(LinearAlgebra.RelativeRidge(s22, ridge), $"the covariance of view {view2 + 1}");
        var x = linalg.solve_triangular(l1, s12, upper: false);                  // L1⁻¹ Σ12
        var t = linalg.solve_triangular(l2, x.t(), upper: false).t();            // L1⁻¹ Σ12 L2⁻ᵀ
        var (u, rho, vh) = LinearAlgebra.Svd(t);
        var a = linalg.solve_triangular(l1.t(), u, upper: true);                 // L1⁻ᵀ U
        var b = linalg.solve_triangular(l2.t(), vh.t(), upper: true);            // L2⁻ᵀ V
        var signs = LinearAlgebra.SignsOfLargest(a);
        a = a * signs;
        b = b * signs;

        // Mean squares of the centred training variates (divisor n, see the remarks).
        double toMeanSquare = (stats.Count - 1.0) / stats.Count;
        var var1 = (s11.matmul(a) * a).sum(dim: 0) * toMeanSquare;
        var var2 = (s22.matmul(b) * b).sum(dim: 0) * toMeanSquare;
        var cov12 = (s12.matmul(b) * a).sum(dim: 0) * toMeanSquare;
        var scale1 = where(var1 > 0, var1.rsqrt(), 1.0);
        var scale2 = where(var2 > 0, var2.rsqrt(), 1.0);
        var corr = where((var1 > 0) & (var2 > 0), cov12 * scale1 * scale2, 0.0);
        a = a * scale1;
        b = b * scale2;

        // Order the pairs by their training correlation. With ε = 0 this is the SVD order; with ε > 0
        // it differs from the order of ρ̃ only among near-ties (the ridge lowers ρ̃ unevenly).
        var (_, order) = torch.sort(corr, dim: 0, descending: true, stable: true);
        a = a.index_select(1, order);
        b = b.index_select(1, order);
        corr = corr.index_select(0, order);
        rho = rho.index_select(0, order);

        return new CanonicalCorrelation(stats.Count, ridge, d1, d2,
            stats.Mean(view1).ToArray(), stats.Mean(view2).ToArray(),
            LinearAlgebra.ToArray(a), LinearAlgebra.ToArray(b),
            LinearAlgebra.ToArray(corr), LinearAlgebra.ToArray(rho));
    }

    internal static void CheckView(CovarianceStats stats, int view, double ridge)
    {
        var variances = stats.Variances(view);
        var means = stats.Mean(view);
        var constant = new List<int>();
        for (int j = 0; j < variances.Length; j++)
            if (IsConstant(variances[j], means[j])) constant.Add(j);
        if (constant.Count == variances.Length)
            throw new MucmmUserException($"view {view + 1}: every column is constant (no variance)");
        if (ridge > 0) return;
        CheckSamples(stats.Count, stats.Dims[view], view, ridge);
        if (constant.Count > 0)
        {
            string list = string.Join(", ", constant.Take(20)) + (constant.Count > 20 ? $", … ({constant.Count} in all)" : "");
            throw new MucmmUserException($"view {view + 1} has constant columns ({list}); with ridge 0 they make the covariance singular — drop them or use a ridge > 0");
        }
    }

    /// <summary>
    /// The check that needs only the shapes, so fits run it before any d × d matrix exists: classical
    /// CCA (ridge 0) needs more samples than columns in each view.
    /// </summary>
    internal static void CheckSamples(long n, int columns, int view, double ridge)
    {
        if (ridge == 0 && n <= columns)
            throw new MucmmUserException(
                $"classical CCA (ridge 0) needs more samples than columns: n = {n} but view {view + 1} has {columns} columns; use a ridge > 0");
    }

    /// <summary>
    /// Rough peak memory (bytes) of a closed-form fit on views of widths <paramref name="dims"/>: building
    /// the float64 statistics (the D × D co-moment, D = Σ dₘ, and its copies while it is symmetrized:
    /// about 5 D²) or, afterwards, the statistics plus the per-view blocks of the CCA and of the individual
    /// PCA (about 6 dₘ² each and 3 d₁d₂).
    /// </summary>
    public static double EstimateFitBytes(IReadOnlyList<int> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        double total = dims.Sum(d => (double)d);
        double squares = dims.Sum(d => (double)d * d);
        double cross = dims.Count >= 2 ? (double)dims[0] * dims[1] : 0;
        return 8 * Math.Max(5 * total * total, total * total + 6 * squares + 3 * cross);
    }

    /// <summary>
    /// A column is constant when its variance is zero or below rounding of its mean:
    /// var ≤ 1e-24·mean² (centred values of a constant column are ≈ 1e-16·|mean| after float64 rounding).
    /// </summary>
    internal static bool IsConstant(double variance, double mean) => variance <= 1e-24 * mean * mean || variance <= double.Epsilon;
}

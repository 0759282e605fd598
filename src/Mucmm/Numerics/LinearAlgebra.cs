using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Numerics;

/// <summary>
/// Float64 dense helpers on TorchSharp tensors (LAPACK underneath) shared by every closed-form fit:
/// relative ridge, symmetric inverse square root and Cholesky whitening with clear errors,
/// a deterministic sign convention, and principal angles between subspaces.
/// </summary>
/// <remarks>Every method returns new tensors owned by the caller's dispose scope; temporaries are freed.</remarks>
public static class LinearAlgebra
{
    /// <summary>
    /// Thin SVD T = U diag(s) Vᴴ with s descending, robust to LAPACK's divide-and-conquer driver
    /// (gesdd) failing to converge, which it does on some ill-conditioned inputs (seen on av-digits:
    /// a 2560 × 784 whitened cross-covariance). Tries, in order: SVD of T, SVD of Tᵀ, and the
    /// eigen-decomposition of the Gram matrix of the narrower side (singular values exact to
    /// ~ε·‖T‖²/s, vectors re-orthonormalized by QR).
    /// </summary>
    public static (Tensor U, Tensor S, Tensor Vh) Svd(Tensor t)
    {
        if (t.dim() != 2) throw new ArgumentException("expected a matrix", nameof(t));
        try
        {
            return linalg.svd(t, fullMatrices: false);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
        }
        try
        {
            var (u2, s2, vh2) = linalg.svd(t.t(), fullMatrices: false);
            return (vh2.t(), s2, u2.t());
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
        }
        return SvdViaGram(t);
    }

    /// <summary>
    /// Thin SVD through the eigen-decomposition of the Gram matrix of the narrower side, the last
    /// fallback of <see cref="Svd"/>: singular values are accurate to about ε·‖T‖²/s, and U, V are
    /// orthonormal (U re-orthonormalized by QR, signs matching T V).
    /// </summary>
    public static (Tensor U, Tensor S, Tensor Vh) SvdViaGram(Tensor t)
    {
        using var scope = NewDisposeScope();
        bool tall = t.shape[0] >= t.shape[1];
        var m = tall ? t : t.t();                                   // rows ≥ cols
        var gram = m.t().matmul(m);
        gram = (gram + gram.t()).mul_(0.5);
        var (lambda, v) = linalg.eigh(gram);                       // ascending
        lambda = lambda.flip(0).clamp_min(0);
        v = v.flip(1);
        var (q, r) = linalg.qr(m.matmul(v));                        // M V = Q R, R ≈ diag(s)
        var signs = r.diagonal().sign();
        signs = where(signs == 0, 1.0, signs);
        var u = q * signs.unsqueeze(0);
        var sv = lambda.sqrt();
        var (uu, ss, vvh) = tall ? (u, sv, v.t()) : (v, sv, u.t());
        return (uu.MoveToOuterDisposeScope(), ss.MoveToOuterDisposeScope(), vvh.MoveToOuterDisposeScope());
    }

    /// <summary>Singular values of a matrix, descending, with the same fallbacks as <see cref="Svd"/>.</summary>
    public static Tensor SingularValues(Tensor t)
    {
        try
        {
            return linalg.svdvals(t);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            using var scope = NewDisposeScope();
            return Svd(t).S.MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Relative ridge S + ε·(tr S / d)·I: ε is relative to the mean variance, so the result scales with S
    /// (a measure built on it is invariant to rescaling its inputs). ε = 0 returns a copy of S.
    /// </summary>
    public static Tensor RelativeRidge(Tensor s, double epsilon)
    {
        if (epsilon < 0 || !double.IsFinite(epsilon))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {epsilon}");
        RequireSquare(s);
        using var scope = NewDisposeScope();
        long d = s.shape[0];
        var r = s.clone();
        if (epsilon > 0)
        {
            double shift = epsilon * s.trace().item<double>() / d;
            r.diagonal().add_(shift);
        }
        return r.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// S^(−1/2) of a symmetric positive-definite S by eigendecomposition, V diag(λ^(−1/2)) Vᵀ.
    /// Throws <see cref="MucmmUserException"/> naming <paramref name="what"/> when S is not positive
    /// definite (smallest eigenvalue ≤ 1e-12 × largest, i.e. singular to working precision).
    /// </summary>
    public static Tensor InverseSqrt(Tensor s, string what)
    {
        RequireSquare(s);
        using var scope = NewDisposeScope();
        var sym = (s + s.t()).mul_(0.5);
        var (lambda, v) = linalg.eigh(sym);
        double min = lambda[0].item<double>(), max = lambda[-1].item<double>();
        if (!(max > 0) || !(min > 1e-12 * max))
            throw new MucmmUserException(
                $"{what} is not positive definite (eigenvalues from {min:G3} to {max:G3}); use a ridge > 0");
        var w = v.mul(lambda.rsqrt().unsqueeze(0)).matmul(v.t());
        return w.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Lower Cholesky factor L of a symmetric positive-definite S (S = L Lᵀ); L⁻¹ whitens like S^(−1/2)
    /// up to a rotation. Throws <see cref="MucmmUserException"/> naming <paramref name="what"/> when S
    /// is not positive definite to working precision (a pivot Lⱼⱼ² ≤ 1e-12 × Sⱼⱼ-scale).
    /// </summary>
    public static Tensor Cholesky(Tensor s, string what)
    {
        RequireSquare(s);
        using var scope = NewDisposeScope();
        var sym = (s + s.t()).mul_(0.5);
        var (l, info) = linalg.cholesky_ex(sym);
        long bad = info.item<int>();
        double scale = sym.diagonal().max().item<double>();
        if (bad == 0)
        {
            double minPivot = l.diagonal().square().min().item<double>();
            if (minPivot > 1e-12 * scale) return l.MoveToOuterDisposeScope();
            bad = l.diagonal().square().argmin().item<long>() + 1;
        }
        throw new MucmmUserException(
            $"{what} is singular: column {bad - 1} is (nearly) a linear combination of the columns before it; use a ridge > 0");
    }

    /// <summary>
    /// Deterministic sign convention (as scikit-learn's svd_flip): ±1 per column of
    /// <paramref name="columns"/> such that, after multiplying, each column's entry of largest absolute
    /// value (the first one on ties) is positive. Zero columns get +1.
    /// </summary>
    public static Tensor SignsOfLargest(Tensor columns)
    {
        using var scope = NewDisposeScope();
        var idx = columns.abs().argmax(dim: 0);
        var picked = columns.gather(0, idx.unsqueeze(0)).squeeze(0);
        var signs = where(picked < 0, -1.0, 1.0).to(columns.dtype);
        return signs.MoveToOuterDisposeScope();
    }

    /// <summary>Orthonormal basis (d × p) of the column span of <paramref name="a"/> (d × p, full column rank), by QR.</summary>
    public static Tensor Orthonormalize(Tensor a)
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(a.to(float64));
        return q.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Principal angles (radians, ascending) between the column spans of <paramref name="a"/> (d × p)
    /// and <paramref name="b"/> (d × q): min(p, q) angles. Small angles come from the sines (singular
    /// values of the part of the narrower basis outside the other span) and large ones from the cosines,
    /// so both ends are accurate (Björck &amp; Golub 1973).
    /// </summary>
    public static double[] PrincipalAngles(Tensor a, Tensor b)
    {
        if (a.ndim != 2 || b.ndim != 2 || a.shape[0] != b.shape[0])
            throw new ArgumentException("principal angles need two matrices with the same number of rows");
        using var scope = NewDisposeScope();
        var qa = Orthonormalize(a);
        var qb = Orthonormalize(b);
        if (qa.shape[1] > qb.shape[1]) (qa, qb) = (qb, qa);
        var cos = SingularValues(qb.t().matmul(qa)).clamp(0, 1).data<double>().ToArray();            // descending
        var residual = qa - qb.matmul(qb.t().matmul(qa));
        var sin = SingularValues(residual).clamp(0, 1).data<double>().ToArray();                     // descending
        int p = cos.Length;
        var angles = new double[p];
        for (int i = 0; i < p; i++)
        {
            double c = cos[i], s = sin[p - 1 - i];   // i-th smallest angle: largest cosine, smallest sine
            angles[i] = c > Math.Sqrt(0.5) ? Math.Asin(s) : Math.Acos(c);
        }
        return angles;
    }

    /// <summary>Row-major copy of a float64 2-D (or 1-D) tensor's values.</summary>
    public static double[] ToArray(Tensor t)
    {
        if (t.numel() == 0) return Array.Empty<double>();
        using var scope = NewDisposeScope();
        return t.detach().to(float64, CPU).contiguous().data<double>().ToArray();
    }

    /// <summary>A (rows × cols) float64 CPU tensor holding a copy of the row-major <paramref name="data"/>.</summary>
    public static Tensor FromArray(double[] data, int rows, int cols) =>
        data.Length == 0 ? zeros(rows, cols, dtype: float64) : torch.tensor(data, new long[] { rows, cols }, dtype: float64);

    private static void RequireSquare(Tensor s)
    {
        if (s.ndim != 2 || s.shape[0] != s.shape[1])
            throw new ArgumentException($"expected a square matrix, got shape [{string.Join(", ", s.shape)}]");
    }

    /// <summary>
    /// The top <paramref name="p"/> eigenpairs of the symmetric part (S + Sᵀ)/2 of <paramref name="s"/> (LAPACK
    /// <c>eigh</c>): eigenvalues descending (p), eigenvectors as columns (d × p), in the caller's dispose scope. The one
    /// home of the eigendecomposition behind PCA: <see cref="Linear.PcaModel"/>, the individual part of linear MUCMM,
    /// multiset CCA and the evaluation's other-view components.
    /// </summary>
    public static (Tensor Values, Tensor Vectors) TopEigenpairs(Tensor s, int p)
    {
        ArgumentNullException.ThrowIfNull(s);
        var (lambda, w) = linalg.eigh((s + s.t()) * 0.5);   // ascending
        return (lambda.flip(0).narrow(0, 0, p), w.flip(1).narrow(1, 0, p));
    }
}

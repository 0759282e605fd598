using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Post-hoc alignment of a trained deep model (METHOD.md section 2), fitted in float64 on the training set
/// and saved with the model: linear CCA between the common outputs c₁, c₂ (rotated to canonical variates
/// ordered by ρ, unit variance) and PCA of each individual output u_m (ordered by variance, unit variance).
/// Afterwards the exported common variates satisfy corr(z^c_{1,i}, z^c_{2,i}) = ρᵢ on the training set and
/// are otherwise uncorrelated.
/// </summary>
/// <remarks>
/// Variances use the n − 1 denominator. A relative ridge of <see cref="Ridge"/> keeps the maps finite when
/// an output is (nearly) rank-deficient. Signs are deterministic: the largest-magnitude entry of each
/// view-1 canonical direction (and of each principal direction) is positive.
/// </remarks>
public sealed class Alignment
{
    /// <summary>Relative ridge on the covariance matrices of the alignment.</summary>
    public const double Ridge = 1e-9;

    /// <summary>Means of c_m (one array of length k per view).</summary>
    public required double[][] CommonMeans { get; init; }

    /// <summary>k × k maps per view, row-major: z^c_m = (c_m − mean) · map.</summary>
    public required double[][] CommonMaps { get; init; }

    /// <summary>Means of u_m (length r_m per view).</summary>
    public required double[][] IndividualMeans { get; init; }

    /// <summary>r_m × r_m maps per view, row-major: z^u_m = (u_m − mean) · map.</summary>
    public required double[][] IndividualMaps { get; init; }

    /// <summary>Training-set canonical correlations ρ₁ ≥ … ≥ ρ_k of the aligned common variates.</summary>
    public required double[] CanonicalCorrelations { get; init; }

    /// <summary>Fits the alignment from training-set outputs (float64 or float32 tensors, rows = samples), two views.</summary>
    public static Alignment Fit(IReadOnlyList<Tensor> common, IReadOnlyList<Tensor> individual)
    {
        if (common.Count != 2) throw new MucmmUserException($"the deep models align exactly 2 views, got {common.Count}");
        using var scope = NewDisposeScope();
        var c1 = common[0].to(float64);
        var c2 = common[1].to(float64);
        long n = c1.shape[0];
        int k = (int)c1.shape[1];
        var m1 = c1.mean([0]);
        var m2 = c2.mean([0]);
        var a = c1 - m1;
        var b = c2 - m2;
        var w1 = InverseSqrt(a.t().matmul(a) / (n - 1));
        var w2 = InverseSqrt(b.t().matmul(b) / (n - 1));
        var t = w1.matmul(a.t().matmul(b) / (n - 1)).matmul(w2);
        var (u, s, vh) = linalg.svd(t, fullMatrices: false);
        var v = vh.t();
        var dirs1 = w1.matmul(u);
        var signs = SignsOfLargest(dirs1);
        dirs1 = dirs1 * signs;
        var dirs2 = w2.matmul(v) * signs;

        var imeans = new double[2][];
        var imaps = new double[2][];
        for (int m = 0; m < 2; m++)
        {
            var x = individual[m].to(float64);
            var mu = x.mean([0]);
            imeans[m] = mu.data<double>().ToArray();
            if (x.shape[1] == 0) { imaps[m] = []; continue; }
            var xc = x - mu;
            var cov = xc.t().matmul(xc) / (n - 1);
            var (evals, evecs) = linalg.eigh(Ridged(cov));
            var order = evals.argsort(descending: true);
            evals = evals.index_select(0, order);
            evecs = evecs.index_select(1, order);
            evecs = evecs * SignsOfLargest(evecs);
            imaps[m] = (evecs / evals.clamp_min(1e-300).sqrt()).contiguous().data<double>().ToArray();
        }

        return new Alignment
        {
            CommonMeans = [m1.data<double>().ToArray(), m2.data<double>().ToArray()],
            CommonMaps = [dirs1.contiguous().data<double>().ToArray(), dirs2.contiguous().data<double>().ToArray()],
            IndividualMeans = imeans,
            IndividualMaps = imaps,
            CanonicalCorrelations = s.data<double>().ToArray().Select(x => Math.Min(1.0, x)).ToArray(),
        };
    }

    /// <summary>(c_m − mean) · map for view <paramref name="view"/> (float64, differentiable).</summary>
    public Tensor ApplyCommon(int view, Tensor c) => Apply(c, CommonMeans[view], CommonMaps[view]);

    /// <summary>(u_m − mean) · map for view <paramref name="view"/> (float64, differentiable).</summary>
    public Tensor ApplyIndividual(int view, Tensor u) => Apply(u, IndividualMeans[view], IndividualMaps[view]);

    private static Tensor Apply(Tensor x, double[] mean, double[] map)
    {
        int d = mean.Length;
        var xd = x.to(float64);
        if (d == 0) return xd;
        using var scope = NewDisposeScope();
        var mu = tensor(mean, dtype: float64, device: x.device);
        var w = tensor(map, [d, d], dtype: float64, device: x.device);
        return (xd - mu).matmul(w).MoveToOuterDisposeScope();
    }

    private static Tensor Ridged(Tensor s)
    {
        long d = s.shape[0];
        return s + eye(d, dtype: float64, device: s.device) * (Ridge * Math.Max(s.trace().item<double>() / d, 1e-300));
    }

    private static Tensor InverseSqrt(Tensor s)
    {
        var (w, v) = linalg.eigh(Ridged(s));
        return v.matmul(diag(w.clamp_min(1e-300).rsqrt())).matmul(v.t());
    }

    /// <summary>±1 per column so that the column's largest-magnitude entry becomes positive.</summary>
    private static Tensor SignsOfLargest(Tensor m)
    {
        var idx = m.abs().argmax(0);
        var picked = m.gather(0, idx.unsqueeze(0));
        return where(picked < 0, -1.0, 1.0).to(float64);
    }
}

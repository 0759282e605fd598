using Mucmm.Linear;
using Mucmm.Numerics;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Post-hoc alignment of a trained deep model (docs/method.md §8), fitted in float64 on the training set
/// and saved with the model: linear CCA between the common outputs c₁, c₂ (rotated to canonical variates
/// ordered by ρ, unit variance) and PCA of each individual output u_m (ordered by variance, unit variance).
/// Afterwards the exported common variates satisfy corr(z^c_{1,i}, z^c_{2,i}) = ρᵢ on the training set and
/// are otherwise uncorrelated. With M &gt; 2 views the common maps are multiset CCA of c₁ … c_M
/// (<see cref="MultisetCorrelation"/>, the linear model's choice for M &gt; 2, docs/method.md §4.1) and ρᵢ is
/// the mean over the view pairs of the training correlations; the individual maps are the same PCA per view.
/// </summary>
/// <remarks>
/// "Unit variance" is a unit mean square (divisor n) on the training set, as in the linear model, so that
/// the training mean of Σᵢ z^c_{1,i} z^c_{2,i} is exactly Σᵢ ρᵢ. The CCA is the linear model's
/// (<see cref="CanonicalCorrelation"/>). A relative ridge of <see cref="Ridge"/> keeps the maps finite when
/// an output is (nearly) rank-deficient. Signs are deterministic: the largest-magnitude entry of each
/// view-1 canonical direction (and of each principal direction) is positive.
/// </remarks>
internal sealed class Alignment
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

    /// <summary>Training-set canonical correlations ρ₁ ≥ … ≥ ρ_k of the aligned common variates (M &gt; 2: mean over the view pairs).</summary>
    public required double[] CanonicalCorrelations { get; init; }

    /// <summary>
    /// Fits the alignment from training-set outputs (float64 or float32 tensors, rows = samples) of M ≥ 2 views:
    /// CCA of the common outputs for two views, multiset CCA for more; PCA of each view's individual output.
    /// </summary>
    public static Alignment Fit(IReadOnlyList<Tensor> common, IReadOnlyList<Tensor> individual)
    {
        ArgumentNullException.ThrowIfNull(common);
        ArgumentNullException.ThrowIfNull(individual);
        int mCount = common.Count;
        if (mCount < 2) throw new MucmmUserException($"the deep models align at least 2 views, got {mCount}");
        if (individual.Count != mCount) throw new ArgumentException($"{mCount} common outputs but {individual.Count} individual ones", nameof(individual));
        using var scope = NewDisposeScope();
        long n = common[0].shape[0];
        double[][] cmeans, cmaps;
        double[] correlations;
        var stats = CovarianceStats.FromTensors(common.Select(c => c.to(float64)).ToArray());
        if (mCount == 2)
        {
            // Linear CCA of the common outputs: the linear model's closed form (Mucmm.Linear), float64.
            var cca = CanonicalCorrelation.Fit(stats, Ridge);
            cmeans = [cca.Mean(0).ToArray(), cca.Mean(1).ToArray()];
            cmaps = [cca.DirectionsArray(0), cca.DirectionsArray(1)];
            correlations = cca.Correlations.ToArray();
        }
        else
        {
            // Multiset CCA (the linear model's common part for M > 2): k variates, one k × k map per view.
            var mcca = MultisetCorrelation.Fit(stats, Ridge);
            cmeans = Enumerable.Range(0, mCount).Select(m => mcca.Mean(m).ToArray()).ToArray();
            cmaps = Enumerable.Range(0, mCount).Select(m => LinearAlgebra.ToArray(mcca.Directions(m))).ToArray();
            correlations = mcca.Correlations.ToArray();
        }
        var imeans = new double[mCount][];
        var imaps = new double[mCount][];
        for (int m = 0; m < mCount; m++)
        {
            var x = individual[m].to(float64);
            var mu = x.mean([0]);
            imeans[m] = mu.data<double>().ToArray();
            if (x.shape[1] == 0) { imaps[m] = []; continue; }
            var xc = x - mu;
            var cov = xc.t().matmul(xc) / n;
            var (evals, evecs) = linalg.eigh(Ridged(cov));
            var order = evals.argsort(descending: true);
            evals = evals.index_select(0, order);
            evecs = evecs.index_select(1, order);
            evecs = evecs * LinearAlgebra.SignsOfLargest(evecs);
            imaps[m] = (evecs / evals.clamp_min(1e-300).sqrt()).contiguous().data<double>().ToArray();
        }

        return new Alignment
        {
            CommonMeans = cmeans,
            CommonMaps = cmaps,
            IndividualMeans = imeans,
            IndividualMaps = imaps,
            CanonicalCorrelations = correlations,
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
}

using Mucmm.Linear;
using Mucmm.Numerics;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Post-hoc alignment of a trained deep model (docs/method.md §8), fitted in float64 on the training set
/// and saved with the model: linear CCA between the common outputs c₁, c₂ (rotated to canonical variates
/// ordered by ρ, unit variance) and PCA of each individual output u_m (ordered by variance, unit variance).
/// Afterwards the exported common variates satisfy corr(z^c_{1,i}, z^c_{2,i}) = ρᵢ on the training set and
/// are otherwise uncorrelated.
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

    /// <summary>Training-set canonical correlations ρ₁ ≥ … ≥ ρ_k of the aligned common variates.</summary>
    public required double[] CanonicalCorrelations { get; init; }

    /// <summary>Fits the alignment from training-set outputs (float64 or float32 tensors, rows = samples), two views.</summary>
    public static Alignment Fit(IReadOnlyList<Tensor> common, IReadOnlyList<Tensor> individual)
    {
        if (common.Count != 2) throw new MucmmUserException($"the deep models align exactly 2 views, got {common.Count}");
        using var scope = NewDisposeScope();
        long n = common[0].shape[0];
        // Linear CCA of the common outputs: the linear model's closed form (Mucmm.Linear), float64.
        var cca = CanonicalCorrelation.Fit(CovarianceStats.FromTensors([common[0].to(float64), common[1].to(float64)]), Ridge);
        var imeans = new double[2][];
        var imaps = new double[2][];
        for (int m = 0; m < 2; m++)
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
            CommonMeans = [cca.Mean(0).ToArray(), cca.Mean(1).ToArray()],
            CommonMaps = [cca.DirectionsArray(0), cca.DirectionsArray(1)],
            IndividualMeans = imeans,
            IndividualMaps = imaps,
            CanonicalCorrelations = cca.Correlations.ToArray(),
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

using Mucmm.Data;
using Mucmm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// Fits the closed-form linear models (docs/method.md §3–4): linear MUCMM
/// (common = top-k canonical pairs; individual = top-r principal directions of what is left after
/// regressing out the K correlated variates) and plain CCA (the same model without individual parts).
/// With M &gt; 2 views the common part is multiset CCA (<see cref="MultisetCorrelation"/>, docs/method.md §4.1)
/// and the individual part the same residual PCA per view; with 2 views, <see cref="CanonicalCorrelation"/>.
/// </summary>
/// <remarks>Fits are made through the options record: <see cref="LinearOptions.Fit(PairedDataset)"/> and
/// <see cref="LinearOptions.Fit(CovarianceStats)"/>.</remarks>
public static class LinearMucmm
{
    /// <summary>The fit from statistics (see <see cref="LinearOptions.Fit(CovarianceStats)"/>).</summary>
    internal static LinearModel Fit(CovarianceStats stats, LinearOptions options)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Permutations > 0 && options.Kind == LinearModelKind.Mucmm)
            throw new MucmmUserException(
                "the permutation test re-pairs the rows and needs the data in memory; fit from the views, or give a threshold instead");
        CheckFeasible(stats.Count, stats.Dims, options);
        return FitCore(stats, options, null);
    }

    /// <summary>
    /// Everything about a fit that can be checked from the shapes alone, before any d × d matrix is
    /// built: the options are possible for the view widths <paramref name="dims"/> (k ≤ min(d₁, d₂)),
    /// classical CCA (ridge 0) has more than dₘ samples <paramref name="rows"/>, and the fit's estimated
    /// memory (<see cref="CanonicalCorrelation.EstimateFitBytes"/>) is available
    /// (<see cref="MemoryBudget.Require"/>). Each failure is a one-line <see cref="MucmmUserException"/>.
    /// </summary>
    public static void CheckFeasible(long rows, IReadOnlyList<int> dims, LinearOptions options)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(options);
        if (dims.Count < 2) throw new MucmmUserException($"linear models take at least 2 views, got {dims.Count}");
        int p = dims.Min();
        if (options.CommonDim < 1 || options.CommonDim > p)
            throw new MucmmUserException(
                $"common dim k = {options.CommonDim} is not possible: it must be between 1 and {MinText(dims.Count)} = {p} (view widths {WidthsText(dims)})");
        if (options.Permutations > 0 && options.Kind == LinearModelKind.Mucmm && dims.Count > 2)
            throw new MucmmUserException($"the permutation test is defined for 2 views; with {dims.Count} views give a threshold instead");
        if (options.Kind == LinearModelKind.Mucmm && options.IndividualDim < 0)
            throw new MucmmUserException($"individual dim must be ≥ 0, got {options.IndividualDim}");
        if (options.Ridge < 0 || !double.IsFinite(options.Ridge))
            throw new MucmmUserException($"the ridge must be a finite number ≥ 0, got {options.Ridge}");
        for (int m = 0; m < dims.Count; m++) CanonicalCorrelation.CheckSamples(rows, dims[m], m, options.Ridge);
        MemoryBudget.Require(CanonicalCorrelation.EstimateFitBytes(dims), "the linear fit",
            $"float64 d × d blocks for view widths {WidthsText(dims)}",
            "reduce the number of columns (e.g. PCA or pooling first) or use a machine with more memory");
    }

    /// <summary>The fit from M ≥ 2 in-memory views (see <see cref="LinearOptions.Fit(PairedDataset)"/>).</summary>
    internal static LinearModel Fit(IReadOnlyList<View> views, LinearOptions options)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(options);
        if (views.Count < 2) throw new MucmmUserException($"linear models take at least 2 views, got {views.Count}");
        CheckFeasible(views[0].Rows, views.Select(v => v.Cols).ToArray(), options);
        var stats = CovarianceStats.FromViews(views);
        return FitCore(stats, options, views);
    }

    /// <summary>
    /// Permutation threshold of the correlated set: the <paramref name="quantile"/> quantile (nearest
    /// rank) of the top regularized canonical correlation ρ̃₁ over <paramref name="permutations"/>
    /// random re-pairings of the rows (view 2's rows shuffled; Fisher–Yates with
    /// <see cref="Random"/>(<paramref name="seed"/>)). The within-view covariances do not change under
    /// re-pairing, so each permutation costs one (d₁ × n)(n × d₂) product and one SVD.
    /// </summary>
    public static double PermutationThreshold(IReadOnlyList<View> views, CovarianceStats stats, double ridge,
        int permutations, int seed, double quantile = LinearOptions.Defaults.PermutationQuantile)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(stats);
        if (permutations <= 0) throw new MucmmUserException($"the number of permutations must be positive, got {permutations}");
        if (quantile is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(quantile));
        int n = views[0].Rows;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = new Tensor[2];
        for (int m = 0; m < 2; m++)
        {
            var l = LinearAlgebra.Cholesky(LinearAlgebra.RelativeRidge(stats.Covariance(m, m), ridge), $"the covariance of view {m + 1}");
            var x = LinearAlgebra.FromArray(views[m].Data, n, views[m].Cols) - stats.MeanTensor(m);
            y[m] = linalg.solve_triangular(l, x.t(), upper: false).t().contiguous();   // (x − x̄) L⁻ᵀ: whitened rows
        }
        var rng = new Random(seed);
        var perm = Enumerable.Range(0, n).ToArray();
        var top = new double[permutations];
        for (int p = 0; p < permutations; p++)
        {
            using var iteration = NewDisposeScope();
            for (int i = n - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (perm[i], perm[j]) = (perm[j], perm[i]);
            }
            var shuffled = y[1].index_select(0, torch.tensor(perm, dtype: int64));
            var t = y[0].t().matmul(shuffled).div_(n - 1);
            top[p] = LinearAlgebra.SingularValues(t)[0].item<double>();
        }
        Array.Sort(top);
        int rank = (int)Math.Ceiling(quantile * permutations);
        return top[Math.Clamp(rank - 1, 0, permutations - 1)];
    }

    private static LinearModel FitCore(CovarianceStats stats, LinearOptions o, IReadOnlyList<View>? views)
    {
        int mCount = stats.ViewCount;
        if (mCount < 2) throw new MucmmUserException($"linear models take at least 2 views, got {mCount}");
        int p = stats.Dims.Min();
        bool mucmm = o.Kind == LinearModelKind.Mucmm;
        if (o.CommonDim < 1 || o.CommonDim > p)
            throw new MucmmUserException(
                $"common dim k = {o.CommonDim} is not possible: it must be between 1 and {MinText(mCount)} = {p} (view widths {WidthsText(stats.Dims)})");
        if (mucmm && o.IndividualDim < 0)
            throw new MucmmUserException($"individual dim must be ≥ 0, got {o.IndividualDim}");
        if (o.Permutations < 0) throw new MucmmUserException($"the number of permutations must be ≥ 0, got {o.Permutations}");
        if (o.Threshold is { } th && !(th >= 0 && th < 1))
            throw new MucmmUserException($"the correlation threshold must be in [0, 1), got {th}");

        // Common part: CCA for 2 views (unchanged), multiset CCA for more (docs/method.md §4.1).
        Func<int, Tensor> directions;
        double[] correlations, regularizedCorrelations;
        double[][] means;
        if (mCount == 2)
        {
            var cca = CanonicalCorrelation.Fit(stats, o.Ridge);
            directions = cca.Directions;
            correlations = cca.Correlations.ToArray();
            regularizedCorrelations = cca.RegularizedCorrelations.ToArray();
            means = new[] { cca.Mean(0).ToArray(), cca.Mean(1).ToArray() };
        }
        else
        {
            var mcca = MultisetCorrelation.Fit(stats, o.Ridge);
            directions = mcca.Directions;
            correlations = mcca.Correlations.ToArray();
            regularizedCorrelations = mcca.RegularizedCorrelations.ToArray();
            means = Enumerable.Range(0, mCount).Select(m => mcca.Mean(m).ToArray()).ToArray();
        }
        int k = o.CommonDim;

        double? tau = null;
        if (mucmm && o.Permutations > 0)
        {
            if (mCount != 2) throw new MucmmUserException($"the permutation test is defined for 2 views; with {mCount} views give a threshold instead");
            if (views is null) throw new MucmmUserException("the permutation test needs the data in memory");
            tau = PermutationThreshold(views, stats, o.Ridge, o.Permutations, o.Seed);
        }
        else if (mucmm && o.Threshold is { } given) tau = given;
        int correlated = k;
        if (tau is { } t)
            correlated = Math.Max(k, regularizedCorrelations.Count(r => r > t));

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var common = new double[mCount][];
        var individual = new double[mCount][];
        var commonPattern = new double[mCount][];
        var individualPattern = new double[mCount][];
        double toMeanSquare = (stats.Count - 1.0) / stats.Count;
        var individualVariance = new double[mCount][];
        var split = new VarianceSplit[mCount];
        int r = mucmm ? o.IndividualDim : 0;
        for (int m = 0; m < mCount; m++)
        {
            int d = stats.Dims[m];
            var s = stats.Covariance(m, m);
            var a = directions(m);
            var ak = a.narrow(1, 0, k);
            var gk = ak.t().matmul(s).matmul(ak);
            var unitVariance = gk.diagonal() * ((stats.Count - 1.0) / stats.Count);   // mean squares (divisor n)
            double worst = (unitVariance - 1).abs().max().item<double>();
            if (worst > 1e-6)
                throw new MucmmUserException(
                    $"common dim k = {k} is too large: view {m + 1} has fewer than {k} canonical variates with nonzero variance");
            common[m] = LinearAlgebra.ToArray(ak);
            commonPattern[m] = LinearAlgebra.ToArray(s.matmul(ak) * toMeanSquare);   // cov(x, c) (divisor n)
            double total = s.trace().item<double>();
            var sak = s.matmul(ak);
            double commonVar = linalg.solve(gk, sak.t().matmul(sak)).trace().item<double>();

            if (r > 0)
            {
                if (r > d - correlated)
                    throw new MucmmUserException(
                        $"individual dim r = {r} is not possible for view {m + 1}: after removing K = {correlated} correlated variates only {d - correlated} of its {d} dimensions are left");
                var (loadings, lambda) = IndividualDirections(s, a.narrow(1, 0, correlated), r, m, stats.Count);
                individual[m] = LinearAlgebra.ToArray(loadings);
                individualPattern[m] = LinearAlgebra.ToArray(s.matmul(loadings) * toMeanSquare);
                individualVariance[m] = lambda;
            }
            else
            {
                individual[m] = Array.Empty<double>();
                individualPattern[m] = Array.Empty<double>();
                individualVariance[m] = Array.Empty<double>();
            }
            double indivVar = individualVariance[m].Sum();
            split[m] = new VarianceSplit(commonVar / total, indivVar / total, Math.Max(0, 1 - (commonVar + indivVar) / total));
        }

        return new LinearModel(
            mucmm ? LinearModelKind.Mucmm : LinearModelKind.Cca,
            stats.Count, o.Ridge, stats.Dims.ToArray(), k, Enumerable.Repeat(r, mCount).ToArray(), correlated, tau,
            mucmm ? o.Permutations : 0, o.Seed,
            correlations, regularizedCorrelations,
            means,
            common, individual, commonPattern, individualPattern, individualVariance, split);
    }

    private static string MinText(int views) => views == 2 ? "min(d1, d2)" : $"min(d1, …, d{views})";

    private static string WidthsText(IReadOnlyList<int> dims) =>
        dims.Count == 2 ? $"{dims[0]} and {dims[1]}" : string.Join(", ", dims.Take(dims.Count - 1)) + $" and {dims[^1]}";

    /// <summary>
    /// Individual loadings of one view: P = I − A_K G⁻¹ A_Kᵀ Σ (regression of x on its K correlated
    /// variates, G = A_Kᵀ Σ A_K, which is I with ridge 0), residual covariance C = Pᵀ Σ P =
    /// Σ − Σ A_K G⁻¹ A_Kᵀ Σ, its top-r eigenpairs (wᵢ, λᵢ), loadings P wᵢ / √(λᵢ(n−1)/n) (variates with
    /// unit mean square on the training data, like the common ones).
    /// </summary>
    private static (Tensor Loadings, double[] Lambda) IndividualDirections(Tensor s, Tensor aK, int r, int view, long n)
    {
        using var scope = NewDisposeScope();
        long d = s.shape[0];
        var g = aK.t().matmul(s).matmul(aK);
        var sa = s.matmul(aK);                                          // Σ A_K
        var c = s - sa.matmul(linalg.solve(g, sa.t()));                  // Σ − Σ A G⁻¹ Aᵀ Σ
        var (top, wTop) = LinearAlgebra.TopEigenpairs(c, r);
        double scale = s.trace().item<double>() / d;
        double smallest = top[r - 1].item<double>();
        if (!(smallest > 1e-10 * scale))
        {
            long positive = (top > 1e-10 * scale).sum().item<long>();   // all of them are among the top r
            throw new MucmmUserException(
                $"individual dim r = {r} is too large for view {view + 1}: its residual has only {positive} directions with nonzero variance");
        }
        var projector = eye(d, dtype: float64) - aK.matmul(linalg.solve(g, sa.t()));   // P = I − A G⁻¹ Aᵀ Σ
        var loadings = projector.matmul(wTop) * (top * ((n - 1.0) / n)).rsqrt();   // unit mean square (divisor n)
        loadings = loadings * LinearAlgebra.SignsOfLargest(loadings);
        return (loadings.MoveToOuterDisposeScope(), LinearAlgebra.ToArray(top));
    }
}

/// <summary>
/// JIVE-like split of one view's total variance tr Σ (fractions summing to 1): <paramref name="Common"/>
/// is the variance of the regression of x on its k common variates, <paramref name="Individual"/> the
/// variance of the r individual variates (Σλᵢ of the residual covariance), <paramref name="Residual"/>
/// the rest (noise, and correlated directions K &gt; k that are neither common nor individual).
/// </summary>
public sealed record VarianceSplit(double Common, double Individual, double Residual);

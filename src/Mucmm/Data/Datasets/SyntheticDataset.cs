namespace Mucmm.Data.Datasets;

/// <summary>
/// Options of the <c>synthetic</c> generator. Defaults: two views of 30 dimensions, 3 common and
/// 3 individual latents per view, noise σ = 0.1, 10,000 samples, linear.
/// </summary>
public sealed record SyntheticOptions
{
    /// <summary>Number of samples n.</summary>
    public int Samples { get; init; } = 10_000;

    /// <summary>Dimension d_m of each view; its length is the number of views M ≥ 2.</summary>
    public int[] Dims { get; init; } = [30, 30];

    /// <summary>Number k of common latents (shared by all views).</summary>
    public int CommonDim { get; init; } = 3;

    /// <summary>Number r_m of individual latents of each view (same length as <see cref="Dims"/>); d_m ≥ k + r_m.</summary>
    public int[] IndividualDims { get; init; } = [3, 3];

    /// <summary>Standard deviation σ of the isotropic noise added to every coordinate.</summary>
    public double Noise { get; init; } = 0.1;

    /// <summary>
    /// Column norms of A_m (the standard deviation each common latent contributes), length k;
    /// null: evenly spaced from 3 down to 2 (3, 2.5, 2 for k = 3).
    /// </summary>
    public double[]? CommonScales { get; init; }

    /// <summary>
    /// Column norms of B_m (the standard deviation each individual latent contributes), per view,
    /// length r_m; null: evenly spaced from 1.5 down to 1 (1.5, 1.25, 1 for r = 3). With the
    /// default common scales every latent's variance is distinct (identifiable principal
    /// directions), the common part carries more variance than the individual part (variances
    /// 9, 6.25, 4 vs 2.25, 1.56, 1), and all are ≥ 100 σ² for the default σ.
    /// </summary>
    /// <remarks>
    /// Why the common part dominates: the sample cross-covariance of an individual latent with the
    /// other view is O(1/√n), and it tilts the estimated common directions towards the individual
    /// ones in proportion to the individual variance. With these defaults, n = 20,000 and d = 30,
    /// a NumPy simulation of linear CCA + the residual PCA (10 seeds) gave largest principal
    /// angles ≤ 0.8° between span(Σ₁₁ A_k) (common loadings) and span(A_1), and between the
    /// individual loadings P w and span(B_1); individual scales 4.5–3.5 gave up to 2.3°. The
    /// canonical weights A_k themselves are ~3–4° from span(A_1) at that n whatever the scales (their
    /// components along the pure-noise directions are poorly determined), so compare loadings.
    /// </remarks>
    public double[][]? IndividualScales { get; init; }

    /// <summary>Nonlinear variant: x_m = tanh(2 s_m / rms_m) + σ ε with s_m the linear mixture (see <see cref="SyntheticDataset"/>).</summary>
    public bool Nonlinear { get; init; }

    /// <summary>Seed of the mixing matrices, latents, noise and split.</summary>
    public int Seed { get; init; }

    /// <summary>Number of views M.</summary>
    public int ViewCount => Dims.Length;

    /// <summary>The common scales in use (given or default).</summary>
    public double[] ResolvedCommonScales() => CommonScales ?? Spaced(CommonDim, 3.0, 2.0);

    /// <summary>The individual scales of view <paramref name="m"/> in use (given or default).</summary>
    public double[] ResolvedIndividualScales(int m) => IndividualScales?[m] ?? Spaced(IndividualDims[m], 1.5, 1.0);

    private static double[] Spaced(int count, double first, double last) =>
        Enumerable.Range(0, count).Select(i => count == 1 ? first : first + (last - first) * i / (count - 1)).ToArray();
}

/// <summary>
/// The ground truth of a <c>synthetic</c> dataset: mixing matrices, latents and noise level, so
/// that recovery tests can compare what a model finds with what generated the data.
/// </summary>
/// <remarks>
/// Row convention: sample j of view m is x_m[j] = A_m z_c[j] + B_m z_u^m[j] + σ ε (linear variant),
/// with A_m = <see cref="CommonMixing"/>[m] (d_m × k) and B_m = <see cref="IndividualMixing"/>[m]
/// (d_m × r_m). The columns of [A_m B_m] are mutually orthogonal (an orthonormal basis scaled by
/// the latents' scales), so the common and individual subspaces of a view are orthogonal and,
/// with isotropic noise, the population CCA weights of view m span exactly span(A_m) and the
/// residual's top principal directions span exactly span(B_m).
/// </remarks>
public sealed class SyntheticGroundTruth
{
    internal SyntheticGroundTruth(SyntheticOptions options, double[][,] commonMixing, double[][,] individualMixing,
        double[,] commonLatents, double[][,] individualLatents)
    {
        Options = options;
        CommonMixing = commonMixing;
        IndividualMixing = individualMixing;
        CommonLatents = commonLatents;
        IndividualLatents = individualLatents;
    }

    /// <summary>The options that generated the data.</summary>
    public SyntheticOptions Options { get; }

    /// <summary>Number k of common latents.</summary>
    public int CommonDim => Options.CommonDim;

    /// <summary>Number r_m of individual latents per view.</summary>
    public IReadOnlyList<int> IndividualDims => Options.IndividualDims;

    /// <summary>Dimension d_m of each view.</summary>
    public IReadOnlyList<int> Dims => Options.Dims;

    /// <summary>Noise standard deviation σ.</summary>
    public double Noise => Options.Noise;

    /// <summary>Whether the nonlinear variant generated the views.</summary>
    public bool Nonlinear => Options.Nonlinear;

    /// <summary>A_m per view: d_m × k, column i has norm <see cref="SyntheticOptions.ResolvedCommonScales"/>[i].</summary>
    public IReadOnlyList<double[,]> CommonMixing { get; }

    /// <summary>B_m per view: d_m × r_m, column j has norm <see cref="SyntheticOptions.ResolvedIndividualScales"/>(m)[j].</summary>
    public IReadOnlyList<double[,]> IndividualMixing { get; }

    /// <summary>z_c per row: n × k, independent standard normal.</summary>
    public double[,] CommonLatents { get; }

    /// <summary>z_u^m per view and row: n × r_m, independent standard normal, independent of z_c and of other views.</summary>
    public IReadOnlyList<double[,]> IndividualLatents { get; }

    /// <summary>An orthonormal basis (d_m × k) of the common subspace span(A_m) of view <paramref name="view"/>.</summary>
    public double[,] CommonSubspace(int view) => Normalized(CommonMixing[view]);

    /// <summary>An orthonormal basis (d_m × r_m) of the individual subspace span(B_m) of view <paramref name="view"/>.</summary>
    public double[,] IndividualSubspace(int view) => Normalized(IndividualMixing[view]);

    private static double[,] Normalized(double[,] a)
    {
        int d = a.GetLength(0), k = a.GetLength(1);
        var q = new double[d, k];
        for (int j = 0; j < k; j++)
        {
            double norm = 0;
            for (int i = 0; i < d; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < d; i++) q[i, j] = a[i, j] / norm;
        }
        return q;
    }
}

/// <summary>
/// The <c>synthetic</c> and <c>synthetic-nonlinear</c> datasets: views generated from known
/// common and individual latents (docs/datasets.md).
/// </summary>
/// <remarks>
/// <para>Linear: x_m = A_m z_c + B_m z_u^m + σ ε, z_c ~ N(0, I_k), z_u^m ~ N(0, I_{r_m}), ε ~ N(0, I_{d_m}),
/// all independent; [A_m B_m] = an orthonormal basis (Gram–Schmidt of a Gaussian matrix) with
/// columns scaled by the latents' scales. Population canonical correlations: ρ_i = a_i²/(a_i² + σ²)
/// for the k common pairs (0.9975 … 0.9989 with the defaults) and 0 beyond.</para>
/// <para>Nonlinear: s_m = A_m z_c + B_m z_u^m, x_m = tanh(2 s_m / rms_m) + σ ε elementwise, where
/// rms_m = sqrt((Σ a_i² + Σ b_j²)/d_m) is the root mean square of a coordinate of s_m; every
/// coordinate then mixes common and individual latents nonlinearly (a linear model cannot separate
/// them exactly; the latents remain the ground truth).</para>
/// <para>Determinism: the mixing matrices come from one random stream, latents and noise from
/// another (row by row), the split from a third, all derived from <see cref="SyntheticOptions.Seed"/>;
/// so the same seed gives the same data everywhere, and the same mixing matrices for every n.
/// Split: 80 % train, 10 % validation, 10 % test at random. Views are named "view1", "view2", …;
/// factors "common1".."commonk" hold z_c and "individual{m}_{j}" hold z_u^m.</para>
/// </remarks>
public static class SyntheticDataset
{
    /// <summary>Dataset name of the linear variant.</summary>
    public const string Name = "synthetic";

    /// <summary>Dataset name of the nonlinear variant.</summary>
    public const string NonlinearName = "synthetic-nonlinear";

    /// <summary>Generates the dataset and its ground truth; throws <see cref="MucmmUserException"/> on bad options.</summary>
    public static (PairedDataset Data, SyntheticGroundTruth Truth) Generate(SyntheticOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        int n = options.Samples, k = options.CommonDim, views = options.ViewCount;
        double sigma = options.Noise;
        double[] commonScales = options.ResolvedCommonScales();

        // Mixing matrices: one stream, independent of n.
        var mixRng = Seeds.Rng(options.Seed, Seeds.Stream.Mixing);
        var commonMixing = new double[views][,];
        var individualMixing = new double[views][,];
        var rms = new double[views];
        for (int m = 0; m < views; m++)
        {
            int d = options.Dims[m], r = options.IndividualDims[m];
            double[] indScales = options.ResolvedIndividualScales(m);
            double[,] basis = OrthonormalColumns(d, k + r, mixRng);
            commonMixing[m] = new double[d, k];
            individualMixing[m] = new double[d, r];
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < k; j++) commonMixing[m][i, j] = basis[i, j] * commonScales[j];
                for (int j = 0; j < r; j++) individualMixing[m][i, j] = basis[i, k + j] * indScales[j];
            }
            rms[m] = Math.Sqrt((commonScales.Sum(a => a * a) + indScales.Sum(b => b * b)) / d);
        }

        // Latents and noise, row by row from one stream (the first rows do not depend on n).
        var rng = Seeds.Rng(options.Seed, Seeds.Stream.Latents);
        var zc = new double[n, k];
        var zu = new double[views][,];
        var data = new double[views][];
        for (int m = 0; m < views; m++)
        {
            zu[m] = new double[n, options.IndividualDims[m]];
            data[m] = new double[n * options.Dims[m]];
        }
        for (int row = 0; row < n; row++)
        {
            for (int j = 0; j < k; j++) zc[row, j] = rng.NextGaussian();
            for (int m = 0; m < views; m++)
            {
                int d = options.Dims[m], r = options.IndividualDims[m];
                for (int j = 0; j < r; j++) zu[m][row, j] = rng.NextGaussian();
                var a = commonMixing[m];
                var b = individualMixing[m];
                int offset = row * d;
                for (int i = 0; i < d; i++)
                {
                    double s = 0;
                    for (int j = 0; j < k; j++) s += a[i, j] * zc[row, j];
                    for (int j = 0; j < r; j++) s += b[i, j] * zu[m][row, j];
                    if (options.Nonlinear) s = Math.Tanh(2.0 * s / rms[m]);
                    data[m][offset + i] = s + sigma * rng.NextGaussian();
                }
            }
        }

        var viewList = new View[views];
        for (int m = 0; m < views; m++)
            viewList[m] = new View($"view{m + 1}", ViewKind.Vector, [options.Dims[m]], data[m]);

        var factors = new Dictionary<string, double[]>();
        for (int j = 0; j < k; j++) factors[$"common{j + 1}"] = Column(zc, j);
        for (int m = 0; m < views; m++)
            for (int j = 0; j < options.IndividualDims[m]; j++)
                factors[$"individual{m + 1}_{j + 1}"] = Column(zu[m], j);

        string name = options.Nonlinear ? NonlinearName : Name;
        string description = options.Nonlinear
            ? $"x_m = tanh(2(A_m z_c + B_m z_u^m)/rms) + σε, k = {k}, σ = {sigma}"
            : $"x_m = A_m z_c + B_m z_u^m + σε, k = {k}, σ = {sigma}";
        var dataset = new PairedDataset(name, viewList, DatasetSplits.Random(n, options.Seed), factors: factors,
            description: description);
        return (dataset, new SyntheticGroundTruth(options, commonMixing, individualMixing, zc, zu));
    }

    private static void Validate(SyntheticOptions o)
    {
        if (o.Samples < 10) throw new MucmmUserException($"synthetic: need at least 10 samples, got {o.Samples}");
        if (o.Dims is null || o.Dims.Length < 2) throw new MucmmUserException("synthetic: need at least 2 views (Dims)");
        if (o.IndividualDims is null || o.IndividualDims.Length != o.Dims.Length)
            throw new MucmmUserException($"synthetic: IndividualDims needs one entry per view ({o.Dims.Length})");
        if (o.CommonDim < 0) throw new MucmmUserException($"synthetic: common dimension must be ≥ 0, got {o.CommonDim}");
        if (!(o.Noise >= 0) || double.IsInfinity(o.Noise)) throw new MucmmUserException($"synthetic: noise σ must be finite and ≥ 0, got {o.Noise}");
        for (int m = 0; m < o.Dims.Length; m++)
        {
            if (o.IndividualDims[m] < 0) throw new MucmmUserException($"synthetic: individual dimension of view {m + 1} must be ≥ 0");
            if (o.Dims[m] < o.CommonDim + o.IndividualDims[m] || o.Dims[m] < 1)
                throw new MucmmUserException(
                    $"synthetic: view {m + 1} has {o.Dims[m]} dimensions, fewer than common + individual = {o.CommonDim + o.IndividualDims[m]}");
            if ((long)o.Samples * o.Dims[m] > Array.MaxLength)
                throw new MucmmUserException($"synthetic: {o.Samples} samples × {o.Dims[m]} dimensions is too large for one view in memory");
            if (o.IndividualScales is not null && (o.IndividualScales.Length != o.Dims.Length || o.IndividualScales[m].Length != o.IndividualDims[m]))
                throw new MucmmUserException($"synthetic: IndividualScales of view {m + 1} needs {o.IndividualDims[m]} entries");
        }
        if (o.CommonScales is not null && o.CommonScales.Length != o.CommonDim)
            throw new MucmmUserException($"synthetic: CommonScales needs {o.CommonDim} entries, got {o.CommonScales.Length}");
    }

    /// <summary>d × c matrix with orthonormal columns: modified Gram–Schmidt of a Gaussian matrix (re-drawn if degenerate).</summary>
    private static double[,] OrthonormalColumns(int d, int c, Random rng)
    {
        var q = new double[d, c];
        for (int j = 0; j < c; j++)
        {
            while (true)
            {
                var v = new double[d];
                for (int i = 0; i < d; i++) v[i] = rng.NextGaussian();
                for (int pass = 0; pass < 2; pass++) // twice is enough (Giraud et al. 2005)
                {
                    for (int p = 0; p < j; p++)
                    {
                        double dot = 0;
                        for (int i = 0; i < d; i++) dot += q[i, p] * v[i];
                        for (int i = 0; i < d; i++) v[i] -= dot * q[i, p];
                    }
                }
                double norm = Math.Sqrt(v.Sum(x => x * x));
                if (norm < 1e-8) continue;
                for (int i = 0; i < d; i++) q[i, j] = v[i] / norm;
                break;
            }
        }
        return q;
    }

    private static double[] Column(double[,] a, int j)
    {
        var c = new double[a.GetLength(0)];
        for (int i = 0; i < c.Length; i++) c[i] = a[i, j];
        return c;
    }
}

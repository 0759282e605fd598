using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

/// <summary>Linear MUCMM with M &gt; 2 views (issue 14; docs/method.md §3.2): multiset CCA common part, residual-PCA individual part.</summary>
public class MulticcaTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class Reference
    {
        public required double Ridge { get; init; }
        public required double[] Correlations { get; init; }
        public required double[] Regularized { get; init; }
        public required double[][] Common { get; init; }       // per view dₘ × k, row-major
        public required double[][] Individual { get; init; }   // per view dₘ × r
    }

    private const int K = 2, R = 1, N = 120;
    private static readonly int[] Dims = [4, 3, 5];

    // Printed by mcca_reference.py (NumPy 1.24.2, SciPy 1.10.1).
    private static readonly Reference[] References =
    [
        new Reference
        {
            Ridge = 0.0,
            Correlations = new double[] { 0.7848634592217595, 0.6097054795887255, 0.3716657669769263 },
            Regularized = new double[] { 0.7849787825193508, 0.6165683156225505, 0.37543005085725856 },
            Common = new[] { new double[] { -0.12186010301052336, 0.7344802065240362, 0.3859536417298791, -0.023493116256627283, 0.6939493922940311, 0.5523838912895079, 0.4664020788168036, 0.005466235788446997 }, new double[] { 0.7797656018876984, 0.6353877053175998, 0.62418048821175, -0.1630711381766741, -0.11243195412442161, 1.546812394847174 }, new double[] { 0.1916671899877835, -0.6172795865485424, -0.4437548374961346, 0.7665539332424359, -0.3268142114735235, -0.0991588752313818, 0.4695830716491394, 0.5210414205094427, 0.6329440352256436, 0.5155898810974426 } },
            Individual = new[] { new double[] { 1.425124853223708, 0.8452435921877589, -0.2819778236050236, 0.6809750698505115 }, new double[] { -1.0050940715756245, 1.7287876432817741, 0.9456029564168847 }, new double[] { 0.5910375900994872, 0.7089898042178762, 0.7173848759125532, 0.6447619133344957, 1.1226218663611738 } },
        },
        new Reference
        {
            Ridge = 1e-3,
            Correlations = new double[] { 0.7848630987839386, 0.6096743927697338, 0.3716768298499415 },
            Regularized = new double[] { 0.7844647400812659, 0.6159172248582754, 0.3744011662473148 },
            Common = new[] { new double[] { -0.12296541446257742, 0.7326916344992873, 0.3854794599229306, -0.024816910158837743, 0.693571188885474, 0.5529479133581289, 0.46635711930786933, 0.005183423099343996 }, new double[] { 0.7795302233935141, 0.6369406314151719, 0.6239399564274054, -0.1645080309675639, -0.11378946992357726, 1.5457028494322904 }, new double[] { 0.19138419479340735, -0.6171866317642619, -0.44456400864796386, 0.7651323032325497, -0.32681514128948597, -0.10109157866156512, 0.4684155541872005, 0.5212763160189379, 0.6322858177673877, 0.5139921749261765 } },
            Individual = new[] { new double[] { 1.4260942610934402, 0.844762117280357, -0.281139423292196, 0.681688192139597 }, new double[] { -1.0042773083321117, 1.728729684885435, 0.9472173020525041 }, new double[] { 0.5914856425154026, 0.7100031766610682, 0.7160319413225973, 0.6466109743238185, 1.1231871558869873 } },
        },
    ];

    /// <summary>The closed-form data of mcca_reference.py (formula()): 120 rows, widths 4, 3, 5, two shared signals.</summary>
    private static View[] Formula() => Dims.Select((d, m) =>
    {
        var x = new double[N * d];
        for (int i = 0; i < N; i++)
        {
            double z1 = Math.Sin(0.37 * i), z2 = Math.Cos(0.53 * i + 0.3);
            for (int j = 0; j < d; j++)
            {
                double a = Math.Cos(1.0 + j + 2.0 * m), b = Math.Sin(2.0 + 3.0 * j + m);
                x[i * d + j] = a * z1 + b * z2 + 0.6 * Math.Sin(1.3 * (j + 2) * i + 0.7 * m)
                    + 0.4 * ((i * (7 + 3 * j + 5 * m)) % 11 - 5) / 5.0;
            }
        }
        return new View($"x{m + 1}", ViewKind.Vector, [d], x);
    }).ToArray();

    private static void Near(double[] want, double[] got, double tolerance, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double worst = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"{what}: largest difference {worst:G3} > {tolerance:G3}");
    }

    /// <summary>
    /// Oracle: mcca_reference.py — SciPy's generalized symmetric eigensolver on (C̃, D̃) (a different route from
    /// the Cholesky whitening + eigh of the C# code), with ε = 0 and ε = 1e-3, on the closed-form data of
    /// <see cref="Formula"/>: the 3 mean pairwise training correlations, the 3 regularized ρ̃ = (λ − 1)/(M − 1),
    /// every view's k = 2 common directions and r = 1 individual loadings (same sign and order conventions).
    /// Tolerance 1e-8 absolute (entries are O(1); the eigenvalues are well separated).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Three_view_fit_matches_the_SciPy_oracle(int reference)
    {
        using var scope = NewDisposeScope();
        var want = References[reference];
        var model = LinearMucmm.Fit(Formula(), new LinearOptions { CommonDim = K, IndividualDim = R, Ridge = want.Ridge });
        Assert.Equal(3, model.ViewCount);
        Assert.Equal(Dims, model.InputDims);
        Assert.Equal([R, R, R], model.IndividualDims);
        Near(want.Correlations, model.CanonicalCorrelations.ToArray(), 1e-8, "mean pairwise correlations");
        Near(want.Regularized, model.RegularizedCanonicalCorrelations.ToArray(), 1e-8, "regularized correlations");
        for (int m = 0; m < 3; m++)
        {
            Near(want.Common[m], LinearAlgebra.ToArray(model.CommonDirections(m)), 1e-8, $"common directions of view {m + 1}");
            Near(want.Individual[m], LinearAlgebra.ToArray(model.IndividualLoadings(m)), 1e-8, $"individual loadings of view {m + 1}");
        }
    }

    /// <summary>
    /// Oracle: the M = 2 reduction (docs/method.md §3.2). Multiset CCA on two views gives exactly CCA's
    /// directions (W = [[I, T], [Tᵀ, I]] has eigenvectors (uᵢ, vᵢ)/√2) and ρ̃ = λ − 1 = the singular values:
    /// MultisetCorrelation and CanonicalCorrelation agree within 1e-9 for ε = 0 and 1e-3 (the fit itself keeps
    /// CanonicalCorrelation for 2 views, so the existing LinearMucmm tests stay the oracle of M = 2).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-3)]
    public void Multiset_cca_of_two_views_is_cca(double ridge)
    {
        using var scope = NewDisposeScope();
        var views = Formula();
        var stats = CovarianceStats.FromViews([views[0], views[2]]);
        var cca = CanonicalCorrelation.Fit(stats, ridge);
        var mcca = MultisetCorrelation.Fit(stats, ridge);
        int p = cca.PairCount;
        Assert.Equal(p, mcca.PairCount);
        Near(cca.Correlations.ToArray(), mcca.Correlations.ToArray(), 1e-9, "correlations");
        Near(cca.RegularizedCorrelations.ToArray(), mcca.RegularizedCorrelations.ToArray(), 1e-9, "regularized correlations");
        for (int m = 0; m < 2; m++)
            Near(LinearAlgebra.ToArray(cca.Directions(m)), LinearAlgebra.ToArray(mcca.Directions(m)), 1e-9, $"directions of view {m + 1}");
    }

    /// <summary>
    /// Oracle: synthetic ground truth with three views. xₘ = z_c diag(aₘ) Qₘᵀ + z_uᵐ diag(bₘ) Rₘᵀ + σε with
    /// [Qₘ Rₘ] orthonormal (QR of a fixed Gaussian matrix), k = 3 shared signals z_c and r = 2 view-specific
    /// ones, σ = 1. In the population every cross-covariance lives in the Q-spans, so the multiset directions,
    /// the common patterns cov(x, c) and (after regressing them out) the individual loadings span span(Qₘ) and
    /// span(Rₘ) (the argument of docs/method.md for two views, block by block). With n = 20,000 and the default
    /// ridge the largest principal angle of each view's common patterns, individual loadings and individual
    /// patterns to the truth is under 3°, of the common directions (weights, noisier as in the two-view test)
    /// under 6° (measured with seed 3: 0.7°–2.3° and under 3°; a wrong subspace gives tens of degrees); and the
    /// fitted model saves and loads with 3 views, transforming a batch identically.
    /// </summary>
    [Fact]
    public void Three_views_recover_the_true_common_and_individual_subspaces()
    {
        using var scope = NewDisposeScope();
        const int n = 20_000, k = 3, r = 2;
        int[] dims = [20, 15, 25];
        double[][] a = [[3.0, 2.5, 2.0], [2.5, 2.0, 1.8], [2.8, 2.2, 1.6]];
        double[][] b = [[4.0, 3.0], [3.5, 2.5], [3.0, 2.6]];
        var rng = new Random(3);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var bases = dims.Select(d =>
        {
            var g = tensor(Enumerable.Range(0, d * (k + r)).Select(_ => Normal()).ToArray(), new long[] { d, k + r }, dtype: float64);
            var q = LinearAlgebra.Orthonormalize(g);
            return (Q: LinearAlgebra.ToArray(q.narrow(1, 0, k).contiguous()), R: LinearAlgebra.ToArray(q.narrow(1, k, r).contiguous()));
        }).ToArray();
        var data = dims.Select(d => new double[n * d]).ToArray();
        var zc = new double[k];
        var zu = new double[r];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++) zc[j] = Normal();
            for (int m = 0; m < 3; m++)
            {
                for (int j = 0; j < r; j++) zu[j] = Normal();
                int d = dims[m];
                for (int p = 0; p < d; p++)
                {
                    double v = Normal();
                    for (int j = 0; j < k; j++) v += zc[j] * a[m][j] * bases[m].Q[p * k + j];
                    for (int j = 0; j < r; j++) v += zu[j] * b[m][j] * bases[m].R[p * r + j];
                    data[m][i * d + p] = v;
                }
            }
        }
        var views = dims.Select((d, m) => new View($"x{m + 1}", ViewKind.Vector, [d], data[m])).ToArray();
        var model = LinearMucmm.Fit(views, new LinearOptions { CommonDim = k, IndividualDim = r });

        double Angle(Tensor estimate, double[] truth, int d, int cols) =>
            LinearAlgebra.PrincipalAngles(estimate, LinearAlgebra.FromArray(truth, d, cols)).Max() * 180 / Math.PI;
        var lines = new List<string>();
        for (int m = 0; m < 3; m++)
        {
            double pattern = Angle(model.CommonPatterns(m), bases[m].Q, dims[m], k);
            double weights = Angle(model.CommonDirections(m), bases[m].Q, dims[m], k);
            double individual = Angle(model.IndividualLoadings(m), bases[m].R, dims[m], r);
            double indPattern = Angle(model.IndividualPatterns(m), bases[m].R, dims[m], r);
            lines.Add($"view {m + 1}: common patterns {pattern:F3}°, common weights {weights:F3}°, individual loadings {individual:F3}°, individual patterns {indPattern:F3}°");
            Assert.True(pattern < 3 && individual < 3 && indPattern < 3 && weights < 6, string.Join("\n", lines));
        }
        output.WriteLine(string.Join("\n", lines));

        string dir = TestPaths.NewTempDir();
        model.Save(dir);
        var loaded = Assert.IsType<LinearModel>(ModelStore.Load(dir));
        Assert.Equal(3, loaded.ViewCount);
        var batch = views.Select(v => Mucmm.Evaluation.Representations.Slice(v, 0, 50)).ToArray();
        var x = model.Forward(batch);
        var y = loaded.Forward(batch);
        Assert.Equal(3, y.Common.Count);
        for (int m = 0; m < 3; m++)
        {
            Assert.Equal(LinearAlgebra.ToArray(x.Common[m]), LinearAlgebra.ToArray(y.Common[m]));
            Assert.Equal(LinearAlgebra.ToArray(x.Individual[m]), LinearAlgebra.ToArray(y.Individual[m]));
        }
        Assert.Equal(model.CanonicalCorrelations, loaded.CanonicalCorrelations);
    }

    /// <summary>The permutation test re-pairs two views only: with three views it is a one-line user error naming the alternative.</summary>
    [Fact]
    public void Permutation_test_with_three_views_is_a_user_error()
    {
        var ex = Assert.Throws<MucmmUserException>(() =>
            LinearMucmm.Fit(Formula(), new LinearOptions { CommonDim = K, IndividualDim = R, Permutations = 5 }));
        Assert.Contains("2 views", ex.Message);
        Assert.Contains("threshold", ex.Message);
    }
}

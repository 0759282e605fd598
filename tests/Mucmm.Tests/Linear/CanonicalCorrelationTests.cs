using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

public class CanonicalCorrelationTests
{
    private static CanonicalCorrelation Fit(View x, View y, double ridge = 0) =>
        CanonicalCorrelation.Fit(CovarianceStats.FromViews(new[] { x, y }), ridge);

    /// <summary>
    /// Oracle: R 4.2.2 <c>stats::cancor</c> (the example of ?cancor), run as
    /// <c>options(digits=17); pop &lt;- LifeCycleSavings[, 2:3]; oec &lt;- LifeCycleSavings[, -(2:3)];
    /// r &lt;- cancor(pop, oec); r$cor; r$xcoef</c>.
    /// cor = 0.82479661124741621, 0.36527615148513809; xcoef = [[-0.0091108562292218486, -0.03622206048674606],
    /// [0.0486475137502448696, -0.26031158157480699]] (variates with unit sum of squares; ours have unit mean square, so ours = ±√n·xcoef, n = 50).
    /// Tolerance 1e-8 (ridge 0, float64).
    /// </summary>
    [Fact]
    public void LifeCycleSavingsMatchesRCancor()
    {
        var cca = Fit(RDatasets.Columns("LifeCycleSavings.csv", "pop15", "pop75"),
                      RDatasets.Columns("LifeCycleSavings.csv", "sr", "dpi", "ddpi"));
        double[] expected = { 0.82479661124741621, 0.36527615148513809 };
        Assert.Equal(2, cca.PairCount);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Math.Abs(cca.Correlations[i] - expected[i]) < 1e-8, $"ρ{i + 1} = {cca.Correlations[i]:R}, R: {expected[i]:R}");
            Assert.True(Math.Abs(cca.RegularizedCorrelations[i] - expected[i]) < 1e-8);
        }

        // Directions: ours = sign · √50 · R's xcoef; our sign makes the largest-|.| entry positive.
        double[,] xcoef = { { -0.0091108562292218486, -0.03622206048674606 }, { 0.0486475137502448696, -0.26031158157480699 } };
        var a = cca.DirectionsArray(0);
        for (int j = 0; j < 2; j++)
        {
            double sign = Math.Abs(xcoef[0, j]) > Math.Abs(xcoef[1, j]) ? Math.Sign(xcoef[0, j]) : Math.Sign(xcoef[1, j]);
            for (int i = 0; i < 2; i++)
            {
                double want = sign * Math.Sqrt(50) * xcoef[i, j];
                Assert.True(Math.Abs(a[i * 2 + j] - want) < 1e-8 * Math.Max(1, Math.Abs(want)), $"a[{i},{j}] = {a[i * 2 + j]:R}, R: {want:R}");
            }
        }
    }

    /// <summary>
    /// Oracle: R 4.2.2 <c>cancor(iris[,1:2], iris[,3:4])$cor</c> = 0.94096899697574932, 0.12393688120540421
    /// (with <c>options(digits=17)</c>). Tolerance 1e-8.
    /// </summary>
    [Fact]
    public void IrisSepalsVersusPetalsMatchesRCancor()
    {
        var cca = Fit(RDatasets.Columns("iris.csv", "Sepal.Length", "Sepal.Width"),
                      RDatasets.Columns("iris.csv", "Petal.Length", "Petal.Width"));
        AssertClose(new[] { 0.94096899697574932, 0.12393688120540421 }, cca.Correlations, 1e-8);
    }

    /// <summary>
    /// Oracle: R 4.2.2 <c>cancor(mtcars[,c("mpg","disp","hp","wt")], mtcars[,c("drat","qsec","cyl","gear","carb")])$cor</c>
    /// = 0.94086306626388994, 0.81854121542938485, 0.78362722030812204, 0.22231262770003327. Tolerance 1e-8.
    /// </summary>
    [Fact]
    public void MtcarsMatchesRCancor()
    {
        var cca = Fit(RDatasets.Columns("mtcars.csv", "mpg", "disp", "hp", "wt"),
                      RDatasets.Columns("mtcars.csv", "drat", "qsec", "cyl", "gear", "carb"));
        AssertClose(new[] { 0.94086306626388994, 0.81854121542938485, 0.78362722030812204, 0.22231262770003327 }, cca.Correlations, 1e-8);
    }

    /// <summary>
    /// Oracle: definition of CCA. On random data, the variates (x − x̄)A have unit mean square (our
    /// standardization, divisor n), pair i
    /// has correlation ρᵢ and different pairs are uncorrelated (within and across views): the
    /// covariance of [XA, YB] is [[I, diag ρ], [diag ρ, I]] to 1e-10 with ridge 0. Signs follow the
    /// convention (largest-|.| entry of each aᵢ positive).
    /// </summary>
    [Fact]
    public void VariatesAreStandardizedAndPairwiseCorrelated()
    {
        using var scope = NewDisposeScope();
        var (x, y) = RandomPair(500, 7, 5, seed: 3);
        var cca = CanonicalCorrelation.Fit(CovarianceStats.FromViews(new[] { x, y }), 0);
        var u = cca.Transform(0, LinearAlgebra.FromArray(x.Data, x.Rows, x.Cols));
        var v = cca.Transform(1, LinearAlgebra.FromArray(y.Data, y.Rows, y.Cols));
        var z = cat(new[] { u, v }, 1);
        var cov = z.t().matmul(z - z.mean(new long[] { 0 })) / z.shape[0];
        var rho = torch.tensor(cca.Correlations.ToArray(), dtype: float64);
        var expected = eye(10, dtype: float64);
        expected.narrow(0, 0, 5).narrow(1, 5, 5).diagonal().copy_(rho);
        expected.narrow(0, 5, 5).narrow(1, 0, 5).diagonal().copy_(rho);
        Assert.True((cov - expected).abs().max().item<double>() < 1e-10);
        for (int i = 1; i < 5; i++) Assert.True(cca.Correlations[i] <= cca.Correlations[i - 1]);
        var a = cca.Directions(0);
        var picked = a.gather(0, a.abs().argmax(dim: 0).unsqueeze(0));
        Assert.True((picked > 0).all().item<bool>());
    }

    /// <summary>
    /// Oracle: a column that is an exact linear combination of others makes Σ singular; with ridge 0 this
    /// must be a user error that says to use a ridge, never NaN correlations.
    /// </summary>
    [Fact]
    public void CollinearColumnsWithRidgeZeroAreAClearError()
    {
        var (x, y) = RandomPair(100, 4, 3, seed: 4);
        var data = (double[])x.Data.Clone();
        for (int i = 0; i < x.Rows; i++) data[i * 4 + 3] = data[i * 4] - 2 * data[i * 4 + 1];
        var ex = Assert.Throws<MucmmUserException>(() => Fit(new View("x", ViewKind.Vector, new[] { 4 }, data), y, 0));
        Assert.Contains("ridge", ex.Message);
    }

    /// <summary>Bad input: classical CCA with n ≤ d must be refused with a message naming n and the width.</summary>
    [Fact]
    public void TooFewSamplesForRidgeZeroIsAClearError()
    {
        var (x, y) = RandomPair(6, 6, 3, seed: 5);
        var ex = Assert.Throws<MucmmUserException>(() => Fit(x, y, 0));
        Assert.Contains("n = 6", ex.Message);
        Assert.Contains("6 columns", ex.Message);
        // With a ridge the same data fits.
        var cca = Fit(x, y, 1e-3);
        Assert.All(cca.Correlations, r => Assert.True(double.IsFinite(r)));
    }

    /// <summary>
    /// Bad input: constant columns with ridge 0 are named in the error. With ridge &gt; 0 they are
    /// harmless (MNIST border pixels): the fit succeeds, the directions give those columns weight 0
    /// (oracle: a constant column has zero covariance with everything, so the ridge-regularized
    /// solution puts no weight on it), and all correlations are finite.
    /// </summary>
    [Fact]
    public void ConstantColumnsAreNamedWithRidgeZeroAndHarmlessWithRidge()
    {
        var (x, y) = RandomPair(200, 6, 4, seed: 6);
        var data = (double[])x.Data.Clone();
        for (int i = 0; i < x.Rows; i++) { data[i * 6 + 1] = 0; data[i * 6 + 4] = 0.1; }
        var xc = new View("x", ViewKind.Vector, new[] { 6 }, data);
        var ex = Assert.Throws<MucmmUserException>(() => Fit(xc, y, 0));
        Assert.Contains("constant columns (1, 4)", ex.Message);
        Assert.Contains("view 1", ex.Message);

        var cca = Fit(xc, y, 1e-3);
        Assert.All(cca.Correlations, r => Assert.True(double.IsFinite(r) && r >= 0 && r <= 1));
        var a = cca.DirectionsArray(0);
        for (int j = 0; j < cca.PairCount; j++)
        {
            Assert.True(Math.Abs(a[1 * cca.PairCount + j]) < 1e-12);
            Assert.True(Math.Abs(a[4 * cca.PairCount + j]) < 1e-12);
        }
    }

    /// <summary>Bad input: NaN anywhere in a view is named by view, row and column.</summary>
    [Fact]
    public void NaNIsAClearError()
    {
        var (x, y) = RandomPair(50, 3, 3, seed: 7);
        var data = (double[])y.Data.Clone();
        data[17 * 3 + 2] = double.NaN;
        var ex = Assert.Throws<MucmmUserException>(() => Fit(x, new View("y", ViewKind.Vector, new[] { 3 }, data)));
        Assert.Contains("view 2 holds NaN at row 17, column 2", ex.Message);
    }

    /// <summary>Bad input: views with different row counts are refused.</summary>
    [Fact]
    public void MismatchedRowsAreAClearError()
    {
        var (x, _) = RandomPair(50, 3, 3, seed: 8);
        var (_, y) = RandomPair(40, 3, 3, seed: 8);
        var ex = Assert.Throws<MucmmUserException>(() => Fit(x, y));
        Assert.Contains("not paired", ex.Message);
    }

    internal static (View X, View Y) RandomPair(int n, int d1, int d2, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = new double[n * d1];
        var y = new double[n * d2];
        for (int i = 0; i < n; i++)
        {
            double shared1 = Normal(), shared2 = Normal();
            for (int j = 0; j < d1; j++) x[i * d1 + j] = Normal() + (j == 0 ? 2 * shared1 : j == 1 ? shared2 : 0) + 3;
            for (int j = 0; j < d2; j++) y[i * d2 + j] = Normal() + (j == 0 ? shared1 : j == 1 ? 0.5 * shared2 : 0) - 1;
        }
        return (new View("x", ViewKind.Vector, new[] { d1 }, x), new View("y", ViewKind.Vector, new[] { d2 }, y));
    }

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tol)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < tol, $"ρ{i + 1} = {actual[i]:R}, reference {expected[i]:R}");
    }
}

using Mucmm.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Evaluation;

public class LeakageTests
{
    private const int N = 90;

    // The formula matrices of probe_reference.py.
    private static (Tensor a, Tensor b) Reference()
    {
        var a = new double[N * 3];
        var b = new double[N * 2];
        for (int i = 0; i < N; i++)
        {
            a[i * 3] = Math.Sin(0.3 * i);
            a[i * 3 + 1] = Math.Cos(0.17 * Math.Pow(i, 1.1));
            a[i * 3 + 2] = i % 5 - 2.0;
            b[i * 2] = a[i * 3] + 0.5 * Math.Cos(0.9 * i);
            b[i * 2 + 1] = a[i * 3 + 1] * 0.3 + Math.Sin(1.7 * i);
        }
        return (tensor(a, new long[] { N, 3 }, dtype: float64), tensor(b, new long[] { N, 2 }, dtype: float64));
    }

    /// <summary>
    /// Oracle: NumPy 1.24 (probe_reference.py), an independent route: symmetric inverse square roots by
    /// eigh, then the SVD of S_AA^(−1/2) S_AB S_BB^(−1/2), with ε = 0 and ε = 1e-3. Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void CanonicalCorrelationsMatchNumPy()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Reference();
        var r0 = Leakage.CanonicalCorrelations(a, b, 0.0);
        Assert.Equal(0.8916314130706487, r0[0], 12);
        Assert.Equal(0.24425079625612264, r0[1], 12);
        var r1 = Leakage.CanonicalCorrelations(a, b, 1e-3);
        Assert.Equal(0.8903585191681407, r1[0], 12);
        Assert.Equal(0.24357571605966877, r1[1], 12);
        double msc = Leakage.MeanSquaredCanonicalCorrelation(b, a, 1e-3);
        Assert.Equal((0.8903585191681407 * 0.8903585191681407 + 0.24357571605966877 * 0.24357571605966877) / 2, msc, 12);
    }

    /// <summary>
    /// Oracle: closed form. For one column each, the canonical correlation is |Pearson r| (ridge 0);
    /// the measure is invariant to rescaling either side (relative ridge), to 1e-12.
    /// </summary>
    [Fact]
    public void SingleColumnsGivePearsonAndScaleInvariance()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Reference();
        var x = a[.., 0..1];
        var y = b[.., 0..1];
        double[] xs = x.reshape(-1).data<double>().ToArray(), ys = y.reshape(-1).data<double>().ToArray();
        double mx = xs.Average(), my = ys.Average();
        double sxy = xs.Zip(ys, (p, q) => (p - mx) * (q - my)).Sum();
        double pearson = sxy / Math.Sqrt(xs.Sum(p => (p - mx) * (p - mx)) * ys.Sum(q => (q - my) * (q - my)));
        Assert.Equal(Math.Abs(pearson), Leakage.CanonicalCorrelations(x, -3 * y, 0.0)[0], 12);
        Assert.Equal(Leakage.R2(a, b), Leakage.R2(a * 1e4, b * 1e-3 + 5), 12);
    }

    /// <summary>
    /// Oracle: closed form. A representation is fully predictable from itself (all ρ = 1 with ε = 0, so
    /// leakage 1) and a constant one has leakage 0; independent Gaussian data sits near the chance
    /// level b/(n−1) (n = 4000, widths 4 and 8: 0.002; bound 3× the chance level).
    /// </summary>
    [Fact]
    public void IdentityConstantAndIndependentCases()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Reference();
        Assert.Equal(1.0, Leakage.MeanSquaredCanonicalCorrelation(a, a, 0.0), 10);
        Assert.Equal(0.0, Leakage.MeanSquaredCanonicalCorrelation(ones(N, 2, dtype: float64), b));
        Assert.Equal(0.0, Leakage.MeanSquaredCanonicalCorrelation(zeros(N, 0, dtype: float64), b));
        var g = new TorchSharp.torch.Generator(5);
        var u = randn(4000, 4, dtype: float64, generator: g);
        var v = randn(4000, 8, dtype: float64, generator: g);
        double chance = Leakage.ChanceLevel(4000, 4, 8);
        double m = Leakage.MeanSquaredCanonicalCorrelation(u, v);
        Assert.InRange(m, 0, 3 * chance);
    }

    [Fact]
    public void BadInputsAreUserErrors()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<MucmmUserException>(() => Leakage.R2(zeros(5, 2, dtype: float64), zeros(4, 2, dtype: float64)));
        var x = randn(10, 2, dtype: float64);
        var collinear = cat([x, x], 1);
        Assert.Throws<MucmmUserException>(() => Leakage.R2(collinear, x, 0.0));
        Assert.True(double.IsFinite(Leakage.R2(collinear, x, 1e-3)));
    }
}

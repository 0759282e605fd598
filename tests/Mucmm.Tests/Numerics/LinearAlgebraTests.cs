using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Numerics;

public class LinearAlgebraTests
{
    /// <summary>Oracle: definitions. W = S^(−1/2) is symmetric and W S W = I (tolerance 1e-10).</summary>
    [Fact]
    public void InverseSqrtWhitens()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var a = randn(40, 6, dtype: float64);
        var s = a.t().matmul(a);
        var w = LinearAlgebra.InverseSqrt(s, "S");
        Assert.True((w - w.t()).abs().max().item<double>() < 1e-12);
        Assert.True((w.matmul(s).matmul(w) - eye(6, dtype: float64)).abs().max().item<double>() < 1e-10);
    }

    /// <summary>Bad input: a singular or indefinite matrix is a user error naming the matrix, for both whitenings.</summary>
    [Fact]
    public void NonPositiveDefiniteIsAClearError()
    {
        using var scope = NewDisposeScope();
        var s = tensor(new double[] { 1, 1, 1, 1 }, new long[] { 2, 2 });   // rank 1
        var ex = Assert.Throws<MucmmUserException>(() => LinearAlgebra.InverseSqrt(s, "the covariance of view 1"));
        Assert.StartsWith("the covariance of view 1 is not positive definite", ex.Message);
        var ex2 = Assert.Throws<MucmmUserException>(() => LinearAlgebra.Cholesky(s, "the covariance of view 1"));
        Assert.Contains("column 1", ex2.Message);
        var indefinite = tensor(new double[] { 1, 2, 2, 1 }, new long[] { 2, 2 });
        Assert.Throws<MucmmUserException>(() => LinearAlgebra.InverseSqrt(indefinite, "S"));
        Assert.Throws<MucmmUserException>(() => LinearAlgebra.Cholesky(indefinite, "S"));
    }

    /// <summary>
    /// Oracle: closed form. RelativeRidge adds ε·tr(S)/d to the diagonal only, and is scale-equivariant:
    /// ridge(cS) = c·ridge(S) (tolerance 1e-12).
    /// </summary>
    [Fact]
    public void RelativeRidgeAddsMeanVarianceTimesEpsilon()
    {
        using var scope = NewDisposeScope();
        var s = tensor(new double[] { 4, 1, 0, 1, 2, 0, 0, 0, 0 }, new long[] { 3, 3 });
        var r = LinearAlgebra.RelativeRidge(s, 0.1);
        var expected = s + eye(3, dtype: float64) * (0.1 * 6 / 3);
        Assert.True((r - expected).abs().max().item<double>() < 1e-15);
        var r10 = LinearAlgebra.RelativeRidge(s * 10, 0.1);
        Assert.True((r10 - r * 10).abs().max().item<double>() < 1e-12);
        Assert.Throws<MucmmUserException>(() => LinearAlgebra.RelativeRidge(s, -1));
    }

    /// <summary>Oracle: the convention's definition — after flipping, each column's largest-|.| entry is positive.</summary>
    [Fact]
    public void SignConventionMakesLargestEntryPositive()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new double[] { 0.1, -3, 0, -2, 1, 0, 0.5, 2, 0 }, new long[] { 3, 3 });
        var s = LinearAlgebra.SignsOfLargest(m);
        Assert.Equal(new double[] { -1, -1, 1 }, s.data<double>().ToArray());
    }

    /// <summary>
    /// Oracle: closed form. span{e₁, e₂} against span{cos θ e₁ + sin θ e₃, e₂} has principal angles
    /// 0 and θ; tested at θ = 1e-7 (where arccos of the cosine would lose all digits) and θ = 80°.
    /// Tolerance 1e-12 rad.
    /// </summary>
    [Theory]
    [InlineData(1e-7)]
    [InlineData(80 * Math.PI / 180)]
    public void PrincipalAnglesOfRotatedPlane(double theta)
    {
        using var scope = NewDisposeScope();
        var a = zeros(4, 2, dtype: float64);
        a[0, 0] = tensor(1.0); a[1, 1] = tensor(1.0);
        var b = zeros(4, 2, dtype: float64);
        b[0, 0] = tensor(Math.Cos(theta)); b[2, 0] = tensor(Math.Sin(theta)); b[1, 1] = tensor(3.0);
        var angles = LinearAlgebra.PrincipalAngles(a, b);
        Assert.Equal(2, angles.Length);
        Assert.True(Math.Abs(angles[0]) < 1e-12, $"{angles[0]}");
        Assert.True(Math.Abs(angles[1] - theta) < 1e-12, $"{angles[1]} vs {theta}");
    }
}

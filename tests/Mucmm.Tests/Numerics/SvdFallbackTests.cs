using Mucmm.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Numerics;

public class SvdFallbackTests
{
    /// <summary>
    /// Oracle: LAPACK's SVD (torch.linalg.svd, float64) of the same matrix. The Gram-matrix fallback
    /// used when gesdd fails to converge gives the same singular values (1e-10), orthonormal U and V
    /// (1e-10), and reconstructs T (1e-10), for tall and wide matrices.
    /// </summary>
    [Theory]
    [InlineData(60, 15)]
    [InlineData(15, 60)]
    public void GramFallbackMatchesLapackSvd(int rows, int cols)
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(7);
        var t = randn(rows, cols, dtype: float64, generator: gen);
        var expected = linalg.svdvals(t);
        var (u, s, vh) = LinearAlgebra.SvdViaGram(t);
        int p = Math.Min(rows, cols);
        Assert.Equal(new long[] { rows, p }, u.shape);
        Assert.Equal(new long[] { p, cols }, vh.shape);
        Assert.True((s - expected).abs().max().item<double>() < 1e-10);
        Assert.True((u.t().matmul(u) - eye(p, dtype: float64)).abs().max().item<double>() < 1e-10);
        Assert.True((vh.matmul(vh.t()) - eye(p, dtype: float64)).abs().max().item<double>() < 1e-10);
        Assert.True((u.matmul(diag(s)).matmul(vh) - t).abs().max().item<double>() < 1e-10);
    }
}

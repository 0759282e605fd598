using Mucmm.Deep.Objectives;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Objectives;

public class ColumnVarianceTests
{
    /// <summary>
    /// Oracle: LibTorch's own <c>t.var([0], unbiased: false)</c>, tolerance 0 (bit for bit) — the relative reconstruction
    /// error's spread must not change a fit's last bits. Float32 and float64 batches of training's shape (500 × 512) and of
    /// odd widths (columns beyond the last group of four, one row), at scales from 1e-3 to 1e3 with large means (where
    /// Welford's rounding shows), 60 random batches in all; also a contiguous copy of a strided (transposed) view.
    /// </summary>
    [Fact]
    public void EqualsLibTorchsVarianceToTheBit()
    {
        var generator = new Generator(7);
        var shapes = new (long Rows, long Cols)[] { (500, 512), (37, 7), (1, 3), (1000, 33) };
        int batches = 0;
        foreach (var dtype in new[] { float32, float64 })
            foreach (var (rows, cols) in shapes)
                for (int k = 0; k < 8; k++)
                {
                    using var scope = NewDisposeScope();
                    var z = randn(rows, cols, dtype: float64, generator: generator);
                    var t = (k % 4 switch { 0 => z, 1 => z.relu() * 1e-3, 2 => z * 100 + 1000, _ => z.exp() * 3 - 2 }).to(dtype);
                    if (k == 7) t = t.t().contiguous().t();
                    Assert.Equal(Values(t.var([0], unbiased: false)), Values(ColumnVariance.Of(t)));
                    batches++;
                }
        Assert.Equal(64, batches);
    }

    /// <summary>
    /// A tensor that requires grad keeps LibTorch's variance with its gradient. Oracle: the analytic derivative of
    /// Σ_j var_j, (2 / n)(t − mean), tolerance 1e-12 relative.
    /// </summary>
    [Fact]
    public void KeepsTheGradientWhereOneIsNeeded()
    {
        using var scope = NewDisposeScope();
        var t = randn(20, 6, dtype: float64, generator: new Generator(3)).requires_grad_(true);
        var v = ColumnVariance.Of(t);
        Assert.True(v.requires_grad);
        v.sum().backward();
        var expected = (2.0 / 20) * (t - t.mean([0], keepdim: true));
        Assert.True(allclose(t.grad!, expected.detach(), rtol: 1e-12, atol: 1e-14));
    }

    private static double[] Values(Tensor t) => t.to(float64).data<double>().ToArray();
}

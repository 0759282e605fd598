using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class ImageOpsTests
{
    private static double[] Ramp(int h, int w) => Enumerable.Range(0, h * w).Select(i => (i * 37 % 101) / 100.0).ToArray();

    /// <summary>Oracle: a rotation by 0° is the identity (bilinear weights 1 at integer positions), to 1e-12.</summary>
    [Fact]
    public void Zero_rotation_is_the_identity()
    {
        var src = Ramp(28, 28);
        var dst = new double[src.Length];
        ImageOps.Rotate(src, dst, 28, 28, 0);
        for (int i = 0; i < src.Length; i++) Assert.Equal(src[i], dst[i], 1e-12);
    }

    /// <summary>
    /// Oracle: a counter-clockwise quarter turn maps the pixel grid onto itself:
    /// out[r, c] = in[c, W−1−r] (the top row becomes the left column, read bottom-up), to 1e-9
    /// (cos 90° is 6e-17, not 0, in floating point).
    /// </summary>
    [Fact]
    public void Quarter_turn_is_counter_clockwise_as_displayed()
    {
        const int n = 28;
        var src = Ramp(n, n);
        var dst = new double[src.Length];
        ImageOps.Rotate(src, dst, n, n, 90);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                Assert.Equal(src[c * n + (n - 1 - r)], dst[r * n + c], 1e-9);
    }
}

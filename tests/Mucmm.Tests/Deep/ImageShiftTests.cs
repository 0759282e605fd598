using Mucmm.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

public class ImageShiftTests
{
    /// <summary>
    /// Oracle: the definition, computed pixel by pixel in plain C# — out(r, c) = in(r − dy, c − dx), 0 outside.
    /// Exact (the gathers copy values). Also: the gradient of Σ out·g reaches exactly the input pixels that
    /// were moved into the image (chain rule of a permutation with zero fill).
    /// </summary>
    [Fact]
    public void ShiftMovesEachSampleByItsOffsetWithZeroFill()
    {
        using var scope = NewDisposeScope();
        const int h = 5, w = 4;
        var offsets = new (int, int)[] { (0, 0), (1, -2), (-2, 1) };
        var data = new float[3 * h * w];
        for (int i = 0; i < data.Length; i++) data[i] = i + 1;
        var x = tensor(data, [3, h * w]).requires_grad_(true);
        var y = ImageShift.Apply(x, h, w, 2, offsets);
        var got = y.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                {
                    var (dy, dx) = offsets[i];
                    int sr = r - dy, sc = c - dx;
                    float expected = sr >= 0 && sr < h && sc >= 0 && sc < w ? data[i * h * w + sr * w + sc] : 0f;
                    Assert.Equal(expected, got[i * h * w + r * w + c]);
                }
        y.sum().backward();
        var grad = x.grad!.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            for (int sr = 0; sr < h; sr++)
                for (int sc = 0; sc < w; sc++)
                {
                    var (dy, dx) = offsets[i];
                    int r = sr + dy, c = sc + dx;
                    Assert.Equal(r >= 0 && r < h && c >= 0 && c < w ? 1f : 0f, grad[i * h * w + sr * w + sc]);
                }
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageShift.Apply(x, h, w, 1, offsets));
    }
}

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

    /// <summary>
    /// Oracle: the definition per channel, pixel by pixel in plain C# — for samples of 3 planes of h × w stored plane after
    /// plane, out(ch, r, c) = in(ch, r − dy, c − dx), 0 outside, every channel by its sample's offset. Exact. And
    /// <see cref="ImageShift.ApplyRandom"/> on shape [3, h, w] draws the same offsets as a same-seeded
    /// <see cref="Random"/> (dy then dx per sample) and applies them to all three planes: equal to <c>ImageShift.Apply(x, channels, h, w, …)</c>
    /// with them (exact); shape [h, w] stays the one-channel shift.
    /// </summary>
    [Fact]
    public void ShiftMovesEveryChannelOfAnRgbSampleByTheSampleOffset()
    {
        using var scope = NewDisposeScope();
        const int ch = 3, h = 5, w = 6, s = 2;
        var offsets = new (int, int)[] { (0, 0), (2, -1), (-1, 2), (1, 1) };
        int n = offsets.Length, plane = h * w;
        var data = new float[n * ch * plane];
        for (int i = 0; i < data.Length; i++) data[i] = i + 1;
        var x = tensor(data, [n, ch * plane]);
        var got = ImageShift.Apply(x, ch, h, w, s, offsets).data<float>().ToArray();
        for (int i = 0; i < n; i++)
            for (int c = 0; c < ch; c++)
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++)
                    {
                        var (dy, dx) = offsets[i];
                        int sr = r - dy, sc = col - dx;
                        float expected = sr >= 0 && sr < h && sc >= 0 && sc < w ? data[(i * ch + c) * plane + sr * w + sc] : 0f;
                        Assert.Equal(expected, got[(i * ch + c) * plane + r * w + col]);
                    }

        var random = new Random(7);
        var drawn = Enumerable.Range(0, n).Select(_ => (random.Next(-s, s + 1), random.Next(-s, s + 1))).ToArray();
        var viaRandom = ImageShift.ApplyRandom(x, [ch, h, w], s, new Random(7)).data<float>().ToArray();
        Assert.Equal(ImageShift.Apply(x, ch, h, w, s, drawn).data<float>().ToArray(), viaRandom);
        var grey = tensor(data[..(n * plane)], [n, plane]);
        Assert.Equal(ImageShift.Apply(grey, h, w, s, drawn).data<float>().ToArray(),
            ImageShift.ApplyRandom(grey, [h, w], s, new Random(7)).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => ImageShift.Apply(x, h, w, s, offsets));   // 3 planes are not one h × w plane
    }
}

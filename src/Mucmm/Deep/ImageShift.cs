using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Integer translation of flattened images (one or more channels), each sample by its own offset, zero-filled at the border: the
/// random-shift augmentation of <see cref="DeepTrainingOptions.AugmentShift"/>. Differentiable (gathers).
/// </summary>
public static class ImageShift
{
    /// <summary>
    /// Moves sample i of <paramref name="x"/> (n × h·w, row-major images) by <paramref name="offsets"/>[i] =
    /// (dy, dx), |dy|, |dx| ≤ <paramref name="maxShift"/>: output pixel (r, c) = input pixel (r − dy, c − dx),
    /// 0 where that lies outside the image.
    /// </summary>
    public static Tensor Apply(Tensor x, int height, int width, int maxShift, IReadOnlyList<(int Dy, int Dx)> offsets) =>
        Apply(x, 1, height, width, maxShift, offsets);

    /// <summary>
    /// Moves sample i of <paramref name="x"/> (n × C·h·w: C planes of h × w, plane after plane, as
    /// <see cref="ImageSamples.Of"/>) by <paramref name="offsets"/>[i] = (dy, dx), every plane (channel) of a sample by the
    /// same offset: output (ch, r, c) = input (ch, r − dy, c − dx), 0 where that lies outside the image.
    /// </summary>
    public static Tensor Apply(Tensor x, int channels, int height, int width, int maxShift, IReadOnlyList<(int Dy, int Dx)> offsets)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(offsets);
        long n = x.shape[0];
        long plane = (long)height * width;
        if (channels < 1 || x.ndim != 2 || x.shape[1] != channels * plane || offsets.Count != n)
            throw new ArgumentException($"expected (n × {channels}·{height}·{width}) images and n offsets, got shape [{string.Join(", ", x.shape)}] and {offsets.Count} offsets");
        int s = maxShift, h = height, w = width, ch = channels;
        var rowIndex = new long[n * h];
        var colIndex = new long[n * w];
        for (int i = 0; i < n; i++)
        {
            var (dy, dx) = offsets[i];
            if (Math.Abs(dy) > s || Math.Abs(dx) > s) throw new ArgumentOutOfRangeException(nameof(offsets), $"offset ({dy}, {dx}) exceeds {s}");
            // In the padded image (border s), output row r reads padded row r − dy + s.
            for (int r = 0; r < h; r++) rowIndex[(long)i * h + r] = r - dy + s;
            for (int c = 0; c < w; c++) colIndex[(long)i * w + c] = c - dx + s;
        }
        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(x.reshape(n, ch, h, w), [s, s, s, s]);
        var rows = tensor(rowIndex, [n, 1, h, 1], device: x.device).expand(n, ch, h, w + 2 * s);
        var cols = tensor(colIndex, [n, 1, 1, w], device: x.device).expand(n, ch, h, w);
        return padded.gather(2, rows).gather(3, cols).reshape(n, ch * plane).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Moves every sample of <paramref name="x"/> (images of shape <paramref name="sampleShape"/>: [H, W] or [C, H, W],
    /// <see cref="ImageSamples.Of"/>) by offsets drawn uniformly from [−<paramref name="maxShift"/>, <paramref name="maxShift"/>]²
    /// with <paramref name="random"/>, all channels of a sample alike.
    /// </summary>
    public static Tensor ApplyRandom(Tensor x, IReadOnlyList<int> sampleShape, int maxShift, Random random)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(random);
        var (c, h, w) = ImageSamples.Of(sampleShape)
            ?? throw new ArgumentException($"the shift augmentation needs image samples [H, W] or [C, H, W], got [{string.Join(", ", sampleShape)}]", nameof(sampleShape));
        var offsets = new (int, int)[x.shape[0]];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = (random.Next(-maxShift, maxShift + 1), random.Next(-maxShift, maxShift + 1));
        return Apply(x, c, h, w, maxShift, offsets);
    }
}

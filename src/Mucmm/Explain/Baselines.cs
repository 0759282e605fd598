using Mucmm.Data;

namespace Mucmm.Explain;

/// <summary>The reference input of Integrated Gradients (and of the deletion test).</summary>
public enum BaselineKind
{
    /// <summary>All zeros.</summary>
    Zero,
    /// <summary>The mean input of the training rows.</summary>
    Mean,
    /// <summary>Each sample blurred by a Gaussian (Sturmfels, Lundberg and Lee 2020, "Visualizing the impact of feature attribution baselines"): same overall intensity, no shape.</summary>
    Blurred,
}

/// <summary>Baselines computed from the samples themselves.</summary>
public static class Baselines
{
    /// <summary>Standard deviation in pixels of the blurred baseline's Gaussian.</summary>
    public const double DefaultBlurSigma = 4.0;

    /// <summary>The command-line name of a baseline: zero, mean, blurred.</summary>
    public static string Name(BaselineKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses zero, mean or blurred.</summary>
    public static BaselineKind Parse(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "zero" => BaselineKind.Zero,
        "mean" => BaselineKind.Mean,
        "blurred" => BaselineKind.Blurred,
        _ => throw new MucmmUserException($"unknown baseline '{name}'; valid: zero, mean, blurred"),
    };

    /// <summary>
    /// Every row of <paramref name="view"/> blurred by a separable Gaussian of standard deviation
    /// <paramref name="sigma"/> samples along each spatial axis of its sample shape — the one axis of 1-D samples, both of
    /// 2-D samples [H, W], and H and W of each plane (channel) of [C, H, W] samples separately (no mixing across
    /// channels; <see cref="Deep.ImageSamples.Of"/>) — truncated at 3σ and renormalized at the borders (so a constant
    /// plane stays constant). Row-major, same layout as <see cref="View.Data"/>.
    /// </summary>
    public static double[] Blur(View view, double sigma = DefaultBlurSigma)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (!(sigma > 0)) throw new MucmmUserException($"blur σ must be > 0, got {sigma}");
        var (planes, h, w) = view.SampleShape.Count == 1 ? (1, 1, view.SampleShape[0])
            : Deep.ImageSamples.Of(view.SampleShape)
              ?? throw new MucmmUserException($"the blurred baseline needs 1-D, 2-D (H, W) or 3-D (C, H, W) samples; view '{view.Name}' has shape {string.Join("×", view.SampleShape)}");
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(t => Math.Exp(-0.5 * t * t / (sigma * sigma))).ToArray();
        var result = new double[view.Data.Length];
        var tmp = new double[h * w];
        int size = h * w;
        for (int row = 0; row < view.Rows; row++)
        {
            for (int p = 0; p < planes; p++)
            {
                var src = view.Row(row).Slice(p * size, size);
                var dst = result.AsSpan(row * view.Cols + p * size, size);
                Pass(src, tmp, h, w, along: 1, kernel, radius);   // along each row (step 1)
                Pass(tmp, dst, w, h, along: w, kernel, radius);   // along each column (step w)
            }
        }
        return result;
    }

    /// <summary>
    /// One axis of the separable blur: <paramref name="lines"/> lines of <paramref name="length"/> values, consecutive
    /// values <paramref name="along"/> apart (1: rows of a row-major plane; the plane's width: its columns), each
    /// smoothed by <paramref name="kernel"/> and renormalized by the kernel weight inside the line.
    /// </summary>
    private static void Pass(ReadOnlySpan<double> src, Span<double> dst, int lines, int length, int along, double[] kernel, int radius)
    {
        int across = along == 1 ? length : 1;
        for (int line = 0; line < lines; line++)
            for (int i = 0; i < length; i++)
            {
                double sum = 0, weight = 0;
                for (int t = Math.Max(-radius, -i); t <= Math.Min(radius, length - 1 - i); t++)
                {
                    sum += kernel[t + radius] * src[line * across + (i + t) * along];
                    weight += kernel[t + radius];
                }
                dst[line * across + i * along] = sum / weight;
            }
    }
}

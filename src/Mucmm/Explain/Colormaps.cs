using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>Colour maps for inputs and attribution maps.</summary>
public static class Colormaps
{
    // ColorBrewer RdBu (reversed): blue for negative, near-white at zero, red for positive.
    private static readonly (double t, byte r, byte g, byte b)[] Diverging =
    [
        (0.0, 5, 48, 97), (0.125, 33, 102, 172), (0.25, 67, 147, 195), (0.375, 146, 197, 222),
        (0.5, 247, 247, 247), (0.625, 244, 165, 130), (0.75, 214, 96, 77), (0.875, 178, 24, 43), (1.0, 103, 0, 31),
    ];

    // A "hot" ramp for magnitudes laid over a grey input: dark red → orange → yellow → pale yellow.
    private static readonly (double t, byte r, byte g, byte b)[] Hot =
    [
        (0.0, 120, 0, 0), (0.35, 230, 40, 0), (0.7, 255, 190, 0), (1.0, 255, 255, 170),
    ];

    /// <summary>Diverging colour of <paramref name="value"/> in [−limit, limit] (clipped), white at 0.</summary>
    public static SKColor Signed(double value, double limit)
    {
        double t = limit > 0 ? 0.5 + 0.5 * Math.Clamp(value / limit, -1, 1) : 0.5;
        return Lerp(Diverging, double.IsFinite(t) ? t : 0.5);
    }

    /// <summary>Grey level of <paramref name="value"/> in [lo, hi] (clipped): black at lo, white (times <paramref name="brightness"/>) at hi.</summary>
    public static SKColor Grey(double value, double lo, double hi, double brightness = 1.0)
    {
        double t = hi > lo ? Math.Clamp((value - lo) / (hi - lo), 0, 1) : 0.5;
        byte v = (byte)Math.Round(255 * t * Math.Clamp(brightness, 0, 1));
        return new SKColor(v, v, v);
    }

    /// <summary>
    /// <paramref name="magnitude"/> (≥ 0, relative to <paramref name="limit"/>) drawn in a hot colour over
    /// <paramref name="underlay"/>: transparent at 0, nearly opaque at the limit.
    /// </summary>
    public static SKColor Overlay(SKColor underlay, double magnitude, double limit)
    {
        double t = limit > 0 ? Math.Clamp(magnitude / limit, 0, 1) : 0;
        if (!double.IsFinite(t)) t = 0;
        var c = Lerp(Hot, t);
        double a = 0.9 * t;
        byte Mix(byte u, byte o) => (byte)Math.Round((1 - a) * u + a * o);
        return new SKColor(Mix(underlay.Red, c.Red), Mix(underlay.Green, c.Green), Mix(underlay.Blue, c.Blue));
    }

    private static SKColor Lerp((double t, byte r, byte g, byte b)[] map, double t)
    {
        for (int i = 1; i < map.Length; i++)
        {
            if (t <= map[i].t || i == map.Length - 1)
            {
                var (t0, r0, g0, b0) = map[i - 1];
                var (t1, r1, g1, b1) = map[i];
                double f = Math.Clamp((t - t0) / (t1 - t0), 0, 1);
                return new SKColor(
                    (byte)Math.Round(r0 + f * (r1 - r0)),
                    (byte)Math.Round(g0 + f * (g1 - g0)),
                    (byte)Math.Round(b0 + f * (b1 - b0)));
            }
        }
        return new SKColor(map[^1].r, map[^1].g, map[^1].b);
    }
}

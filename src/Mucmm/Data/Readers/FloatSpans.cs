using System.Numerics;
using System.Runtime.InteropServices;

namespace Mucmm.Data.Readers;

/// <summary>Vectorized helpers on float spans used by the binary readers and writers.</summary>
internal static class FloatSpans
{
    /// <summary>Index of the first NaN or infinite value, or -1 when all are finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<double> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vs = MemoryMarshal.Cast<double, Vector<double>>(x);
            int k = 0;
            // v - v is 0 for finite v and NaN for NaN or ±∞.
            for (; k < vs.Length; k++)
                if (!Vector.EqualsAll(vs[k] - vs[k], Vector<double>.Zero)) break;
            i = k * Vector<double>.Count;
        }
        for (; i < x.Length; i++)
            if (!double.IsFinite(x[i])) return i;
        return -1;
    }

    /// <summary>Index of the first value with |x| &gt; <paramref name="max"/> (NaN counts), or -1 when there is none.</summary>
    public static int FirstAbove(ReadOnlySpan<double> x, double max)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vs = MemoryMarshal.Cast<double, Vector<double>>(x);
            var limit = new Vector<double>(max);
            int k = 0;
            for (; k < vs.Length; k++)
                if (!Vector.LessThanOrEqualAll(Vector.Abs(vs[k]), limit)) break;
            i = k * Vector<double>.Count;
        }
        for (; i < x.Length; i++)
            if (!(Math.Abs(x[i]) <= max)) return i;
        return -1;
    }

    /// <summary>dst[i] = src[i] for float → double.</summary>
    public static void Widen(ReadOnlySpan<float> src, Span<double> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(src);
            var d = MemoryMarshal.Cast<double, Vector<double>>(dst[..(s.Length * Vector<float>.Count)]);
            for (int k = 0; k < s.Length; k++)
            {
                Vector.Widen(s[k], out var lo, out var hi);
                d[2 * k] = lo;
                d[2 * k + 1] = hi;
            }
            i = s.Length * Vector<float>.Count;
        }
        for (; i < src.Length; i++) dst[i] = src[i];
    }

    /// <summary>dst[i] = (float)src[i] for double → float (round to nearest).</summary>
    public static void Narrow(ReadOnlySpan<double> src, Span<float> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int pairs = src.Length / (2 * Vector<double>.Count);
            var s = MemoryMarshal.Cast<double, Vector<double>>(src[..(pairs * 2 * Vector<double>.Count)]);
            var d = MemoryMarshal.Cast<float, Vector<float>>(dst[..(pairs * Vector<float>.Count)]);
            for (int k = 0; k < pairs; k++) d[k] = Vector.Narrow(s[2 * k], s[2 * k + 1]);
            i = pairs * Vector<float>.Count;
        }
        for (; i < src.Length; i++) dst[i] = (float)src[i];
    }
}

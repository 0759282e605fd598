using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Occlusion (<see cref="AttributionMethod.Occlusion"/>): forward passes over patched copies, no gradients.</summary>
public static partial class Attributions
{
    /// <summary>Rows per forward pass of occluded copies (bounds the memory of convolutional encoders).</summary>
    private const int OcclusionRowsPerPass = 512;

    private static (Tensor[] attr, double[] values) Occlusion(
        IMultiviewModel model, Score score, Tensor[] x, Tensor[] baseline, AttributionOptions options)
    {
        int count = (int)x[0].shape[0];
        var values = Values(model, score, x);
        var attr = new Tensor[x.Length];
        for (int m = 0; m < x.Length; m++)
        {
            int d = (int)x[m].shape[1];
            if (!score.DependsOn(m + 1)) { attr[m] = zeros(count, d, dtype: float64); continue; }
            var shape = options.SampleShapes is { } shapes && m < shapes.Count ? shapes[m] : null;
            var patches = OcclusionPatches(shape, d, options.OcclusionPatch, options.OcclusionStride);
            var cover = new int[d];
            foreach (var patch in patches) foreach (int j in patch) cover[j]++;
            var xs = x[m].contiguous().data<double>().ToArray();
            var bs = baseline[m].contiguous().data<double>().ToArray();
            var sum = new double[count * d];
            int perPass = Math.Max(1, OcclusionRowsPerPass / count);
            for (int p0 = 0; p0 < patches.Count; p0 += perPass)
            {
                using var scope = NewDisposeScope();
                int pc = Math.Min(perPass, patches.Count - p0);
                var occluded = new double[count * pc * d];
                for (int i = 0; i < count; i++)
                    for (int p = 0; p < pc; p++)
                    {
                        var row = occluded.AsSpan((i * pc + p) * d, d);
                        xs.AsSpan(i * d, d).CopyTo(row);
                        foreach (int j in patches[p0 + p]) row[j] = bs[i * d + j];
                    }
                var inputs = x.Select((t, v) => v == m
                    ? tensor(occluded, new long[] { count * pc, d }, dtype: float64)
                    : t.repeat_interleave(pc, 0)).ToArray();
                var occludedValues = Values(model, score, inputs);
                for (int i = 0; i < count; i++)
                    for (int p = 0; p < pc; p++)
                    {
                        double change = values[i] - occludedValues[i * pc + p];
                        foreach (int j in patches[p0 + p]) sum[i * d + j] += change;
                    }
            }
            for (int i = 0; i < count; i++)
                for (int j = 0; j < d; j++) sum[i * d + j] /= cover[j];
            attr[m] = tensor(sum, new long[] { count, d }, dtype: float64);
        }
        return (attr, values);
    }

    /// <summary>
    /// The flat input indices of every occlusion patch of a sample: square patches of side
    /// <paramref name="patch"/> (clipped to each axis) moved by <paramref name="stride"/> on a 2-D
    /// <paramref name="shape"/> whose product is <paramref name="width"/>, otherwise windows over the
    /// flattened inputs. The last patch along an axis is moved back to end at the border, so every
    /// input is covered.
    /// </summary>
    internal static List<int[]> OcclusionPatches(IReadOnlyList<int>? shape, int width, int patch, int stride)
    {
        var result = new List<int[]>();
        if (shape is { Count: 2 } && shape[0] * shape[1] == width)
        {
            int h = shape[0], w = shape[1], ph = Math.Min(patch, h), pw = Math.Min(patch, w);
            foreach (int r0 in Starts(h, ph, stride))
                foreach (int c0 in Starts(w, pw, stride))
                {
                    var idx = new int[ph * pw];
                    for (int r = 0; r < ph; r++)
                        for (int c = 0; c < pw; c++) idx[r * pw + c] = (r0 + r) * w + c0 + c;
                    result.Add(idx);
                }
        }
        else
        {
            int p = Math.Min(patch, width);
            foreach (int s0 in Starts(width, p, stride)) result.Add(Enumerable.Range(s0, p).ToArray());
        }
        return result;
    }

    private static List<int> Starts(int length, int patch, int stride)
    {
        var starts = new List<int>();
        for (int s = 0; s + patch <= length; s += stride) starts.Add(s);
        if (starts.Count == 0 || starts[^1] + patch < length) starts.Add(length - patch);
        return starts;
    }

    private static Tensor BaselineRows(Tensor? baseline, Tensor x, int start, int count)
    {
        if (baseline is null) return zeros_like(x);
        var b = baseline.detach().to(float64).cpu();
        return b.shape[0] == 1 ? b.expand(count, -1).contiguous() : b[start..(start + count)];
    }
}

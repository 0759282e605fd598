using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mucmm.Deep.Onnx;

/// <summary>The convolution, normalization and pooling operators of <see cref="OnnxOps"/>.</summary>
internal static partial class OnnxOps
{
    private static OnnxKernel Conv(OnnxNodeContext c)
    {
        long group = c.Int("group", 1);
        string autoPad = c.String("auto_pad", "NOTSET");
        long[]? kernelAttr = c.Ints("kernel_shape"), stridesAttr = c.Ints("strides"), dilAttr = c.Ints("dilations"), padsAttr = c.Ints("pads");
        return ins =>
        {
            var x = c.Required(ins, 0);
            var w = c.Required(ins, 1);
            var b = ins.Length > 2 ? ins[2] : null;
            int k = (int)x.dim() - 2;
            if (k < 1 || k > 3) throw c.Fail($"needs a 3-D, 4-D or 5-D input, got shape [{string.Join(", ", x.shape)}]");
            long[] kernel = kernelAttr ?? w.shape[2..];
            long[] strides = stridesAttr ?? Enumerable.Repeat(1L, k).ToArray();
            long[] dil = dilAttr ?? Enumerable.Repeat(1L, k).ToArray();
            long[] pads = Pads(c, autoPad, padsAttr, x.shape[2..], kernel, strides, dil);
            var crop = BeginPadsAndCrop(pads, x.shape[2..], kernel, strides, dil, long.MaxValue);
            var (xp, sym) = crop is null ? PadInput(x, pads, k, 0.0) : (x, crop.Value.Sym);
            using var xpDispose = ReferenceEquals(xp, x) ? null : xp;
            var y = k switch
            {
                1 => F.conv1d(xp, w, b, strides[0], sym[0], dil[0], group),
                2 => F.conv2d(xp, w, b, strides, sym, dil, group),
                _ => F.conv3d(xp, w, b, strides, sym, dil, group),
            };
            return [Crop(y, crop?.Sizes)];
        };
    }

    /// <summary>The begin/end pads [x1_begin, x2_begin, …, x1_end, x2_end, …] of a convolution or pooling, from the attribute or auto_pad.</summary>
    private static long[] Pads(OnnxNodeContext c, string autoPad, long[]? pads, long[] spatial, long[] kernel, long[] strides, long[] dil)
    {
        int k = spatial.Length;
        if (kernel.Length != k || strides.Length != k || dil.Length != k)
            throw c.Fail($"kernel_shape, strides and dilations must have {k} entries for a {k}-D input");
        switch (autoPad)
        {
            case "NOTSET":
                var p = pads ?? new long[2 * k];
                if (p.Length != 2 * k) throw c.Fail($"pads must have {2 * k} entries, got {p.Length}");
                return p;
            case "VALID":
                return new long[2 * k];
            case "SAME_UPPER":
            case "SAME_LOWER":
                var r = new long[2 * k];
                for (int i = 0; i < k; i++)
                {
                    long outSize = (spatial[i] + strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (outSize - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - spatial[i]);
                    long small = total / 2;
                    (r[i], r[i + k]) = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
                }
                return r;
            default:
                throw c.Fail($"auto_pad '{autoPad}' is not supported");
        }
    }

    /// <summary>
    /// Symmetric pads go to the torch call (returned as <c>sym</c>); asymmetric ones are applied here with
    /// <paramref name="value"/>, and <c>sym</c> is zero.
    /// </summary>
    private static (Tensor X, long[] Sym) PadInput(Tensor x, long[] pads, int k, double value)
    {
        bool symmetric = Enumerable.Range(0, k).All(i => pads[i] == pads[i + k]);
        return symmetric ? (x, pads[..k]) : (PadAll(x, pads, k, value), new long[k]);
    }

    /// <summary>
    /// Asymmetric pads with every end pad ≤ its begin pad (CNTK's stride-2 layers: one more before than after) need
    /// no padded copy: padding the begin amount on both sides puts every window at the same place, and the windows
    /// that read the extra end padding are the trailing outputs beyond the ONNX output size, cut off by
    /// <see cref="Crop"/> (none when the sizes agree, e.g. even inputs). Null when that does not apply or a pad
    /// exceeds <paramref name="maxPad"/> (torch's pooling limit).
    /// </summary>
    private static (long[] Sym, long[] Sizes)? BeginPadsAndCrop(long[] pads, long[] spatial, long[] kernel, long[] strides, long[] dil, long maxPad)
    {
        int k = spatial.Length;
        var sizes = new long[k];
        for (int i = 0; i < k; i++)
        {
            if (pads[i + k] > pads[i] || pads[i] > maxPad) return null;
            sizes[i] = (spatial[i] + pads[i] + pads[i + k] - dil[i] * (kernel[i] - 1) - 1) / strides[i] + 1;
            if (sizes[i] < 1) return null;
        }
        return (pads[..k], sizes);
    }

    /// <summary>The leading <paramref name="sizes"/> of <paramref name="y"/>'s spatial dimensions (a view; <paramref name="y"/> itself when nothing is cut).</summary>
    private static Tensor Crop(Tensor y, long[]? sizes)
    {
        if (sizes is null || Enumerable.Range(0, sizes.Length).All(i => y.shape[i + 2] == sizes[i])) return y;
        Tensor cur = y;
        for (int i = 0; i < sizes.Length; i++)
        {
            var next = cur.narrow(i + 2, 0, sizes[i]);
            cur.Dispose();
            cur = next;
        }
        return cur;
    }

    private static OnnxKernel BatchNormalization(OnnxNodeContext c)
    {
        double eps = c.Float("epsilon", 1e-5f);
        if (c.Has("spatial") && c.Int("spatial", 1) != 1) throw c.Fail("spatial=0 (per-activation statistics) is not supported");
        if (c.Int("training_mode", 0) != 0 || c.Node.Output.Skip(1).Any(o => o.Length > 0))
            throw c.Fail("training mode (running statistics as outputs) is not supported; export the model in eval mode");
        return ins => [F.batch_norm(c.Required(ins, 0), c.Required(ins, 3), c.Required(ins, 4), c.Required(ins, 1), c.Required(ins, 2), training: false, eps: eps)];
    }

    private static OnnxKernel LayerNormalization(OnnxNodeContext c)
    {
        long axis = c.Int("axis", -1);
        double eps = c.Float("epsilon", 1e-5f);
        if (c.Node.Output.Skip(1).Any(o => o.Length > 0)) throw c.Fail("the Mean and InvStdDev outputs are not supported");
        return ins =>
        {
            var x = c.Required(ins, 0);
            long a = axis < 0 ? axis + x.dim() : axis;
            var normalized = x.shape[(int)a..];
            var scale = c.Required(ins, 1);
            var bias = ins.Length > 2 ? ins[2] : null;
            // torch's layer_norm wants weight/bias of the normalized shape exactly; ONNX lets them broadcast.
            using var s = scale.shape.SequenceEqual(normalized) ? scale.alias() : scale.expand(normalized);
            using var bb = bias is null ? null : bias.shape.SequenceEqual(normalized) ? bias.alias() : bias.expand(normalized);
            return [F.layer_norm(x, normalized, s, bb, eps)];
        };
    }

    // ---- pooling ----

    private static OnnxKernel MaxPool(OnnxNodeContext c)
    {
        var (kernel, stridesAttr, dilAttr, padsAttr, autoPad, ceil) = PoolAttributes(c);
        if (c.Node.Output.Count > 1 && c.Node.Output[1].Length > 0) throw c.Fail("the Indices output is not supported");
        return ins =>
        {
            var x = c.Required(ins, 0);
            int k = (int)x.dim() - 2;
            long[] strides = stridesAttr ?? Enumerable.Repeat(1L, k).ToArray();
            long[] dil = dilAttr ?? Enumerable.Repeat(1L, k).ToArray();
            long[] pads = Pads(c, autoPad, padsAttr, x.shape[2..], kernel, strides, dil);
            // Begin pads within torch's limit (half the kernel): torch pads with −∞ itself and the extra end outputs
            // are cut off. Otherwise padding with −∞ outside the torch call: no limit on pad size, any asymmetry.
            var crop = ceil ? null : BeginPadsAndCrop(pads, x.shape[2..], kernel, strides, dil, kernel.Min() / 2);
            if (crop is { } cp && k is 1 or 2 or 3)
            {
                var y = k switch
                {
                    1 => F.max_pool1d(x, kernel[0], strides[0], cp.Sym[0], dil[0], false),
                    2 => F.max_pool2d(x, kernel, strides, cp.Sym, dil, false),
                    _ => F.max_pool3d(x, kernel, strides, cp.Sym, dil, false),
                };
                return [Crop(y, cp.Sizes)];
            }
            bool any = pads.Any(p => p != 0);
            using var xp = any ? PadAll(x, pads, k, double.NegativeInfinity) : null;
            var input = xp ?? x;
            return [k switch
            {
                1 => F.max_pool1d(input, kernel[0], strides[0], 0, dil[0], ceil),
                2 => F.max_pool2d(input, kernel, strides, new long[2], dil, ceil),
                3 => F.max_pool3d(input, kernel, strides, new long[3], dil, ceil),
                _ => throw c.Fail($"needs a 3-D, 4-D or 5-D input, got shape [{string.Join(", ", x.shape)}]"),
            }];
        };
    }

    private static OnnxKernel AveragePool(OnnxNodeContext c)
    {
        var (kernel, stridesAttr, dilAttr, padsAttr, autoPad, ceil) = PoolAttributes(c);
        if (dilAttr is not null && dilAttr.Any(d => d != 1)) throw c.Fail("dilations other than 1 are not supported");
        bool includePad = c.Int("count_include_pad", 0) != 0;
        return ins =>
        {
            var x = c.Required(ins, 0);
            int k = (int)x.dim() - 2;
            if (k < 1 || k > 3) throw c.Fail($"needs a 3-D, 4-D or 5-D input, got shape [{string.Join(", ", x.shape)}]");
            long[] strides = stridesAttr ?? Enumerable.Repeat(1L, k).ToArray();
            long[] pads = Pads(c, autoPad, padsAttr, x.shape[2..], kernel, strides, Enumerable.Repeat(1L, k).ToArray());
            if (pads.All(p => p == 0)) return [Avg(x, kernel, strides, ceil, k)];
            using var xp = PadAll(x, pads, k, 0.0);
            using var sum = Avg(xp, kernel, strides, ceil, k);
            if (includePad) return [sum.alias()];
            // Mean over the real (unpadded) entries of each window: average of the zero-padded input divided by the
            // average of a zero-padded mask of ones (torch's divisors cancel).
            using var ones = torch.ones(new long[] { 1, 1 }.Concat(x.shape[2..]).ToArray(), dtype: x.dtype, device: x.device);
            using var mask = PadAll(ones, pads, k, 0.0);
            using var frac = Avg(mask, kernel, strides, ceil, k);
            return [sum / frac];
        };
    }

    private static Tensor Avg(Tensor x, long[] kernel, long[] strides, bool ceil, int k) => k switch
    {
        1 => F.avg_pool1d(x, kernel[0], strides[0], 0, ceil, true),
        2 => F.avg_pool2d(x, kernel, strides, new long[2], ceil, true),
        _ => F.avg_pool3d(x, kernel, strides, new long[3], ceil, true),
    };

    private static Tensor PadAll(Tensor x, long[] pads, int k, double value)
    {
        var torchPads = new long[2 * k];
        for (int i = 0; i < k; i++)
        {
            torchPads[2 * i] = pads[k - 1 - i];
            torchPads[2 * i + 1] = pads[2 * k - 1 - i];
        }
        return F.pad(x, torchPads, PaddingModes.Constant, value);
    }

    private static (long[] Kernel, long[]? Strides, long[]? Dilations, long[]? Pads, string AutoPad, bool Ceil) PoolAttributes(OnnxNodeContext c)
    {
        var kernel = c.Ints("kernel_shape") ?? throw c.Fail("the kernel_shape attribute is missing");
        if (c.Int("storage_order", 0) != 0) throw c.Fail("storage_order=1 is not supported");
        return (kernel, c.Ints("strides"), c.Ints("dilations"), c.Ints("pads"), c.String("auto_pad", "NOTSET"), c.Int("ceil_mode", 0) != 0);
    }

}

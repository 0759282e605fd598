using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mucmm.Deep.Onnx;

/// <summary>One compiled ONNX node: maps its inputs (null for an omitted optional input) to its outputs. Every output is a new tensor handle.</summary>
internal delegate Tensor[] OnnxKernel(Tensor?[] inputs);

/// <summary>What a kernel needs to know about its node when it is compiled.</summary>
internal sealed class OnnxNodeContext(NodeProto node, int opset, ScalarType floatType, string file, List<Tensor> owned)
{
    /// <summary>Keeps <paramref name="t"/> for the module's lifetime (disposed with it).</summary>
    public Tensor Own(Tensor t)
    {
        owned.Add(t);
        return t;
    }

    private readonly Dictionary<string, AttributeProto> attributes = node.Attribute.ToDictionary(a => a.Name, a => a);

    public NodeProto Node { get; } = node;
    public int Opset { get; } = opset;
    public ScalarType FloatType { get; } = floatType;
    public string File { get; } = file;
    public string NodeName => string.IsNullOrEmpty(Node.Name) ? $"(unnamed, output '{Node.Output.FirstOrDefault()}')" : Node.Name;

    /// <summary>A user error about this node: file, op, node name and opset in one line.</summary>
    public MucmmUserException Fail(string problem) => new(File, $"{Node.OpType} node '{NodeName}' (opset {Opset}): {problem}");

    public bool Has(string name) => attributes.ContainsKey(name);
    public long Int(string name, long fallback) => attributes.TryGetValue(name, out var a) ? a.I : fallback;
    public float Float(string name, float fallback) => attributes.TryGetValue(name, out var a) ? a.F : fallback;
    public string String(string name, string fallback) => attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;
    public long[]? Ints(string name) => attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;
    public AttributeProto? Attribute(string name) => attributes.GetValueOrDefault(name);

    /// <summary>Input <paramref name="i"/>, which the operator requires.</summary>
    public Tensor Required(Tensor?[] inputs, int i) =>
        i < inputs.Length && inputs[i] is Tensor t ? t : throw Fail($"input {i} is missing");
}

/// <summary>
/// The ONNX operators the importer runs, each compiled once per node into an <see cref="OnnxKernel"/> of TorchSharp
/// calls (so autograd follows them). Semantics follow the ONNX operator specification for opsets 8–17, including
/// the attribute → input moves (Clip 11, Slice 10, Squeeze/Unsqueeze/ReduceSum/Split 13) and Softmax's change at 13.
/// </summary>
internal static class OnnxOps
{
    /// <summary>Every supported op type (domain "" / "ai.onnx").</summary>
    public static IReadOnlyCollection<string> Supported => Builders.Keys;

    private static readonly Dictionary<string, Func<OnnxNodeContext, OnnxKernel>> Builders = new()
    {
        ["Conv"] = Conv,
        ["BatchNormalization"] = BatchNormalization,
        ["Relu"] = c => Unary(x => F.relu(x)),
        ["LeakyRelu"] = c => { double a = c.Float("alpha", 0.01f); return Unary(x => F.leaky_relu(x, a)); },
        ["Sigmoid"] = c => Unary(x => x.sigmoid()),
        ["Tanh"] = c => Unary(x => x.tanh()),
        ["Neg"] = c => Unary(x => x.neg()),
        ["Sqrt"] = c => Unary(x => x.sqrt()),
        ["Erf"] = c => Unary(x => x.erf()),
        ["Identity"] = c => Unary(x => x.alias()),
        ["Clip"] = Clip,
        ["MaxPool"] = MaxPool,
        ["AveragePool"] = AveragePool,
        ["GlobalAveragePool"] = c => Unary(x => x.mean(Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray(), keepdim: true)),
        ["Flatten"] = Flatten,
        ["Gemm"] = Gemm,
        ["MatMul"] = c => ins => [c.Required(ins, 0).matmul(c.Required(ins, 1))],
        ["Add"] = c => ins => [c.Required(ins, 0) + c.Required(ins, 1)],
        ["Sub"] = c => ins => [c.Required(ins, 0) - c.Required(ins, 1)],
        ["Mul"] = c => ins => [c.Required(ins, 0) * c.Required(ins, 1)],
        ["Div"] = c => ins => [Div(c.Required(ins, 0), c.Required(ins, 1))],
        ["Pow"] = c => ins => [Pow(c.Required(ins, 0), c.Required(ins, 1))],
        ["Softmax"] = Softmax,
        ["ReduceMean"] = c => Reduce(c, (x, axes, keep) => x.mean(axes, keep), axesInputFrom: 18),
        ["ReduceSum"] = c => Reduce(c, (x, axes, keep) => x.sum(axes, keep), axesInputFrom: 13),
        ["Concat"] = c => { long axis = c.Int("axis", c.Opset < 4 ? 1 : 0); return ins => [torch.cat(ins.OfType<Tensor>().ToList(), axis)]; },
        ["Reshape"] = Reshape,
        ["Transpose"] = Transpose,
        ["Unsqueeze"] = Unsqueeze,
        ["Squeeze"] = Squeeze,
        ["Gather"] = Gather,
        ["Shape"] = Shape,
        ["Slice"] = Slice,
        ["Split"] = Split,
        ["Cast"] = Cast,
        ["Constant"] = Constant,
        ["ConstantOfShape"] = ConstantOfShape,
        ["Where"] = c => ins => [torch.where(c.Required(ins, 0).to_type(ScalarType.Bool), c.Required(ins, 1), c.Required(ins, 2))],
        ["Equal"] = c => ins => [c.Required(ins, 0).eq(c.Required(ins, 1))],
        ["Expand"] = Expand,
        ["Dropout"] = Dropout,
        ["LayerNormalization"] = LayerNormalization,
    };

    /// <summary>Compiles <paramref name="c"/>'s node, or throws the one-line unsupported-operator error.</summary>
    public static OnnxKernel Compile(OnnxNodeContext c)
    {
        if (!string.IsNullOrEmpty(c.Node.Domain) && c.Node.Domain != "ai.onnx")
            throw c.Fail($"operator domain '{c.Node.Domain}' is not supported (only the standard ONNX operators are)");
        if (!Builders.TryGetValue(c.Node.OpType, out var build))
            throw c.Fail("operator not supported by the ONNX importer (docs/pretrained.md lists the supported operators)");
        return build(c);
    }

    /// <summary>GlobalAveragePool, used for an AveragePool the caller asked to pool globally.</summary>
    public static OnnxKernel GlobalAveragePool(OnnxNodeContext c) => Builders["GlobalAveragePool"](c);

    private static OnnxKernel Unary(Func<Tensor, Tensor> f) => ins =>
        [f(ins.Length > 0 && ins[0] is Tensor x ? x : throw new InvalidOperationException("input 0 is missing"))];

    private static Tensor Div(Tensor a, Tensor b) =>
        a.is_floating_point() || b.is_floating_point() ? a / b : torch.div(a, b, RoundingMode.trunc);

    private static Tensor Pow(Tensor a, Tensor b)
    {
        // ONNX Pow keeps the base's type; a scalar exponent 2 is the common case (layer norm variance).
        if (b.numel() == 1 && b.dim() == 0 || b.numel() == 1 && a.dim() >= b.dim())
        {
            double e = OnnxTensors.Scalar(b);
            var r = e == 2 ? a * a : a.pow(e);
            return r.dtype == a.dtype ? r : r.to_type(a.dtype);
        }
        using var bb = b.to_type(a.dtype);
        return a.pow(bb);
    }

    // ---- convolution and normalization ----

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

    // ---- dense ----

    private static OnnxKernel Gemm(OnnxNodeContext c)
    {
        bool transA = c.Int("transA", 0) != 0, transB = c.Int("transB", 0) != 0;
        double alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
        return ins =>
        {
            var a = c.Required(ins, 0);
            var b = c.Required(ins, 1);
            using var at = transA ? a.t() : a.alias();
            using var bt = transB ? b.t() : b.alias();
            var cc = ins.Length > 2 ? ins[2] : null;
            if (cc is null) return [alpha == 1 ? at.matmul(bt) : at.matmul(bt) * alpha];
            return [torch.addmm(cc, at, bt, (float)beta, (float)alpha)];
        };
    }

    private static OnnxKernel Flatten(OnnxNodeContext c)
    {
        long axis = c.Int("axis", 1);
        return ins =>
        {
            var x = c.Required(ins, 0);
            long a = axis < 0 ? axis + x.dim() : axis;
            long outer = x.shape[..(int)a].Aggregate(1L, (p, s) => p * s);
            return [x.reshape(outer, -1)];
        };
    }

    private static OnnxKernel Softmax(OnnxNodeContext c)
    {
        bool coerce = c.Opset < 13;
        long axis = c.Int("axis", coerce ? 1 : -1);
        return ins =>
        {
            var x = c.Required(ins, 0);
            long a = axis < 0 ? axis + x.dim() : axis;
            if (!coerce || a == x.dim() - 1) return [x.softmax(a)];
            // Before opset 13 the input is coerced to 2-D [prod(shape[:axis]), prod(shape[axis:])].
            long outer = x.shape[..(int)a].Aggregate(1L, (p, s) => p * s);
            using var flat = x.reshape(outer, -1);
            using var s = flat.softmax(1);
            return [s.reshape(x.shape)];
        };
    }

    private static OnnxKernel Reduce(OnnxNodeContext c, Func<Tensor, long[], bool, Tensor> reduce, int axesInputFrom)
    {
        bool keep = c.Int("keepdims", 1) != 0;
        bool noopEmpty = c.Int("noop_with_empty_axes", 0) != 0;
        long[]? attrAxes = c.Ints("axes");
        return ins =>
        {
            var x = c.Required(ins, 0);
            long[]? axes = c.Opset >= axesInputFrom ? (ins.Length > 1 && ins[1] is Tensor t ? OnnxTensors.Longs(t) : null) : attrAxes;
            if (axes is null || axes.Length == 0)
            {
                if (noopEmpty) return [x.alias()];
                axes = Enumerable.Range(0, (int)x.dim()).Select(i => (long)i).ToArray();
            }
            return [reduce(x, axes.Select(a => a < 0 ? a + x.dim() : a).ToArray(), keep)];
        };
    }

    // ---- shapes and indexing ----

    private static OnnxKernel Reshape(OnnxNodeContext c)
    {
        bool allowZero = c.Int("allowzero", 0) != 0;
        long[]? attrShape = c.Opset < 5 ? c.Ints("shape") : null;
        return ins =>
        {
            var x = c.Required(ins, 0);
            long[] shape = (long[])(attrShape ?? OnnxTensors.Longs(c.Required(ins, 1))).Clone();
            for (int i = 0; i < shape.Length; i++)
                if (shape[i] == 0 && !allowZero)
                {
                    if (i >= x.dim()) throw c.Fail($"shape entry {i} is 0 (copy) but the input has only {x.dim()} dimensions");
                    shape[i] = x.shape[i];
                }
            return [x.reshape(shape)];
        };
    }

    private static OnnxKernel Transpose(OnnxNodeContext c)
    {
        long[]? perm = c.Ints("perm");
        return ins =>
        {
            var x = c.Required(ins, 0);
            var p = perm ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
            return [x.permute(p)];
        };
    }

    private static OnnxKernel Unsqueeze(OnnxNodeContext c)
    {
        long[]? attrAxes = c.Opset < 13 ? c.Ints("axes") ?? throw c.Fail("the axes attribute is missing") : null;
        return ins =>
        {
            var x = c.Required(ins, 0);
            long[] axes = attrAxes ?? OnnxTensors.Longs(c.Required(ins, 1));
            long rank = x.dim() + axes.Length;
            var sorted = axes.Select(a => a < 0 ? a + rank : a).OrderBy(a => a).ToArray();
            var shape = x.shape.ToList();
            foreach (long a in sorted) shape.Insert((int)a, 1);
            return [x.reshape(shape.ToArray())];
        };
    }

    private static OnnxKernel Squeeze(OnnxNodeContext c)
    {
        long[]? attrAxes = c.Opset < 13 ? c.Ints("axes") : null;
        return ins =>
        {
            var x = c.Required(ins, 0);
            long[]? axes = c.Opset < 13 ? attrAxes : ins.Length > 1 && ins[1] is Tensor t ? OnnxTensors.Longs(t) : null;
            var drop = axes is null
                ? Enumerable.Range(0, (int)x.dim()).Where(i => x.shape[i] == 1).ToHashSet()
                : axes.Select(a => (int)(a < 0 ? a + x.dim() : a)).ToHashSet();
            foreach (int a in drop)
                if (x.shape[a] != 1) throw c.Fail($"cannot squeeze axis {a} of size {x.shape[a]}");
            return [x.reshape(x.shape.Where((_, i) => !drop.Contains(i)).ToArray())];
        };
    }

    private static OnnxKernel Gather(OnnxNodeContext c)
    {
        long axis = c.Int("axis", 0);
        return ins =>
        {
            var data = c.Required(ins, 0);
            var indices = c.Required(ins, 1);
            long a = axis < 0 ? axis + data.dim() : axis;
            long size = data.shape[a];
            using var flat = indices.reshape(-1).to_type(ScalarType.Int64);
            using var wrapped = torch.where(flat < 0, flat + size, flat);
            using var picked = data.index_select(a, wrapped);
            var shape = data.shape[..(int)a].Concat(indices.shape).Concat(data.shape[((int)a + 1)..]).ToArray();
            return [picked.reshape(shape)];
        };
    }

    private static OnnxKernel Shape(OnnxNodeContext c)
    {
        long? start = c.Has("start") ? c.Int("start", 0) : null, end = c.Has("end") ? c.Int("end", 0) : null;
        return ins =>
        {
            var shape = c.Required(ins, 0).shape;
            long r = shape.Length;
            long s = Math.Clamp(start is long s0 ? (s0 < 0 ? s0 + r : s0) : 0, 0, r);
            long e = Math.Clamp(end is long e0 ? (e0 < 0 ? e0 + r : e0) : r, 0, r);
            return [torch.tensor(shape[(int)s..(int)Math.Max(s, e)], dtype: ScalarType.Int64)];
        };
    }

    private static OnnxKernel Slice(OnnxNodeContext c)
    {
        bool fromAttributes = c.Opset < 10;
        long[]? aStarts = fromAttributes ? c.Ints("starts") ?? throw c.Fail("the starts attribute is missing") : null;
        long[]? aEnds = fromAttributes ? c.Ints("ends") ?? throw c.Fail("the ends attribute is missing") : null;
        long[]? aAxes = fromAttributes ? c.Ints("axes") : null;
        return ins =>
        {
            var x = c.Required(ins, 0);
            long[] starts = aStarts ?? OnnxTensors.Longs(c.Required(ins, 1));
            long[] ends = aEnds ?? OnnxTensors.Longs(c.Required(ins, 2));
            long[] axes = (fromAttributes ? aAxes : ins.Length > 3 && ins[3] is Tensor ta ? OnnxTensors.Longs(ta) : null)
                ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            long[] steps = (!fromAttributes && ins.Length > 4 && ins[4] is Tensor ts ? OnnxTensors.Longs(ts) : null)
                ?? Enumerable.Repeat(1L, starts.Length).ToArray();
            if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
                throw c.Fail("starts, ends, axes and steps must have the same length");
            Tensor cur = x.alias();
            for (int i = 0; i < starts.Length; i++)
            {
                long dim = axes[i] < 0 ? axes[i] + x.dim() : axes[i];
                long n = x.shape[dim], step = steps[i];
                if (step == 0) throw c.Fail("a step of 0");
                long s = starts[i] < 0 ? starts[i] + n : starts[i];
                long e = ends[i] < 0 && ends[i] > long.MinValue / 2 ? ends[i] + n : ends[i];
                Tensor next;
                if (step > 0)
                {
                    s = Math.Clamp(s, 0, n);
                    e = Math.Clamp(e, 0, n);
                    next = e <= s ? cur.narrow(dim, 0, 0) : cur.slice(dim, s, e, step);
                }
                else
                {
                    s = Math.Clamp(s, 0, n - 1);
                    e = Math.Clamp(e, -1, n - 1);
                    var idx = new List<long>();
                    for (long j = s; j > e; j += step) idx.Add(j);
                    using var index = torch.tensor(idx.ToArray(), dtype: ScalarType.Int64, device: x.device);
                    next = cur.index_select(dim, index);
                }
                cur.Dispose();
                cur = next;
            }
            return [cur];
        };
    }

    private static OnnxKernel Split(OnnxNodeContext c)
    {
        long axis = c.Int("axis", 0);
        long[]? attrSplit = c.Opset < 13 ? c.Ints("split") : null;
        int outputs = c.Node.Output.Count;
        return ins =>
        {
            var x = c.Required(ins, 0);
            long a = axis < 0 ? axis + x.dim() : axis;
            long[]? split = c.Opset < 13 ? attrSplit : ins.Length > 1 && ins[1] is Tensor t ? OnnxTensors.Longs(t) : null;
            if (split is null)
            {
                long chunk = (x.shape[a] + outputs - 1) / outputs;
                split = Enumerable.Range(0, outputs).Select(i => Math.Max(0, Math.Min(chunk, x.shape[a] - i * chunk))).ToArray();
            }
            if (split.Length != outputs || split.Sum() != x.shape[a])
                throw c.Fail($"split [{string.Join(", ", split)}] does not divide axis {a} of size {x.shape[a]} into {outputs} outputs");
            var parts = new Tensor[outputs];
            long offset = 0;
            for (int i = 0; i < outputs; i++)
            {
                parts[i] = x.narrow(a, offset, split[i]);
                offset += split[i];
            }
            return parts;
        };
    }

    private static OnnxKernel Cast(OnnxNodeContext c)
    {
        int to = (int)c.Int("to", 0);
        var type = OnnxTensors.TorchType(to, c.FloatType) ?? throw c.Fail($"casting to {OnnxTensors.TypeName(to)} is not supported");
        return ins =>
        {
            var x = c.Required(ins, 0);
            // ONNX casts from float to integer truncate toward zero, as torch does.
            return [x.dtype == type ? x.alias() : x.to_type(type)];
        };
    }

    private static OnnxKernel Constant(OnnxNodeContext c)
    {
        Tensor value;
        if (c.Attribute("value") is { } v) value = OnnxTensors.ToTorch(v.T, c.FloatType, c.File);
        else if (c.Attribute("value_float") is { } vf) value = torch.tensor((double)vf.F, dtype: c.FloatType);
        else if (c.Attribute("value_floats") is { } vfs) value = torch.tensor(vfs.Floats.Select(f => (double)f).ToArray(), dtype: c.FloatType);
        else if (c.Attribute("value_int") is { } vi) value = torch.tensor(vi.I, dtype: ScalarType.Int64);
        else if (c.Attribute("value_ints") is { } vis) value = torch.tensor(vis.Ints.ToArray(), dtype: ScalarType.Int64);
        else throw c.Fail("only tensor, float(s) and int(s) constant values are supported");
        c.Own(value);
        // Kept by the kernel for the module's lifetime; every call hands out a new handle.
        return _ => [value.alias()];
    }

    private static OnnxKernel ConstantOfShape(OnnxNodeContext c)
    {
        Tensor value = c.Own(c.Attribute("value") is { } v ? OnnxTensors.ToTorch(v.T, c.FloatType, c.File) : torch.zeros(1, dtype: c.FloatType));
        return ins =>
        {
            long[] shape = OnnxTensors.Longs(c.Required(ins, 0));
            using var scalar = value.reshape(-1)[0];
            return [scalar.expand(shape).contiguous()];
        };
    }

    private static OnnxKernel Expand(OnnxNodeContext c) => ins =>
    {
        var x = c.Required(ins, 0);
        long[] shape = OnnxTensors.Longs(c.Required(ins, 1));
        // Bidirectional broadcast: the result has the larger rank; in each dimension the size that is not 1.
        int rank = Math.Max(shape.Length, (int)x.dim());
        var target = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long a = i - (rank - x.dim()) >= 0 ? x.shape[i - (rank - x.dim())] : 1;
            long b = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
            if (a != b && a != 1 && b != 1) throw c.Fail($"cannot broadcast shape [{string.Join(", ", x.shape)}] to [{string.Join(", ", shape)}]");
            target[i] = a == 1 ? b : a;
        }
        return [x.expand(target)];
    };

    private static OnnxKernel Dropout(OnnxNodeContext c)
    {
        bool mask = c.Node.Output.Count > 1 && c.Node.Output[1].Length > 0;
        // Inference: the identity (and an all-true mask when asked for); training_mode inputs are ignored.
        return ins =>
        {
            var x = c.Required(ins, 0);
            return mask ? [x.alias(), torch.ones(x.shape, dtype: ScalarType.Bool, device: x.device)] : [x.alias()];
        };
    }

    private static OnnxKernel Clip(OnnxNodeContext c)
    {
        if (c.Opset < 11)
        {
            double lo = c.Float("min", float.NegativeInfinity), hi = c.Float("max", float.PositiveInfinity);
            return ins => [c.Required(ins, 0).clamp(lo, hi)];
        }
        return ins =>
        {
            var x = c.Required(ins, 0);
            double lo = ins.Length > 1 && ins[1] is Tensor a ? OnnxTensors.Scalar(a) : double.NegativeInfinity;
            double hi = ins.Length > 2 && ins[2] is Tensor b ? OnnxTensors.Scalar(b) : double.PositiveInfinity;
            return [x.clamp(lo, hi)];
        };
    }
}

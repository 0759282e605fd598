using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>The shape, indexing and constant operators of <see cref="OnnxOps"/>.</summary>
internal static partial class OnnxOps
{
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

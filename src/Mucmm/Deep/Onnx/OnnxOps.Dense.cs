using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>The dense operators of <see cref="OnnxOps"/>: Gemm, Flatten, Softmax and the reductions.</summary>
internal static partial class OnnxOps
{
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

}

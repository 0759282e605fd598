using Onnx;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>One step of the compiled graph: a node, possibly with the nodes folded into it, and the values it reads and writes.</summary>
/// <param name="Node">The node whose kernel runs (for a fused step, the first node, e.g. the Conv).</param>
/// <param name="Inputs">Value names read, in the order the (wrapped) kernel takes them ("" for an omitted optional input).</param>
/// <param name="Outputs">Value names written ("" for an unused output).</param>
/// <param name="Wrap">Turns the node's own kernel into the fused step's kernel; null when nothing is fused.</param>
/// <param name="Fused">Op types of the nodes folded in, for profiles and messages (e.g. "Conv+BatchNormalization+Relu").</param>
internal sealed record OnnxPlannedStep(NodeProto Node, string[] Inputs, string[] Outputs, Func<OnnxKernel, OnnxKernel>? Wrap, string Fused);

/// <summary>
/// Rewrites of the node list that ONNX Runtime also does, applied when a module is built, each exact algebra on the
/// same parameters (the module's parameter set, names and saved weights do not change):
/// <list type="bullet">
/// <item><b>Conv → BatchNormalization</b> (the Conv output read only by the BatchNormalization, inference form): one
/// convolution with weight W·s and bias (b − mean)·s + β, s = γ / √(var + ε). The folded weight and bias are
/// computed from the parameters at every call, with autograd, so a fine-tuned graph trains W, b, γ and β exactly as
/// the unfolded graph does (ONNX BatchNormalization in inference form is this per-channel affine map; the running
/// statistics are never trained) — except inside <see cref="OnnxModule.ReuseFoldedWeights"/> (frozen features),
/// where a frozen step computes them once (<see cref="FoldedWeightReuse"/>).</item>
/// <item><b>Conv / Add → Relu</b> (the value read only by the Relu): the Relu runs in place on the fresh result of
/// the convolution or sum, saving one pass and one allocation. Autograd allows it: neither backward reads its own
/// output.</item>
/// <item><b>2-D convolutions in channels-last layout</b>: their weights are handed to LibTorch in channels-last
/// layout (a per-call copy, like the folded weight, and reused the same way), so the activations of a CNN stay NHWC from the first convolution
/// on; pooling, Add and Relu follow the layout of their input.</item>
/// </list>
/// Values that are graph outputs or read by more than one node are never folded away.
/// </summary>
internal static class OnnxFolding
{
    /// <summary>The steps of <paramref name="g"/> in execution order, with the foldable patterns fused.</summary>
    public static List<OnnxPlannedStep> Plan(GraphProto g)
    {
        var consumers = new Dictionary<string, int>();
        foreach (var n in g.Node)
            foreach (var i in n.Input)
                if (i.Length > 0) consumers[i] = consumers.GetValueOrDefault(i) + 1;
        foreach (var o in g.Output) consumers[o.Name] = consumers.GetValueOrDefault(o.Name) + 1;
        var producer = new Dictionary<string, int>();
        for (int i = 0; i < g.Node.Count; i++)
            foreach (var o in g.Node[i].Output)
                if (o.Length > 0) producer[o] = i;
        bool Single(string value) => consumers.GetValueOrDefault(value) == 1;

        var steps = new List<OnnxPlannedStep?>();
        var stepOf = new Dictionary<int, int>();    // node index → index in steps of the step that now produces its output
        var skip = new HashSet<int>();
        for (int i = 0; i < g.Node.Count; i++)
        {
            if (skip.Contains(i)) continue;
            var node = g.Node[i];
            OnnxPlannedStep step = new(node, [.. node.Input], [.. node.Output], null, node.OpType);
            if (node.OpType == "Conv" && node.Output.Count == 1 && Single(node.Output[0])
                && FindConsumer(g, i, node.Output[0]) is int b && FoldableBatchNorm(g.Node[b], node.Output[0])
                // the statistics must exist where the Conv runs (initializers or values computed before it)
                && g.Node[b].Input.Skip(1).All(v => !producer.TryGetValue(v, out int q) || q < i))
            {
                var bn = g.Node[b];
                double eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
                string bias = node.Input.Count > 2 ? node.Input[2] : "";
                step = new OnnxPlannedStep(node, [node.Input[0], node.Input[1], bias, bn.Input[1], bn.Input[2], bn.Input[3], bn.Input[4]],
                    [bn.Output[0]], conv => FoldBatchNorm(conv, eps, Strided(node)), "Conv+BatchNormalization");
                skip.Add(b);
                stepOf[b] = steps.Count;
            }
            else if (node.OpType == "Relu" && node.Input.Count == 1 && Single(node.Input[0]) && producer.TryGetValue(node.Input[0], out int p)
                && stepOf.TryGetValue(p, out int s) && steps[s] is { } prev && prev.Outputs.Length == 1 && prev.Outputs[0] == node.Input[0]
                && (prev.Node.OpType is "Conv" or "Add"))
            {
                var inner = prev.Wrap;
                steps[s] = prev with
                {
                    Outputs = [.. node.Output],
                    Wrap = k => ReluInPlace(inner is null ? k : inner(k)),
                    Fused = prev.Fused + "+Relu",
                };
                stepOf[i] = s;
                continue;
            }
            else if (node.OpType == "Conv")
                step = step with { Wrap = conv => ChannelsLast(conv, Strided(node)) };
            stepOf[i] = steps.Count;
            steps.Add(step);
        }
        return steps.Select(s => s!).ToList();
    }

    /// <summary>The index of the node after <paramref name="from"/> that reads <paramref name="value"/>.</summary>
    private static int? FindConsumer(GraphProto g, int from, string value)
    {
        for (int j = from + 1; j < g.Node.Count; j++)
            if (g.Node[j].Input.Contains(value)) return j;
        return null;
    }

    /// <summary>A BatchNormalization in the inference form the importer runs (else it stays a node and its own kernel reports the problem).</summary>
    private static bool FoldableBatchNorm(NodeProto bn, string input)
    {
        if (bn.OpType != "BatchNormalization" || bn.Input.Count < 5 || bn.Input[0] != input || bn.Input.Skip(1).Any(s => s.Length == 0)) return false;
        if (bn.Output.Skip(1).Any(o => o.Length > 0) || bn.Output[0].Length == 0) return false;
        foreach (var a in bn.Attribute)
            if (a.Name == "spatial" && a.I != 1 || a.Name == "training_mode" && a.I != 0) return false;
        return true;
    }

    private static OnnxKernel FoldBatchNorm(OnnxKernel conv, double eps, bool strided)
    {
        var key = new object();   // this step's entry in a FoldedWeightReuse scope
        return ins =>
        {
            var x = ins[0]!;
            using var scope = NewDisposeScope();
            var folded = FoldedWeightReuse.GetOrCompute(key, ins.AsSpan(1), () =>
            {
                var (w, b) = (ins[1]!, ins[2]);
                var (gamma, beta, mean, variance) = (ins[3]!, ins[4]!, ins[5]!, ins[6]!);
                var s = gamma / (variance + eps).sqrt();
                var shape = new long[w.dim()];
                Array.Fill(shape, 1L);
                shape[0] = -1;
                var weight = w * s.reshape(shape);
                return [ChannelsLastWeight(weight), b is null ? beta - mean * s : (b - mean) * s + beta];
            });
            var y = conv([DenseInput(x, folded[0]!, strided), folded[0], folded[1]]);
            foreach (var t in y) t.MoveToOuterDisposeScope();
            return y;
        };
    }

    /// <summary>A Conv without a BatchNormalization after it, run with its weight in channels-last layout (see <see cref="ChannelsLastWeight"/>).</summary>
    private static OnnxKernel ChannelsLast(OnnxKernel conv, bool strided)
    {
        var key = new object();   // this step's entry in a FoldedWeightReuse scope
        return ins =>
        {
            if (ins.Length < 2 || ins[0] is not { } x || ins[1] is not { } w || w.dim() != 4) return conv(ins);
            using var scope = NewDisposeScope();
            var args = (Tensor?[])ins.Clone();
            args[0] = DenseInput(x, w, strided);
            // a 1 × 1 weight is used as it is (nothing to cache: ChannelsLastWeight returns it)
            args[1] = w.shape[2] * w.shape[3] > 1 ? FoldedWeightReuse.GetOrCompute(key, ins.AsSpan(1, 1), () => [ChannelsLastWeight(w)])[0] : w;
            var y = conv(args);
            foreach (var t in y) t.MoveToOuterDisposeScope();
            return y;
        };
    }

    /// <summary>
    /// A copy of a 2-D convolution weight (out, in, kh, kw) in channels-last layout (same shape, strides of
    /// (out, kh, kw, in)), so LibTorch's oneDNN convolution runs in NHWC and its output — and every layer after it —
    /// stays channels-last (PyTorch's documented speed-up for CNNs on CPU; here about 1.7× on ResNet18). 1 × 1 kernels
    /// are left as they are: their two layouts are the same memory, and the ambiguous strides made oneDNN's strided
    /// 1 × 1 convolution wrong on ResNet18's last shortcut (LibTorch 2.10). Other ranks are returned as they are.
    /// </summary>
    private static Tensor ChannelsLastWeight(Tensor w) =>
        w.dim() == 4 && w.shape[2] * w.shape[3] > 1 ? w.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : w;

    /// <summary>Whether the Conv node has a stride above 1.</summary>
    private static bool Strided(NodeProto conv) => conv.Attribute.FirstOrDefault(a => a.Name == "strides")?.Ints.Any(st => st > 1) ?? false;

    /// <summary>
    /// The convolution's input: <paramref name="x"/> if it is dense (contiguous, or channels-last without gaps), else
    /// a dense channels-last copy (a strided view, e.g. a cropped activation, gave wrong oneDNN results in
    /// channels-last layout). A strided 1 × 1 convolution gets its input in contiguous (NCHW) layout: oneDNN's strided
    /// 1 × 1 channels-last convolution gave wrong results on ResNet18's last shortcut (256 × 14 × 14 → 512 × 7 × 7,
    /// LibTorch 2.10, found by comparing every step with the NCHW result); only 3 small layers of ResNet18 pay this.
    /// </summary>
    private static Tensor DenseInput(Tensor x, Tensor w, bool strided)
    {
        if (x.dim() != 4) return x;
        if (strided && w.dim() == 4 && w.shape[2] * w.shape[3] == 1) return x.contiguous();
        if (x.is_contiguous()) return x;
        var (c, h, wd) = (x.shape[1], x.shape[2], x.shape[3]);
        var st = x.stride();
        bool channelsLastDense = st[1] == 1 && st[3] == c && st[2] == c * wd && st[0] == c * h * wd;
        return channelsLastDense ? x : x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    private static OnnxKernel ReluInPlace(OnnxKernel inner) => ins =>
    {
        var y = inner(ins);
        y[0].relu_();
        return y;
    };
}

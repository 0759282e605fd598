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
/// The ONNX operators the importer runs (the op registry and element-wise helpers here; the op families in
/// OnnxOps.Convolution.cs, OnnxOps.Dense.cs and OnnxOps.Shapes.cs), each compiled once per node into an <see cref="OnnxKernel"/> of TorchSharp
/// calls (so autograd follows them). Semantics follow the ONNX operator specification for opsets 8–17, including
/// the attribute → input moves (Clip 11, Slice 10, Squeeze/Unsqueeze/ReduceSum/Split 13) and Softmax's change at 13.
/// </summary>
internal static partial class OnnxOps
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
}

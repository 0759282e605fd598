using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>How an ONNX graph becomes a TorchSharp module.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>
    /// Whether the floating-point initializers (weights) are trainable parameters. Default false: frozen
    /// (<c>requires_grad = false</c>); gradients still flow to the inputs. BatchNormalization running statistics are
    /// never trainable.
    /// </summary>
    public bool Trainable { get; init; }

    /// <summary>
    /// The precision the graph computes in: float32 (default) or float64. Floating-point initializers, constants
    /// and Cast-to-float results take this type, so a float64 module is an exact higher-precision copy (used by the
    /// finite-difference tests).
    /// </summary>
    public ScalarType FloatType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// Whether inputs must match the declared non-batch dimensions (default true). False lets a fully convolutional
    /// graph run on other spatial sizes; the rank is still checked.
    /// </summary>
    public bool FixedInputShape { get; init; } = true;

    /// <summary>
    /// Whether Conv → BatchNormalization pairs run as one convolution with folded weights, a Relu after a Conv or
    /// Add runs in place, and 2-D convolutions run in channels-last layout (default true; exact algebra on the same
    /// parameters, so training, gradients and saved weights are unchanged — see docs/pretrained.md, "Performance").
    /// False runs every node as written (used to compare).
    /// </summary>
    public bool Fold { get; init; } = true;

    /// <summary>Names of AveragePool nodes to run as GlobalAveragePool (a fixed-size final pooling that should pool whatever spatial size reaches it).</summary>
    public IReadOnlySet<string> GlobalPoolingNodes { get; init; } = new HashSet<string>();
}

/// <summary>
/// An ONNX graph executed by TorchSharp, node by node in eager mode, so autograd follows it: gradients reach the
/// inputs (gradient maps) and, when <see cref="OnnxImportOptions.Trainable"/>, the weights. Floating-point
/// initializers are registered parameters (names with '.' replaced by '_'); integer initializers and Constant nodes
/// are fixed tensors. The first dimension of every input is the batch and may take any size; shape computations
/// (Shape → Gather → Concat → Reshape chains) run on the actual shapes at every call.
/// </summary>
/// <remarks>Operators: <see cref="SupportedOperators"/>; docs/pretrained.md has the table and the semantics notes.</remarks>
public sealed class OnnxModule : nn.Module<Tensor, Tensor>
{
    private sealed record Step(OnnxKernel Kernel, string[] Inputs, string[] Outputs, string OpType, string NodeName, string[] DisposeAfter, string Fused);

    private readonly List<Step> steps = [];
    private readonly Dictionary<string, string> parameterOf = [];       // initializer name → registered parameter name
    private readonly Dictionary<string, Tensor> constants = [];         // non-float initializers
    private readonly List<Tensor> owned = [];                           // tensors held by compiled kernels
    private readonly OnnxImportOptions options;

    /// <summary>Builds the module for <paramref name="graph"/>; every node is compiled now, so an unsupported operator fails here.</summary>
    public OnnxModule(OnnxGraph graph, OnnxImportOptions? options = null) : base(nameof(OnnxModule))
    {
        Graph = graph;
        this.options = options ?? new OnnxImportOptions();
        var g = graph.Model.Graph;
        var floatType = this.options.FloatType;
        if (floatType is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException("FloatType must be Float32 or Float64", nameof(options));

        var bnStatistics = g.Node.Where(n => n.OpType == "BatchNormalization").SelectMany(n => n.Input.Skip(3).Take(2)).ToHashSet();
        var parameters = new List<(string, Parameter)>();
        var usedNames = new HashSet<string>();
        foreach (var init in g.Initializer)
        {
            var t = OnnxTensors.ToTorch(init, floatType, graph.Path);
            if (t.is_floating_point())
            {
                string name = Sanitize(init.Name, usedNames);
                parameters.Add((name, new Parameter(t, requires_grad: this.options.Trainable && !bnStatistics.Contains(init.Name))));
                parameterOf[init.Name] = name;
            }
            else constants[init.Name] = t;
        }

        var graphOutputs = g.Output.Select(o => o.Name).ToHashSet();
        var plan = this.options.Fold ? OnnxFolding.Plan(g) : g.Node.Select(n => new OnnxPlannedStep(n, [.. n.Input], [.. n.Output], null, n.OpType)).ToList();
        var lastUse = new Dictionary<string, int>();
        for (int i = 0; i < plan.Count; i++)
        {
            foreach (var o in plan[i].Outputs) if (o.Length > 0) lastUse[o] = i;
            foreach (var input in plan[i].Inputs) if (lastUse.ContainsKey(input)) lastUse[input] = i;
        }
        var disposeAt = lastUse.Where(kv => !graphOutputs.Contains(kv.Key)).ToLookup(kv => kv.Value, kv => kv.Key);

        for (int i = 0; i < plan.Count; i++)
        {
            var node = plan[i].Node;
            var context = new OnnxNodeContext(node, graph.Opset, floatType, graph.Path, owned);
            var kernel = node.OpType == "AveragePool" && this.options.GlobalPoolingNodes.Contains(node.Name)
                ? OnnxOps.GlobalAveragePool(context)
                : OnnxOps.Compile(context);
            if (plan[i].Wrap is { } wrap) kernel = wrap(kernel);
            steps.Add(new Step(kernel, plan[i].Inputs, plan[i].Outputs, node.OpType, context.NodeName, disposeAt[i].ToArray(), plan[i].Fused));
        }
        RegisterComponents();
        foreach (var (name, p) in parameters) register_parameter(name, p);
    }

    /// <summary>Reads <paramref name="path"/> and builds its module (see <see cref="OnnxGraph.Load(string)"/>).</summary>
    public static OnnxModule Load(string path, OnnxImportOptions? options = null) => new(OnnxGraph.Load(path), options);

    /// <summary>
    /// Opens a scope, on this thread, inside which every module's folded convolutions (<see cref="OnnxImportOptions.Fold"/>)
    /// compute their folded, channels-last weights and biases once and reuse them at later calls: for computing frozen
    /// features batch after batch (<see cref="PretrainedEncoders.Features"/>). Reuse happens only under no_grad and for
    /// parameters that do not require grad (anything else, e.g. fine-tuning or gradient maps, computes as outside the
    /// scope), and the outputs are bitwise those computed outside it. The parameters' values must not be changed in
    /// place inside the scope (replacing a parameter tensor is noticed). Dispose the result to end the scope and free
    /// the reused tensors.
    /// </summary>
    public static IDisposable ReuseFoldedWeights() => FoldedWeightReuse.Begin();

    /// <summary>The ONNX operators this importer runs.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => OnnxOps.Supported;

    /// <summary>The graph this module runs.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>
    /// When set, every <see cref="Run"/> adds the wall seconds of each step to this table, keyed by its op type
    /// (fused steps as e.g. <c>Conv+BatchNormalization+Relu</c>) — a profile of where the forward's time goes
    /// (bench/ quick mode <c>onnx --profile</c>). Null (default): no timing.
    /// </summary>
    public Dictionary<string, double>? Profile { get; set; }

    /// <summary>Runs a graph with one input and returns its first output.</summary>
    public override Tensor forward(Tensor input)
    {
        if (Graph.Inputs.Count != 1)
            throw new MucmmUserException(Graph.Path, $"the graph has {Graph.Inputs.Count} inputs ({string.Join(", ", Graph.Inputs.Select(i => i.Name))}); call Run with all of them");
        var outputs = Run(input);
        for (int i = 1; i < outputs.Length; i++) outputs[i].Dispose();
        return outputs[0];
    }

    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> (in the order of <see cref="OnnxGraph.Inputs"/>) and returns its
    /// outputs in order. Float inputs are converted to <see cref="OnnxImportOptions.FloatType"/>, integer inputs to their
    /// declared type. A wrong number of inputs, a wrong rank or (with <see cref="OnnxImportOptions.FixedInputShape"/>) a
    /// wrong non-batch dimension, and any failure inside a node, is a one-line <see cref="MucmmUserException"/>.
    /// </summary>
    public Tensor[] Run(params Tensor[] inputs)
    {
        if (inputs.Length != Graph.Inputs.Count)
            throw new MucmmUserException(Graph.Path, $"the graph takes {Graph.Inputs.Count} inputs ({string.Join(", ", Graph.Inputs.Select(i => i.Name + " " + i.ShapeText))}), got {inputs.Length}");
        var values = new Dictionary<string, Tensor>();
        var transient = new List<Tensor>();
        try
        {
            foreach (var (name, p) in named_parameters(recurse: false)) values[name] = p;
            foreach (var (init, name) in parameterOf) values[init] = values[name];
            foreach (var (name, t) in constants) values[name] = t;
            for (int i = 0; i < inputs.Length; i++)
            {
                var info = Graph.Inputs[i];
                CheckShape(info, inputs[i]);
                var type = OnnxTensors.TorchType(info.ElementType, options.FloatType);
                if (type is ScalarType st && inputs[i].dtype != st)
                {
                    var converted = inputs[i].to_type(st);
                    transient.Add(converted);
                    values[info.Name] = converted;
                }
                else values[info.Name] = inputs[i];
            }
            foreach (var step in steps)
            {
                var args = new Tensor?[step.Inputs.Length];
                for (int j = 0; j < args.Length; j++) args[j] = step.Inputs[j].Length == 0 ? null : values[step.Inputs[j]];
                Tensor[] results;
                long started = Profile is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    results = step.Kernel(args);
                }
                catch (Exception ex) when (ex is not MucmmUserException)
                {
                    var shapes = string.Join(", ", args.Select(a => a is null ? "none" : "[" + string.Join(", ", a.shape) + "]"));
                    throw new MucmmUserException(Graph.Path, $"{step.OpType} node '{step.NodeName}' (opset {Graph.Opset}) failed on inputs {shapes}: {OnnxGraph.FirstLine(ex.Message)}");
                }
                for (int j = 0; j < step.Outputs.Length && j < results.Length; j++)
                    if (step.Outputs[j].Length > 0) values[step.Outputs[j]] = results[j];
                    else results[j].Dispose();
                foreach (var dead in step.DisposeAfter)
                    if (values.Remove(dead, out var t)) t.Dispose();
                if (Profile is { } profile)
                    profile[step.Fused] = profile.GetValueOrDefault(step.Fused) + System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
            return Graph.Outputs.Select(o => values[o.Name]).ToArray();
        }
        finally
        {
            foreach (var t in transient) t.Dispose();
        }
    }

    private void CheckShape(OnnxValueInfo info, Tensor x)
    {
        if (info.Dims is null) return;
        bool ok = x.dim() == info.Dims.Count;
        for (int d = 1; ok && d < info.Dims.Count; d++)
            if (options.FixedInputShape && info.Dims[d] is long want && x.shape[d] != want) ok = false;
        if (!ok)
            throw new MucmmUserException(Graph.Path, $"input '{info.Name}' must have shape {info.ShapeText}{(options.FixedInputShape ? "" : $" (rank {info.Dims.Count})")}, got [{string.Join(", ", x.shape)}]");
    }

    private static string Sanitize(string name, HashSet<string> used)
    {
        string s = new(name.Select(ch => char.IsLetterOrDigit(ch) || ch == '_' ? ch : '_').ToArray());
        if (s.Length == 0) s = "p";
        string unique = s;
        for (int k = 2; !used.Add(unique); k++) unique = $"{s}_{k}";
        return unique;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in constants.Values) t.Dispose();
            foreach (var t in owned) t.Dispose();
        }
        base.Dispose(disposing);
    }
}

using Google.Protobuf;
using Onnx;

namespace Mucmm.Deep.Onnx;

/// <summary>A graph input or output: name, ONNX element type and dimensions (null where symbolic or unknown).</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="ElementType">ONNX element type (1 float, 7 int64, …); 0 when not declared.</param>
/// <param name="Dims">Declared dimensions, null entries for symbolic ones; null when the rank is not declared.</param>
public sealed record OnnxValueInfo(string Name, int ElementType, IReadOnlyList<long?>? Dims)
{
    /// <summary>The shape as text, e.g. <c>[n, 3, 224, 224]</c> (the first dimension is always the batch).</summary>
    public string ShapeText => Dims is null ? "[?]" : "[" + string.Join(", ", Dims.Select((d, i) => i == 0 ? "n" : d?.ToString() ?? "?")) + "]";
}

/// <summary>One node of the graph: its operator and name.</summary>
/// <param name="OpType">The ONNX operator, e.g. <c>Conv</c>.</param>
/// <param name="Name">The node's name (may be empty).</param>
public sealed record OnnxNodeInfo(string OpType, string Name);

/// <summary>
/// A parsed, checked ONNX model: one file read with the ONNX protobuf schema (package OnnxSharp). Build an
/// <see cref="OnnxModule"/> from it to run it. Every problem with the file is a one-line <see cref="MucmmUserException"/>
/// naming the file.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>Lowest and highest default-domain opset the importer accepts.</summary>
    public const int MinOpset = 8, MaxOpset = 17;

    internal ModelProto Model { get; }

    private OnnxGraph(string path, ModelProto model, int opset)
    {
        Path = path;
        Model = model;
        Opset = opset;
        var initializerNames = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        Inputs = model.Graph.Input.Where(i => !initializerNames.Contains(i.Name)).Select(Info).ToList();
        Outputs = model.Graph.Output.Select(Info).ToList();
        Nodes = model.Graph.Node.Select(n => new OnnxNodeInfo(n.OpType, n.Name)).ToList();
    }

    /// <summary>The file the graph was read from.</summary>
    public string Path { get; }

    /// <summary>The model's default-domain (ai.onnx) opset version.</summary>
    public int Opset { get; }

    /// <summary>The graph's inputs that are not initializers, in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The graph's outputs, in order.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>The nodes in execution (topological) order.</summary>
    public IReadOnlyList<OnnxNodeInfo> Nodes { get; }

    /// <summary>Reads and checks <paramref name="path"/>: an ONNX model file with its weights inside, default-domain opset <see cref="MinOpset"/>–<see cref="MaxOpset"/>.</summary>
    public static OnnxGraph Load(string path)
    {
        if (!File.Exists(path)) throw new MucmmUserException(path, "ONNX model file not found");
        using var stream = OpenOrThrow(path);
        return Load(stream, path);
    }

    private static FileStream OpenOrThrow(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (IOException ex)
        {
            throw new MucmmUserException(path, $"cannot read the ONNX file ({FirstLine(ex.Message)})");
        }
    }

    /// <summary>Reads and checks an ONNX model from <paramref name="stream"/> (e.g. an embedded resource), named <paramref name="path"/> in messages; see <see cref="Load(string)"/>.</summary>
    public static OnnxGraph Load(Stream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            bool truncated = ex.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
                || ex.Message.Contains("ended unexpectedly", StringComparison.OrdinalIgnoreCase);
            throw new MucmmUserException(path, truncated
                ? "the ONNX file is truncated or damaged (its data ends in the middle of a record)"
                : $"not an ONNX model (the file is not an ONNX protobuf: {FirstLine(ex.Message)})");
        }
        catch (IOException ex)
        {
            throw new MucmmUserException(path, $"cannot read the ONNX file ({FirstLine(ex.Message)})");
        }
        if (model.IrVersion <= 0 || model.Graph is null || model.Graph.Node.Count == 0 || model.Graph.Output.Count == 0)
            throw new MucmmUserException(path, "not an ONNX model (no IR version, graph, nodes or outputs)");
        var defaultDomain = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").ToList();
        // IR version 3 files without an opset import are opset 1–8 files of the early exporters.
        int opset = defaultDomain.Count > 0 ? (int)defaultDomain.Max(o => o.Version) : 1;
        if (opset < MinOpset || opset > MaxOpset)
            throw new MucmmUserException(path, $"ONNX opset {opset} is outside the supported range {MinOpset}–{MaxOpset} (re-export the model with opset_version between {MinOpset} and {MaxOpset})");
        CheckTopologicalOrder(path, model.Graph, opset);
        return new OnnxGraph(path, model, opset);
    }

    /// <summary>A checked copy of this graph changed by <paramref name="edit"/> (which gets a deep copy of the model).</summary>
    internal OnnxGraph With(Action<ModelProto> edit)
    {
        var copy = Model.Clone();
        edit(copy);
        CheckTopologicalOrder(Path, copy.Graph, Opset);
        return new OnnxGraph(Path, copy, Opset);
    }

    private static void CheckTopologicalOrder(string path, GraphProto g, int opset)
    {
        var known = g.Input.Select(i => i.Name).Concat(g.Initializer.Select(t => t.Name)).ToHashSet();
        foreach (var node in g.Node)
        {
            foreach (var input in node.Input)
                if (input.Length > 0 && !known.Contains(input))
                    throw new MucmmUserException(path, $"{node.OpType} node '{node.Name}' (opset {opset}): input '{input}' is not computed before it (the graph is not in topological order or refers to a missing value)");
            foreach (var o in node.Output) if (o.Length > 0) known.Add(o);
        }
        foreach (var o in g.Output)
            if (!known.Contains(o.Name)) throw new MucmmUserException(path, $"graph output '{o.Name}' is not computed by any node");
    }

    private static OnnxValueInfo Info(ValueInfoProto v)
    {
        var tensorType = v.Type?.TensorType;
        IReadOnlyList<long?>? dims = tensorType?.Shape is null ? null
            : tensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : (long?)null).ToList();
        return new OnnxValueInfo(v.Name, tensorType?.ElemType ?? 0, dims);
    }

    internal static string FirstLine(string message) => message.Split('\n')[0].Trim();
}

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mucmm.Tests.Deep.Onnx;

/// <summary>ONNX Runtime (Microsoft.ML.OnnxRuntime, a test-only dependency) as the forward oracle of the importer.</summary>
internal static class OrtOracle
{
    /// <summary>An input for ONNX Runtime: float32 or int64 values with their shape.</summary>
    public sealed record Input(string Name, long[] Shape, float[]? Floats = null, long[]? Longs = null);

    /// <summary>Runs <paramref name="path"/> on <paramref name="inputs"/> with one intra-op thread and returns every output as (shape, float values).</summary>
    public static List<(long[] Shape, float[] Values)> Run(string path, params Input[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(path, options);
        var feeds = inputs.Select(i => i.Floats is not null
            ? NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Floats, i.Shape.Select(d => (int)d).ToArray()))
            : NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<long>(i.Longs!, i.Shape.Select(d => (int)d).ToArray()))).ToList();
        using var results = session.Run(feeds);
        return results.Select(r =>
        {
            var t = r.AsTensor<float>();
            return (t.Dimensions.ToArray().Select(d => (long)d).ToArray(), t.ToArray());
        }).ToList();
    }
}

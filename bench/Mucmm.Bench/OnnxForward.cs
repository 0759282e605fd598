using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mucmm.Deep.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>
/// Quick mode <c>onnx</c>: forward throughput of the package ResNet18 (ResNet18.onnx, 224 px) imported into TorchSharp
/// (<see cref="OnnxModule"/>, no_grad) against ONNX Runtime on the same graph, same batch, same threads
/// (MUCMM_THREADS). ONNX Runtime gets a copy of the file whose batch dimension is symbolic (the package declares 1).
/// Prints one RESULT line per engine and the ratio of throughputs.
/// </summary>
public static class OnnxForward
{
    /// <summary>Runs the comparison; options --batch (32), --iters (3).</summary>
    public static int Run(int batch, int iters)
    {
        string model = ResNet18Encoder.ModelPath;
        string dynamicCopy = Path.Combine(Path.GetTempPath(), "mucmm-bench-resnet18-dynamic.onnx");
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(model));
        foreach (var v in proto.Graph.Input.Concat(proto.Graph.Output)) v.Type.TensorType.Shape.Dim[0].DimParam = "n";
        proto.Graph.ValueInfo.Clear();
        File.WriteAllBytes(dynamicCopy, Google.Protobuf.MessageExtensions.ToByteArray(proto));

        var rng = new Random(1);
        var pixels = Enumerable.Range(0, batch * 3 * 224 * 224).Select(_ => (float)(rng.NextDouble() * 255 - 110)).ToArray();

        using var module = OnnxModule.Load(model, new OnnxImportOptions { FixedInputShape = false });
        module.eval();
        using var x = torch.tensor(pixels).reshape(batch, 3, 224, 224);
        var ours = QuickModes.Time(iters, 1, () =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            module.call(x);
        });
        QuickModes.Report("onnx_resnet18_torchsharp", ours, $"batch={batch} images_per_s={batch / ours.Min():F1}");

        using var options = new SessionOptions { IntraOpNumThreads = BenchEnvironment.Threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(dynamicCopy, options);
        var input = new DenseTensor<float>(pixels, [batch, 3, 224, 224]);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input) };
        var ort = QuickModes.Time(iters, 1, () =>
        {
            using var results = session.Run(feeds);
        });
        QuickModes.Report("onnx_resnet18_ort", ort, $"batch={batch} images_per_s={batch / ort.Min():F1}");
        Console.WriteLine(FormattableString.Invariant($"RESULT onnx_resnet18_ratio throughput_ours_over_ort={ort.Min() / ours.Min():F3}"));
        return 0;
    }
}

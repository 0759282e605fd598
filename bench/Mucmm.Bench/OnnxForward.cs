using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mucmm.Deep.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>
/// Quick mode <c>onnx</c>: forward throughput of the package ResNet18 (ResNet18.onnx, 224 px) imported into TorchSharp
/// (<see cref="OnnxModule"/> under no_grad, as <c>mucmm features</c> runs it) against ONNX Runtime on the same graph,
/// same batch, same threads (MUCMM_THREADS for both). ONNX Runtime gets a copy of the file whose batch dimension is
/// symbolic (the package declares 1). The machine is shared, so the engines are timed <b>interleaved</b> — one batch
/// of ours, one of ORT's, repeated <c>--rounds</c> times — and the ratio is taken within each round (same load);
/// prints the median and range of each engine's images/s and of the per-round ratio, and the load average.
/// <c>--unfolded</c> adds the importer without folding (<see cref="OnnxImportOptions.Fold"/> false) as a third
/// contender (the "before" figure); <c>--profile</c> prints where our forward's time goes, by op type.
/// </summary>
public static class OnnxForward
{
    private sealed class Contender(string name, Action run)
    {
        public string Name { get; } = name;
        public Action Run { get; } = run;
        public List<double> Wall { get; } = [];
        public double Cpu { get; set; }
    }

    /// <summary>
    /// Runs the comparison; options --batch (32), --rounds (5), --size (224), --unfolded, --profile, --engine
    /// (both | ours | ort), --no-reuse (fold the weights at every call, as before <see cref="OnnxModule.ReuseFoldedWeights"/>),
    /// --ort-profile (ONNX Runtime's own profile: time per node, see <see cref="OrtNodeProfile"/>). With both, the engines alternate batch by batch in one process, so that each round's ratio
    /// is taken under the same load; but then each engine's idle threads (LibTorch's OpenMP team, ORT's pool, both
    /// spinning for a while after a run unless told otherwise) sit beside the other's batch. With ours or ort only
    /// that engine runs: on an idle machine, run the two in turn in separate processes and divide the medians.
    /// </summary>
    public static int Run(int batch, int rounds, int size, bool unfolded, bool profile, string engine = "both", bool reuse = true, bool ortProfile = false)
    {
        if (engine is not ("both" or "ours" or "ort")) throw new ArgumentException($"--engine must be both, ours or ort, not '{engine}'");
        string model = ResNet18Encoder.ModelPath;
        string dynamicCopy = Path.Combine(Path.GetTempPath(), "mucmm-bench-resnet18-dynamic.onnx");
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(model));
        foreach (var v in proto.Graph.Input.Concat(proto.Graph.Output))
            for (int d = 0; d < v.Type.TensorType.Shape.Dim.Count; d++)
                if (d == 0 || size != ResNet18Encoder.NativeSize) v.Type.TensorType.Shape.Dim[d].DimParam = d == 0 ? "n" : $"d{d}";
        proto.Graph.ValueInfo.Clear();
        if (size != ResNet18Encoder.NativeSize)
        {
            // as ResNet18Encoder does: the final fixed 7×7 AveragePool pools globally at other sizes
            var pool = proto.Graph.Node.Last(n => n.OpType == "AveragePool");
            pool.OpType = "GlobalAveragePool";
            pool.Attribute.Clear();
        }
        File.WriteAllBytes(dynamicCopy, Google.Protobuf.MessageExtensions.ToByteArray(proto));

        var rng = new Random(1);
        var pixels = Enumerable.Range(0, batch * 3 * size * size).Select(_ => (float)(rng.NextDouble() * 255 - 110)).ToArray();
        var graph = OnnxGraph.Load(model);
        var globalPool = new HashSet<string> { graph.Nodes.Last(n => n.OpType == "AveragePool").Name };

        using var module = new OnnxModule(graph, new OnnxImportOptions { FixedInputShape = false, GlobalPoolingNodes = globalPool });
        using var plain = unfolded ? new OnnxModule(graph, new OnnxImportOptions { FixedInputShape = false, GlobalPoolingNodes = globalPool, Fold = false }) : null;
        module.eval();
        plain?.eval();
        using var x = torch.tensor(pixels).reshape(batch, 3, size, size);

        using var options = new SessionOptions { IntraOpNumThreads = BenchEnvironment.Threads, InterOpNumThreads = 1 };
        if (ortProfile)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "mucmm-bench-ort-profile");
        }
        using var session = new InferenceSession(dynamicCopy, options);
        var input = new DenseTensor<float>(pixels, [batch, 3, size, size]);
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input) };

        // Same answer first (the ORT oracle tests check this to 1e-4; here a guard against benchmarking a broken path).
        using (no_grad())
        using (var ours = module.call(x))
        using (var results = session.Run(feeds))
        {
            var theirs = results.First().AsTensor<float>().ToArray();
            var mine = ours.contiguous().data<float>().ToArray();
            double maxDiff = mine.Zip(theirs, (a, b) => Math.Abs(a - b)).Max(), scale = theirs.Max(Math.Abs);
            Console.WriteLine(FormattableString.Invariant($"# forward check: max |ours - ORT| = {maxDiff:G3} (max |ORT| = {scale:G3})"));
        }

        // as `mucmm features` computes frozen features: folded weights computed once (--no-reuse: at every call)
        using var reuseScope = reuse ? OnnxModule.ReuseFoldedWeights() : null;
        Console.WriteLine($"# folded weights {(reuse ? "reused across batches (OnnxModule.ReuseFoldedWeights)" : "recomputed at every call (--no-reuse)")}");
        var contenders = new List<Contender>();
        if (engine != "ort") contenders.Add(new("onnx_resnet18_torchsharp", () => { using var _ = no_grad(); using var scope = NewDisposeScope(); module.call(x); }));
        if (engine != "ours") contenders.Add(new("onnx_resnet18_ort", () => { using var results = session.Run(feeds); }));
        if (plain is not null)
            contenders.Add(new("onnx_resnet18_torchsharp_unfolded", () => { using var _ = no_grad(); using var scope = NewDisposeScope(); plain.call(x); }));
        foreach (var c in contenders) c.Run();   // warm-up

        string loadBefore = BenchEnvironment.LoadAverage();
        for (int r = 0; r < rounds; r++)
            foreach (var c in contenders)
            {
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                c.Run();
                c.Wall.Add(sw.Elapsed.TotalSeconds);
                c.Cpu += (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            }
        string load = $"{loadBefore} -> {BenchEnvironment.LoadAverage()}";

        var inv = CultureInfo.InvariantCulture;
        foreach (var c in contenders)
        {
            var ips = c.Wall.Select(t => batch / t).ToArray();
            QuickModes.LastCpuSecondsPerCall = c.Cpu / rounds;
            QuickModes.Report(c.Name, [.. c.Wall], string.Create(inv,
                $"batch={batch} size={size} images_per_s_median={QuickModes.Median(ips):F2} images_per_s_min={ips.Min():F2} images_per_s_max={ips.Max():F2} load_during=\"{load}\""));
        }
        var ort = contenders.FirstOrDefault(c => c.Name == "onnx_resnet18_ort");
        foreach (var c in ort is null ? [] : contenders.Where(c => c != ort))
        {
            var ratio = c.Wall.Zip(ort!.Wall, (mine, theirs) => theirs / mine).ToArray();
            string suffix = c.Name["onnx_resnet18_torchsharp".Length..];
            Console.WriteLine(string.Create(inv,
                $"RESULT onnx_resnet18_ratio{suffix} throughput_ours_over_ort_median={QuickModes.Median(ratio):F3} min={ratio.Min():F3} max={ratio.Max():F3} rounds={rounds} cpu_ratio={ort.Cpu / c.Cpu:F3} load=\"{load}\""));
        }

        if (ortProfile) OrtNodeProfile.Print(session.EndProfiling(), rounds + 2);   // the check, the warm-up and the rounds

        if (profile && engine != "ort")
        {
            module.Profile = [];
            for (int r = 0; r < Math.Max(1, rounds / 2); r++) contenders[0].Run();
            double total = module.Profile.Values.Sum();
            foreach (var (op, seconds) in module.Profile.OrderByDescending(kv => kv.Value))
                Console.WriteLine(string.Create(inv, $"# profile {op,-32} {seconds / Math.Max(1, rounds / 2):F4} s per batch  {100 * seconds / total,5:F1} %"));
            if (plain is not null)
            {
                plain.Profile = [];
                for (int r = 0; r < Math.Max(1, rounds / 2); r++) contenders[^1].Run();
                double t2 = plain.Profile.Values.Sum();
                foreach (var (op, seconds) in plain.Profile.OrderByDescending(kv => kv.Value))
                    Console.WriteLine(string.Create(inv, $"# profile unfolded {op,-23} {seconds / Math.Max(1, rounds / 2):F4} s per batch  {100 * seconds / t2,5:F1} %"));
            }
        }
        return 0;
    }
}

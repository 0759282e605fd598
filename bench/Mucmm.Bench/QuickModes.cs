using System.Diagnostics;
using System.Globalization;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Linear;
using Mucmm.Numerics;

namespace Mucmm.Bench;

/// <summary>
/// Console modes that time one workload with a plain stopwatch and print one machine-readable
/// <c>RESULT</c> line (used by bench/compare.sh, where BenchmarkDotNet's minutes-long runs do not fit):
/// <c>step</c>, <c>matmul</c>, <c>roofline</c>, <c>linear</c>, <c>heads</c>, <c>onnx</c>, <c>convlab</c>. Every mode prints the load average.
/// </summary>
public static class QuickModes
{
    /// <summary>Runs the mode named by args[0]; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        BenchEnvironment.Configure();
        Console.WriteLine("# " + BenchEnvironment.Describe());
        var o = Options.Parse(args.Skip(1).ToArray());
        switch (args[0])
        {
            case "step":
            {
                var model = o.Get("model", "dcca") == "mucmm" ? StepModel.Mucmm : StepModel.Dcca;
                using var step = new TrainingStep(model, o.GetInt("batch", Workloads.Batch));
                var times = Time(o.GetInt("iters", 10), o.GetInt("warmup", 2), () => step.Run());
                double matmul = o.Has("matmul-rate") ? o.GetDouble("matmul-rate", 0) : 0;
                Report($"step_{o.Get("model", "dcca")}", times, $"gflop={step.Flops / 1e9:F3} gflops_min={step.Flops / times.Min() / 1e9:F1}" +
                    (matmul > 0 ? $" fraction_of_matmul={step.Flops / times.Min() / 1e9 / matmul:F3}" : ""));
                return 0;
            }
            case "convlab":
                return ConvLab.Run(o.GetInt("reps", 7), o.GetInt("batch", 32));
            case "heads":
                return HeadsStep.Run(o.GetInt("steps", 100), o.GetInt("width", 512), o.GetInt("batch", 500));
            case "onnx":
                return OnnxForward.Run(o.GetInt("batch", 32), o.GetInt("rounds", 5), o.GetInt("size", 224), o.Has("unfolded"), o.Has("profile"), o.Get("engine", "both")!, !o.Has("no-reuse"), o.Has("ort-profile"));
            case "matmul":
            {
                var times = Roofline.TimeMatmul(o.GetInt("repeats", 5));
                Report("matmul4096", times, $"gflops_min={Roofline.MatmulFlops / times.Min() / 1e9:F1} gflops_median={Roofline.MatmulFlops / Median(times) / 1e9:F1}");
                return 0;
            }
            case "roofline":
            {
                // Interleave matmul and step measurements so both see the same background load.
                var mm = new List<double>();
                var st = new List<double>();
                double mmCpu = 0, stCpu = 0;
                using var step = new TrainingStep(o.Get("model", "dcca") == "mucmm" ? StepModel.Mucmm : StepModel.Dcca);
                step.Run();
                for (int i = 0; i < o.GetInt("rounds", 3); i++)
                {
                    mm.AddRange(Roofline.TimeMatmul(2));
                    mmCpu += LastCpuSecondsPerCall * 2;
                    st.AddRange(Time(3, 0, () => step.Run()));
                    stCpu += LastCpuSecondsPerCall * 3;
                }
                double rate = Roofline.MatmulFlops / mm.Min();
                double achieved = step.Flops / st.Min();
                double rateCpu = Roofline.MatmulFlops * mm.Count / mmCpu, achievedCpu = step.Flops * st.Count / stCpu;
                LastCpuSecondsPerCall = mmCpu / mm.Count;
                Report("roofline_matmul", mm.ToArray(), $"gflops_min={rate / 1e9:F1} gflop_per_cpu_s={rateCpu / 1e9:F1}");
                LastCpuSecondsPerCall = stCpu / st.Count;
                Report($"roofline_step_{step.Model.ToString().ToLowerInvariant()}", st.ToArray(),
                    $"gflop={step.Flops / 1e9:F3} gflops_min={achieved / 1e9:F1} fraction_of_matmul={achieved / rate:F3} gflop_per_cpu_s={achievedCpu / 1e9:F1} fraction_of_matmul_cpu={achievedCpu / rateCpu:F3}");
                return 0;
            }
            case "linear":
            {
                var v1 = Load(o.Get("view1", null) ?? throw new ArgumentException("--view1 FILE"));
                var v2 = Load(o.Get("view2", null) ?? throw new ArgumentException("--view2 FILE"));
                double ridge = o.GetDouble("ridge", 0);
                CanonicalCorrelation? cca = null;
                var times = Time(o.GetInt("repeats", 5), 1, () => cca = CanonicalCorrelation.Fit(CovarianceStats.FromViews([v1, v2]), ridge));
                double ccaCpu = LastCpuSecondsPerCall;
                if (o.Has("parts"))
                {
                    Report("linear_stats", Time(o.GetInt("repeats", 5), 0, () => CovarianceStats.FromViews([v1, v2])));
                    var st = CovarianceStats.FromViews([v1, v2]);
                    Report("linear_fit_from_stats", Time(o.GetInt("repeats", 5), 0, () => CanonicalCorrelation.Fit(st, ridge)));
                }
                LastCpuSecondsPerCall = ccaCpu;
                Report("linear_cca", times, $"rows={v1.Rows} dims={v1.Cols}+{v2.Cols} ridge={ridge} rho1..3={string.Join(",", cca!.Correlations.Take(3).Select(r => r.ToString("F10", CultureInfo.InvariantCulture)))}");
                var times2 = Time(o.GetInt("repeats", 5), 1, () => LinearMucmm.Fit([v1, v2], new LinearOptions { Ridge = ridge == 0 ? LinearOptions.Defaults.Ridge : ridge }));
                Report("linear_mucmm", times2, $"rows={v1.Rows} k={LinearOptions.Defaults.CommonDim} r={LinearOptions.Defaults.IndividualDim}");
                return 0;
            }
            case "lapack":
            {
                // float64 dense kernels at the linear fit's size (diagnostic: which LAPACK call dominates).
                int d = o.GetInt("size", 784);
                using var scope0 = TorchSharp.torch.NewDisposeScope();
                TorchSharp.torch.manual_seed(0);
                var x = TorchSharp.torch.randn(4 * d, d, dtype: TorchSharp.torch.float64);
                var spd = x.t().matmul(x) / (4 * d);
                var l = TorchSharp.torch.linalg.cholesky(spd);
                void Part(string name, Action a) => Report($"{name}_{d}", Time(o.GetInt("iters", 3), 1, a));
                Part("f64_matmul", () => { using var s = TorchSharp.torch.NewDisposeScope(); spd.matmul(spd); });
                Part("f64_cholesky", () => { using var s = TorchSharp.torch.NewDisposeScope(); TorchSharp.torch.linalg.cholesky(spd); });
                Part("f64_solve_triangular", () => { using var s = TorchSharp.torch.NewDisposeScope(); TorchSharp.torch.linalg.solve_triangular(l, spd, upper: false); });
                Part("f64_eigh", () => { using var s = TorchSharp.torch.NewDisposeScope(); TorchSharp.torch.linalg.eigh(spd); });
                Part("f64_svd", () => { using var s = TorchSharp.torch.NewDisposeScope(); TorchSharp.torch.linalg.svd(spd, fullMatrices: false); });
                Part("f64_svdvals", () => { using var s = TorchSharp.torch.NewDisposeScope(); TorchSharp.torch.linalg.svdvals(spd); });
                return 0;
            }
            case "parts":
            {
                // Breakdown of one MLP's share of the step (diagnostic).
                using var scope0 = TorchSharp.torch.NewDisposeScope();
                var mlp = Workloads.Mlp(Workloads.CommonDim);
                var x = TorchSharp.torch.rand(Workloads.Batch, Workloads.Width);
                var w = TorchSharp.torch.randn(Workloads.Hidden, Workloads.Hidden);
                void Part(string name, Action a) => Report(name, Time(o.GetInt("iters", 3), 1, a));
                Part("mlp_forward_nograd", () => { using var s = TorchSharp.torch.NewDisposeScope(); using var ng = TorchSharp.torch.no_grad(); mlp.forward(x); });
                Part("mlp_forward", () => { using var s = TorchSharp.torch.NewDisposeScope(); mlp.forward(x); });
                Part("mlp_forward_backward", () => { using var s = TorchSharp.torch.NewDisposeScope(); mlp.forward(x).sum().backward(); });
                Part("matmul1024", () => { using var s = TorchSharp.torch.NewDisposeScope(); w.matmul(w); });
                return 0;
            }
            default:
                Console.Error.WriteLine($"unknown mode '{args[0]}'");
                return 2;
        }
    }

    private static View Load(string path)
    {
        var a = NpyFile.Read(path);
        return new View(Path.GetFileNameWithoutExtension(path), ViewKind.Vector, [a.Cols], a.Data);
    }

    /// <summary>Runs <paramref name="warmup"/> untimed then <paramref name="iters"/> timed calls; returns seconds.</summary>
    public static double[] Time(int iters, int warmup, Action action)
    {
        for (int i = 0; i < warmup; i++) action();
        var t = new double[iters];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < iters; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            t[i] = sw.Elapsed.TotalSeconds;
        }
        LastCpuSecondsPerCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / Math.Max(1, iters);
        return t;
    }

    /// <summary>Process CPU seconds (all threads) per timed call of the last <see cref="Time"/>: shows how much of the wall time the machine's load took.</summary>
    public static double LastCpuSecondsPerCall { get; set; }

    /// <summary>Median of the values.</summary>
    public static double Median(double[] v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    /// <summary>Prints <c>RESULT name min_s=… median_s=… n=… load=… extra</c>.</summary>
    public static void Report(string name, double[] times, string extra = "")
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"RESULT {name} min_s={times.Min():F4} median_s={Median(times):F4} n={times.Length} cpu_s_per_call={LastCpuSecondsPerCall:F4} load=\"{BenchEnvironment.LoadAverage()}\" {extra}").TrimEnd());
    }

    /// <summary>--name value options.</summary>
    public sealed class Options
    {
        private readonly Dictionary<string, string> _values = new();

        /// <summary>Parses --name value pairs (a flag without a value is "true").</summary>
        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
                string key = args[i][2..];
                bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                o._values[key] = hasValue ? args[++i] : "true";
            }
            return o;
        }

        /// <summary>True when the option was given.</summary>
        public bool Has(string key) => _values.ContainsKey(key);

        /// <summary>The value, or the default.</summary>
        public string? Get(string key, string? def) => _values.TryGetValue(key, out var v) ? v : def;

        /// <summary>An integer value.</summary>
        public int GetInt(string key, int def) => _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : def;

        /// <summary>A long value.</summary>
        public long GetLong(string key, long def) => _values.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : def;

        /// <summary>A floating-point value.</summary>
        public double GetDouble(string key, double def) => _values.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : def;
    }
}

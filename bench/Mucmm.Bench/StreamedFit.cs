using System.Diagnostics;
using Mucmm.Data.Readers;
using Mucmm.Linear;
using Mucmm.Numerics;
using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>
/// The streamed 1,000,000 × 784 + 784 linear fit from float32 <c>.npy</c> files on disk, one phase per
/// process so that each phase's peak RSS (/proc/self/status VmHWM) is its own:
/// <list type="bullet">
/// <item><c>stream generate --dir D --rows N</c> writes D/view1.npy and D/view2.npy (float32; 10-dim shared latent + noise).</item>
/// <item><c>stream read --dir D</c>: only reads both files through <see cref="NpyChunkReader"/> (float32 → float64 chunks).</item>
/// <item><c>stream accumulate --dir D</c>: reads and accumulates the covariances (<see cref="CovarianceAccumulator"/>).</item>
/// <item><c>stream fit --dir D [--model linear|cca]</c>: reads, accumulates and fits (<see cref="LinearMucmm"/>), as <c>mucmm fit</c> would.</item>
/// </list>
/// </summary>
public static class StreamedFit
{
    /// <summary>Runs the phase named by args[1]; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        BenchEnvironment.Configure();
        Console.WriteLine("# " + BenchEnvironment.Describe());
        if (args.Length < 2) { Console.Error.WriteLine("usage: stream generate|read|accumulate|fit --dir D [--rows N] [--chunk R]"); return 2; }
        var o = QuickModes.Options.Parse(args.Skip(2).ToArray());
        string dir = o.Get("dir", "/tmp/mucmm-stream")!;
        int chunk = o.GetInt("chunk", CovarianceAccumulator.DefaultChunkRows);
        string p1 = Path.Combine(dir, "view1.npy"), p2 = Path.Combine(dir, "view2.npy");
        var sw = Stopwatch.StartNew();
        string extra;
        switch (args[1])
        {
            case "generate":
                Directory.CreateDirectory(dir);
                Generate(p1, p2, o.GetLong("rows", 1_000_000));
                extra = $"bytes={new FileInfo(p1).Length + new FileInfo(p2).Length}";
                break;
            case "read":
                extra = $"rows={Stream(p1, p2, chunk, null)}";
                break;
            case "accumulate":
            {
                using var acc = new CovarianceAccumulator([784, 784]);
                long rows = Stream(p1, p2, chunk, acc);
                var stats = acc.ToStats();
                extra = $"rows={rows} n={stats.Count}";
                break;
            }
            case "fit":
            {
                var kind = o.Get("model", "linear") == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm;
                using var acc = new CovarianceAccumulator([784, 784]);
                long rows = Stream(p1, p2, chunk, acc);
                double accumulated = sw.Elapsed.TotalSeconds;
                var model = LinearMucmm.Fit(acc.ToStats(), new LinearOptions { Kind = kind });
                extra = $"rows={rows} model={kind} accumulate_s={accumulated:F2} fit_only_s={sw.Elapsed.TotalSeconds - accumulated:F2} rho1={model.CanonicalCorrelations[0]:F6}";
                break;
            }
            default:
                Console.Error.WriteLine($"unknown phase '{args[1]}'");
                return 2;
        }
        double seconds = sw.Elapsed.TotalSeconds;
        long peak = BenchEnvironment.ProcStatusBytes("VmHWM");
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT stream_{args[1]} wall_s={seconds:F2} peak_rss_mib={peak / 1048576.0:F0} chunk={chunk} load=\"{BenchEnvironment.LoadAverage()}\" {extra}"));
        return 0;
    }

    // Reads both files chunk by chunk; accumulates when acc is given. Returns the rows read.
    private static long Stream(string p1, string p2, int chunk, CovarianceAccumulator? acc)
    {
        using var r1 = NpyChunkReader.Open(p1);
        using var r2 = NpyChunkReader.Open(p2);
        if (r1.Rows != r2.Rows) throw new MucmmUserException(p2, $"has {r2.Rows} rows, {p1} has {r1.Rows}");
        var b1 = new double[chunk * r1.Cols];
        var b2 = new double[chunk * r2.Cols];
        long total = 0;
        while (true)
        {
            int n1 = r1.ReadRows(b1), n2 = r2.ReadRows(b2);
            if (n1 != n2) throw new InvalidOperationException("readers out of step");
            if (n1 == 0) break;
            total += n1;
            if (acc is null) continue;
            using var scope = NewDisposeScope();
            var t1 = tensor(b1, [n1, r1.Cols], dtype: float64);
            var t2 = tensor(b2, [n2, r2.Cols], dtype: float64);
            if (n1 < chunk) { t1 = t1.narrow(0, 0, n1); t2 = t2.narrow(0, 0, n2); }
            acc.Add([t1, t2]);
        }
        return total;
    }

    private static void Generate(string p1, string p2, long rows)
    {
        const int Chunk = 8192;
        using var w1 = NpyWriter.Create(p1, [rows, 784]);
        using var w2 = NpyWriter.Create(p2, [rows, 784]);
        var g = new TorchSharp.torch.Generator(7);
        using var a1 = randn(10, 784, generator: g);
        using var a2 = randn(10, 784, generator: g);
        for (long s = 0; s < rows; s += Chunk)
        {
            using var scope = NewDisposeScope();
            int n = (int)Math.Min(Chunk, rows - s);
            var z = randn(n, 10, generator: g);
            w1.WriteRows(z.matmul(a1).add_(randn(n, 784, generator: g).mul_(2f)).to(float64).data<double>().ToArray());
            w2.WriteRows(z.matmul(a2).add_(randn(n, 784, generator: g).mul_(2f)).to(float64).data<double>().ToArray());
        }
        w1.Complete();
        w2.Complete();
    }
}

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
/// <item><c>stream accumulate --dir D</c>: reads and accumulates the covariances (<see cref="CovarianceStats.FromFiles"/>, the library's streamed path).</item>
/// <item><c>stream fit --dir D [--model linear|cca]</c>: the same, then fits (<see cref="LinearMucmm"/>); <c>mucmm fit --split all</c> on the files does the same work (docs/benchmarks.md times both).</item>
/// <item><c>stream shards --dir D [--count 100]</c>: writes D/shards/s-000.npz … statistics files of 784 + 784 columns
/// (<see cref="StatisticsFile"/>; each from 50 random rows — size and merge cost depend on the widths only).</item>
/// <item><c>stream merge --dir D</c>: reads and merges them (<see cref="StatisticsFile.Merge"/>, what <c>mucmm stats --merge</c> does), timed.</item>
/// </list>
/// </summary>
public static class StreamedFit
{
    /// <summary>Runs the phase named by args[1]; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        BenchEnvironment.Configure();
        Console.WriteLine("# " + BenchEnvironment.Describe());
        if (args.Length < 2) { Console.Error.WriteLine("usage: stream generate|read|accumulate|fit|shards|merge --dir D [--rows N] [--chunk R] [--count K]"); return 2; }
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
                extra = $"rows={ReadOnly(p1, p2, chunk)}";
                break;
            case "accumulate":
            {
                var stats = CovarianceStats.FromFiles([p1, p2], chunkRows: chunk);
                extra = $"rows={stats.Count}";
                break;
            }
            case "fit":
            {
                var kind = o.Get("model", "linear") == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm;
                var stats = CovarianceStats.FromFiles([p1, p2], chunkRows: chunk);
                double accumulated = sw.Elapsed.TotalSeconds;
                var model = LinearMucmm.Fit(stats, new LinearOptions { Kind = kind });
                extra = $"rows={stats.Count} model={kind} accumulate_s={accumulated:F2} fit_only_s={sw.Elapsed.TotalSeconds - accumulated:F2} rho1={model.CanonicalCorrelations[0]:F6}";
                break;
            }
            case "shards":
                extra = $"files={WriteShards(Path.Combine(dir, "shards"), o.GetInt("count", 100))}";
                break;
            case "merge":
            {
                var files = Directory.GetFiles(Path.Combine(dir, "shards"), "s-*.npz").Order().ToArray();
                var merged = StatisticsFile.Merge(files);
                extra = $"files={files.Length} rows={merged.Stats.Count} dims={string.Join("+", merged.Stats.Dims)} bytes_each={new FileInfo(files[0]).Length}";
                break;
            }
            default:
                Console.Error.WriteLine($"unknown phase '{args[1]}'");
                return 2;
        }
        double seconds = sw.Elapsed.TotalSeconds;
        long peak = BenchEnvironment.ProcStatusBytes("VmHWM");
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT stream_{args[1]} wall_s={seconds:F2} cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} peak_rss_mib={peak / 1048576.0:F0} chunk={chunk} load=\"{BenchEnvironment.LoadAverage()}\" {extra}"));
        return 0;
    }

    // Reads both files chunk by chunk (float32 → float64, NaN check), nothing else. Returns the rows read.
    private static long ReadOnly(string p1, string p2, int chunk)
    {
        using var r1 = NpyChunkReader.Open(p1);
        using var r2 = NpyChunkReader.Open(p2);
        var b1 = new double[chunk * r1.Cols];
        var b2 = new double[chunk * r2.Cols];
        long total = 0;
        int n;
        while ((n = r1.ReadRows(b1)) > 0)
        {
            if (r2.ReadRows(b2) != n) throw new MucmmUserException(p2, "ended before " + p1);
            total += n;
        }
        return total;
    }

    // 100 statistics files of 784 + 784 columns, each from 50 random rows (the file size and the merge
    // cost depend on the widths only, not on n or the values).
    private static int WriteShards(string dir, int count)
    {
        Directory.CreateDirectory(dir);
        var g = new TorchSharp.torch.Generator(11);
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn(50, 1568, dtype: float64, generator: g).add_(i / 100.0);
            StatisticsFile.Write(Path.Combine(dir, $"s-{i:D3}.npz"), CovarianceStats.FromTensors([x.narrow(1, 0, 784), x.narrow(1, 784, 784)]));
        }
        return count;
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

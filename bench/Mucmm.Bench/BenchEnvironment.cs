using System.Runtime.InteropServices;
using TorchSharp;

namespace Mucmm.Bench;

/// <summary>Thread settings and machine facts recorded with every figure.</summary>
public static class BenchEnvironment
{
    /// <summary>Threads used by torch (env MUCMM_THREADS, default: all cores). Python/R helpers use the same value.</summary>
    public static int Threads
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("MUCMM_THREADS");
            return int.TryParse(env, out int t) && t > 0 ? t : Environment.ProcessorCount;
        }
    }

    private static bool _configured;

    /// <summary>
    /// OpenMP wait policy given to libtorch's OpenMP runtime (read once, when the native library loads):
    /// env OMP_WAIT_POLICY if set, else MUCMM_OMP_WAIT_POLICY, else PASSIVE. PASSIVE makes idle OpenMP
    /// threads sleep instead of spinning; on a loaded machine spinning threads steal the CPU from the
    /// thread everyone waits for at the next barrier (measured: 784×784 eigh 1.7 s → 0.16 s, the Deep CCA
    /// step 2.7 s → 1.0 s at load average ≈ 20 on 2 cores; docs/benchmarks.md).
    /// </summary>
    public static string WaitPolicy { get; private set; } = "default";

    /// <summary>Sets OMP_WAIT_POLICY in the native environment; call before any torch call.</summary>
    public static void PrepareNative()
    {
        var given = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        WaitPolicy = given ?? Environment.GetEnvironmentVariable("MUCMM_OMP_WAIT_POLICY") ?? "PASSIVE";
        // .NET keeps its own copy of the environment on Unix: the native runtime needs libc's setenv.
        if (given is null && WaitPolicy != "default" && OperatingSystem.IsLinux()) setenv("OMP_WAIT_POLICY", WaitPolicy, 1);
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);

    /// <summary>Sets torch's intra-op threads once (inter-op 1: the steps are sequential).</summary>
    public static void Configure()
    {
        if (_configured) return;
        _configured = true;
        torch.set_num_threads(Threads);
        try { torch.set_num_interop_threads(1); } catch (Exception) { /* already set by an earlier torch call */ }
    }

    /// <summary>The 1/5/15-minute load averages (/proc/loadavg), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException) { return "n/a"; }
    }

    /// <summary>CPU model name from /proc/cpuinfo.</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    /// <summary>A value from /proc/self/status in bytes (e.g. "VmHWM", "VmRSS"), or -1.</summary>
    public static long ProcStatusBytes(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key + ":", StringComparison.Ordinal)) continue;
            var parts = line[(key.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0]) * 1024;
        }
        return -1;
    }

    /// <summary>One line describing the machine and its load now.</summary>
    public static string Describe() =>
        $"machine: {Environment.ProcessorCount} cores, {CpuModel()}; torch threads {Threads}, OMP_WAIT_POLICY {WaitPolicy}; load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC";
}

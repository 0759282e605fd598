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

    /// <summary>The OpenMP wait policy (see <see cref="NativeRuntime.PrepareOpenMp"/>).</summary>
    public static string WaitPolicy => NativeRuntime.WaitPolicy;

    /// <summary>Sets the native OpenMP wait policy and the allocator settings as the CLI does; call before any torch call.</summary>
    public static void PrepareNative()
    {
        NativeRuntime.PrepareOpenMp();
        NativeRuntime.PrepareAllocator();
    }

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
        $"machine: {Environment.ProcessorCount} cores, {CpuModel()}; torch threads {Threads}, OMP_WAIT_POLICY {WaitPolicy}, malloc keeps freed memory {NativeRuntime.AllocatorKeepsMemory}; load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC";
}

using System.Runtime.InteropServices;

namespace Mucmm;

/// <summary>
/// Settings that libtorch's native runtime reads once, when it is loaded: call
/// <see cref="PrepareOpenMp"/> before the first torch call of a process (the CLI does it first thing).
/// </summary>
public static class NativeRuntime
{
    /// <summary>The OpenMP wait policy in effect after <see cref="PrepareOpenMp"/> ("default" when none was set).</summary>
    public static string WaitPolicy { get; private set; } = "default";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the native environment unless the user set
    /// <c>OMP_WAIT_POLICY</c> (kept as given) or <c>MUCMM_OMP_WAIT_POLICY</c> (used instead; "default" sets
    /// nothing). PASSIVE makes idle OpenMP threads sleep instead of spinning. On a busy machine spinning
    /// threads take the CPU from the thread the others wait for at the next barrier, and libtorch's LAPACK
    /// and small matrix products crawl: measured at load average ≈ 25 on 2 cores, a 784 × 784 float64
    /// eigh took 1.7 s instead of 0.16 s and a Deep CCA training step 2.7 s instead of 1.0 s
    /// (docs/benchmarks.md). Must run before libtorch loads; later calls have no effect on OpenMP.
    /// </summary>
    public static void PrepareOpenMp()
    {
        var given = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        WaitPolicy = given ?? Environment.GetEnvironmentVariable("MUCMM_OMP_WAIT_POLICY") ?? "PASSIVE";
        // .NET keeps its own copy of the environment on Unix: native code sees only libc's.
        if (given is null && WaitPolicy != "default" && OperatingSystem.IsLinux()) _ = setenv("OMP_WAIT_POLICY", WaitPolicy, 1);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}

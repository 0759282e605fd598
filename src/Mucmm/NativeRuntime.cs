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

    /// <summary>Whether <see cref="PrepareAllocator"/> changed the C allocator's settings.</summary>
    public static bool AllocatorKeepsMemory { get; private set; }

    /// <summary>
    /// Makes the C allocator (glibc malloc, which libtorch's CPU tensors use) keep freed memory for the next tensor
    /// instead of returning it to the system: no <c>mmap</c> for large blocks (<c>M_MMAP_MAX</c> = 0) and no trimming
    /// of the heap below 2 GB of free space (<c>M_TRIM_THRESHOLD</c>). By default glibc maps every block above
    /// 32 MB (less before its threshold adapts) afresh and unmaps it when freed, so every large activation of a CNN
    /// forward page-faults its memory in again: on ResNet18 at 224 px, batch 32, that was about 0.55 of the 1.76
    /// CPU-s per batch (the 7 × 7 stem and the max-pool after it 3× and 15× slower than with memory reused;
    /// docs/pretrained.md, "Performance"). ONNX Runtime and PyTorch's recommended CPU set-ups (its arena, jemalloc)
    /// avoid the same cost. The price: the process keeps its peak heap until it exits. <c>MUCMM_MALLOC=default</c>
    /// leaves the allocator as it is. Linux with glibc only (elsewhere, nothing happens); may be called at any time,
    /// it affects later allocations.
    /// </summary>
    /// <remarks>
    /// The reuse holds on the process's first thread (glibc's main heap), where the CLI and the benchmark run torch.
    /// Other threads allocate from per-thread glibc heaps of at most 64 MB: a larger block is still mapped afresh
    /// (glibc falls back to <c>mmap</c> whatever <c>M_MMAP_MAX</c> says), and an emptied heap may be handed back
    /// whole — on a test-host thread a freed 40 MB tensor's successor faulted all its pages in again. A library host
    /// that runs large batches on other threads gets little from this setting.
    /// </remarks>
    public static void PrepareAllocator()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MUCMM_MALLOC") == "default") return;
        try
        {
            AllocatorKeepsMemory = mallopt(MmapMax, 0) == 1 & mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (EntryPointNotFoundException) { /* not glibc */ }
    }

    private const int TrimThreshold = -1, MmapMax = -4;   // glibc malloc.h: M_TRIM_THRESHOLD, M_MMAP_MAX

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}

using System.Runtime.CompilerServices;
using Xunit;

// Torch keeps global state (threads, RNG, default dtype): tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Mucmm.Tests;

/// <summary>Process-wide settings of the test host, applied before any test touches torch.</summary>
internal static class TestHostSetup
{
    /// <summary>
    /// The CLI's first call (Program.cs): OMP_WAIT_POLICY=PASSIVE before libtorch loads. Without it the
    /// test host's OpenMP threads spin, and on the shared, loaded 2-core machine a 30-epoch linear-heads
    /// fit took 57 s instead of about 1 s (docs/benchmarks.md explains the mechanism); and the allocator keeps freed
    /// tensor memory (<see cref="NativeRuntime.PrepareAllocator"/>). Frozen encoder features are
    /// cached in a folder of this test run (MUCMM_CACHE), never in the user's cache.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        NativeRuntime.PrepareOpenMp();
        NativeRuntime.PrepareAllocator();
        Environment.SetEnvironmentVariable(Mucmm.Deep.Onnx.FeatureCache.EnvironmentVariable, TestPaths.NewTempDir());
    }
}

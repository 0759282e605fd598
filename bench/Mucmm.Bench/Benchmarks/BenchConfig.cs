using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Mucmm.Bench.Benchmarks;

/// <summary>
/// Short in-process job (1 launch, 2 warm-ups, 5 measured iterations) so a filtered run takes minutes:
/// the figures are medians of 5 on a shared 2-core machine, not publication-grade statistics. In-process
/// because the benchmarks call native libtorch and the generated-project toolchain would rebuild the tree.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithId("short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

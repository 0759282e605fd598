using BenchmarkDotNet.Attributes;
using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;

namespace Mucmm.Bench.Benchmarks;

/// <summary>
/// Covariance accumulation and the closed-form fits on 10,000 × 784 + 784 in-memory rows
/// (<see cref="Workloads.SyntheticViews"/>). Rows/s of the accumulation = 10,000 / mean time.
/// </summary>
[Config(typeof(BenchConfig))]
public class LinearBenchmarks
{
    private View[] _views = [];
    private CovarianceStats? _stats;

    /// <summary>Rows per fit.</summary>
    [Params(10_000)]
    public int Rows { get; set; }

    /// <summary>Generates the data and the statistics used by the fit-only benchmarks.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Configure();
        Console.WriteLine("// " + BenchEnvironment.Describe());
        _views = Workloads.SyntheticViews(Rows);
        _stats = CovarianceStats.FromViews(_views);
    }

    /// <summary>Streams all rows through <see cref="CovarianceAccumulator"/> (2,048-row chunks).</summary>
    [Benchmark]
    public long CovarianceAccumulation() => CovarianceStats.FromViews(_views).Count;

    /// <summary>Linear CCA from the statistics only (Cholesky, triangular solves, SVD of 784 × 784).</summary>
    [Benchmark]
    public double CcaFromStats() => CanonicalCorrelation.Fit(_stats!, 0).Correlations[0];

    /// <summary>Linear CCA from the rows: statistics + fit (what NumPy/R are compared with).</summary>
    [Benchmark]
    public double CcaFromRows() => CanonicalCorrelation.Fit(CovarianceStats.FromViews(_views), 0).Correlations[0];

    /// <summary>Linear MUCMM (k = 10, r = 10, ridge 1e-3) from precomputed statistics.</summary>
    [Benchmark]
    public double MucmmFromStats() => LinearMucmm.Fit(_stats!, new LinearOptions()).CanonicalCorrelations[0];

    /// <summary>Linear MUCMM (k = 10, r = 10, ridge 1e-3) from the rows.</summary>
    [Benchmark]
    public double MucmmFromRows() => LinearMucmm.Fit(_views, new LinearOptions()).CanonicalCorrelations[0];

    /// <summary>Prints the load average after the run.</summary>
    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine("// after: " + BenchEnvironment.Describe());
}

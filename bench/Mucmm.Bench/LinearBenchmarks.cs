using BenchmarkDotNet.Attributes;
using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;

namespace Mucmm.Bench;

/// <summary>
/// Closed-form linear models on 10,000 × (784 + 784) float64 rows (the size of MNIST-10k pairs):
/// covariance accumulation (rows/s = 10,000 / mean time), CCA and linear MUCMM from statistics,
/// and the whole fit from in-memory views.
/// Run: <c>dotnet run -c Release --project bench/Mucmm.Bench -- --filter '*LinearBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
[InProcess] // run in this (already built, natively patched) process: a generated job project lacks the TorchSharp native fix
public class LinearBenchmarks
{
    private View[] _views = [];
    private CovarianceStats? _stats;

    /// <summary>Rows.</summary>
    [Params(10_000)]
    public int Rows { get; set; }

    /// <summary>Width of each view.</summary>
    [Params(784)]
    public int Width { get; set; }

    /// <summary>Uniform random views (fixed seed) with a shared component, and their statistics.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        var a = new double[Rows * Width];
        var b = new double[Rows * Width];
        for (int i = 0; i < Rows; i++)
        {
            double shared = rng.NextDouble();
            for (int j = 0; j < Width; j++)
            {
                a[i * Width + j] = rng.NextDouble() + (j < 10 ? shared : 0);
                b[i * Width + j] = rng.NextDouble() + (j < 10 ? shared : 0);
            }
        }
        _views = [new View("a", ViewKind.Vector, [Width], a), new View("b", ViewKind.Vector, [Width], b)];
        _stats = CovarianceStats.FromViews(_views);
    }

    /// <summary>Streaming covariance statistics of all rows (chunks of the default size).</summary>
    [Benchmark]
    public long Accumulate() => CovarianceStats.FromViews(_views).Count;

    /// <summary>CCA (all 784 pairs) from precomputed statistics, default ridge.</summary>
    [Benchmark]
    public double CcaFromStats() => CanonicalCorrelation.Fit(_stats!).Correlations[0];

    /// <summary>Linear MUCMM (k = 10, r = 10) from precomputed statistics.</summary>
    [Benchmark]
    public double MucmmFromStats() => LinearMucmm.Fit(_stats!, new LinearOptions()).CanonicalCorrelations[0];

    /// <summary>The whole linear MUCMM fit from the rows (accumulate + solve).</summary>
    [Benchmark]
    public double MucmmFromViews() => LinearMucmm.Fit(_views, new LinearOptions()).CanonicalCorrelations[0];
}

using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>The machine's float32 matmul rate measured with a large TorchSharp product.</summary>
public static class Roofline
{
    /// <summary>Side of the square product.</summary>
    public const int MatmulSize = 4096;

    /// <summary>FLOPs of one product (2·n³).</summary>
    public static double MatmulFlops => 2.0 * MatmulSize * MatmulSize * MatmulSize;

    /// <summary>Times <paramref name="repeats"/> products after one warm-up; returns every time in seconds (CPU time in QuickModes.LastCpuSecondsPerCall).</summary>
    public static double[] TimeMatmul(int repeats)
    {
        BenchEnvironment.Configure();
        using var scope = NewDisposeScope();
        manual_seed(0);
        var a = randn(MatmulSize, MatmulSize);
        var b = randn(MatmulSize, MatmulSize);
        return QuickModes.Time(repeats, 1, () =>
        {
            using var iteration = NewDisposeScope();
            a.matmul(b);
        });
    }
}

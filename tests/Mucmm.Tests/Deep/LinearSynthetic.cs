using Mucmm.Data;

namespace Mucmm.Tests.Deep;

/// <summary>
/// Test-local linear synthetic data with known structure: x_m = z_c A_m + z_u^m B_m + σ ε, with
/// k common latents shared by both views and r individual latents per view (all standard normal).
/// Canonical correlations of the population: the k common pairs have ρ close to 1 (limited by σ and
/// the individual variance), everything else 0.
/// </summary>
internal static class LinearSynthetic
{
    public static PairedDataset Create(int n, int d1, int d2, int k, int r, int seed, double noise = 0.3, double commonScale = 1.0)
    {
        var rng = new Random(seed);
        double Gauss()
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        double[,] Mat(int a, int b)
        {
            var m = new double[a, b];
            for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) m[i, j] = Gauss();
            return m;
        }
        var dims = new[] { d1, d2 };
        var a = dims.Select(d => Mat(k, d)).ToArray();
        var b = dims.Select(d => Mat(r, d)).ToArray();
        var data = dims.Select(d => new double[n * d]).ToArray();
        for (int i = 0; i < n; i++)
        {
            var zc = Enumerable.Range(0, k).Select(_ => Gauss() * commonScale).ToArray();
            for (int m = 0; m < 2; m++)
            {
                var zu = Enumerable.Range(0, r).Select(_ => Gauss()).ToArray();
                for (int j = 0; j < dims[m]; j++)
                {
                    double v = noise * Gauss();
                    for (int q = 0; q < k; q++) v += zc[q] * a[m][q, j];
                    for (int q = 0; q < r; q++) v += zu[q] * b[m][q, j];
                    data[m][i * dims[m] + j] = v;
                }
            }
        }
        var views = new[]
        {
            new View("x1", ViewKind.Vector, [d1], data[0]),
            new View("x2", ViewKind.Vector, [d2], data[1]),
        };
        return new PairedDataset("linear-synthetic", views, Mucmm.Data.Datasets.DatasetSplits.ByFractions(n, seed, 0.1, 0.2));
    }
}

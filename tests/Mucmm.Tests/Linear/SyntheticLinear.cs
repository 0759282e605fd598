using Mucmm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Tests.Linear;

/// <summary>
/// Linear two-view data with a known answer: xₘ = μₘ + z_c diag(aₘ) Qₘᵀ + z_uᵐ diag(bₘ) Rₘᵀ + σ ε,
/// where [Qₘ Rₘ] (dₘ × (k + rₘ)) has orthonormal columns and z_c, z_uᵐ, ε are independent N(0, 1).
/// </summary>
/// <remarks>
/// Population truth (derived in docs/method.md, section "Synthetic ground truth"):
/// Σₘₘ = Qₘ diag(aₘ² + σ²) Qₘᵀ + Rₘ diag(bₘ² + σ²) Rₘᵀ + σ²(I − QQᵀ − RRᵀ), so Σₘₘ⁻¹Qₘ spans span(Qₘ):
/// the canonical directions span span(Qₘ) and ρᵢ = a₁ᵢa₂ᵢ / √((a₁ᵢ² + σ²)(a₂ᵢ² + σ²)). After regressing out
/// x·Qₘ, the residual covariance is Rₘ diag(bₘ² + σ²) Rₘᵀ + σ²(I − QₘQₘᵀ − RₘRₘᵀ), whose top-rₘ
/// eigenvectors are Rₘ (when bₘ &gt; 0), and P fixes span(Rₘ): the individual loadings span span(Rₘ).
/// </remarks>
internal sealed class SyntheticLinear
{
    public const double Sigma = 1.0;
    public static readonly double[] A1 = { 3.0, 2.5, 2.0 }, A2 = { 2.5, 2.0, 1.5 };
    public static readonly double[] B1 = { 4.0, 3.0 }, B2 = { 3.5, 2.5 };
    public const int D1 = 30, D2 = 25;

    public required View X1 { get; init; }
    public required View X2 { get; init; }
    public required double[] Q1 { get; init; }   // D1 × 3
    public required double[] R1 { get; init; }   // D1 × 2
    public required double[] Q2 { get; init; }   // D2 × 3
    public required double[] R2 { get; init; }   // D2 × 2

    /// <summary>Population canonical correlations of the common pairs.</summary>
    public static double[] Rho => A1.Zip(A2, (a, b) => a * b / Math.Sqrt((a * a + Sigma * Sigma) * (b * b + Sigma * Sigma))).ToArray();

    /// <summary>Population (common, individual, residual) fractions of view m's variance for k = K = 3, r = 2.</summary>
    public static (double Common, double Individual, double Residual) Split(int view)
    {
        var (a, b, d) = view == 0 ? (A1, B1, D1) : (A2, B2, D2);
        double s2 = Sigma * Sigma;
        double common = a.Sum(x => x * x + s2), individual = b.Sum(x => x * x + s2);
        double total = common + individual + (d - a.Length - b.Length) * s2;
        return (common / total, individual / total, 1 - (common + individual) / total);
    }

    /// <summary>n samples; the loadings depend only on the fixed basis seed, the samples on <paramref name="seed"/>.</summary>
    public static SyntheticLinear Generate(int n, int seed)
    {
        var (q1, r1) = Basis(D1, 101);
        var (q2, r2) = Basis(D2, 202);
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x1 = new double[n * D1];
        var x2 = new double[n * D2];
        var zc = new double[3];
        var zu = new double[2];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++) zc[j] = Normal();
            Fill(x1.AsSpan(i * D1, D1), q1, r1, A1, B1, 5.0);
            Fill(x2.AsSpan(i * D2, D2), q2, r2, A2, B2, -2.0);
        }
        return new SyntheticLinear
        {
            X1 = new View("x1", ViewKind.Vector, new[] { D1 }, x1),
            X2 = new View("x2", ViewKind.Vector, new[] { D2 }, x2),
            Q1 = q1, R1 = r1, Q2 = q2, R2 = r2,
        };

        void Fill(Span<double> row, double[] q, double[] r, double[] a, double[] b, double mean)
        {
            int d = row.Length;
            for (int j = 0; j < 2; j++) zu[j] = Normal();
            for (int p = 0; p < d; p++)
            {
                double v = mean + Sigma * Normal();
                for (int j = 0; j < 3; j++) v += zc[j] * a[j] * q[p * 3 + j];
                for (int j = 0; j < 2; j++) v += zu[j] * b[j] * r[p * 2 + j];
                row[p] = v;
            }
        }
    }

    private static (double[] Q, double[] R) Basis(int d, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var (q, _) = linalg.qr(randn(d, 5, dtype: float64, generator: g));
        return (q.narrow(1, 0, 3).contiguous().data<double>().ToArray(), q.narrow(1, 3, 2).contiguous().data<double>().ToArray());
    }
}

using Mucmm.Data;
using Mucmm.Evaluation;
using Mucmm.Explain;
using Mucmm.Linear;
using Mucmm.Tests.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class PatternAttributionTests
{
    /// <summary>Σ = (X − x̄)ᵀ(X − x̄)/(n − 1) by plain loops over the view's rows (the test's own oracle).</summary>
    private static double[,] Covariance(View v)
    {
        int n = v.Rows, d = v.Cols;
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += v.Data[i * d + j] / n;
        var s = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                double xa = v.Data[i * d + a] - mean[a];
                for (int b = 0; b < d; b++) s[a, b] += xa * (v.Data[i * d + b] - mean[b]);
            }
        for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) s[a, b] /= n - 1;
        return s;
    }

    /// <summary>Max |map − Σ g| over rows, with g the rows of <paramref name="gradient"/> (rows × d).</summary>
    private static double MaxDiff(AttributionResult r, int view, double[,] sigma, Tensor gradient)
    {
        int d = sigma.GetLength(0);
        var g = gradient.contiguous().data<double>().ToArray();
        double worst = 0;
        for (int i = 0; i < r.Rows; i++)
        {
            var map = r.Map(view, i);
            for (int a = 0; a < d; a++)
            {
                double expected = 0;
                for (int b = 0; b < d; b++) expected += sigma[a, b] * g[i * d + b];
                worst = Math.Max(worst, Math.Abs(map[a] - expected));
            }
        }
        return worst;
    }

    /// <summary>
    /// Oracle: the closed form — for a linear MUCMM model the pattern map is Σₘₘ∇ₓₘS with Σₘₘ the
    /// training covariance (divisor n − 1, computed here by loops) and ∇S the analytic gradients of
    /// <see cref="LinearScores"/> (A₁c₂ for the common score, (2/r)L u for the individual score, the
    /// constant column of A for a single common variate). Agreement to 1e-10 absolute (float64; the maps
    /// are O(10)). A single common variate's pattern is a constant map equal to (n/(n−1)) times the
    /// model's stored pattern cov(x, c) (divisor n), to 1e-10. pattern-x-input is the input times the
    /// pattern map, to 1e-10.
    /// </summary>
    [Fact]
    public void Pattern_maps_of_a_linear_model_equal_the_covariance_times_the_analytic_gradient()
    {
        using var scope = NewDisposeScope();
        var data = SyntheticLinear.Generate(1500, seed: 7);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 3, IndividualDim = 2 });
        var rows = Enumerable.Range(0, 9).ToArray();
        var x1 = Representations.Rows(data.X1, rows);
        var x2 = Representations.Rows(data.X2, rows);
        var s11 = Covariance(data.X1);
        var s22 = Covariance(data.X2);
        using var cov = InputCovariance.FromViews([data.X1, data.X2]);
        var options = new AttributionOptions { Method = AttributionMethod.Pattern, Covariance = cov, BatchSize = 4 };

        var common = Attributions.Compute(model, Score.Common, [x1, x2], options);
        var (g1, g2) = LinearScores.CommonGradients(model, x1, x2);
        Assert.InRange(MaxDiff(common, 0, s11, g1), 0, 1e-10);
        Assert.InRange(MaxDiff(common, 1, s22, g2), 0, 1e-10);

        var ind = Attributions.Compute(model, Score.Individual(1), [x1, x2], options);
        Assert.InRange(MaxDiff(ind, 0, s11, LinearScores.IndividualGradient(model, 0, x1)), 0, 1e-10);
        Assert.All(ind.Maps[1], v => Assert.Equal(0.0, v));

        var variate = Attributions.Compute(model, Score.Parse("common1:2", model), [x1, x2], options);
        var a2 = LinearScores.CommonVariateGradient(model, 0, 1).unsqueeze(0).expand(rows.Length, -1);
        Assert.InRange(MaxDiff(variate, 0, s11, a2), 0, 1e-10);
        var stored = model.CommonPatterns(0)[.., 1].data<double>().ToArray();
        double n = data.X1.Rows;
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < stored.Length; j++)
                Assert.Equal(n / (n - 1) * stored[j], variate.Map(0, i)[j], 10);

        // pattern-x-input: x ⊙ (Σ₁₁ A₁c₂), the same closed form times the input (1e-10).
        var weighted = Attributions.Compute(model, Score.Common, [x1, x2], options with { Method = AttributionMethod.PatternTimesInput });
        var xs = x1.contiguous().data<double>().ToArray();
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < SyntheticLinear.D1; j++)
                Assert.InRange(Math.Abs(weighted.Map(0, i)[j] - xs[i * SyntheticLinear.D1 + j] * common.Map(0, i)[j]), 0, 1e-10);

        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.Pattern }));
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1, x2], new AttributionOptions { Method = AttributionMethod.PatternTimesInput }));
        using var wrong = InputCovariance.FromViews([data.X2, data.X1]);
        Assert.Throws<MucmmUserException>(() => Attributions.Compute(model, Score.Common, [x1, x2], options with { Covariance = wrong }));
    }

    /// <summary>
    /// Oracle: closed forms of the blurred baseline — a constant sample stays constant (the border
    /// renormalization), and a unit impulse 16 pixels from the borders of a 33 × 33 image (so no output within 3σ of it sees a border) becomes the normalized separable
    /// Gaussian g(r)g(c) with g(t) = exp(−t²/2σ²)/Σ exp(−s²/2σ²) over |s| ≤ 3σ (1e-12).
    /// </summary>
    [Fact]
    public void Blurred_baseline_keeps_constants_and_spreads_an_impulse_as_a_gaussian()
    {
        const int h = 33, w = 33;
        var data = new double[2 * h * w];
        Array.Fill(data, 0.7, 0, h * w);
        data[h * w + 16 * w + 16] = 1;
        var view = new View("img", ViewKind.Image, [h, w], data);
        var blurred = Baselines.Blur(view, 2.0);
        for (int q = 0; q < h * w; q++) Assert.Equal(0.7, blurred[q], 12);
        double norm = Enumerable.Range(-6, 13).Sum(t => Math.Exp(-t * t / 8.0));
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                int dr = r - 16, dc = c - 16;
                double expected = Math.Abs(dr) <= 6 && Math.Abs(dc) <= 6
                    ? Math.Exp(-dr * dr / 8.0) * Math.Exp(-dc * dc / 8.0) / (norm * norm) : 0;
                Assert.Equal(expected, blurred[h * w + r * w + c], 12);
            }
        Assert.Equal(BaselineKind.Blurred, Baselines.Parse("Blurred"));
        Assert.Throws<MucmmUserException>(() => Baselines.Parse("noise"));
    }

    /// <summary>
    /// Oracle: the blur by hand for a C × H × W sample (3 × 7 × 7, σ = 1, so the kernel k(t) = exp(−t²/2) over |t| ≤ 3):
    /// each plane is blurred alone — plane 0 (constant 0.3) stays 0.3; an impulse at (i, j) becomes
    /// k(r − i)k(c − j)/(N(r)N(c)) with the border renormalization N(q) = Σ_{|t| ≤ 3, 0 ≤ q + t &lt; 7} k(t) of the output
    /// pixel (r, c): plane 1 holds one at the centre (3, 3), plane 2 one in the corner (0, 0) (1e-12); nothing leaks into
    /// another plane. A [1, 7, 7] sample blurs exactly as the same [7, 7] sample.
    /// </summary>
    [Fact]
    public void Blurred_baseline_blurs_each_channel_of_a_three_channel_sample_spatially()
    {
        const int ch = 3, h = 7, w = 7, plane = h * w;
        var data = new double[ch * plane];
        Array.Fill(data, 0.3, 0, plane);
        data[plane + 3 * w + 3] = 1;
        data[2 * plane] = 1;
        var blurred = Baselines.Blur(new View("rgb", ViewKind.Image, [ch, h, w], data), 1.0);
        static double K(int t) => Math.Abs(t) <= 3 ? Math.Exp(-t * t / 2.0) : 0;
        double N(int i) => Enumerable.Range(-3, 7).Where(t => i + t >= 0 && i + t < h).Sum(K);
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                Assert.Equal(0.3, blurred[r * w + c], 12);
                Assert.Equal(K(r - 3) * K(c - 3) / (N(r) * N(c)), blurred[plane + r * w + c], 12);
                Assert.Equal(K(r) * K(c) / (N(r) * N(c)), blurred[2 * plane + r * w + c], 12);
            }
        var single = data[plane..(2 * plane)];
        Assert.Equal(Baselines.Blur(new View("g", ViewKind.Image, [h, w], single), 1.0),
            Baselines.Blur(new View("g", ViewKind.Image, [1, h, w], single), 1.0));
        Assert.Throws<MucmmUserException>(() => Baselines.Blur(new View("4d", ViewKind.Vector, [2, 2, 2, 2], new double[16])));
    }
}

using Mucmm.Data;
using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class NoisyMnistDatasetTests
{
    private static readonly Lazy<PairedDataset> Default = new(() => NoisyMnistDataset.Create(0));

    [Fact]
    public void Has_the_documented_shapes_labels_factors_and_split()
    {
        var data = Default.Value;
        Assert.Equal("noisy-mnist", data.Name);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(["rotated", "noisy"], data.Views.Select(v => v.Name));
        Assert.All(data.Views, v =>
        {
            Assert.Equal([28, 28], v.SampleShape);
            Assert.Equal(ViewKind.Image, v.Kind);
            Assert.All(v.Data, x => Assert.InRange(x, 0.0, 1.0));
        });
        Assert.Equal(["digit"], data.Labels.Keys);
        Assert.Equal(["rotation"], data.Factors.Keys);
        Assert.Equal(["partner"], data.Ids.Keys);
        Assert.Equal(MnistDigits.Embedded.Labels, data.Labels["digit"]);
        Assert.Equal(8_000, data.RowsOf(Split.Train).Length);
        Assert.Equal(1_000, data.RowsOf(Split.Validation).Length);
        Assert.Equal(1_000, data.RowsOf(Split.Test).Length);
        var rotation = data.Factors["rotation"];
        Assert.All(rotation, t => Assert.InRange(t, -45.0, 45.0));
        // U[−45, 45]: mean 0 ± 4 standard errors (26/√10000 = 0.26), a fifth beyond ±36°.
        Assert.InRange(rotation.Average(), -1.04, 1.04);
        Assert.InRange(rotation.Count(t => Math.Abs(t) > 36) / 10_000.0, 0.18, 0.22);
    }

    [Fact]
    public void Partner_is_a_different_image_of_the_same_digit_from_the_same_split()
    {
        var data = Default.Value;
        var digit = data.Labels["digit"];
        var partner = data.Ids["partner"];
        for (int i = 0; i < data.Count; i++)
        {
            int j = partner[i];
            Assert.NotEqual(i, j);
            Assert.Equal(digit[i], digit[j]);
            Assert.Equal(data.Splits[i], data.Splits[j]);
        }
        // Chosen at random: many different partners, not one per class.
        Assert.True(partner.Distinct().Count() > 5_000);
    }

    /// <summary>
    /// Oracle: the definition view2 = min(1, partner image + U[0,1]). Where the partner pixel is
    /// background (0) the view holds the noise itself: never below the partner pixel, mean 0.5 and
    /// a tenth below 0.1, within 0.01 (several million draws; standard errors below 0.001).
    /// </summary>
    [Fact]
    public void View_two_is_the_partner_plus_uniform_noise_clipped()
    {
        var data = Default.Value;
        var mnist = MnistDigits.Embedded;
        var partner = data.Ids["partner"];
        double sum = 0;
        long count = 0, low = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var src = mnist.Image(partner[i]);
            var v2 = data.Views[1].Row(i);
            for (int p = 0; p < 784; p++)
            {
                Assert.True(v2[p] >= src[p] && v2[p] <= 1.0);
                if (src[p] == 0)
                {
                    sum += v2[p];
                    count++;
                    if (v2[p] < 0.1) low++;
                }
            }
        }
        Assert.InRange(sum / count, 0.49, 0.51);
        Assert.InRange(low / (double)count, 0.09, 0.11);
    }

    /// <summary>
    /// Oracle: image moments. The principal axis of a grey image (from its second central moments,
    /// φ = ½·atan2(2μ₁₁, μ₂₀ − μ₀₂) in display coordinates, y up) turns by θ when the image turns by θ.
    /// On elongated digits (1s whose axis ratio exceeds 3, so φ is well defined) the angle measured
    /// between the original and view 1 matches the stored rotation within 1°, mean absolute error
    /// under 0.1° (bilinear resampling shifts the moments slightly; measured with NumPy on the
    /// float32 export of seed 0: 1,089 such 1s, mean 0.022°, largest 0.24°).
    /// </summary>
    [Fact]
    public void Stored_rotation_matches_the_angle_measured_from_the_image()
    {
        var data = Default.Value;
        var mnist = MnistDigits.Embedded;
        var rotation = data.Factors["rotation"];
        var errors = new List<double>();
        for (int i = 0; i < data.Count && errors.Count < 200; i++)
        {
            if (mnist.Labels[i] != 1) continue;
            var (phi0, elongation) = PrincipalAxis(mnist.Image(i));
            if (elongation < 3) continue;
            var (phi1, _) = PrincipalAxis(data.Views[0].Row(i));
            double measured = phi1 - phi0;
            while (measured > 90) measured -= 180;
            while (measured <= -90) measured += 180;
            errors.Add(measured - rotation[i]);
        }
        Assert.True(errors.Count >= 100, $"only {errors.Count} elongated 1s");
        Assert.All(errors, e => Assert.InRange(e, -1.0, 1.0));
        Assert.InRange(errors.Select(Math.Abs).Average(), 0, 0.1);
    }

    [Fact]
    public void Same_seed_same_dataset_other_seed_other_split_and_rotations()
    {
        var a = Default.Value;
        var b = NoisyMnistDataset.Create(0);
        var c = NoisyMnistDataset.Create(1);
        Assert.Equal(a.Splits, b.Splits);
        Assert.Equal(a.Factors["rotation"], b.Factors["rotation"]);
        Assert.Equal(a.Ids["partner"], b.Ids["partner"]);
        Assert.Equal(a.Views[1].Data, b.Views[1].Data);
        Assert.NotEqual(a.Splits, c.Splits);
        Assert.NotEqual(a.Factors["rotation"], c.Factors["rotation"]);
    }

    /// <summary>Orientation (degrees, display coordinates, y up, counter-clockwise positive) and axis ratio √(λ₁/λ₂).</summary>
    internal static (double Degrees, double Elongation) PrincipalAxis(ReadOnlySpan<double> image)
    {
        double m = 0, mx = 0, my = 0;
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
            {
                double w = image[r * 28 + c];
                m += w; mx += w * c; my += w * -r;
            }
        mx /= m; my /= m;
        double sxx = 0, syy = 0, sxy = 0;
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
            {
                double w = image[r * 28 + c], x = c - mx, y = -r - my;
                sxx += w * x * x; syy += w * y * y; sxy += w * x * y;
            }
        double phi = 0.5 * Math.Atan2(2 * sxy, sxx - syy) * 180 / Math.PI;
        double tr = sxx + syy, det = sxx * syy - sxy * sxy, disc = Math.Sqrt(tr * tr / 4 - det);
        double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
        return (phi, Math.Sqrt(l1 / Math.Max(l2, 1e-12)));
    }
}

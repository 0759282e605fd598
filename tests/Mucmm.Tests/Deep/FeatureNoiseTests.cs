using Mucmm.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

/// <summary>The feature noise of frozen-feature training (<see cref="DeepTrainingOptions.FeatureNoise"/>).</summary>
public class FeatureNoiseTests
{
    /// <summary>
    /// Oracle: the noise's definition — x + N(0, scale²) per entry, seeded by (seed, epoch, batch, view). On 400 × 300
    /// entries the sample standard deviation of the added noise is within 1 % of the scale (its relative standard
    /// error is 1/√(2·120,000) ≈ 0.2 %) and its mean within 0.01·scale (standard error 0.003·scale); the same stream
    /// gives the same noise, another batch or view other noise; scale 0 returns the input itself.
    /// </summary>
    [Fact]
    public void Noise_has_the_given_scale_and_is_reproducible()
    {
        using var scope = NewDisposeScope();
        var schedule = new BatchSchedule(seed: 5, batchSize: 100, augmentShift: 0, shiftShapes: [null, null]);
        var x = arange(400 * 300, dtype: float32).reshape(400, 300) / 1000f;
        const double scale = 0.37;
        var a = schedule.Noise(x, view: 0, scale, epoch: 2, batch: 1);
        var noise = (a - x).to(float64);
        Assert.Equal(scale, noise.std().item<double>(), scale * 0.01);
        Assert.Equal(0, noise.mean().item<double>(), scale * 0.01);
        Assert.True(a.eq(schedule.Noise(x, 0, scale, 2, 1)).all().item<bool>());
        Assert.False(a.eq(schedule.Noise(x, 0, scale, 2, 2)).all().item<bool>());
        Assert.False(a.eq(schedule.Noise(x, 1, scale, 2, 1)).all().item<bool>());
        Assert.Same(x, schedule.Noise(x, 0, 0, 2, 1));
    }

    /// <summary>Oracle: the options' contract — the noise is a finite number ≥ 0.</summary>
    [Fact]
    public void Negative_or_non_finite_noise_is_refused()
    {
        Assert.Throws<MucmmUserException>(() => new DeepTrainingOptions { FeatureNoise = -0.1 }.Validate());
        Assert.Throws<MucmmUserException>(() => new DeepTrainingOptions { FeatureNoise = double.NaN }.Validate());
        new DeepTrainingOptions { FeatureNoise = 0.7 }.Validate();
    }
}

using Mucmm.Explain;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class SanityCheckTests
{
    /// <summary>
    /// Oracle: closed form and scipy. Without ties Spearman = 1 − 6Σd²/(n(n²−1)); reversing a ranking gives −1.
    /// With ties, scipy 1.10 <c>spearmanr([1, 2, 2, 3, 5], [2, 1, 4, 4, 9])</c> = 0.7631578947368421 (average ranks).
    /// Tolerance 1e-12.
    /// </summary>
    [Fact]
    public void SpearmanMatchesKnownRankings()
    {
        Assert.Equal(1.0, Spearman.Correlation([1, 2, 3, 4], [10, 20, 30, 1000]), 12);
        Assert.Equal(-1.0, Spearman.Correlation([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // ranks a = 1..5, b = 2,1,4,3,5: Σd² = 4 → 1 − 24/120 = 0.8.
        Assert.Equal(0.8, Spearman.Correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 12);
        Assert.Equal(0.7631578947368421, Spearman.Correlation([1, 2, 2, 3, 5], [2, 1, 4, 4, 9]), 12);
        Assert.Equal([1.0, 2.5, 2.5, 4.0], Spearman.Ranks([1, 7, 7, 9]));
        Assert.True(double.IsNaN(Spearman.Correlation([1, 1, 1], [1, 2, 3])));
    }

    /// <summary>
    /// Oracle: synthetic ground truth. Maps of a model compared with themselves have rank correlation 1;
    /// a model whose heads are re-drawn at random (independent weights) gives common-score gradient maps
    /// A₁c₂ with unrelated directions, so the mean rank correlation is near 0 (bound 0.5, the issue's).
    /// </summary>
    [Fact]
    public void ModelRandomizationSeparatesTrainedFromRandomHeads()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([64, 48], 4, [3, 3], seed: 7);
        var g = new TorchSharp.torch.Generator(8);
        var x = new[] { randn(20, 64, dtype: float64, generator: g), randn(20, 48, dtype: float64, generator: g) };
        var same = SanityChecks.ModelRandomization(model, model, Score.Common, x);
        Assert.Equal(1.0, same.Spearman, 12);
        Assert.Equal(1.0, same.SpearmanOfMagnitudes, 12);
        var random = SanityChecks.ModelRandomization(model, Score.Common, x, seed: 99);
        Assert.True(Math.Abs(random.Spearman) < 0.5, $"Spearman {random.Spearman}");
        Assert.True(random.SpearmanOfMagnitudes < 0.5, $"Spearman |maps| {random.SpearmanOfMagnitudes}");
        var individual = SanityChecks.ModelRandomization(model, Score.Individual(2), x, seed: 99);
        Assert.True(double.IsNaN(individual.PerView[0]));
    }

    /// <summary>
    /// Oracle: closed form. For the single variate S = x₁·a (a = A₁[:, 0]) and gradient × input maps
    /// (contributions x₁ⱼaⱼ), deleting (zeroing) the j most salient inputs leaves S minus the j largest
    /// contributions: the salient curve is known exactly (tolerance 1e-12). S minus the k largest
    /// contributions is the lowest S any deletion order reaches after k steps, so the salient curve lies
    /// below the random one everywhere and the area ratio is below 1.
    /// </summary>
    [Fact]
    public void DeletionCurveOfALinearScoreIsExact()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([10, 4], 2, [1, 1], seed: 9);
        var g = new TorchSharp.torch.Generator(10);
        var x = new[] { randn(3, 10, dtype: float64, generator: g), randn(3, 4, dtype: float64, generator: g) };
        var score = Score.Parse("common1:1", model);
        var maps = Attributions.Compute(model, score, x, new AttributionOptions { Method = AttributionMethod.GradientTimesInput });
        var result = SanityChecks.Deletion(model, score, x, maps, view: 1, new DeletionOptions { Steps = 10 });

        var a = model.A[0][.., 0].data<double>().ToArray();
        var expected = new double[11];
        for (int i = 0; i < 3; i++)
        {
            var contrib = Enumerable.Range(0, 10).Select(j => x[0][i, j].item<double>() * a[j]).OrderDescending().ToArray();
            double s = contrib.Sum();
            for (int k = 0; k <= 10; k++) expected[k] += (s - contrib.Take(k).Sum()) / 3;
        }
        for (int k = 0; k <= 10; k++) Assert.Equal(expected[k], result.SalientCurve[k], 12);
        Assert.Equal(0.0, result.SalientCurve[^1], 12);
        Assert.Equal(result.SalientCurve[0], result.RandomCurve[0], 12);
        Assert.True(result.AreaRatio < 1, $"area ratio {result.AreaRatio}");
        Assert.Throws<MucmmUserException>(() => SanityChecks.Deletion(model, score, x, maps, view: 3));
    }

    [Fact]
    public void SampleSelectionChoosesAndRejects()
    {
        double[] scores = [0.5, 3, -1, 3, 2];
        Assert.Equal([1, 3], SampleSelection.Top(scores, 2));
        Assert.Equal([2, 0, 4], SampleSelection.Bottom(scores, 3));
        Assert.Equal([2, 0], SampleSelection.ByIndex([10, 11, 12], [12, 10]));
        Assert.Throws<MucmmUserException>(() => SampleSelection.ByIndex([10, 11, 12], [13]));
        Assert.Throws<MucmmUserException>(() => SampleSelection.Top(scores, 6));
        var r = SampleSelection.Random(100, 5, seed: 1);
        Assert.Equal(r, SampleSelection.Random(100, 5, seed: 1));
        Assert.Equal(5, r.Distinct().Count());
        var model = new FixedModel([3, 3], 1, [1, 0], seed: 1);
        Assert.Equal((false, Score.Individual(1)), SampleSelection.ParseRule("bottom-individual1", model));
        Assert.Throws<MucmmUserException>(() => SampleSelection.ParseRule("best-common", model));
        Assert.Throws<MucmmUserException>(() => SampleSelection.ParseRule("top-individual2", model));
    }
}

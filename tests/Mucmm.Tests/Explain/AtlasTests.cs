using Mucmm.Data;
using Mucmm.Explain;
using Mucmm.Linear;
using Mucmm.Tests.Linear;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class AtlasTests
{
    /// <summary>
    /// Oracle: closed form for a linear model — common variate i of view 1 is c = (x − x̄)aᵢ, so its
    /// pattern (regression of x on c/sd(c)) is Σ₁₁aᵢ / √(aᵢᵀΣ₁₁aᵢ), with Σ₁₁ computed by loops here and
    /// aᵢ a column of <see cref="LinearModel.CommonDirections"/> (1e-10; the same for the individual
    /// loadings). Extremes are really extreme: every highest value ≥ every value not shown, every lowest
    /// ≤ every value not shown, in order. The atlas figure renders.
    /// </summary>
    [Fact]
    public void Patterns_of_a_linear_model_are_the_covariance_times_its_directions_and_extremes_are_extreme()
    {
        using var scope = NewDisposeScope();
        var data = SyntheticLinear.Generate(800, seed: 11);
        var model = LinearMucmm.Fit([data.X1, data.X2], new LinearOptions { CommonDim = 3, IndividualDim = 2 });
        var rows = Enumerable.Range(0, 800).ToArray();
        var splits = rows.Select(i => i < 600 ? Split.Train : Split.Test).ToArray();
        var all = new PairedDataset("syn", [data.X1, data.X2], splits);
        var train = all.Subset(Split.Train);
        var test = all.Subset(Split.Test);
        var atlas = Atlas.Compute(model, train, test, extremes: 5);
        Assert.Equal(2 * (3 + 2), atlas.Count);

        int n = train.Count, d = SyntheticLinear.D1;
        var x = train.Views[0];
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x.Row(i)[j] / n;
        var sigma = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) sigma[a, b] += (x.Row(i)[a] - mean[a]) * (x.Row(i)[b] - mean[b]) / (n - 1);

        var directions = new[] { (true, model.CommonDirections(0)), (false, model.IndividualLoadings(0)) };
        foreach (var (common, w) in directions)
        {
            for (int k = 0; k < w.shape[1]; k++)
            {
                var col = w[.., k].contiguous().data<double>().ToArray();
                var sa = new double[d];
                for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) sa[a] += sigma[a, b] * col[b];
                double scale = Math.Sqrt(sa.Zip(col, (p, q) => p * q).Sum());
                var entry = atlas.Single(e => e.View == 1 && e.Common == common && e.Index == k + 1);
                for (int a = 0; a < d; a++) Assert.Equal(sa[a] / scale, entry.Pattern[a], 10);
            }
        }

        foreach (var e in atlas)
        {
            Assert.Equal(5, e.Highest.Length);
            var shown = e.Highest.Concat(e.Lowest).ToHashSet();
            var rest = Enumerable.Range(0, test.Count).Where(r => !shown.Contains(r)).Select(r => e.Values[r]).ToArray();
            Assert.True(e.Highest.Select(r => e.Values[r]).Min() >= rest.Max());
            Assert.True(e.Lowest.Select(r => e.Values[r]).Max() <= rest.Min());
            Assert.Equal(e.Highest.Select(r => e.Values[r]).OrderDescending(), e.Highest.Select(r => e.Values[r]));
            Assert.Equal(e.Lowest.Select(r => e.Values[r]).Order(), e.Lowest.Select(r => e.Values[r]));
        }
        using var figure = ExplanationFigure.RenderAtlas(test.Views[0], atlas.Where(e => e.View == 1).ToArray());
        Assert.True(figure.Width > 0 && figure.Height > 0);
    }
}

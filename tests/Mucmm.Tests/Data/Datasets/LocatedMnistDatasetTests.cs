using Mucmm.Data;
using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class LocatedMnistDatasetTests
{
    private static readonly Lazy<PairedDataset> Default = new(() => LocatedMnistDataset.Create(0));

    /// <summary>
    /// Oracle: the definition, exactly — left half of view 1 = embedded image i, right half = embedded
    /// image right[i] ≠ i of digit right_digit[i] from the same split, view 2 = min(1, x + u) with
    /// u ∈ [0, 1); the regions are the two halves.
    /// </summary>
    [Fact]
    public void Has_the_documented_geometry_labels_and_regions()
    {
        var data = Default.Value;
        var mnist = MnistDigits.Embedded;
        Assert.Equal("located-mnist", data.Name);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(["pair", "noisy"], data.Views.Select(v => v.Name));
        Assert.Equal([28, 56], data.Views[0].SampleShape);
        Assert.Equal([28, 28], data.Views[1].SampleShape);
        Assert.Equal(["digit", "right_digit"], data.Labels.Keys);
        Assert.Equal(["right"], data.Ids.Keys);
        Assert.Equal(mnist.Labels, data.Labels["digit"]);
        Assert.Equal([8_000, 1_000, 1_000], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => data.RowsOf(s).Length));
        DatasetCatalogTests.AssertMatches(DatasetCatalog.Describe("located-mnist"), data);

        var right = data.Ids["right"];
        var rightDigit = data.Labels["right_digit"];
        for (int i = 0; i < data.Count; i++)
        {
            Assert.NotEqual(i, right[i]);
            Assert.Equal(mnist.Labels[right[i]], rightDigit[i]);
            Assert.Equal(data.Splits[i], data.Splits[right[i]]);
        }
        foreach (int i in new[] { 0, 1, 4_321, 9_999 })
        {
            var left = mnist.Image(i);
            var other = mnist.Image(right[i]);
            var pair = data.Views[0].Row(i);
            var noisy = data.Views[1].Row(i);
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 56; c++)
                    Assert.Equal(c < 28 ? left[r * 28 + c] : other[r * 28 + c - 28], pair[r * 56 + c]);
            for (int q = 0; q < 784; q++)
            {
                Assert.InRange(noisy[q], left[q], 1.0);
                Assert.True(noisy[q] == 1.0 || noisy[q] - left[q] < 1.0);
            }
        }

        var regions = DatasetCatalog.Describe("located-mnist").Views[0].Regions;
        Assert.Equal(["shared", "own"], regions.Keys);
        for (int q = 0; q < 28 * 56; q++)
        {
            Assert.Equal(q % 56 < 28, regions["shared"][q]);
            Assert.Equal(q % 56 >= 28, regions["own"][q]);
        }
        Assert.Empty(DatasetCatalog.Describe("located-mnist").Views[1].Regions);
    }

    /// <summary>
    /// The right digit is drawn independently of the left one. Oracle: Pearson's χ² test of
    /// independence of the 10 × 10 contingency table (digit, right_digit) over the 10,000 rows must
    /// stay below the 0.999 quantile of χ²(81) = 126.08 (scipy.stats.chi2.ppf), and the right digits
    /// must be uniform: χ² of their counts below the 0.999 quantile of χ²(9) = 27.88. A right digit
    /// tied to y (e.g. always y or y + 1) gives χ² ≈ 90,000.
    /// </summary>
    [Fact]
    public void Right_digit_is_independent_of_the_left_digit()
    {
        var data = Default.Value;
        var y = data.Labels["digit"];
        var c = data.Labels["right_digit"];
        var table = new double[10, 10];
        for (int i = 0; i < data.Count; i++) table[y[i], c[i]]++;
        double n = data.Count, chi2 = 0, uniform = 0;
        for (int a = 0; a < 10; a++)
        {
            double rowSum = Enumerable.Range(0, 10).Sum(b => table[a, b]);
            for (int b = 0; b < 10; b++)
            {
                double colSum = Enumerable.Range(0, 10).Sum(r => table[r, b]);
                double expected = rowSum * colSum / n;
                chi2 += (table[a, b] - expected) * (table[a, b] - expected) / expected;
            }
        }
        for (int b = 0; b < 10; b++)
        {
            double count = Enumerable.Range(0, 10).Sum(r => table[r, b]);
            uniform += (count - n / 10) * (count - n / 10) / (n / 10);
        }
        Assert.InRange(chi2, 0, 126.08);
        Assert.InRange(uniform, 0, 27.88);
    }

    /// <summary>Oracle: determinism — the same seed gives identical data; another seed moves split, right images and noise.</summary>
    [Fact]
    public void Same_seed_same_data_other_seed_other_data()
    {
        var a = Default.Value;
        var b = LocatedMnistDataset.Create(0);
        Assert.Equal(a.Views[0].Data, b.Views[0].Data);
        Assert.Equal(a.Views[1].Data, b.Views[1].Data);
        Assert.Equal(a.Splits, b.Splits);
        Assert.Equal(a.Ids["right"], b.Ids["right"]);
        var other = LocatedMnistDataset.Create(1);
        Assert.NotEqual(a.Splits, other.Splits);
        Assert.NotEqual(a.Labels["right_digit"], other.Labels["right_digit"]);
        Assert.NotEqual(a.Views[1].Data, other.Views[1].Data);
    }
}

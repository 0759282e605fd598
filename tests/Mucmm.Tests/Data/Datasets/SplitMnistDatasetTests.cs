using Mucmm.Data;
using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class SplitMnistDatasetTests
{
    /// <summary>Oracle: the definition — left columns 0–13 and right columns 14–27 put back together are the embedded image, exactly.</summary>
    [Fact]
    public void Halves_put_together_give_the_digit_back()
    {
        var data = SplitMnistDataset.Create(3);
        var mnist = MnistDigits.Embedded;
        Assert.Equal("split-mnist", data.Name);
        Assert.Equal(10_000, data.Count);
        Assert.Equal(["left", "right"], data.Views.Select(v => v.Name));
        Assert.All(data.Views, v => Assert.Equal([28, 14], v.SampleShape));
        Assert.Equal(["digit"], data.Labels.Keys);
        Assert.Empty(data.Factors);
        Assert.Equal(mnist.Labels, data.Labels["digit"]);
        Assert.Equal([8_000, 1_000, 1_000], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => data.RowsOf(s).Length));
        foreach (int i in new[] { 0, 1, 4_321, 9_999 })
        {
            var img = mnist.Image(i);
            var left = data.Views[0].Row(i);
            var right = data.Views[1].Row(i);
            for (int r = 0; r < 28; r++)
                for (int c = 0; c < 28; c++)
                    Assert.Equal(img[r * 28 + c], c < 14 ? left[r * 14 + c] : right[r * 14 + c - 14]);
        }
        Assert.Equal(data.Splits, SplitMnistDataset.Create(3).Splits);
        Assert.NotEqual(data.Splits, SplitMnistDataset.Create(4).Splits);
    }
}

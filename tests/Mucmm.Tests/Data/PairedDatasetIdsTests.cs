using Mucmm.Data;
using Xunit;

namespace Mucmm.Tests.Data;

public class PairedDatasetIdsTests
{
    [Fact]
    public void Ids_and_label_names_follow_a_selection()
    {
        var view = new View("v", ViewKind.Vector, [1], [10, 11, 12, 13]);
        var data = new PairedDataset("d", [view, view], [Split.Train, Split.Test, Split.Train, Split.Validation],
            labels: new Dictionary<string, int[]> { ["speaker"] = [1, 0, 1, 0] },
            labelNames: new Dictionary<string, string[]> { ["speaker"] = ["ann", "bob"] },
            ids: new Dictionary<string, int[]> { ["partner"] = [3, 2, 1, 0] });
        var train = data.Subset(Split.Train);
        Assert.Equal([0, 2], train.Indices);
        Assert.Equal([3, 1], train.Ids["partner"]);
        Assert.Equal(["ann", "bob"], train.LabelNames["speaker"]);
        Assert.Empty(new PairedDataset("e", [view, view], new Split[4]).Ids);
        Assert.Throws<ArgumentException>(() => new PairedDataset("f", [view, view], new Split[4],
            labelNames: new Dictionary<string, string[]> { ["speaker"] = ["x"] }));
        Assert.Throws<ArgumentException>(() => new PairedDataset("g", [view, view], new Split[4],
            ids: new Dictionary<string, int[]> { ["partner"] = [1] }));
    }
}

using Mucmm.Data;
using Mucmm.Data.Datasets;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class DatasetCatalogTests
{
    [Fact]
    public void Lists_the_built_in_datasets()
    {
        Assert.Equal(["synthetic", "synthetic-nonlinear", "noisy-mnist", "split-mnist", "located-mnist", "av-digits"], DatasetCatalog.Names);
        Assert.True(DatasetCatalog.Describe("av-digits").NeedsFsdd);
        Assert.Equal("noisy-mnist", DatasetCatalog.Describe("Noisy-MNIST").Name);
    }

    [Fact]
    public void Unknown_name_is_a_user_error_listing_the_known_names()
    {
        var ex = Assert.Throws<MucmmUserException>(() => DatasetCatalog.Load("mnist-rotated"));
        Assert.Contains("unknown dataset 'mnist-rotated'", ex.Message);
        foreach (string name in DatasetCatalog.Names) Assert.Contains(name, ex.Message);
    }

    /// <summary>The descriptor is what loading gives: view names, kinds, shapes, labels, factors, ids, rows.</summary>
    [Theory]
    [InlineData("synthetic")]
    [InlineData("synthetic-nonlinear")]
    [InlineData("noisy-mnist")]
    [InlineData("split-mnist")]
    public void Descriptor_matches_the_loaded_dataset(string name) =>
        AssertMatches(DatasetCatalog.Describe(name), DatasetCatalog.Load(name, new DatasetOptions { Seed = 5 }));

    [Fact]
    public void Synthetic_takes_the_number_of_samples()
    {
        var data = DatasetCatalog.Load("synthetic", new DatasetOptions { Samples = 500, Seed = 2 });
        Assert.Equal(500, data.Count);
        Assert.Equal([400, 50, 50], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => data.RowsOf(s).Length));
        Assert.Contains("DatasetOptions.Samples", Assert.Throws<MucmmUserException>(() => DatasetCatalog.Load("split-mnist", new DatasetOptions { Samples = 500 })).Message);
    }

    internal static void AssertMatches(DatasetDescriptor d, PairedDataset data)
    {
        Assert.Equal(d.Name, data.Name);
        if (!d.NeedsFsdd) Assert.Equal(d.Rows, data.Count);
        Assert.Equal(d.Views.Count, data.Views.Count);
        for (int m = 0; m < d.Views.Count; m++)
        {
            Assert.Equal(d.Views[m].Name, data.Views[m].Name);
            Assert.Equal(d.Views[m].Kind, data.Views[m].Kind);
            Assert.Equal(d.Views[m].Shape, data.Views[m].SampleShape);
        }
        Assert.Equal(d.Labels, data.Labels.Keys);
        Assert.Equal(d.Factors, data.Factors.Keys);
        Assert.Equal(d.Ids, data.Ids.Keys);
    }
}

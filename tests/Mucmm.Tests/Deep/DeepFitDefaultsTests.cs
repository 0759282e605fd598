using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Xunit;

namespace Mucmm.Tests.Deep;

public class DeepFitDefaultsTests
{
    private static readonly DeepFitDefaults All = new() { CommonDim = 7, IndividualDim = 3, Epochs = 4, AugmentShift = 2 };

    /// <summary>
    /// Oracle: the definition — every non-null setting replaces the option's value unless its property is reported as
    /// given, then the option keeps the caller's value; nothing else changes (the records compare equal to hand-built ones).
    /// </summary>
    [Fact]
    public void Applies_every_setting_the_caller_did_not_give()
    {
        var model = DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm) with { CommonDim = 11, IndividualDim = 12 };
        var training = DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm) with { Epochs = 13, AugmentShift = 1 };

        var (m, t) = All.ApplyTo(model, training, _ => false);
        Assert.Equal(model with { CommonDim = 7, IndividualDim = 3 }, m);
        Assert.Equal(training with { Epochs = 4, AugmentShift = 2 }, t);

        string[] given = ["DeepModelOptions.CommonDim", "DeepTrainingOptions.Epochs"];
        (m, t) = All.ApplyTo(model, training, given.Contains);
        Assert.Equal(model with { IndividualDim = 3 }, m);
        Assert.Equal(training with { AugmentShift = 2 }, t);

        (m, t) = new DeepFitDefaults { IndividualDim = 3 }.ApplyTo(model, training, _ => false);
        Assert.Equal(model with { IndividualDim = 3 }, m);
        Assert.Equal(training, t);
    }

    /// <summary>Deep CCA has no individual part: IndividualDim is not applied to it; the other settings are.</summary>
    [Fact]
    public void Leaves_the_individual_dimension_of_deep_cca_alone()
    {
        var model = DeepModelOptions.DefaultsFor(DeepModelKind.DeepCca);
        var (m, _) = All.ApplyTo(model, DeepTrainingOptions.DefaultsFor(DeepModelKind.DeepCca), _ => false);
        Assert.Equal(model with { CommonDim = 7 }, m);
    }

    /// <summary>Settings lists the non-null settings by property name, in declaration order.</summary>
    [Fact]
    public void Lists_its_settings_by_property()
    {
        Assert.Equal(
            [KeyValuePair.Create("DeepModelOptions.CommonDim", 7), KeyValuePair.Create("DeepModelOptions.IndividualDim", 3),
             KeyValuePair.Create("DeepTrainingOptions.Epochs", 4), KeyValuePair.Create("DeepTrainingOptions.AugmentShift", 2)],
            All.Settings);
        Assert.Equal([KeyValuePair.Create("DeepTrainingOptions.Epochs", 4)], new DeepFitDefaults { Epochs = 4 }.Settings);
        Assert.Empty(new DeepFitDefaults().Settings);
    }

    /// <summary>
    /// The catalog finds a dataset's deep defaults by the data's name: located-mnist has its own (those of
    /// <see cref="LocatedMnistDataset.DeepDefaults"/>), synthetic data and user files have none; the global deep defaults
    /// are untouched (k = 10, r = 20, 30 epochs — the noisy-mnist figures of docs/results.md were measured with them).
    /// </summary>
    [Fact]
    public void The_catalog_gives_located_mnist_its_own_defaults_and_leaves_the_global_ones()
    {
        Assert.Same(LocatedMnistDataset.DeepDefaults, DatasetCatalog.DeepDefaults(LocatedMnistDataset.Create(0)));
        Assert.Same(LocatedMnistDataset.DeepDefaults, DatasetCatalog.Describe("located-mnist").DeepDefaults);
        Assert.NotEmpty(LocatedMnistDataset.DeepDefaults.Settings);
        Assert.Null(DatasetCatalog.DeepDefaults(DatasetCatalog.Load("synthetic", new DatasetOptions { Samples = 200 })));
        Assert.All(DatasetCatalog.All.Where(d => d.Name != "located-mnist"), d => Assert.Null(d.DeepDefaults));
        var (model, training) = (DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm), DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm));
        Assert.Equal((10, 20, 30, 0), (model.CommonDim, model.IndividualDim, training.Epochs, training.AugmentShift));
    }
}

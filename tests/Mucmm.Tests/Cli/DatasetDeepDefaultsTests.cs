using System.CommandLine;
using Mucmm.Cli;
using Mucmm.Cli.Commands;
using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>
/// A dataset's own deep defaults (<see cref="DeepDefaults"/>, e.g. emoji's): applied by <c>fit</c> where the user gives
/// no flag, overridden by every flag given, shown by <c>mucmm datasets</c>; datasets without them keep the general defaults.
/// </summary>
public class DatasetDeepDefaultsTests
{
    private static (DeepModelOptions Model, DeepTrainingOptions Training) Parse(DeepDefaults? dataDefaults, params string[] args)
    {
        var options = new DeepFitOptions();
        var cmd = new RootCommand();
        options.AddTo(cmd);
        var parse = cmd.Parse(args);
        Assert.Empty(parse.Errors);
        var general = DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm);
        var withData = (dataDefaults ?? new DeepDefaults()).Apply(general);
        return (options.Model(parse, DeepModelKind.Mucmm, withData.CommonDim, withData.IndividualDim, dataDefaults),
                options.Training(parse, DeepModelKind.Mucmm, seed: 3, device: "cpu", dataDefaults));
    }

    /// <summary>Oracle: the values written in <see cref="EmojiDataset.DeepDefaults"/> and the general records' initializers.</summary>
    [Fact]
    public void Emoji_defaults_apply_where_no_flag_is_given()
    {
        var emoji = EmojiDataset.DeepDefaults;
        var (model, training) = Parse(emoji);
        Assert.Equal(emoji.CommonDim, model.CommonDim);
        Assert.Equal(emoji.Epochs, training.Epochs);
        Assert.Equal(emoji.FeatureNoise, training.FeatureNoise);
        // Settings the dataset does not carry keep the general defaults.
        var general = new DeepTrainingOptions();
        Assert.Equal(new DeepModelOptions().IndividualDim, model.IndividualDim);
        Assert.Equal(general.LearningRate, training.LearningRate);
        Assert.Equal(general.BatchSize, training.BatchSize);
        Assert.Equal(general.Objective.Ridge, training.Objective.Ridge);
        Assert.Equal(3, training.Seed);
    }

    /// <summary>Oracle: the flags' values — every flag given wins over the dataset's default, whatever the default is.</summary>
    [Fact]
    public void Flags_override_the_dataset_defaults()
    {
        var (model, training) = Parse(EmojiDataset.DeepDefaults, "--epochs", "7", "--feature-noise", "0", "--head", "mlp", "--lr", "0.01");
        Assert.Equal(7, training.Epochs);
        Assert.Equal(0, training.FeatureNoise);
        Assert.Equal(HeadKind.Mlp, model.Head);
        Assert.Equal(0.01, training.LearningRate);
        // A flag equal to the general default still wins (given, not implicit).
        var (_, t2) = Parse(EmojiDataset.DeepDefaults, "--epochs", "30");
        Assert.Equal(30, t2.Epochs);
        var custom = new DeepDefaults { Head = HeadKind.Mlp, BatchSize = 64, LearningRate = 1e-2, WeightDecay = 0.5, Patience = 2 };
        var (m3, t3) = Parse(custom, "--head", "linear", "--batch-size", "100", "--patience", "0");
        Assert.Equal(HeadKind.Linear, m3.Head);
        Assert.Equal(100, t3.BatchSize);
        Assert.Equal(0, t3.Patience);
        Assert.Equal(1e-2, t3.LearningRate);
        Assert.Equal(0.5, t3.WeightDecay);
    }

    /// <summary>Oracle: the general records — without dataset defaults (and for noisy-mnist, whose defaults are empty) nothing changes.</summary>
    [Fact]
    public void Datasets_without_their_own_defaults_keep_the_general_ones()
    {
        var (model, training) = Parse(null);
        var generalModel = DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm);
        var generalTraining = DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm) with { Seed = 3 };
        Assert.Equal(generalModel.CommonDim, model.CommonDim);
        Assert.Equal(generalModel.Head, model.Head);
        Assert.Equal(generalTraining, training with { Objective = generalTraining.Objective });
        Assert.Equal(generalTraining.Objective, training.Objective);
        foreach (var name in DatasetCatalog.Names.Where(n => n != EmojiDataset.Name && n != LocatedMnistDataset.Name))
            Assert.Empty(DatasetCatalog.Describe(name).DeepDefaults.Settings());
        Assert.Empty(DatasetCatalog.DeepDefaultsOf(NoisyMnistDataset.Create(0)).Settings());
        Assert.Equal(EmojiDataset.DeepDefaults, DatasetCatalog.Describe(EmojiDataset.Name).DeepDefaults);
    }

    /// <summary>Oracle: the listing's documented form — "deep-model defaults (when not given): --flag value, …" under emoji only.</summary>
    [Fact]
    public void The_listing_shows_the_emoji_defaults_with_their_flags()
    {
        string text = DatasetsCommand.Format(DatasetCatalog.All);
        string line = Assert.Single(text.Split('\n'), l => l.Contains("deep-model defaults", StringComparison.Ordinal) && l.Contains("--feature-noise", StringComparison.Ordinal));
        Assert.Contains("--common-dim 30", line);
        Assert.Contains("--epochs 100", line);
        Assert.Contains("--feature-noise 0.7", line);
        int emoji = text.IndexOf("\nemoji:", StringComparison.Ordinal);
        Assert.True(emoji >= 0 && text.IndexOf(line, StringComparison.Ordinal) > emoji, "the line belongs to emoji's paragraph");
    }
}

using System.CommandLine;
using Mucmm.Cli;
using Mucmm.Cli.Commands;
using Mucmm.Data.Datasets;
using Mucmm.Deep;
using Mucmm.Evaluation;
using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>
/// A dataset's own deep defaults (<see cref="DeepDefaults"/>, e.g. emoji's): applied by <c>fit</c>, <c>compare</c> and
/// <c>demo</c> where the user gives no flag, overridden by every flag given, shown by <c>mucmm datasets</c>; datasets
/// without them keep the general defaults.
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

    /// <summary>
    /// Oracle: a custom <see cref="DeepDefaults"/> record and the general records — compare's deep
    /// methods get the dataset's settings as <c>fit</c> does, and what the comparison sets itself (k, r, epochs) wins.
    /// </summary>
    [Fact]
    public void Compare_deep_methods_get_the_dataset_defaults_unless_set()
    {
        var custom = new DeepDefaults { IndividualDim = 7, Epochs = 12, FeatureNoise = 0.3, Head = HeadKind.Mlp };
        var (model, training) = new ComparisonOptions { CommonDim = 4, Seed = 5, DatasetDefaults = custom }.DeepSettings(DeepModelKind.Mucmm);
        Assert.Equal(4, model.CommonDim);
        Assert.Equal(7, model.IndividualDim);
        Assert.Equal(HeadKind.Mlp, model.Head);
        Assert.Equal(12, training.Epochs);
        Assert.Equal(0.3, training.FeatureNoise);
        Assert.Equal(5, training.Seed);
        Assert.Equal(new DeepTrainingOptions().LearningRate, training.LearningRate);
        var (m2, t2) = new ComparisonOptions { CommonDim = 4, IndividualDim = 2, DeepEpochs = 3, DatasetDefaults = custom }.DeepSettings(DeepModelKind.Mucmm);
        Assert.Equal(2, m2.IndividualDim);
        Assert.Equal(3, t2.Epochs);
        Assert.Equal(0.3, t2.FeatureNoise);
        // Deep CCA gets the R1 training of fit --model dcca, with the dataset's settings on top.
        var (_, t3) = new ComparisonOptions { DatasetDefaults = custom }.DeepSettings(DeepModelKind.DeepCca);
        Assert.Equal(DeepTrainingOptions.DefaultsFor(DeepModelKind.DeepCca).Objective, t3.Objective);
        Assert.Equal(12, t3.Epochs);
        // Without dataset defaults: exactly the general ones.
        var (m4, t4) = new ComparisonOptions { Seed = 5 }.DeepSettings(DeepModelKind.Mucmm);
        var general = DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm);
        Assert.Equal((new ComparisonOptions().CommonDim, general.IndividualDim, general.Head), (m4.CommonDim, m4.IndividualDim, m4.Head));
        Assert.Equal(DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm) with { Seed = 5 }, t4 with { Objective = DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm).Objective });
    }

    /// <summary>
    /// Oracle: <see cref="LocatedMnistDataset.DeepDefaults"/> (its k) — <c>compare</c> without <c>--common-dim</c> uses the
    /// dataset's k for every method and says so in the fit's note form; with the flag given, the flag's k and no note.
    /// PCA only, so no deep fit runs.
    /// </summary>
    [Fact]
    public void Compare_uses_the_dataset_k_and_prints_the_note_unless_given()
    {
        int k = LocatedMnistDataset.DeepDefaults.CommonDim!.Value;
        Assert.NotEqual(10, k);   // the general k, used with the flag below
        string root = TestPaths.NewTempDir();
        var r = CliHarness.Run("compare", "--dataset", "located-mnist", "--methods", "pca", "--quiet", "--out", Path.Combine(root, "a"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"PCA per view, {k} components", File.ReadAllText(Path.Combine(root, "a", "comparison.json")));
        Assert.Contains($"note: located-mnist's own deep defaults applied: --common-dim {k} (docs/datasets.md)", r.Stderr);
        Assert.DoesNotContain("--epochs", r.Stderr);   // no deep method: the epochs default does not apply
        var r2 = CliHarness.Run("compare", "--dataset", "located-mnist", "--methods", "pca", "--common-dim", "10", "--quiet", "--out", Path.Combine(root, "b"));
        Assert.True(r2.ExitCode == 0, r2.Stderr);
        Assert.Contains("PCA per view, 10 components", File.ReadAllText(Path.Combine(root, "b", "comparison.json")));
        Assert.DoesNotContain("deep defaults", r2.Stderr);
    }

    /// <summary>
    /// Oracle: <see cref="LocatedMnistDataset.DeepDefaults"/> (its k and epochs) — the demo's fit applies the dataset's
    /// defaults like <c>fit</c>; quick mode keeps its own epochs; noisy-mnist (the demo's dataset) has none, so its demo is unchanged.
    /// </summary>
    [Fact]
    public void Demo_applies_the_dataset_defaults()
    {
        var located = LocatedMnistDataset.Create(0);
        var own = LocatedMnistDataset.DeepDefaults;
        Assert.Equal(new DeepDefaults { CommonDim = own.CommonDim, Epochs = own.Epochs }, own);   // the note below lists exactly these
        var full = DemoCommand.Request(located, 0, quick: false, "cpu", "work");
        Assert.Equal(own.CommonDim, full.Options.DeepModel!.CommonDim);
        Assert.Equal(own.Epochs, full.Options.DeepTraining!.Epochs);
        Assert.Equal($"located-mnist's own deep defaults applied: --common-dim {own.CommonDim} --epochs {own.Epochs} (docs/datasets.md)", DemoCommand.DefaultsNote(located, quick: false));
        var quick = DemoCommand.Request(located, 0, quick: true, "cpu", "work");
        Assert.Equal(own.CommonDim, quick.Options.DeepModel!.CommonDim);
        Assert.Equal(DemoCommand.QuickEpochs, quick.Options.DeepTraining!.Epochs);
        Assert.Equal($"located-mnist's own deep defaults applied: --common-dim {own.CommonDim} (docs/datasets.md)", DemoCommand.DefaultsNote(located, quick: true));
        var mnist = NoisyMnistDataset.Create(0);
        var plain = DemoCommand.Request(mnist, 0, quick: false, "cpu", "work");
        var general = DeepModelOptions.DefaultsFor(DeepModelKind.Mucmm);
        Assert.Equal((general.CommonDim, general.IndividualDim, general.Head), (plain.Options.DeepModel!.CommonDim, plain.Options.DeepModel.IndividualDim, plain.Options.DeepModel.Head));
        Assert.Equal(DeepTrainingOptions.DefaultsFor(DeepModelKind.Mucmm).Epochs, plain.Options.DeepTraining!.Epochs);
        Assert.Null(DemoCommand.DefaultsNote(mnist, quick: false));
    }
}

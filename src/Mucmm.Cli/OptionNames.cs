using System.Text.RegularExpressions;

namespace Mucmm.Cli;

/// <summary>
/// The command line's names for the library's settings. The library names a setting by its property
/// (<c>DeepTrainingOptions.LearningRate must be a positive number</c>) or, for a method's parameter, as
/// <c>Type.Method(parameter)</c>; the CLI shows the flag that sets it (<c>--lr must be a positive number</c>).
/// <see cref="CliRunner"/> passes every user error through <see cref="ToFlags"/>; a new option that sets a library
/// property adds one line to <see cref="Flags"/>.
/// </summary>
public static partial class OptionNames
{
    /// <summary>Library property (or parameter) → the flag that sets it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DeepModelOptions.Kind"] = "--model",
        ["DeepModelOptions.Encoder"] = "--encoder",
        ["DeepModelOptions.EncoderPerView"] = "--encoderN",
        ["DeepModelOptions.TorchScriptPaths"] = "--encoder torchscript:PATH",
        ["DeepModelOptions.OnnxPaths"] = "--encoder onnx:PATH",
        ["DeepModelOptions.ImageSize"] = "--encoder resnet18:SIZE",
        ["DeepModelOptions.TrainEncoder"] = "--fine-tune",
        ["DeepModelOptions.EncoderTrains"] = "--fine-tune",
        ["DeepModelOptions.CommonDim"] = "--common-dim",
        ["DeepModelOptions.IndividualDim"] = "--individual-dim",
        ["DeepModelOptions.Head"] = "--head",
        ["DeepModelOptions.CnnChannels"] = "--cnn-channels",
        ["DeepTrainingOptions.Epochs"] = "--epochs",
        ["DeepTrainingOptions.BatchSize"] = "--batch-size",
        ["DeepTrainingOptions.LearningRate"] = "--lr",
        ["DeepTrainingOptions.AugmentShift"] = "--augment-shift",
        ["DeepTrainingOptions.WeightAverage"] = "--weight-average",
        ["DeepTrainingOptions.WeightDecay"] = "--weight-decay",
        ["DeepTrainingOptions.FeatureNoise"] = "--feature-noise",
        ["DeepTrainingOptions.Schedule"] = "--lr-schedule",
        ["DeepTrainingOptions.WarmupEpochs"] = "--warmup",
        ["DeepTrainingOptions.PretrainEpochs"] = "--pretrain",
        ["DeepTrainingOptions.Patience"] = "--patience",
        ["DeepTrainingOptions.CheckpointSeconds"] = "--checkpoint-seconds",
        ["DeepTrainingOptions.Seed"] = "--seed",
        ["DeepTrainingOptions.Device"] = "--device",
        ["MucmmObjectiveOptions.Alpha"] = "--alpha",
        ["MucmmObjectiveOptions.Beta"] = "--beta",
        ["MucmmObjectiveOptions.Gamma"] = "--gamma",
        ["MucmmObjectiveOptions.Measure"] = "--objective",
        ["DeepTrainer.Fit(resume)"] = "--resume",
        ["LinearOptions.CommonDim"] = "--common-dim",
        ["LinearOptions.IndividualDim"] = "--individual-dim",
        ["LinearOptions.Ridge"] = "--ridge",
        ["LinearOptions.Threshold"] = "--threshold",
        ["LinearOptions.Permutations"] = "--permutations",
        ["LinearOptions.Seed"] = "--seed",
        ["DatasetOptions.Samples"] = "--samples",
        ["DatasetOptions.FsddDir"] = "--fsdd",
        ["DataSource.Samples"] = "--samples",
        ["DataSource.Fsdd"] = "--fsdd",
        ["DataSource.Emoji"] = "--emoji",
        ["DataSource.Views"] = "--views",
        ["DataSource.SkinTones"] = "--skin-tones",
        ["DatasetOptions.Views"] = "--views",
        ["DatasetOptions.SkinTones"] = "--skin-tones",
        ["DatasetOptions.EmojiDir"] = "--emoji",
        ["DataSource.Files"] = "--view1 FILE --view2 FILE",
        ["OutputFolder.Create(force)"] = "--force",
        ["AtomicFile.Check(overwrite)"] = "--force",
        ["RunReport.Write(force)"] = "--force",
        ["data"] = "the data",
    };

    /// <summary>
    /// The flag that sets <paramref name="property"/> (e.g. "DeepTrainingOptions.LearningRate" → "--lr"), or the
    /// property itself when no option sets it.
    /// </summary>
    public static string FlagOf(string property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return Flags.TryGetValue(property, out var flag) ? flag : property;
    }

    /// <summary>A library message with every property in <see cref="Flags"/> replaced by its flag (whole names only).</summary>
    public static string ToFlags(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PropertyName().Replace(message, m => m.Value != "data" && Flags.TryGetValue(m.Value, out var flag) ? flag : m.Value);
    }

    // Type.Property or Type.Method(parameter): a PascalCase type name, a dot, a PascalCase member, optionally (name).
    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*(\([a-z][A-Za-z0-9]*\))?")]
    private static partial Regex PropertyName();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;

namespace Mucmm.Deep;

/// <summary>A setting of a resumed run that differs from the interrupted run's (<see cref="DeepTrainer.ResumeDifference"/>).</summary>
/// <param name="Setting">Path into the option records (e.g. "training.learning_rate"), or "data".</param>
/// <param name="Problem">The difference in words.</param>
public sealed record SettingDifference(string Setting, string Problem)
{
    /// <summary>
    /// The property the setting is (e.g. "training.learning_rate" → "DeepTrainingOptions.LearningRate",
    /// "training.objective.alpha" → "MucmmObjectiveOptions.Alpha"); "data" and "checkpoint" as they are.
    /// </summary>
    public string Property
    {
        get
        {
            var parts = Setting.Split('.');
            string? type = parts switch
            {
                ["model", _] => nameof(DeepModelOptions),
                ["training", "objective", _] => nameof(Objectives.MucmmObjectiveOptions),
                ["training", _] => nameof(DeepTrainingOptions),
                _ => null,
            };
            return type is null ? Setting : type + "." + string.Concat(parts[^1].Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
        }
    }
}

/// <summary>
/// What a checkpoint records of its run (the option records and the data's fingerprint, as JSON) and the check,
/// on resume, that they are unchanged.
/// </summary>
internal sealed class ResumeSettings(DeepModelOptions model, DeepTrainingOptions training)
{
    /// <summary>The settings of a run on <paramref name="data"/>, as JSON.</summary>
    public JsonObject Of(PairedDataset data) => new()
    {
        ["model"] = SettingsJson.ToNode(model),
        ["training"] = SettingsJson.ToNode(training),
        ["data"] = SettingsJson.ToNode(DataFingerprint.Of(data)),
    };

    /// <summary>See <see cref="DeepTrainer.ResumeDifference"/>.</summary>
    public SettingDifference? DifferenceFrom(Checkpoint checkpoint, PairedDataset data)
    {
        if (!checkpoint.Exists) return null;
        var recorded = checkpoint.ReadSettings();
        if (recorded is null) return new SettingDifference("checkpoint", "records no options (written by an older mucmm)");
        var current = Of(data);
        // Neither the device nor the checkpoint interval changes the model.
        var ignore = new HashSet<string> { "training.device", "training.checkpoint_seconds" };
        if (training.Schedule == LearningRateSchedule.Constant) ignore.Add("training.epochs");
        foreach (string part in new[] { "model", "training" })
            if (SettingsJson.FirstDifference(recorded[part], current[part], part, ignore) is { } d)
                return new SettingDifference(d.Path, $"is {d.Current} now but was {d.Recorded} in the interrupted run");
        var fitted = recorded["data"]?.Deserialize<DataFingerprint>(SettingsJson.Options);
        if (fitted?.DifferenceFrom(current["data"].Deserialize<DataFingerprint>(SettingsJson.Options)!) is { } difference)
            return new SettingDifference("data", "differ from the interrupted run's: " + difference.Replace("the model was fitted on", "the interrupted run used", StringComparison.Ordinal).Replace("those the model was fitted on", "the interrupted run's", StringComparison.Ordinal));
        return null;
    }
}

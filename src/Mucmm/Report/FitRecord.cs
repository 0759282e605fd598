using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Linear;

namespace Mucmm.Report;

/// <summary>The option records a fit used, serialized whole (one of the two kinds is set).</summary>
/// <param name="Linear">The options of a linear or cca fit.</param>
/// <param name="DeepModel">The architecture of a deep or dcca fit.</param>
/// <param name="DeepTraining">The training settings of a deep or dcca fit.</param>
public sealed record FitOptions(LinearOptions? Linear = null, DeepModelOptions? DeepModel = null, DeepTrainingOptions? DeepTraining = null)
{
    /// <summary>The model kind the records describe, as config.json and fit.json name it: linear, cca, deep or dcca ("" when none is set).</summary>
    [JsonIgnore]
    public string Kind => Linear is { } l ? (l.Kind == LinearModelKind.Cca ? "cca" : "linear")
        : DeepModel is { } d ? (d.Kind == DeepModelKind.DeepCca ? "dcca" : "deep") : "";
}

/// <summary>
/// <c>fit.json</c>: what a fit did — the model, the data it was fitted on (how to build them again,
/// <see cref="Source"/>, and their <see cref="Fingerprint"/>), every option that shaped the data, the model and
/// the training (<see cref="Options"/>, the option records serialized whole), and the results. The one writer
/// (<see cref="Write"/>) and reader (<see cref="Read"/>) of the file.
/// </summary>
/// <remarks>
/// Format 2 added <c>format_version</c>, <c>source</c>, <c>fingerprint</c> and <c>options</c>. Files of
/// format 1 (no <c>format_version</c>) still read: they lack the three, so commands rebuild their data from
/// <c>data</c> and <c>seed</c> without a fingerprint to check. Model-specific results (for linear models
/// <c>ridge</c>, <c>correlated_count</c>, <c>threshold</c>, …) are top-level keys kept in <see cref="Results"/>.
/// </remarks>
public sealed record FitRecord
{
    /// <summary>The format this version writes.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Format of the file (1 for files written before the field existed).</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Model kind: linear, cca, deep or dcca.</summary>
    public string Model { get; init; } = "";

    /// <summary>Data name shown to users: a built-in dataset or the file names.</summary>
    public string Data { get; init; } = "";

    /// <summary>Split the model was fitted on ("train" unless fit's --split said otherwise).</summary>
    public string Split { get; init; } = "train";

    /// <summary>Rows the model was fitted on.</summary>
    [JsonPropertyName("n_samples")]
    public long NSamples { get; init; }

    /// <summary>Input width of each view.</summary>
    public IReadOnlyList<int> Dims { get; init; } = [];

    /// <summary>Common dimension k.</summary>
    public int CommonDim { get; init; }

    /// <summary>Individual dimension of each view.</summary>
    public IReadOnlyList<int> IndividualDims { get; init; } = [];

    /// <summary>The seed of the fit (split, data, initialization).</summary>
    public int Seed { get; init; }

    /// <summary>Training canonical correlations (all min(d₁, d₂) for linear models, k for deep ones).</summary>
    public IReadOnlyList<double> CanonicalCorrelations { get; init; } = [];

    /// <summary>Wall time of the fit.</summary>
    public double FitSeconds { get; init; }

    /// <summary>How to build the data again (null in format 1).</summary>
    public DataSource? Source { get; init; }

    /// <summary>The fingerprint of the whole dataset the fit used (null in format 1).</summary>
    public DataFingerprint? Fingerprint { get; init; }

    /// <summary>The option records of the fit (null in format 1).</summary>
    public FitOptions? Options { get; init; }

    /// <summary>Model-specific results and, for format 1, every other key, as top-level keys.</summary>
    [JsonIgnore]
    public JsonObject? Results { get; init; }

    /// <summary>The record as the JSON object of fit.json (<see cref="Results"/> as top-level keys).</summary>
    public JsonObject ToJson()
    {
        var node = JsonSerializer.SerializeToNode(this, SettingsJson.Options)!.AsObject();
        foreach (var (key, value) in Results ?? [])
            if (!node.ContainsKey(key)) node[key] = value?.DeepClone();
        return node;
    }

    /// <summary>Writes the record to <paramref name="path"/> (indented JSON; atomically, <see cref="AtomicFile"/>).</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson().ToJsonString(SettingsJson.Options) + "\n");

    /// <summary>
    /// Reads <paramref name="path"/>. A damaged file, one written by a newer version, or one whose seed and data
    /// source disagree (an edited file) is a <see cref="MucmmUserException"/> naming it.
    /// </summary>
    public static FitRecord Read(string path)
    {
        FitRecord record;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            int version = node["format_version"] is JsonValue v && v.TryGetValue<int>(out int n) ? n : 1;
            record = node.Deserialize<FitRecord>(SettingsJson.Options) ?? throw new JsonException("empty");
            var known = new FitRecord().ToJson().Select(p => p.Key).Concat(["source", "fingerprint", "options"]).ToHashSet();
            record = record with
            {
                FormatVersion = version,
                Results = new JsonObject(node.Where(p => !known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new MucmmUserException(path, $"not a fit.json written by mucmm fit ({e.Message})");
        }
        if (record.FormatVersion > CurrentFormatVersion)
            throw new MucmmUserException(path, $"format_version {record.FormatVersion} was written by a newer mucmm (this one reads up to {CurrentFormatVersion})");
        if (record.Model.Length == 0) throw new MucmmUserException(path, "not a fit.json written by mucmm fit (no \"model\")");
        if (record.Source is { } s && s.Seed != record.Seed)
            throw new MucmmUserException(path, $"\"seed\" is {record.Seed} but the data source's seed is {s.Seed}: the file was edited; fit again");
        return record;
    }
}

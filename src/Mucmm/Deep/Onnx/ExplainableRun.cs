using Mucmm.Data;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// What gradient maps of a run are computed on: the one home of turning a fitted model and the run's raw data into an
/// explainable model and its inputs, used by <c>mucmm explain</c> and by the report's sample figures. For a model fitted
/// on frozen pretrained features (<c>model/encoders.json</c>, <see cref="ViewEncoders"/>) the model is the
/// <see cref="EncodedModel"/>: image (tensor) views keep their raw pixels and the encoder runs inside the model, so maps
/// reach the pixels through the whole network; text views take their <c>minilm</c> features (cached) and keep their texts
/// for the per-token maps (<see cref="Explain.TokenAttributions"/>). For any other model, the model and data themselves.
/// </summary>
public sealed class ExplainableRun : IDisposable
{
    private readonly EncodedModel? encoded;

    private ExplainableRun(IMultiviewModel model, EncodedModel? encoded, PairedDataset data, IReadOnlyList<IReadOnlyList<string>?>? texts)
    {
        Model = model;
        this.encoded = encoded;
        Data = data;
        Texts = texts;
    }

    /// <summary>
    /// The explainable form of <paramref name="model"/> (fitted on the features of <paramref name="encoders"/>, canonical,
    /// as <see cref="ViewEncoders.Load"/> reads them; null or all null: no encoders) on the raw data <paramref name="raw"/>
    /// (every row, as the run's data source gives it). Text features come from <paramref name="cache"/> (computed and
    /// stored when missing). <paramref name="model"/> stays the caller's: disposing this disposes only the encoders.
    /// </summary>
    public static ExplainableRun Of(IMultiviewModel model, IReadOnlyList<string?>? encoders, PairedDataset raw, FeatureCache? cache)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(raw);
        if (!ViewEncoders.Any(encoders)) return new ExplainableRun(model, null, raw, null);
        if (encoders!.Count != raw.Views.Count)
            throw new MucmmUserException($"{encoders.Count} view encoders are recorded but the data has {raw.Views.Count} views");
        var composed = new EncodedModel(model, encoders, raw.Views.Select(v => v.SampleShape).ToArray(), ownsInner: false);
        try
        {
            var textSpecs = encoders.Select(s => s == ViewEncoders.TextEncoder ? s : null).ToArray();
            var data = ViewEncoders.Encode(raw, textSpecs, cache);
            var texts = raw.Views.Select((v, m) => textSpecs[m] is null ? null : v.Texts).ToArray();
            return new ExplainableRun(composed, composed, data, texts.Any(t => t is not null) ? texts : null);
        }
        catch
        {
            composed.Dispose();
            throw;
        }
    }

    /// <summary>The model gradient maps are taken of: an <see cref="EncodedModel"/> when the run has encoders, else the run's model.</summary>
    public IMultiviewModel Model { get; }

    /// <summary>Whether <see cref="Model"/> runs a pretrained encoder inside (the run was fitted on frozen features).</summary>
    public bool HasEncoders => encoded is not null;

    /// <summary>The encoder of each view (canonical; null: none), or null when the run has none.</summary>
    public IReadOnlyList<string?>? Encoders => encoded?.Specs;

    /// <summary>
    /// The data as <see cref="Model"/> takes it, every row with the raw data's split: image views as pixels, text views as
    /// their <c>minilm</c> features, other views unchanged.
    /// </summary>
    public PairedDataset Data { get; }

    /// <summary>The texts of each text view (null for other views), every row in dataset order; null without text views.</summary>
    public IReadOnlyList<IReadOnlyList<string>?>? Texts { get; }

    /// <summary>Disposes the encoders (not the run's model).</summary>
    public void Dispose() => encoded?.Dispose();
}

using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// A model fitted on frozen encoder features (<see cref="ViewEncoders"/>) composed with those encoders, so that its
/// <see cref="Forward"/> starts from the views' own inputs and gradients flow through the whole pretrained network:
/// for a view with an image (or any tensor) encoder, the input is the view's pixels and the encoder runs inside
/// <see cref="Forward"/>; for a text view (<c>minilm</c>) and for views without an encoder, the input is what the inner
/// model takes (the text's features; per-token attributions go through <see cref="Explain.TokenAttributions"/>, which runs
/// MiniLM itself). Used by <c>explain</c> and the report's gradient maps (built by <see cref="ExplainableRun"/>);
/// evaluation and transforms use the cached features with the inner model.
/// </summary>
public sealed class EncodedModel : IMultiviewModel, IDisposable
{
    private readonly Encoder?[] encoders;
    private readonly bool ownsInner;

    /// <summary>
    /// Composes <paramref name="inner"/> (fitted on features) with the encoders <paramref name="specs"/> (canonical) for
    /// views whose samples have shapes <paramref name="sampleShapes"/>. <see cref="Dispose"/> disposes the inner model too
    /// unless <paramref name="ownsInner"/> is false (the caller keeps it).
    /// </summary>
    public EncodedModel(IMultiviewModel inner, IReadOnlyList<string?> specs, IReadOnlyList<IReadOnlyList<int>> sampleShapes, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(sampleShapes);
        if (specs.Count != inner.ViewCount || sampleShapes.Count != inner.ViewCount)
            throw new MucmmUserException($"the model takes {inner.ViewCount} views, got {specs.Count} encoders and {sampleShapes.Count} views");
        Inner = inner;
        this.ownsInner = ownsInner;
        Specs = specs.ToArray();
        encoders = specs.Select((s, m) => s is null || s == ViewEncoders.TextEncoder ? null : ViewEncoders.Create(s, sampleShapes[m])).ToArray();
        for (int m = 0; m < encoders.Length; m++)
        {
            if (encoders[m] is not { } e) continue;
            e.eval();
            foreach (var p in e.parameters()) p.requires_grad = false;
            if (e.OutputDim != inner.InputDims[m])
                throw new MucmmUserException($"view {m + 1}: encoder {specs[m]} gives {e.OutputDim} features but the model takes {inner.InputDims[m]}");
        }
        InputDims = sampleShapes.Select((shape, m) => encoders[m] is null ? inner.InputDims[m] : shape.Aggregate(1, (a, b) => a * b)).ToArray();
    }

    /// <summary>The model on features.</summary>
    public IMultiviewModel Inner { get; }

    /// <summary>The encoder of each view (canonical; null: none).</summary>
    public IReadOnlyList<string?> Specs { get; }

    /// <inheritdoc/>
    public string Kind => Inner.Kind;

    /// <inheritdoc/>
    public int ViewCount => Inner.ViewCount;

    /// <inheritdoc/>
    public IReadOnlyList<int> InputDims { get; }

    /// <inheritdoc/>
    public int CommonDim => Inner.CommonDim;

    /// <inheritdoc/>
    public IReadOnlyList<int> IndividualDims => Inner.IndividualDims;

    /// <summary>Whether view <paramref name="m"/> (0-based) runs a tensor encoder inside <see cref="Forward"/>.</summary>
    public bool EncodesInside(int m) => encoders[m] is not null;

    /// <inheritdoc/>
    public MultiviewOutput Forward(IReadOnlyList<Tensor> inputs)
    {
        ModelInputs.Check(inputs, InputDims);
        var features = new Tensor[ViewCount];
        using var scope = NewDisposeScope();
        for (int m = 0; m < ViewCount; m++)
            features[m] = encoders[m] is { } e ? e.call(inputs[m].to_type(ScalarType.Float32)) : inputs[m];
        var output = Inner.Forward(features);
        return new MultiviewOutput(
            output.Common.Select(t => t.MoveToOuterDisposeScope()).ToArray(),
            output.Individual.Select(t => t.MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>
    /// The inner model's inputs for <paramref name="inputs"/> (this model's inputs): each encoded view through its encoder,
    /// without gradient; the other views as they are. Lets a computation that needs no gradient through a view's encoder
    /// (e.g. the per-token maps of a text view, with the image view held fixed) run the encoder once instead of on every copy.
    /// </summary>
    public Tensor[] Features(IReadOnlyList<Tensor> inputs)
    {
        ModelInputs.Check(inputs, InputDims);
        using var _ = no_grad();
        return inputs.Select((x, m) => encoders[m] is { } e ? e.call(x.to_type(ScalarType.Float32)) : x).ToArray();
    }

    /// <summary>
    /// The variates of every row, in chunks of <see cref="ViewEncoders.ImageBatch"/> rows when an encoder runs
    /// inside (a chunk of <see cref="ForwardBatches.Rows"/> rows through ResNet18 held 11.6 GB), else of the usual size.
    /// </summary>
    public MultiviewOutput Transform(IReadOnlyList<Data.View> views) =>
        ForwardBatches.Transform(this, views, encoders.Any(e => e is not null) ? ViewEncoders.ImageBatch : ForwardBatches.Rows);

    /// <summary>Saves the inner model and the encoder record (<see cref="ViewEncoders.Save"/>).</summary>
    public void Save(string directory)
    {
        Inner.Save(directory);
        ViewEncoders.Save(directory, Specs);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var e in encoders) e?.Dispose();
        if (ownsInner) Inner.Dispose();
    }
}

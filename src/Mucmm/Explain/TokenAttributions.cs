using Mucmm.Deep.Onnx;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Per-token attributions of one score on one text.</summary>
/// <param name="Tokens">The word pieces, [CLS] and [SEP] included (as the model saw them, truncation applied).</param>
/// <param name="GradientTimesEmbedding">Per token t: Σₖ (∂S/∂Eₜₖ)·Eₜₖ, the gradient of the score with respect to the token's embedding times the embedding, summed over its 384 components.</param>
/// <param name="IntegratedGradients">Per token t: Integrated Gradients on the token embeddings from the zero baseline, Σₖ Eₜₖ ∫₀¹ ∂S/∂Eₜₖ(αE) dα (Gauss–Legendre); they sum to S(E) − S(0) up to the quadrature error.</param>
/// <param name="Score">S(E), the score of the sample.</param>
/// <param name="BaselineScore">S(0): the score with every token embedding zero (position and type embeddings and layer norms still apply).</param>
public sealed record TokenAttribution(string[] Tokens, double[] GradientTimesEmbedding, double[] IntegratedGradients, double Score, double BaselineScore)
{
    /// <summary>|Σₜ IGₜ − (S(E) − S(0))|: how far the Integrated Gradients are from completeness (the quadrature error).</summary>
    public double CompletenessError => Math.Abs(IntegratedGradients.Sum() - (Score - BaselineScore));
}

/// <summary>
/// Gradient maps of a text view: attributions of a score to the tokens of each text, through the whole MiniLM network.
/// The model takes the text view's sentence embedding as that view's input (a model fitted on <c>minilm</c> features, or
/// an <see cref="EncodedModel"/>); here the sentence embedding is recomputed from the token embeddings
/// (<see cref="MiniLmEncoder.Forward(TokenBatch, Tensor)"/>) so that the score is differentiable in them.
/// </summary>
public static class TokenAttributions
{
    /// <summary>Default Gauss–Legendre nodes of the token Integrated Gradients.</summary>
    public const int DefaultSteps = 32;

    /// <summary>
    /// The attributions of <paramref name="score"/> to the tokens of <paramref name="texts"/> (row i of the other views'
    /// <paramref name="inputs"/> is paired with text i; the entry of view <paramref name="view"/> (0-based) is ignored).
    /// Each text is run alone (no padding); the Integrated Gradients use <paramref name="steps"/> nodes, evaluated in
    /// batches of <paramref name="batch"/> copies.
    /// </summary>
    public static IReadOnlyList<TokenAttribution> Compute(IMultiviewModel model, Score score, IReadOnlyList<Tensor> inputs, int view,
        MiniLmEncoder encoder, IReadOnlyList<string> texts, int steps = DefaultSteps, int batch = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(texts);
        if (view < 0 || view >= model.ViewCount) throw new ArgumentOutOfRangeException(nameof(view));
        if (steps < 1) throw new MucmmUserException($"Integrated Gradients steps must be ≥ 1, got {steps}");
        if (model is EncodedModel encoded)
        {
            // The other views are held fixed: run their encoders (e.g. ResNet18 on the pixels) once, not on every copy.
            inputs = encoded.Features(inputs);
            model = encoded.Inner;
        }
        if (model.InputDims[view] != MiniLmEncoder.Features)
            throw new MucmmUserException($"view {view + 1}: the model takes {model.InputDims[view]} values, not the {MiniLmEncoder.Features} minilm features");
        encoder.eval();
        var (nodes, weights) = GaussLegendre.OnUnitInterval(steps);
        var result = new TokenAttribution[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            using var scope = NewDisposeScope();
            using var tokens = encoder.Tokenize([texts[i]]);
            var embeddings = encoder.TokenEmbeddings(tokens).detach();    // (1, L, 384), in the encoder's precision
            var others = inputs.Select(x => x.narrow(0, i, 1).detach()).ToArray();

            // Gradient × embedding, and S(E).
            var (value, gradient) = ScoreAndGradient(model, score, others, view, encoder, tokens, embeddings);
            var gxe = (gradient * embeddings).sum(-1)[0];                                           // (L)

            // Integrated Gradients from E = 0: Σⱼ wⱼ ∂S/∂E(αⱼE), times E.
            var integral = zeros_like(embeddings);
            for (int start = 0; start < steps; start += batch)
            {
                using var inner = NewDisposeScope();
                int count = Math.Min(batch, steps - start);
                var alphas = tensor(nodes.AsSpan(start, count).ToArray(), [count, 1, 1]).to_type(embeddings.dtype);
                var w = tensor(weights.AsSpan(start, count).ToArray(), [count, 1, 1]).to_type(embeddings.dtype);
                using var repeated = TokenBatch.FromIds(Enumerable.Repeat(tokens.Ids[0].data<long>().ToArray(), count).ToArray());
                var (_, g) = ScoreAndGradient(model, score, others.Select(x => x.expand(count, -1)).ToArray(), view, encoder, repeated,
                    alphas * embeddings.expand(count, -1, -1));
                integral.add_((g * w).sum(0, keepdim: true));
            }
            var ig = (integral * embeddings).sum(-1)[0];
            double baseline;
            using (no_grad())
                baseline = Evaluate(model, score, others, view, encoder, tokens, zeros_like(embeddings)).item<double>();
            var ids = tokens.Ids[0].data<long>().ToArray();
            result[i] = new TokenAttribution(ids.Select(encoder.TokenText).ToArray(),
                ToArray(gxe), ToArray(ig), value, baseline);
        }
        return result;
    }

    private static double[] ToArray(Tensor t) => t.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    private static Tensor Evaluate(IMultiviewModel model, Score score, Tensor[] others, int view, MiniLmEncoder encoder, TokenBatch tokens, Tensor embeddings)
    {
        var features = encoder.Forward(tokens, embeddings);
        var inputs = others.Select((x, m) => m == view ? features : x).ToArray();
        return score.Evaluate(model.Forward(inputs));
    }

    /// <summary>The score of each row and its gradient with respect to <paramref name="embeddings"/> (summed over rows: rows are independent).</summary>
    private static (double Value, Tensor Gradient) ScoreAndGradient(IMultiviewModel model, Score score, Tensor[] others, int view,
        MiniLmEncoder encoder, TokenBatch tokens, Tensor embeddings)
    {
        using var grad = enable_grad();
        var e = embeddings.detach().requires_grad_(true);
        var s = Evaluate(model, score, others, view, encoder, tokens, e);
        var total = s.sum();
        var g = autograd.grad([total], [e])[0];
        return (s[0].item<double>(), g.detach());
    }
}

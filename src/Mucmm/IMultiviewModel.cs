using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm;

/// <summary>
/// What every fitted model (linear CCA, linear MUCMM, Deep CCA, deep MUCMM) offers to scoring,
/// gradient maps, evaluation and reports: a differentiable map from the inputs of each view to
/// standardized common and individual variates.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item><c>inputs[m]</c> is an (n × <see cref="InputDims"/>[m]) tensor of any floating dtype on any device; the
/// model converts it internally so that autograd flows back to the caller's tensor.</item>
/// <item>The outputs are float64, (n × <see cref="CommonDim"/>) and (n × <see cref="IndividualDims"/>[m]):
/// on the training set each variate has mean 0 and variance 1, common variates are ordered by
/// canonical correlation (corr(c₁ᵢ, c₂ᵢ) = ρᵢ on training data) and individual ones by variance.</item>
/// <item>Views without an individual part have <c>IndividualDims[m] == 0</c> (plain CCA / Deep CCA) and
/// return an (n × 0) tensor.</item>
/// </list>
/// Scores built on these outputs live in <c>Mucmm.Explain</c>; they are defined once for every model.
/// </remarks>
public interface IMultiviewModel
{
    /// <summary>Model kind as written in config.json: "linear", "cca", "deep" or "dcca".</summary>
    string Kind { get; }

    /// <summary>Number of views (modalities), at least 2.</summary>
    int ViewCount { get; }

    /// <summary>Flattened input width of each view.</summary>
    IReadOnlyList<int> InputDims { get; }

    /// <summary>Number of common variates per view (k).</summary>
    int CommonDim { get; }

    /// <summary>Number of individual variates of each view (r_m); 0 when the model has none.</summary>
    IReadOnlyList<int> IndividualDims { get; }

    /// <summary>Differentiable forward pass; see the type's remarks for shapes and dtypes.</summary>
    MultiviewOutput Forward(IReadOnlyList<Tensor> inputs);

    /// <summary>Writes the model to <paramref name="directory"/> (config.json with "model" and "format_version", plus weights).</summary>
    void Save(string directory);
}

/// <summary>Standardized variates of every view, float64 tensors (rows = samples).</summary>
/// <param name="Common">Common variates c_m, one (n × k) tensor per view.</param>
/// <param name="Individual">Individual variates u_m, one (n × r_m) tensor per view.</param>
public sealed record MultiviewOutput(IReadOnlyList<Tensor> Common, IReadOnlyList<Tensor> Individual);

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
/// <para>Every model is made the same way — an immutable options record, <c>Fit(data)</c> on a
/// <see cref="Data.PairedDataset"/>'s train split (<see cref="IMultiviewEstimator{TModel}"/>) — is immutable once
/// fitted, and is disposed by its owner (deep models hold native tensors; the closed-form ones hold none).</para>
/// </remarks>
public interface IMultiviewModel : IDisposable
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

    /// <summary>
    /// The variates of every row of <paramref name="views"/> (one view per model view, paired rows), computed in
    /// chunks without gradient (<see cref="ForwardBatches.Transform"/>): float64 CPU tensors in the caller's dispose
    /// scope, (n × k) common and (n × r_m) individual per view. A mismatch of views or widths is a
    /// <see cref="MucmmUserException"/>.
    /// </summary>
    MultiviewOutput Transform(IReadOnlyList<Data.View> views);

    /// <summary>Writes the model to <paramref name="directory"/> (config.json with "model" and "format_version", plus weights).</summary>
    void Save(string directory);
}

/// <summary>
/// A model that can produce a copy of itself with re-initialized heads (same shapes, same encoders,
/// fresh random head weights), for the model-randomization sanity check of Adebayo et al. (2018):
/// the deep models (<see cref="Deep.DeepMultiviewModel"/>); the closed-form ones have no trained heads.
/// <c>Mucmm.Explain.SanityChecks.ModelRandomization</c> uses it.
/// </summary>
public interface IRandomizableModel
{
    /// <summary>A copy with the heads re-initialized from <paramref name="seed"/> (the caller disposes it).</summary>
    IMultiviewModel WithRandomizedHeads(int seed);
}

/// <summary>Standardized variates of every view, float64 tensors (rows = samples).</summary>
/// <param name="Common">Common variates c_m, one (n × k) tensor per view.</param>
/// <param name="Individual">Individual variates u_m, one (n × r_m) tensor per view.</param>
public sealed record MultiviewOutput(IReadOnlyList<Tensor> Common, IReadOnlyList<Tensor> Individual);

/// <summary>
/// The one fit shape of every model kind: an immutable options record that fits on the rows of
/// <see cref="Data.Split.Train"/> of a dataset (a deep model also early-stops on its <see cref="Data.Split.Validation"/>
/// rows) and returns an immutable fitted model.
/// </summary>
/// <typeparam name="TModel">The fitted model type.</typeparam>
public interface IMultiviewEstimator<out TModel> where TModel : IMultiviewModel
{
    /// <summary>Fits on the train split of <paramref name="data"/>; every impossible setting or shape is a <see cref="MucmmUserException"/>.</summary>
    TModel Fit(Data.PairedDataset data);
}

/// <summary>The input checks every model shares (one home for their messages).</summary>
public static class ModelInputs
{
    /// <summary>
    /// Throws <see cref="MucmmUserException"/> unless <paramref name="views"/> fit <paramref name="model"/>:
    /// same number of views, same widths, same row counts.
    /// </summary>
    public static void Check(IMultiviewModel model, IReadOnlyList<Data.View> views)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != model.ViewCount)
            throw new MucmmUserException($"the {model.Kind} model has {model.ViewCount} views but the data has {views.Count}");
        for (int m = 0; m < views.Count; m++)
        {
            if (views[m].Cols != model.InputDims[m])
                throw new MucmmUserException(
                    $"view {m + 1} ('{views[m].Name}') has {views[m].Cols} values per sample but the model expects {model.InputDims[m]}");
            if (views[m].Rows != views[0].Rows)
                throw new MucmmUserException($"views are not paired: {views[0].Rows} rows vs {views[m].Rows} rows");
        }
    }

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> unless <paramref name="inputs"/> holds one (n × dₘ) matrix per
    /// view with <paramref name="dims"/>[m] columns and the same n for every view.
    /// </summary>
    public static void Check(IReadOnlyList<Tensor> inputs, IReadOnlyList<int> dims)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(dims);
        if (inputs.Count != dims.Count)
            throw new MucmmUserException($"the model takes {dims.Count} views, got {inputs.Count}");
        for (int m = 0; m < dims.Count; m++)
        {
            if (inputs[m].ndim != 2 || inputs[m].shape[1] != dims[m])
                throw new MucmmUserException($"view {m + 1}: expected (rows × {dims[m]}), got shape [{string.Join(", ", inputs[m].shape)}]");
            if (inputs[m].shape[0] != inputs[0].shape[0])
                throw new MucmmUserException($"views are not paired: view 1 has {inputs[0].shape[0]} rows but view {m + 1} has {inputs[m].shape[0]}");
        }
    }
}

namespace Mucmm.Explain;

/// <summary>
/// Copies of a fitted model with re-initialized heads, for the model-randomization sanity check
/// (Adebayo et al. 2018, "cascading randomization" of the top layers): the models implementing
/// <see cref="IRandomizableModel"/> (the deep models) make them.
/// </summary>
public static class HeadRandomization
{
    /// <summary>Whether <see cref="Randomize"/> supports <paramref name="model"/>.</summary>
    public static bool IsSupported(IMultiviewModel model) => model is IRandomizableModel;

    /// <summary>
    /// A copy of <paramref name="model"/> with re-initialized heads. Throws <see cref="MucmmUserException"/>
    /// for a model kind without heads to re-initialize (the closed-form linear models).
    /// </summary>
    public static IMultiviewModel Randomize(IMultiviewModel model, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is IRandomizableModel r ? r.WithRandomizedHeads(seed)
            : throw new MucmmUserException($"the {model.Kind} model has no trained heads to re-initialize, so the model-randomization test is not available");
    }
}

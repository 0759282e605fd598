namespace Mucmm.Deep;

/// <summary>
/// Deep-fit settings a built-in dataset uses in place of the global deep defaults
/// (<see cref="DeepModelOptions.DefaultsFor"/>, <see cref="DeepTrainingOptions.DefaultsFor"/>), carried by its
/// <see cref="Data.Datasets.DatasetDescriptor.DeepDefaults"/> the way a view carries its default encoder. A null property
/// keeps the global default. <c>mucmm fit --model deep|dcca --dataset NAME</c> applies them to every setting whose flag
/// the user did not give (<see cref="ApplyTo"/>); the global defaults themselves never change. Why a dataset has them
/// is written where the dataset's results are (e.g. docs/explain.md for located-mnist).
/// </summary>
public sealed record DeepFitDefaults
{
    /// <summary>Common dimension k (<see cref="DeepModelOptions.CommonDim"/>).</summary>
    public int? CommonDim { get; init; }

    /// <summary>Individual dimension r of every view (<see cref="DeepModelOptions.IndividualDim"/>; deep MUCMM only).</summary>
    public int? IndividualDim { get; init; }

    /// <summary>Maximum epochs (<see cref="DeepTrainingOptions.Epochs"/>).</summary>
    public int? Epochs { get; init; }

    /// <summary>Random image shift while training (<see cref="DeepTrainingOptions.AugmentShift"/>).</summary>
    public int? AugmentShift { get; init; }

    /// <summary>
    /// <paramref name="model"/> and <paramref name="training"/> with every setting of this record that is not null and
    /// that the caller did not set explicitly: <paramref name="given"/> answers for a property named as in the library's
    /// messages ("DeepModelOptions.CommonDim", "DeepTrainingOptions.Epochs", …). <see cref="IndividualDim"/> is not applied
    /// to Deep CCA, which has no individual part.
    /// </summary>
    public (DeepModelOptions Model, DeepTrainingOptions Training) ApplyTo(DeepModelOptions model, DeepTrainingOptions training, Func<string, bool> given)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(given);
        bool Use<T>(T? value, string property) where T : struct => value is not null && !given(property);
        if (Use(CommonDim, "DeepModelOptions.CommonDim")) model = model with { CommonDim = CommonDim!.Value };
        if (model.Kind == DeepModelKind.Mucmm && Use(IndividualDim, "DeepModelOptions.IndividualDim")) model = model with { IndividualDim = IndividualDim!.Value };
        if (Use(Epochs, "DeepTrainingOptions.Epochs")) training = training with { Epochs = Epochs!.Value };
        if (Use(AugmentShift, "DeepTrainingOptions.AugmentShift")) training = training with { AugmentShift = AugmentShift!.Value };
        return (model, training);
    }

    /// <summary>
    /// The settings that are not null, by property name ("DeepModelOptions.CommonDim" → 20, …), in declaration order;
    /// the command line shows them as flags (OptionNames).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> Settings => new (string Property, int? Value)[]
    {
        ("DeepModelOptions.CommonDim", CommonDim), ("DeepModelOptions.IndividualDim", IndividualDim),
        ("DeepTrainingOptions.Epochs", Epochs), ("DeepTrainingOptions.AugmentShift", AugmentShift),
    }.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Property, p.Value!.Value)).ToArray();
}

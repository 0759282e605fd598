namespace Mucmm.Deep.Objectives;

/// <summary>
/// An objective the deep trainer minimises (in the manner of cca_zoo's losses): one batch's per-view outputs →
/// the loss and its named terms, every one of which is logged (train.csv, progress).
/// </summary>
public interface IDeepObjective : IDisposable
{
    /// <summary>Loss and named terms of one batch in 0-based training epoch <paramref name="epoch"/> (objectives may vary their weights over epochs, e.g. a warm-up).</summary>
    ObjectiveResult Evaluate(IReadOnlyList<ViewBatch> views, int epoch);
}

/// <summary>
/// The one place that maps a model kind to its training objective. Adding an objective is one new file (a type
/// implementing <see cref="IDeepObjective"/>, like <see cref="DeepCcaObjective"/>) and one line here.
/// </summary>
public static class ObjectiveRegistry
{
    private static readonly Dictionary<DeepModelKind, Func<DeepTrainingOptions, IDeepObjective>> Factories = new()
    {
        [DeepModelKind.Mucmm] = MucmmObjective.For,
        [DeepModelKind.DeepCca] = DeepCcaObjective.For,
    };

    /// <summary>The model kinds that have an objective.</summary>
    public static IReadOnlyCollection<DeepModelKind> Kinds => Factories.Keys;

    /// <summary>The objective that trains a model of kind <paramref name="kind"/> with <paramref name="training"/>'s settings (the caller disposes it).</summary>
    public static IDeepObjective Create(DeepModelKind kind, DeepTrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Factories.TryGetValue(kind, out var factory)
            ? factory(training)
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no objective is registered for this model kind");
    }
}

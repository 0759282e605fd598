using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>
/// The four-term MUCMM objective as a typed module (functional twin: <see cref="DeepObjectives.Mucmm"/>;
/// mathematics there). Input: one <see cref="ViewBatch"/> per view. In training, the first
/// <see cref="WarmupEpochs"/> epochs use α = β = 0 (the correlation and reconstruction terms only), so the
/// common part forms before the individual part is pushed away from it.
/// </summary>
public sealed class MucmmObjective : nn.Module<IReadOnlyList<ViewBatch>, ObjectiveResult>, IDeepObjective
{
    /// <summary>Creates the objective with the given weights and measure, and <paramref name="warmupEpochs"/> warm-up epochs.</summary>
    public MucmmObjective(MucmmObjectiveOptions? options = null, int warmupEpochs = 0) : base(nameof(MucmmObjective))
    {
        Options = options ?? new MucmmObjectiveOptions();
        Options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(warmupEpochs);
        WarmupEpochs = warmupEpochs;
        RegisterComponents();
    }

    /// <summary>The objective of a deep MUCMM fit: <see cref="DeepTrainingOptions.Objective"/> and <see cref="DeepTrainingOptions.WarmupEpochs"/>.</summary>
    public static MucmmObjective For(DeepTrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new MucmmObjective(training.Objective, training.WarmupEpochs);
    }

    /// <summary>Weights α, β, γ, measure and ridge.</summary>
    public MucmmObjectiveOptions Options { get; }

    /// <summary>Epochs at the start of training with α = β = 0.</summary>
    public int WarmupEpochs { get; }

    /// <summary>Loss and named terms of one batch (full weights).</summary>
    public override ObjectiveResult forward(IReadOnlyList<ViewBatch> views) => DeepObjectives.Mucmm(views, Options);

    /// <inheritdoc/>
    public ObjectiveResult Evaluate(IReadOnlyList<ViewBatch> views, int epoch) =>
        DeepObjectives.Mucmm(views, epoch < WarmupEpochs ? Options with { Alpha = 0, Beta = 0 } : Options);
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>
/// Deep CCA (Andrew et al. 2013, ICML): maximize the total canonical correlation Σ_{m&lt;m'} R(c_m, c_m') of the
/// common representations; the only term is "correlation" and the loss is its negative. The paper's measure is
/// <see cref="CorrelationMeasure.R1"/> (sum of canonical correlations). Registered for
/// <see cref="DeepModelKind.DeepCca"/> in <see cref="ObjectiveRegistry"/>.
/// </summary>
public sealed class DeepCcaObjective : nn.Module<IReadOnlyList<ViewBatch>, ObjectiveResult>, IDeepObjective
{
    /// <summary>Creates the objective; the paper's measure is R1 (sum of canonical correlations).</summary>
    public DeepCcaObjective(CorrelationMeasure measure = CorrelationMeasure.R1, double ridge = Correlation.DefaultRidge)
        : base(nameof(DeepCcaObjective))
    {
        Measure = measure;
        Ridge = ridge;
        RegisterComponents();
    }

    /// <summary>The objective of a Deep CCA fit: the measure and ridge of <see cref="DeepTrainingOptions.Objective"/>.</summary>
    public static DeepCcaObjective For(DeepTrainingOptions training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new DeepCcaObjective(training.Objective.Measure, training.Objective.Ridge);
    }

    /// <summary>Correlation measure maximized.</summary>
    public CorrelationMeasure Measure { get; }

    /// <summary>Relative ridge ε.</summary>
    public double Ridge { get; }

    /// <summary>Loss (− correlation) and the "correlation" term of one batch.</summary>
    public override ObjectiveResult forward(IReadOnlyList<ViewBatch> views) => Compute(views, Measure, Ridge);

    /// <inheritdoc/>
    public ObjectiveResult Evaluate(IReadOnlyList<ViewBatch> views, int epoch) => Compute(views, Measure, Ridge);

    /// <summary>The Deep CCA loss and its "correlation" term (also <see cref="DeepObjectives.DeepCca"/>).</summary>
    public static ObjectiveResult Compute(IReadOnlyList<ViewBatch> views, CorrelationMeasure measure, double ridge)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count < 2) throw new ArgumentException("an objective needs at least two views", nameof(views));
        var terms = new[] { new ObjectiveTerm(TermNames.Correlation, DeepObjectives.CommonCorrelation(views, measure, ridge), -1.0) };
        return new ObjectiveResult(DeepObjectives.Combine(terms), terms);
    }
}

using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Objectives;

public class ObjectiveRegistryTests
{
    private static ViewBatch[] Views(int seed)
    {
        var g = new Generator((ulong)seed);
        var shared = randn(200, 2, dtype: float64, generator: g);
        return Enumerable.Range(0, 2).Select(_ => new ViewBatch(
            shared + 0.5 * randn(200, 2, dtype: float64, generator: g), randn(200, 3, dtype: float64, generator: g),
            randn(200, 5, dtype: float64, generator: g), randn(200, 5, dtype: float64, generator: g))).ToArray();
    }

    /// <summary>Every model kind trains with a registered objective (the trainer takes it from the registry only).</summary>
    [Fact]
    public void EveryModelKindHasAnObjective()
    {
        Assert.Equal(Enum.GetValues<DeepModelKind>().Order(), ObjectiveRegistry.Kinds.Order());
        foreach (var kind in Enum.GetValues<DeepModelKind>())
        {
            using var objective = ObjectiveRegistry.Create(kind, new DeepTrainingOptions());
            Assert.NotNull(objective);
        }
    }

    /// <summary>
    /// Oracle: the functional forms <see cref="DeepObjectives.Mucmm"/> (α = β = 0 in the warm-up epochs, the
    /// options' weights after) and <see cref="DeepObjectives.DeepCca"/> with the options' measure and ridge;
    /// tolerance 0 (the same float64 operations), loss and every term.
    /// </summary>
    [Fact]
    public void RegisteredObjectivesEqualTheFunctionalFormsWithWarmUp()
    {
        using var scope = NewDisposeScope();
        var v = Views(7);
        var options = new MucmmObjectiveOptions(Alpha: 0.7, Beta: 1.3, Gamma: 0.4, Measure: CorrelationMeasure.R2, Ridge: 1e-3);
        var training = new DeepTrainingOptions { WarmupEpochs = 2, Objective = options };
        using var mucmm = ObjectiveRegistry.Create(DeepModelKind.Mucmm, training);
        foreach (var (epoch, expectedOptions) in new[] { (0, options with { Alpha = 0, Beta = 0 }), (1, options with { Alpha = 0, Beta = 0 }), (2, options), (5, options) })
            AssertSame(DeepObjectives.Mucmm(v, expectedOptions), mucmm.Evaluate(v, epoch));
        Assert.NotEqual(mucmm.Evaluate(v, 0).Loss.item<double>(), mucmm.Evaluate(v, 2).Loss.item<double>());

        var ccaTraining = new DeepTrainingOptions { Objective = options with { Measure = CorrelationMeasure.R1 } };
        using var dcca = ObjectiveRegistry.Create(DeepModelKind.DeepCca, ccaTraining);
        var result = dcca.Evaluate(v, 0);
        AssertSame(DeepObjectives.DeepCca(v, CorrelationMeasure.R1, 1e-3), result);
        Assert.Equal([TermNames.Correlation], result.Terms.Select(t => t.Name));
    }

    private static void AssertSame(ObjectiveResult expected, ObjectiveResult actual)
    {
        Assert.Equal(expected.Loss.item<double>(), actual.Loss.item<double>());
        Assert.Equal(expected.Terms.Select(t => (t.Name, t.Weight, t.Value.item<double>())), actual.Terms.Select(t => (t.Name, t.Weight, t.Value.item<double>())));
    }
}

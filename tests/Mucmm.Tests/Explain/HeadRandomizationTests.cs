using Mucmm.Deep;
using Mucmm.Evaluation;
using Mucmm.Explain;
using Mucmm.Tests.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class HeadRandomizationTests
{
    // One small trained model shared by the tests (training is the slow part).
    private static readonly Lazy<(Mucmm.Data.PairedDataset data, DeepMultiviewModel model)> Trained = new(() =>
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        var options = new DeepModelOptions { Encoder = EncoderKind.Mlp, EncoderHidden = [32], CommonDim = 2, IndividualDim = 2, DecoderHidden = 16 };
        var model = new DeepTrainer(options, new DeepTrainingOptions { Epochs = 4, BatchSize = 100, LearningRate = 1e-2, Seed = 3, Patience = 0 })
            .Fit(data, TestPaths.NewTempDir());
        return (data, model);
    });

    private static double[] Values(IEnumerable<TorchSharp.Modules.Parameter> ps) =>
        ps.SelectMany(p => p.detach().cpu().to(float64).data<double>().ToArray()).ToArray();

    /// <summary>
    /// Oracle: construction. The randomized copy of a trained deep model keeps the encoder weights
    /// bit for bit, redraws every head parameter (none equal), is reproducible from its seed, and leaves
    /// the trained model untouched; its common-score gradient maps rank-correlate with the trained
    /// model's far less than the trained model's with themselves (1): mean Spearman below 0.5.
    /// </summary>
    [Fact]
    public void DeepHeadsAreRedrawnAndEncodersKept()
    {
        var (data, trained) = Trained.Value;
        var headsBefore = Values(trained.Network[0].HeadParameters());

        var a = (DeepMultiviewModel)HeadRandomization.Randomize(trained, seed: 11);
        var b = (DeepMultiviewModel)HeadRandomization.Randomize(trained, seed: 11);
        try
        {
            Assert.Equal(Values(trained.Network[0].Encoder.parameters()), Values(a.Network[0].Encoder.parameters()));
            var headsA = Values(a.Network[0].HeadParameters());
            Assert.All(headsA.Zip(headsBefore), p => Assert.NotEqual(p.First, p.Second));
            Assert.Equal(headsA, Values(b.Network[0].HeadParameters()));
            Assert.Equal(headsBefore, Values(trained.Network[0].HeadParameters()));

            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(0, 20).ToArray();
            var x = data.Views.Select(v => Representations.Rows(v, rows)).ToArray();
            Assert.Equal(1.0, SanityChecks.ModelRandomization(trained, trained, Score.Common, x).Spearman, 12);
            var r = SanityChecks.ModelRandomization(trained, Score.Common, x, seed: 11);
            Assert.True(r.Spearman < 0.5, $"Spearman {r.Spearman}");
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    /// <summary>
    /// Oracle: docs/method.md §8 and §5 — after the post-hoc alignment the common variates are standardized
    /// on the training rows with corr(z^c_{1,i}, z^c_{2,i}) = ρᵢ, so the mean training common score equals
    /// Σρᵢ and the mean individual score equals 1 (tolerance 1e-6: the network runs in float32, the
    /// alignment in float64).
    /// </summary>
    [Fact]
    public void MeanTrainingScoresOfADeepModelMatchTheAlignment()
    {
        var (data, model) = Trained.Value;
        var train = data.Subset(Mucmm.Data.Split.Train);
        var s = Scores.Compute(model, train.Views, Score.Standard(2));
        Assert.Equal(model.CanonicalCorrelations.Take(2).Sum(), s[0].Average(), 6);
        Assert.Equal(1.0, s[1].Average(), 6);
        Assert.Equal(1.0, s[2].Average(), 6);
    }

    [Fact]
    public void LinearModelsHaveNoHeadsToRandomize()
    {
        var model = Mucmm.Linear.LinearMucmm.Fit(
            [new Mucmm.Data.View("a", Mucmm.Data.ViewKind.Vector, [2], [1, 2, 3, 1, 2, 5, 4, 4, 0, 1]),
             new Mucmm.Data.View("b", Mucmm.Data.ViewKind.Vector, [2], [2, 1, 0, 3, 1, 1, 5, 2, 3, 3])],
            new Mucmm.Linear.LinearOptions { CommonDim = 1, IndividualDim = 1 });
        Assert.False(HeadRandomization.IsSupported(model));
        Assert.Throws<MucmmUserException>(() => HeadRandomization.Randomize(model, 1));
    }
}

using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Deep.Objectives;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

public class DeepTrainerTests
{
    private static readonly DeepModelOptions SmallMlp = new()
    {
        Encoder = EncoderKind.Mlp, EncoderHidden = [32], CommonDim = 2, IndividualDim = 2, DecoderHidden = 16,
    };

    private static readonly DeepTrainingOptions Short = new() { Epochs = 4, BatchSize = 100, LearningRate = 1e-2, Seed = 3, Patience = 0 };

    private static double[] Weights(DeepMultiviewModel m) =>
        m.Network.parameters().SelectMany(p => p.detach().cpu().to(float64).data<double>().ToArray()).ToArray();

    /// <summary>
    /// Oracle: determinism by construction — same seed, same data → bit-identical weights and variates on CPU;
    /// and a run stopped after 2 epochs and resumed from its checkpoint equals an uninterrupted 4-epoch run.
    /// train.csv has one row per epoch with every term.
    /// </summary>
    [Fact]
    public void SameSeedAndResumeGiveTheSameModel()
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        string dirA = TestPaths.NewTempDir(), dirB = TestPaths.NewTempDir(), dirC = TestPaths.NewTempDir();
        using var a = new DeepTrainer(SmallMlp, Short).Fit(data, dirA);
        using var b = new DeepTrainer(SmallMlp, Short).Fit(data, dirB);
        Assert.Equal(Weights(a), Weights(b));

        using (new DeepTrainer(SmallMlp, Short with { Epochs = 2 }).Fit(data, dirC)) { }
        using var c = new DeepTrainer(SmallMlp, Short).Fit(data, dirC, resume: true);
        Assert.Equal(Weights(a), Weights(c));
        Assert.Equal(a.CanonicalCorrelations, c.CanonicalCorrelations);

        var lines = File.ReadAllLines(Path.Combine(dirA, "train.csv"));
        Assert.Equal("phase,epoch,correlation,leak_other,leak_own,reconstruction,loss,validation_total_correlation,seconds", lines[0]);
        Assert.Equal(5, lines.Length);
        var resumedLines = File.ReadAllLines(Path.Combine(dirC, "train.csv"));
        Assert.Equal(lines.Select(l => l[..l.LastIndexOf(',')]), resumedLines.Select(l => l[..l.LastIndexOf(',')]));
    }
}

using Mucmm.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

public class CheckpointTests
{
    private static readonly DeepModelOptions Small = new()
    {
        Encoder = EncoderKind.Mlp, EncoderHidden = [16], CommonDim = 2, IndividualDim = 1, DecoderHidden = 8,
    };

    private static readonly DeepTrainingOptions Short = new() { Epochs = 3, BatchSize = 100, LearningRate = 1e-2, Seed = 4, Patience = 2, WarmupEpochs = 1, WeightAverage = 0.8 };

    private static double[] Weights(DeepMultiviewModel m) =>
        m.Network.parameters().SelectMany(p => p.detach().cpu().to(float64).data<double>().ToArray()).ToArray();

    /// <summary>
    /// Oracle: determinism by construction. A run killed between the checkpoint's two renames leaves only
    /// <c>checkpoint.old</c>: it still counts as a checkpoint, it resumes (with the best state, the weight
    /// average and the early-stopping counters it holds) to exactly the model of an uninterrupted run (tolerance 0),
    /// and the next save puts a complete <c>checkpoint</c> back.
    /// </summary>
    [Fact]
    public void CheckpointLeftMidSwapStillResumesExactly()
    {
        var data = LinearSynthetic.Create(500, 6, 5, 2, 1, seed: 8);
        string whole = TestPaths.NewTempDir(), killed = TestPaths.NewTempDir();
        using var expected = new DeepTrainer(Small, Short).Fit(data, whole);

        using (new DeepTrainer(Small, Short with { Epochs = 1 }).Fit(data, killed)) { }
        // Epochs is part of the recorded settings under the cosine schedule only; this run uses the constant one.
        Directory.Move(Path.Combine(killed, "checkpoint"), Path.Combine(killed, "checkpoint.old"));
        Assert.True(DeepTrainer.HasCheckpoint(killed));

        using var resumed = new DeepTrainer(Small, Short).Fit(data, killed, resume: true);
        Assert.Equal(Weights(expected), Weights(resumed));
        Assert.True(File.Exists(Path.Combine(killed, "checkpoint", "state.json")));
        Assert.False(Directory.Exists(Path.Combine(killed, "checkpoint.old")));
    }
}

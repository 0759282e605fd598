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

    private static readonly DeepTrainingOptions WithPretraining = Short with { Patience = 0, WeightAverage = 0, PretrainEpochs = 3, Epochs = 4 };

    /// <summary>
    /// Oracle: the rule of <see cref="DeepTrainingOptions.CheckpointSeconds"/>, seen from inside the run — at the first
    /// batch of every epoch an observer reads which epoch the checkpoint holds and how many rows train.csv has. With 0 it
    /// is the previous epoch (none before the first), after every epoch; with an interval no run of this size reaches
    /// (10⁶ s), only the last epoch of each phase: nothing during pretraining, the last pretraining epoch throughout the
    /// main phase, and the last main epoch at the end. The model is the same either way (tolerance 0).
    /// </summary>
    [Fact]
    public void CheckpointIsWrittenEveryEpochWithZeroAndOnlyAtPhaseEndsWithALongInterval()
    {
        var data = LinearSynthetic.Create(500, 6, 5, 2, 1, seed: 8);
        string every = TestPaths.NewTempDir(), throttled = TestPaths.NewTempDir();
        var seenEvery = new Probe(every);
        var seenThrottled = new Probe(throttled);
        using var a = new DeepTrainer(Small, WithPretraining with { CheckpointSeconds = 0 }, seenEvery).Fit(data, every);
        using var b = new DeepTrainer(Small, WithPretraining with { CheckpointSeconds = 1e6 }, seenThrottled).Fit(data, throttled);

        Assert.Equal(["pretrain 1: none, 0 rows", "pretrain 2: pretrain 1, 1 rows", "pretrain 3: pretrain 2, 2 rows",
            "train 1: pretrain 3, 3 rows", "train 2: train 1, 4 rows", "train 3: train 2, 5 rows", "train 4: train 3, 6 rows"], seenEvery.Seen);
        Assert.Equal(["pretrain 1: none, 0 rows", "pretrain 2: none, 0 rows", "pretrain 3: none, 0 rows",
            "train 1: pretrain 3, 3 rows", "train 2: pretrain 3, 3 rows", "train 3: pretrain 3, 3 rows", "train 4: pretrain 3, 3 rows"], seenThrottled.Seen);
        foreach (string dir in new[] { every, throttled })
        {
            Assert.Equal("train 4", Probe.CheckpointEpoch(dir));
            Assert.Equal(1 + 3 + 4, File.ReadAllLines(Path.Combine(dir, "train.csv")).Length);
        }
        Assert.Equal(Weights(a), Weights(b));
    }

    /// <summary>
    /// Oracle: an uninterrupted run (checkpoint after every epoch), tolerance 0. A run with a long checkpoint interval
    /// killed in main epoch 3 (batch 2) has only the checkpoint of the last pretraining epoch; its resume (with yet another
    /// interval, the default: the interval is not a setting a resume must keep) replays main epochs 1–3 from there and
    /// gives bit for bit the same weights and train.csv (timing aside), and the same canonical correlations to 1e-12
    /// relative (the post-hoc float64 alignment is not bitwise reproducible between runs: docs/method.md).
    /// </summary>
    [Fact]
    public void ResumeFromAThrottledCheckpointEqualsTheUninterruptedRun()
    {
        var data = LinearSynthetic.Create(500, 6, 5, 2, 1, seed: 8);
        string whole = TestPaths.NewTempDir(), killed = TestPaths.NewTempDir();
        using var expected = new DeepTrainer(Small, WithPretraining with { CheckpointSeconds = 0 }).Fit(data, whole);

        var kill = new Probe(killed, killAt: ("train", 3, 2));
        Assert.Throws<SimulatedKill>(() => new DeepTrainer(Small, WithPretraining with { CheckpointSeconds = 1e6 }, kill).Fit(data, killed));
        Assert.Equal("pretrain 3", Probe.CheckpointEpoch(killed));

        var resumedFrom = new Probe(killed);
        using var resumed = new DeepTrainer(Small, WithPretraining, resumedFrom).Fit(data, killed, resume: true);
        Assert.Contains("resuming after pretrain epoch 3", resumedFrom.Messages);
        Assert.Equal(Weights(expected), Weights(resumed));
        Assert.Equal(expected.CanonicalCorrelations.Count, resumed.CanonicalCorrelations.Count);
        for (int i = 0; i < expected.CanonicalCorrelations.Count; i++)
            Assert.True(Math.Abs(expected.CanonicalCorrelations[i] - resumed.CanonicalCorrelations[i]) <= 1e-12 * Math.Abs(expected.CanonicalCorrelations[i]) + 1e-15,
                $"ρ{i + 1}: {expected.CanonicalCorrelations[i]:R} vs {resumed.CanonicalCorrelations[i]:R}");
        Assert.Equal(WithoutTiming(whole), WithoutTiming(killed));
    }

    private static string[] WithoutTiming(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "train.csv")).Select(l => l[..l.LastIndexOf(',')]).ToArray();

    private sealed class SimulatedKill : Exception;

    /// <summary>
    /// Notes, at the first batch of every epoch, the epoch the work folder's checkpoint holds and the rows of its train.csv;
    /// keeps the trainer's messages; throws <see cref="SimulatedKill"/> at <c>killAt</c> (phase, epoch, batch; 1-based).
    /// </summary>
    private sealed class Probe(string workDirectory, (string Phase, int Epoch, int Batch)? killAt = null) : ITrainingObserver
    {
        public List<string> Seen { get; } = [];

        public List<string> Messages { get; } = [];

        /// <summary>"PHASE EPOCH" of the checkpoint in <paramref name="dir"/>, or "none".</summary>
        public static string CheckpointEpoch(string dir)
        {
            string path = Path.Combine(dir, "checkpoint", "state.json");
            if (!File.Exists(path)) return "none";
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            return $"{node["Phase"]!.GetValue<string>()} {node["Epoch"]!.GetValue<int>()}";
        }

        public void PhaseStarted(string phase, int epochs, int batchesPerEpoch, int completedEpochs) { }

        public void BatchFinished(string phase, int epoch, int batch, IReadOnlyList<KeyValuePair<string, double>> terms)
        {
            if (batch == 1)
            {
                string csv = Path.Combine(workDirectory, "train.csv");
                int rows = File.Exists(csv) ? File.ReadAllLines(csv).Length - 1 : 0;
                Seen.Add($"{phase} {epoch}: {CheckpointEpoch(workDirectory)}, {rows} rows");
            }
            if (killAt == (phase, epoch, batch)) throw new SimulatedKill();
        }

        public void EpochFinished(EpochMetrics metrics) { }

        public void Message(string text) => Messages.Add(text);
    }
}

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

    // A checkpoint after every epoch (CheckpointSeconds = 0): these tests stop runs after a given epoch and resume from its checkpoint.
    private static readonly DeepTrainingOptions Short = new() { Epochs = 4, BatchSize = 100, LearningRate = 1e-2, Seed = 3, Patience = 0, WarmupEpochs = 3, Schedule = LearningRateSchedule.Constant, CheckpointSeconds = 0 };

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

    /// <summary>
    /// Oracle: determinism by construction, with the options that carry state across epochs — the moving
    /// average of the weights (saved in the checkpoint) and the cosine schedule (a function of the epoch):
    /// a run stopped after 2 epochs and resumed equals the uninterrupted 4-epoch run bit for bit, and the
    /// averaged model differs from the last iterate of the same run without averaging.
    /// </summary>
    [Fact]
    public void WeightAverageAndCosineScheduleResumeExactly()
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        var options = Short with { WeightAverage = 0.9, Schedule = LearningRateSchedule.Cosine, WarmupEpochs = 1 };
        string dirA = TestPaths.NewTempDir(), dirC = TestPaths.NewTempDir();
        using var a = new DeepTrainer(SmallMlp, options).Fit(data, dirA);
        // Stopped during epoch 3 (after the checkpoint of epoch 2): under the cosine schedule the number of epochs
        // shapes every epoch's rate, so a resume must keep it (a shorter first run would be refused).
        Assert.Throws<SimulatedKill>(() => new DeepTrainer(SmallMlp, options, new KillAt("train", 3, 1)).Fit(data, dirC));
        using var c = new DeepTrainer(SmallMlp, options).Fit(data, dirC, resume: true);
        Assert.Equal(Weights(a), Weights(c));
        Assert.Equal(CsvWithoutTiming(dirA), CsvWithoutTiming(dirC));
        using var plain = new DeepTrainer(SmallMlp, options with { WeightAverage = 0 }).Fit(data);
        Assert.NotEqual(Weights(a), Weights(plain));
        Assert.All(Weights(a), w => Assert.True(double.IsFinite(w)));
    }

    /// <summary>train.csv without its last (timing) column.</summary>
    private static string[] CsvWithoutTiming(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "train.csv")).Select(l => l[..l.LastIndexOf(',')]).ToArray();

    /// <summary>Values of column <paramref name="name"/> in the rows of <paramref name="phase"/> of train.csv.</summary>
    private static double[] CsvColumn(string dir, string phase, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, "train.csv"));
        int col = Array.IndexOf(lines[0].Split(','), name);
        Assert.True(col >= 0, $"train.csv has no column {name}: {lines[0]}");
        return lines.Skip(1).Select(l => l.Split(',')).Where(f => f[0] == phase)
            .Select(f => double.Parse(f[col], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Stands in for a kill: throws from the observer at a chosen point of training.</summary>
    private sealed class KillAt(string phase, int epoch, int batch) : ITrainingObserver
    {
        /// <summary>Batch 0: when the phase starts (after the previous phase's last checkpoint).</summary>
        public void PhaseStarted(string p, int epochs, int batchesPerEpoch, int completedEpochs)
        {
            if (p == phase && batch == 0 && completedEpochs + 1 == epoch) throw new SimulatedKill();
        }

        public void BatchFinished(string p, int e, int b, IReadOnlyList<KeyValuePair<string, double>> terms)
        {
            if (p == phase && e == epoch && b == batch) throw new SimulatedKill();
        }

        public void EpochFinished(EpochMetrics metrics) { }

        public void Message(string text) { }
    }

    private sealed class SimulatedKill : Exception;

    private static readonly DeepTrainingOptions WithPretraining = Short with { PretrainEpochs = 4 };

    /// <summary>
    /// Oracle: the pretraining's own loss, as logged — train.csv has one "pretrain" row per pretraining epoch
    /// with the relative reconstruction error of each view's autoencoder (encoder + decoder), before the
    /// "train" rows. Each autoencoder's error must fall over the epochs: every epoch's mean at most 1.05×
    /// the previous one (Adam noise), and the last epoch below half the first and below 0.2 (1 is the error
    /// of predicting the batch mean; the 32-wide encoder can represent the 8- and 6-dimensional inputs
    /// exactly). Tolerances set from the measured run: the errors fall from 0.975 / 0.923 in epoch 1 to
    /// 0.072 / 0.060 in epoch 8, each epoch lower than the one before.
    /// </summary>
    [Fact]
    public void PretrainingLowersEachAutoencodersReconstructionError()
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        string dir = TestPaths.NewTempDir();
        using (new DeepTrainer(SmallMlp, Short with { PretrainEpochs = 8, Epochs = 1 }).Fit(data, dir)) { }
        var phases = File.ReadAllLines(Path.Combine(dir, "train.csv")).Skip(1).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal([.. Enumerable.Repeat("pretrain", 8), "train"], phases);
        foreach (string column in new[] { "reconstruction1", "reconstruction2" })
        {
            var e = CsvColumn(dir, "pretrain", column);
            string info = $"{column} by pretraining epoch: {string.Join(" ", e.Select(v => v.ToString("F4")))}";
            Console.WriteLine(info);
            Assert.All(e, v => Assert.True(double.IsFinite(v) && v >= 0, info));
            for (int i = 1; i < e.Length; i++) Assert.True(e[i] <= 1.05 * e[i - 1], info);
            Assert.True(e[^1] < 0.5 * e[0] && e[^1] < 0.2, info);
        }
    }

    /// <summary>
    /// Oracle: determinism by construction, and the closed-form linear CCA — a fit with 4 pretraining epochs
    /// and 8 main epochs gives bit-identical weights run to run, differs from the same fit without
    /// pretraining (the pretrained encoder is what the main phase starts from), and trains: the logged
    /// common correlation (Σρ² of the batches) rises over the main phase, and the first training canonical
    /// correlation is within 0.03 of the closed-form linear CCA's on the same training rows (the data are
    /// linear, so that is what the first common pair can reach).
    /// </summary>
    [Fact]
    public void FitWithPretrainingTrainsAndIsDeterministic()
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        var options = WithPretraining with { Epochs = 8 };
        string dir = TestPaths.NewTempDir();
        using var a = new DeepTrainer(SmallMlp, options).Fit(data, dir);
        using var b = new DeepTrainer(SmallMlp, options).Fit(data);
        using var plain = new DeepTrainer(SmallMlp, options with { PretrainEpochs = 0 }).Fit(data);
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(a.CanonicalCorrelations, b.CanonicalCorrelations);
        Assert.NotEqual(Weights(plain), Weights(a));

        var correlation = CsvColumn(dir, "train", "correlation");
        var linear = Mucmm.Linear.LinearMucmm.Fit(data.Subset(Split.Train).Views,
            new Mucmm.Linear.LinearOptions { Kind = Mucmm.Linear.LinearModelKind.Cca, CommonDim = 2 });
        string info = $"with pretraining ρ {string.Join(" ", a.CanonicalCorrelations.Select(r => r.ToString("F4")))}, " +
            $"without {string.Join(" ", plain.CanonicalCorrelations.Select(r => r.ToString("F4")))}, linear CCA ρ₁ {linear.CanonicalCorrelations[0]:F4}; " +
            $"main-phase correlation term {string.Join(" ", correlation.Select(v => v.ToString("F3")))}";
        Console.WriteLine(info);
        Assert.Equal(8, correlation.Length);
        Assert.True(correlation[^1] > correlation[0], info);
        Assert.True(Math.Abs(a.CanonicalCorrelations[0] - linear.CanonicalCorrelations[0]) < 0.03, info);
    }

    /// <summary>
    /// Oracle: an uninterrupted fit with pretraining (same seed). Runs interrupted at the pretrain → main
    /// boundary and resumed from their checkpoint must give the same model bit for bit and the same train.csv
    /// (timing aside): interrupted in the middle of pretraining epoch 3 (batch 2), right after the last
    /// pretraining checkpoint (before the main phase starts), and in the middle of main epoch 1 (batch 3,
    /// when the checkpoint still holds the pretraining). The interruption is an exception thrown by the
    /// observer, which leaves the checkpoint folder as a kill would (the CLI test kills a real process).
    /// </summary>
    [Theory]
    [InlineData("pretrain", 3, 2)]
    [InlineData("train", 1, 0)]
    [InlineData("train", 1, 3)]
    public void ResumeAcrossThePretrainingBoundaryGivesTheSameModel(string phase, int epoch, int batch)
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        string dirA = TestPaths.NewTempDir(), dirB = TestPaths.NewTempDir();
        using var a = new DeepTrainer(SmallMlp, WithPretraining).Fit(data, dirA);
        Assert.Throws<SimulatedKill>(() => new DeepTrainer(SmallMlp, WithPretraining, new KillAt(phase, epoch, batch)).Fit(data, dirB));
        using var b = new DeepTrainer(SmallMlp, WithPretraining).Fit(data, dirB, resume: true);
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(a.CanonicalCorrelations, b.CanonicalCorrelations);
        Assert.Equal(CsvWithoutTiming(dirA), CsvWithoutTiming(dirB));
    }

    /// <summary>
    /// Oracle: an uninterrupted 4-epoch fit. The checkpoint is swapped in by renames (checkpoint.tmp →
    /// checkpoint, previous one kept as checkpoint.old until then); a kill can leave any intermediate state.
    /// Simulated here after 2 epochs: (a) killed while writing the next checkpoint — a half-written
    /// checkpoint.tmp beside a complete checkpoint; (b) killed between the two renames — only
    /// checkpoint.old and a half-written checkpoint.tmp; (c) killed after the last epoch's checkpoint but
    /// before its train.csv row was written — train.csv one row short. Each must resume to the same
    /// model and the complete train.csv.
    /// </summary>
    [Theory]
    [InlineData("tmp")]
    [InlineData("old")]
    [InlineData("csv")]
    public void ResumeSurvivesAKillAtAnyPointOfTheCheckpointWrite(string state)
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 5);
        string dirA = TestPaths.NewTempDir(), dirB = TestPaths.NewTempDir();
        using var a = new DeepTrainer(SmallMlp, Short).Fit(data, dirA);
        var shortRun = state == "csv" ? Short : Short with { Epochs = 2 };
        using (new DeepTrainer(SmallMlp, shortRun).Fit(data, dirB)) { }
        string checkpoint = Path.Combine(dirB, "checkpoint");
        void HalfWrittenTmp()
        {
            Directory.CreateDirectory(checkpoint + ".tmp");
            var bytes = File.ReadAllBytes(Path.Combine(Directory.Exists(checkpoint) ? checkpoint : checkpoint + ".old", "network.bin"));
            File.WriteAllBytes(Path.Combine(checkpoint + ".tmp", "network.bin"), bytes[..(bytes.Length / 2)]);
        }
        switch (state)
        {
            case "tmp":
                HalfWrittenTmp();
                break;
            case "old":
                Directory.Move(checkpoint, checkpoint + ".old");
                HalfWrittenTmp();
                break;
            case "csv":
                string csv = Path.Combine(dirB, "train.csv");
                File.WriteAllLines(csv, File.ReadAllLines(csv)[..^1]);
                break;
        }
        using var b = new DeepTrainer(SmallMlp, Short).Fit(data, dirB, resume: true);
        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(a.CanonicalCorrelations, b.CanonicalCorrelations);
        Assert.Equal(CsvWithoutTiming(dirA), CsvWithoutTiming(dirB));
    }
}

public class DeepModelTests
{
    private static DeepMultiviewModel TrainSmall(PairedDataset data, DeepModelOptions? model = null, DeepTrainingOptions? training = null, string? dir = null) =>
        new DeepTrainer(model ?? new DeepModelOptions { EncoderHidden = [32], CommonDim = 2, IndividualDim = 2, DecoderHidden = 16 },
            training ?? new DeepTrainingOptions { Epochs = 3, BatchSize = 100, LearningRate = 1e-2, Seed = 1 }).Fit(data, dir);

    private static Tensor[] Inputs(PairedDataset d) =>
        d.Views.Select(v => tensor(v.Data, [v.Rows, v.Cols], dtype: float64)).ToArray();

    /// <summary>
    /// Oracle: the alignment's definition (docs/method.md §8) — on the training set every aligned variate
    /// has mean 0 and mean square 1 (divisor n), corr(c₁ᵢ, c₂ⱼ) = ρᵢ δᵢⱼ with ρ descending, and the individual
    /// variates are mutually uncorrelated. Tolerance 1e-6 (float32 networks, float64 alignment).
    /// </summary>
    [Fact]
    public void AlignedVariatesAreStandardizedAndCanonicalOnTheTrainingSet()
    {
        using var scope = NewDisposeScope();
        var data = LinearSynthetic.Create(800, 8, 6, 2, 2, seed: 9);
        using var model = TrainSmall(data);
        var train = data.Subset(Split.Train);
        var o = model.Transform(train.Views);
        long n = train.Count;
        var c1 = o.Common[0];
        var c2 = o.Common[1];
        Assert.True(c1.mean([0]).abs().max().item<double>() < 1e-6);
        var s11 = c1.t().matmul(c1) / n;
        Assert.True((s11 - eye(2, dtype: float64)).abs().max().item<double>() < 1e-6, "common variates must be white");
        var s12 = c1.t().matmul(c2) / n;
        var rho = tensor(model.CanonicalCorrelations.ToArray(), dtype: float64);
        Assert.True((s12 - diag(rho)).abs().max().item<double>() < 1e-6, "cross-covariance must be diag(ρ)");
        Assert.True(model.CanonicalCorrelations[0] >= model.CanonicalCorrelations[1]);
        var u1 = o.Individual[0];
        Assert.True((u1.t().matmul(u1) / n - eye(2, dtype: float64)).abs().max().item<double>() < 1e-6, "individual variates must be white");
        Assert.Equal([2, 2], model.IndividualDims);
        Assert.Equal([8, 6], model.InputDims);
    }

    /// <summary>
    /// Oracle: identity — a saved and reloaded model (directly and through <see cref="ModelStore"/>) gives the
    /// same variates bit for bit; config.json carries the kind and format version; another version is refused.
    /// Gradients flow from the variates back to a float32 input (the contract's autograd requirement).
    /// </summary>
    [Fact]
    public void SaveAndLoadRoundTripAndGradientsReachTheInput()
    {
        using var scope = NewDisposeScope();
        var data = LinearSynthetic.Create(500, 8, 6, 2, 2, seed: 2);
        using var model = TrainSmall(data);
        string dir = TestPaths.NewTempDir();
        model.Save(dir);
        var loaded = (DeepMultiviewModel)ModelStore.Load(dir);
        var x = Inputs(data);
        var a = model.Transform(data.Views);
        var b = loaded.Transform(data.Views);
        for (int m = 0; m < 2; m++)
        {
            Assert.Equal(0.0, (a.Common[m] - b.Common[m]).abs().max().item<double>());
            Assert.Equal(0.0, (a.Individual[m] - b.Individual[m]).abs().max().item<double>());
        }
        Assert.Equal("deep", loaded.Kind);

        var x1 = x[0].narrow(0, 0, 5).to(float32).requires_grad_(true);
        var output = loaded.Forward([x1, x[1].narrow(0, 0, 5)]);
        Assert.Equal(ScalarType.Float64, output.Common[0].dtype);
        output.Common[0].sum().backward();
        Assert.True(x1.grad is not null && x1.grad.abs().sum().item<float>() > 0);

        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"format_version\": 1", "\"format_version\": 99"));
        var ex = Assert.Throws<MucmmUserException>(() => DeepMultiviewModel.Load(dir));
        Assert.Contains("format_version 99", ex.Message);
    }

    /// <summary>
    /// Oracle: the closed-form linear MUCMM (<see cref="Mucmm.Linear.LinearMucmm"/>) on the same training rows.
    /// Deep MUCMM with identity encoders, linear heads and linear decoders on linear synthetic data must span
    /// the same subspaces of the training data as the linear model's common and individual variates: largest
    /// principal angle under 10° for each view and each part (issue 4), on two data sets (data seeds 4 and 5).
    /// (Angles between input weights are not used: weights of low-variance noise directions are barely
    /// determined by either fit.)
    /// </summary>
    /// <remarks>
    /// The default objective (plain gradient), with α = β = 0.1 and lr 3e-2 for 30 epochs of batch 400
    /// (240 Adam steps). In the linear setting every α, β &gt; 0 has the same population optimum — the
    /// individual variates can be exactly uncorrelated with the other view and with their own common part,
    /// and the reconstruction term then picks the top principal directions of the residual, which is the
    /// closed form (docs/method.md §4) — so the weights change only how fast training gets there. With
    /// α = β = 1 the steep penalty terms dominate the individual head's gradients (and Adam's per-weight step
    /// normalization), and the flat reconstruction term, the only one that picks the directions within the
    /// uncorrelated subspace, moves u slowly: up to 11° after the same 240 steps, 37° with batch 1,600
    /// (same steps), and 15° after 160 steps / 6° after 1,200 with the earlier settings (detached c, lr 1e-2);
    /// α = β = 0 leaves u free to mix with c (39–69°). Measured with these settings on data seeds 4–8 and initialization seeds 2 and 7:
    /// common ≤ 2.4°, individual ≤ 4.7° (docs/results.md).
    /// </remarks>
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void LinearHeadsRecoverTheClosedFormSubspaces(int dataSeed)
    {
        using var scope = NewDisposeScope();
        var data = LinearSynthetic.Create(4000, 10, 8, 2, 2, seed: dataSeed, noise: 0.5);
        var options = new DeepModelOptions { Encoder = EncoderKind.Identity, CommonDim = 2, IndividualDim = 2, DecoderHidden = 0 };
        var training = new DeepTrainingOptions
        {
            Epochs = 30, BatchSize = 400, LearningRate = 3e-2, Seed = 2, Patience = 0, WarmupEpochs = 3, Schedule = LearningRateSchedule.Constant,
            Objective = new MucmmObjectiveOptions(Alpha: 0.1, Beta: 0.1, Gamma: 1, CommonFromCorrelationOnly: false),
        };
        using var deep = new DeepTrainer(options, training).Fit(data);
        var train = data.Subset(Split.Train);
        var linear = Mucmm.Linear.LinearMucmm.Fit(train.Views, new Mucmm.Linear.LinearOptions { CommonDim = 2, IndividualDim = 2 });
        var x = train.Views.Select(v => tensor(v.Data, [v.Rows, v.Cols], dtype: float64)).ToArray();
        var zDeep = deep.Transform(train.Views);
        var zLinear = linear.Forward(x);
        for (int m = 0; m < 2; m++)
        {
            // Subspaces of the training data spanned by the common (and individual) variates.
            double common = Mucmm.Numerics.LinearAlgebra.PrincipalAngles(zDeep.Common[m], zLinear.Common[m]).Max() * 180 / Math.PI;
            double individual = Mucmm.Numerics.LinearAlgebra.PrincipalAngles(zDeep.Individual[m], zLinear.Individual[m]).Max() * 180 / Math.PI;
            string info = $"data seed {dataSeed}, view {m + 1}: largest principal angles common {common:F2}°, individual {individual:F2}°; " +
                $"deep ρ {string.Join(" ", deep.CanonicalCorrelations.Select(r => r.ToString("F3")))}, linear ρ {string.Join(" ", linear.CanonicalCorrelations.Take(4).Select(r => r.ToString("F3")))}";
            Console.WriteLine(info);
            Assert.True(common < 10, info);
            Assert.True(individual < 10, info);
        }
    }

    /// <summary>Oracle: docs/method.md §2 and the trainer's contract — impossible settings are clear user errors.</summary>
    [Fact]
    public void BadSettingsAreClearErrors()
    {
        var data = LinearSynthetic.Create(300, 6, 5, 2, 2, seed: 1);
        var model = new DeepModelOptions { EncoderHidden = [8], CommonDim = 4, IndividualDim = 4 };
        var ex = Assert.Throws<MucmmUserException>(() => new DeepTrainer(model, new DeepTrainingOptions { BatchSize = 8 }).Fit(data));
        Assert.Contains("DeepTrainingOptions.BatchSize 8 is too small", ex.Message);
        Assert.Throws<MucmmUserException>(() => new DeepTrainer(model, new DeepTrainingOptions { LearningRate = -1 }).Fit(data));
        Assert.Throws<MucmmUserException>(() => new DeepTrainer(model with { Encoder = EncoderKind.Cnn }, new DeepTrainingOptions { BatchSize = 50 }).Fit(data));
        ex = Assert.Throws<MucmmUserException>(() => new DeepTrainer(model, new DeepTrainingOptions { Device = "cuda" }).Fit(data));
        Assert.Contains("CUDA is not available", ex.Message);
        Assert.Throws<MucmmUserException>(() => new DeepTrainer(model, new DeepTrainingOptions(), null).Fit(data, null, resume: true));
    }

    /// <summary>
    /// Oracle: IEEE arithmetic — a value of 1e39 is finite in float64 (so the data checks pass) but overflows
    /// the float32 networks to ∞, making the loss NaN. Training must stop with a clear message naming the
    /// term, epoch and batch, never return a NaN model, and leave the last good checkpoint (written by a
    /// good first epoch) intact and resumable.
    /// </summary>
    [Fact]
    public void DivergenceStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint()
    {
        var data = LinearSynthetic.Create(400, 6, 5, 2, 2, seed: 8);
        var bad = new PairedDataset(data.Name,
            [new View("x1", ViewKind.Vector, [6], data.Views[0].Data.Select((v, i) => i < 6 * 400 && i % 97 == 0 ? 1e39 : v).ToArray()), data.Views[1]],
            data.Splits);
        var model = new DeepModelOptions { EncoderHidden = [16], CommonDim = 2, IndividualDim = 2, DecoderHidden = 8 };
        var ex = Assert.Throws<MucmmUserException>(() =>
            new DeepTrainer(model, new DeepTrainingOptions { Epochs = 3, BatchSize = 100 }).Fit(bad));
        Assert.Contains("diverged", ex.Message);
        Assert.Contains("NaN or infinite", ex.Message);
        Assert.Contains("epoch 1, batch 1", ex.Message);

        string dir = TestPaths.NewTempDir();
        using (new DeepTrainer(model, new DeepTrainingOptions { Epochs = 1, BatchSize = 100 }).Fit(data, dir)) { }
        string state = File.ReadAllText(Path.Combine(dir, "checkpoint", "state.json"));
        // A resume on other data is refused (the checkpoint records the data's fingerprint). To reach a divergence
        // after a good checkpoint, record the bad data's fingerprint in it, as if they had been the run's data from
        // the start and had overflowed only in epoch 2; then put the good data's back to resume normally.
        Assert.Contains("the data differ", Assert.Throws<MucmmUserException>(() =>
            new DeepTrainer(model, new DeepTrainingOptions { Epochs = 3, BatchSize = 100 }).Fit(bad, dir, resume: true)).Message);
        RecordCheckpointData(dir, bad);
        ex = Assert.Throws<MucmmUserException>(() =>
            new DeepTrainer(model, new DeepTrainingOptions { Epochs = 3, BatchSize = 100 }).Fit(bad, dir, resume: true));
        Assert.Contains("epoch 2", ex.Message);
        Assert.Contains("last good checkpoint is kept", ex.Message);
        Assert.Equal(state, File.ReadAllText(Path.Combine(dir, "checkpoint", "state.json")));
        RecordCheckpointData(dir, data);
        using var resumed = new DeepTrainer(model, new DeepTrainingOptions { Epochs = 2, BatchSize = 100 }).Fit(data, dir, resume: true);
        Assert.All(resumed.CanonicalCorrelations, r => Assert.True(double.IsFinite(r)));
    }

    /// <summary>Rewrites the data fingerprint a checkpoint records (its settings.json) as that of <paramref name="data"/>.</summary>
    private static void RecordCheckpointData(string dir, PairedDataset data)
    {
        string path = Path.Combine(dir, "checkpoint", "settings.json");
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        settings["data"] = SettingsJson.ToNode(DataFingerprint.Of(data));
        File.WriteAllText(path, settings.ToJsonString());
    }

    /// <summary>
    /// Oracle: TorchSharp's dispose-scope statistics — the number of live tensors after training one epoch
    /// equals that after training five (the per-batch scopes free every temporary); nothing grows per epoch.
    /// </summary>
    [Fact]
    public void NativeMemoryDoesNotGrowWithEpochs()
    {
        var data = LinearSynthetic.Create(600, 8, 6, 2, 2, seed: 6);
        var opts = new DeepModelOptions { EncoderHidden = [16], CommonDim = 2, IndividualDim = 2, DecoderHidden = 8 };
        long Live(int epochs)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (new DeepTrainer(opts, new DeepTrainingOptions { Epochs = epochs, BatchSize = 100, Patience = 0 }).Fit(data)) { }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }
        long one = Live(1);
        long five = Live(5);
        Assert.True(five <= one, $"live tensors after 1 epoch: {one}, after 5: {five}");
    }
}

using System.Diagnostics;
using System.Globalization;
using Mucmm.Data;
using Mucmm.Deep.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Trains a deep MUCMM or Deep CCA model on the training split of a paired dataset and aligns it
/// (docs/method.md): optional autoencoder pretraining of the encoders, mini-batch Adam on the model kind's
/// objective (<see cref="ObjectiveRegistry"/>), early stopping on the validation total correlation
/// (<see cref="EarlyStopping"/>), per-epoch metrics in <c>train.csv</c> (<see cref="TrainingLog"/>), an atomic
/// checkpoint after an epoch at most every <see cref="DeepTrainingOptions.CheckpointSeconds"/> and after the last
/// (<see cref="Checkpoint"/>) and exact resume, NaN/∞ detection.
/// </summary>
/// <remarks>
/// <para>Determinism: the seed fixes the initialization (<c>torch.manual_seed</c>) and the batch order of
/// every epoch (<see cref="BatchSchedule"/>), so the same seed gives the same model on CPU, and a run killed
/// after any epoch and resumed gives the same model as an uninterrupted one (the checkpoint holds the networks,
/// Adam's moments, the best state, the weight average and the metrics so far).</para>
/// <para>Batches: each epoch splits a fresh permutation of the training rows into ⌊n / batch⌋ batches of
/// nearly equal size (so no batch is smaller than the batch size), each processed in its own dispose scope.</para>
/// <para>With a frozen encoder (TorchScript, ONNX and ResNet18 by default, identity, or <c>TrainEncoder = false</c>), the trainer
/// freezes its parameters, features are computed once and the heads train on the cache; the reconstruction
/// target is then the feature h_m, otherwise the input x_m (docs/method.md, practical notes).</para>
/// </remarks>
public sealed class DeepTrainer : IMultiviewEstimator<DeepMultiviewModel>
{
    private readonly DeepModelOptions model;
    private readonly DeepTrainingOptions training;
    private readonly ITrainingObserver? observer;

    /// <summary>Stores the settings; nothing is validated or computed until <see cref="Fit(PairedDataset, string?, bool)"/>.</summary>
    public DeepTrainer(DeepModelOptions? model = null, DeepTrainingOptions? training = null, ITrainingObserver? observer = null)
    {
        this.model = model ?? new DeepModelOptions();
        this.training = training ?? new DeepTrainingOptions();
        this.observer = observer;
    }

    /// <summary>
    /// Trains on the <see cref="Split.Train"/> rows of <paramref name="data"/>, early-stopping on its
    /// <see cref="Split.Validation"/> rows, without files (see <see cref="Fit(PairedDataset, string?, bool)"/>).
    /// </summary>
    public DeepMultiviewModel Fit(PairedDataset data) => Fit(data, null);

    /// <summary>
    /// Trains on the <see cref="Split.Train"/> rows of <paramref name="data"/>, writing <c>train.csv</c> and the
    /// checkpoint to <paramref name="workDirectory"/> when given. With <paramref name="resume"/>, continues from the
    /// checkpoint found there. Early stopping (<see cref="DeepTrainingOptions.Patience"/> &gt; 0) scores every epoch
    /// on the <see cref="Split.Validation"/> rows, which must be more than the common dim; with patience 0 the
    /// validation rows are only logged (none is fine) and the last epoch's weights are kept.
    /// </summary>
    public DeepMultiviewModel Fit(PairedDataset data, string? workDirectory, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        model.Validate();
        training.Validate();
        if (resume && workDirectory is null) throw new MucmmUserException("DeepTrainer.Fit(resume) needs a work directory holding a checkpoint");
        var device = DeviceSelection.Parse(training.Device);
        int widest = model.Kind == DeepModelKind.Mucmm ? model.CommonDim + model.IndividualDim : model.CommonDim;
        if (training.BatchSize <= widest)
            throw new MucmmUserException($"DeepTrainingOptions.BatchSize {training.BatchSize} is too small: a batch needs more rows than the widest correlation measure ({widest} columns = common + individual dims)");

        // What the checkpoint records of this run (options and data), and on resume the check that they are unchanged.
        string? settings = workDirectory is null ? null : new ResumeSettings(model, training).Of(data).ToJsonString(SettingsJson.Options);
        if (resume && ResumeDifference(workDirectory!, data) is { } difference)
            throw new MucmmUserException(workDirectory,
                $"DeepTrainer.Fit(resume): {(difference.Setting == "data" ? "the data" : difference.Property)} {difference.Problem}; resume with the options and data of the interrupted run, or delete the folder to start again");

        // Rows of the splits, copied once into float32 tensors below (TensorPair), not into subsets of the data first.
        int[] train = data.RowsOf(Split.Train), validation = data.RowsOf(Split.Validation);
        if (training.Patience > 0 && validation.Length <= model.CommonDim)
            throw new MucmmUserException(
                $"{data.Name}: early stopping (Patience = {training.Patience}) scores each epoch on the validation split, which has {validation.Length} rows; it needs more than CommonDim = {model.CommonDim}. Give data with a validation split, or set Patience = 0 to keep the last epoch");
        if (train.Length < training.BatchSize)
            throw new MucmmUserException($"the training split has {train.Length} rows, fewer than DeepTrainingOptions.BatchSize {training.BatchSize}");
        foreach (var v in data.Views) v.EnsureFinite(train);
        var shapes = data.Views.Select(v => v.SampleShape.ToArray()).ToArray();
        var schedule = new BatchSchedule(training.Seed, training.BatchSize, training.AugmentShift,
            data.Views.Select(v => v.Kind == ViewKind.Image && training.AugmentShift > 0 ? v.SampleShape.ToArray() : null).ToArray());

        bool encoderTrains = model.AnyEncoderTrains(data.Views.Count);
        torch.manual_seed(training.Seed);
        // A decoder reconstructs the input when the encoder trains, else the encoder's features.
        var network = DeepMultiviewModel.BuildNetwork(model, shapes, (m, encoder) => encoderTrains ? data.Views[m].Cols : encoder.OutputDim);
        RequireMemory(network, data, train.Length);
        network.to(device);
        if (!encoderTrains)
            for (int m = 0; m < network.Count; m++) network[m].Encoder.parameters().ToList().ForEach(p => p.requires_grad = false);

        using var xTrain = new TensorPair(data, train, device);
        using var xVal = new TensorPair(data, validation, device);
        var run = new Run(network, xTrain, xVal, encoderTrains, schedule,
            workDirectory is null ? null : Checkpoint.In(workDirectory, settings), workDirectory, training.CheckpointSeconds);
        var state = resume ? run.Checkpoint!.Load(network) : null;
        if (resume && state is null)
            throw new MucmmUserException(workDirectory, "DeepTrainer.Fit(resume): no checkpoint found in this folder");
        if (state is not null) observer?.Message($"resuming after {state.Phase} epoch {state.Epoch}");

        run.Rows.AddRange(state?.Rows ?? []);
        if (training.PretrainEpochs > 0 && encoderTrains && model.Encoder is not (EncoderKind.TorchScript or EncoderKind.Onnx or EncoderKind.ResNet18)
            && (state is null || state.Phase == "pretrain"))
        {
            Pretrain(run, state);
            state = run.Checkpoint?.Load(network);
        }
        TrainMain(run, state?.Phase == "train" ? state : null);
        // Every epoch's row, also when a resumed run had no epoch left to train (killed after the last
        // checkpoint but before its train.csv row was written).
        run.WriteLog();

        // Post-hoc alignment on the training set (float64).
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var outputs = Enumerable.Range(0, network.Count).Select(m => Chunks.Map(xTrain.X[m], x => network[m].call(x))).ToArray();
        var alignment = Alignment.Fit(outputs.Select(o => o.Common).ToArray(), outputs.Select(o => o.Individual).ToArray());
        observer?.Message("aligned: training canonical correlations " + string.Join(" ", alignment.CanonicalCorrelations.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))));
        return new DeepMultiviewModel(model, shapes, network, alignment);
    }

    /// <summary>
    /// Whether <paramref name="workDirectory"/> holds a complete checkpoint that <see cref="Fit(PairedDataset, string?, bool)"/> can resume
    /// from (a run killed before its first epoch ended leaves none).
    /// </summary>
    public static bool HasCheckpoint(string workDirectory) => Checkpoint.In(workDirectory).Exists;

    /// <summary>
    /// How this trainer's options and <paramref name="data"/> differ from those recorded in the checkpoint in
    /// <paramref name="workDirectory"/>: the first differing setting, as a path into the option records
    /// (e.g. "training.learning_rate", "model.common_dim") or "data" (the data's <see cref="DataFingerprint"/>),
    /// and the difference in words; null when nothing differs or there is no checkpoint. The device and the checkpoint interval may differ,
    /// and so may the number of epochs under the constant learning-rate schedule (a resumed run may train longer:
    /// it equals an uninterrupted run with the new number); under the cosine schedule it shapes every epoch's rate.
    /// </summary>
    public SettingDifference? ResumeDifference(string workDirectory, PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(workDirectory);
        ArgumentNullException.ThrowIfNull(data);
        return new ResumeSettings(model, training).DifferenceFrom(Checkpoint.In(workDirectory), data);
    }

    private void Pretrain(Run run, CheckpointState? state)
    {
        var (network, xTrain) = (run.Network, run.Train);
        int mCount = network.Count;
        var decoders = Enumerable.Range(0, mCount)
            .Select(m => Layers.Mlp(network[m].Encoder.OutputDim, model.DecoderHidden > 0 ? [model.DecoderHidden] : [], (int)xTrain.X[m].shape[1]))
            .ToArray();
        foreach (var d in decoders) d.to(xTrain.X[0].device);
        var parameters = Enumerable.Range(0, mCount).SelectMany(m => network[m].Encoder.parameters().Concat(decoders[m].parameters())).ToArray();
        using var optimizer = optim.Adam(parameters, training.LearningRate);
        int start = state?.Epoch ?? 0;
        if (state is not null) run.Checkpoint!.LoadExtra(decoders, optimizer);
        int n = (int)xTrain.X[0].shape[0];
        observer?.PhaseStarted("pretrain", training.PretrainEpochs, run.Schedule.BatchesPerEpoch(n), start);
        for (int epoch = start; epoch < training.PretrainEpochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var sums = new TermMeans();
            int[][] batchRows = run.Schedule.BatchRows(n, epoch, BatchSchedule.PretrainSalt);
            for (int b = 0; b < batchRows.Length; b++)
            {
                using var scope = NewDisposeScope();
                var idx = tensor(batchRows[b], dtype: int64, device: xTrain.X[0].device);
                var losses = new Tensor[mCount];
                for (int m = 0; m < mCount; m++)
                {
                    var x = xTrain.X[m].index_select(0, idx);
                    losses[m] = DeepObjectives.RelativeReconstructionError(x, decoders[m].call(network[m].Encoder.call(x)));
                }
                var loss = losses[0];
                for (int m = 1; m < mCount; m++) loss = loss + losses[m];
                double value = loss.item<double>();
                if (!double.IsFinite(value)) throw Diverged("pretrain", epoch, b, "reconstruction", run.Checkpoint);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                var terms = losses.Select((l, m) => KeyValuePair.Create($"reconstruction{m + 1}", l.item<double>())).ToArray();
                sums.Add(terms);
                observer?.BatchFinished("pretrain", epoch + 1, b + 1, terms);
            }
            var metrics = new EpochMetrics("pretrain", epoch + 1, sums.Means(batchRows.Length), double.NaN, watch.Elapsed.TotalSeconds);
            run.Rows.Add(metrics);
            observer?.EpochFinished(metrics);
            run.Record(new CheckpointState("pretrain", epoch + 1, double.NegativeInfinity, 0, 0, run.Rows), null, optimizer, decoders, null,
                last: epoch + 1 == training.PretrainEpochs);
        }
        foreach (var d in decoders) d.Dispose();
    }

    private void TrainMain(Run run, CheckpointState? state)
    {
        var network = run.Network;
        var (featTrain, featVal) = (Features(run, run.Train), Features(run, run.Validation));
        // Feature noise (DeepTrainingOptions.FeatureNoise): per view, FeatureNoise × the RMS standard deviation of its training features.
        double[] noise = featTrain.Select(f =>
        {
            if (run.EncoderTrains || training.FeatureNoise == 0) return 0.0;
            using var scope = NewDisposeScope();
            return training.FeatureNoise * Math.Sqrt(f.reshape(f.shape[0], -1).to(float64).var(0).mean().item<double>());
        }).ToArray();
        var parameters = run.EncoderTrains
            ? network.parameters().ToArray()
            : Enumerable.Range(0, network.Count).SelectMany(m => network[m].HeadParameters()).ToArray();
        // Adam, or AdamW (decoupled weight decay, Loshchilov & Hutter 2019) when a weight decay is set.
        using OptimizerHelper optimizer = training.WeightDecay > 0
            ? optim.AdamW(parameters, training.LearningRate, weight_decay: training.WeightDecay)
            : optim.Adam(parameters, training.LearningRate);
        using var average = training.WeightAverage > 0 ? new WeightAverage(network, training.WeightAverage) : null;
        using var stopping = new EarlyStopping(training.Patience, training.WarmupEpochs);
        using var objective = ObjectiveRegistry.Create(model.Kind, training);
        if (state is not null) Restore(run, state, optimizer, average, stopping);

        int start = state?.Epoch ?? 0, n = (int)featTrain[0].shape[0];
        observer?.PhaseStarted("train", training.Epochs, run.Schedule.BatchesPerEpoch(n), start);
        for (int epoch = start; epoch < training.Epochs && !stopping.Stopped; epoch++)
        {
            network.train();
            if (!run.EncoderTrains) for (int m = 0; m < network.Count; m++) network[m].Encoder.eval();
            var watch = Stopwatch.StartNew();
            foreach (var group in optimizer.ParamGroups) group.LearningRate = training.LearningRateAt(epoch);
            var sums = new TermMeans();
            int[][] batchRows = run.Schedule.BatchRows(n, epoch, BatchSchedule.TrainSalt);
            for (int b = 0; b < batchRows.Length; b++)
            {
                var terms = TrainStep(run, objective, optimizer, average, featTrain, noise, batchRows[b], epoch, b);
                sums.Add(terms);
                observer?.BatchFinished("train", epoch + 1, b + 1, terms);
            }
            using (var check = NewDisposeScope())
                if (!network.parameters().All(p => p.isfinite().all().item<bool>()))
                    throw Diverged("train", epoch, batchRows.Length - 1, "weights", run.Checkpoint);

            // Validation, scoring and the best state see the averaged weights when averaging is on.
            EpochMetrics EndEpoch()
            {
                var metrics = new EpochMetrics("train", epoch + 1, sums.Means(batchRows.Length),
                    ValidationCorrelation(run, featVal), watch.Elapsed.TotalSeconds);
                stopping.Observe(epoch, metrics, network);
                return metrics;
            }
            var metrics = average is null ? EndEpoch() : average.WithAverage(network, EndEpoch);
            run.Rows.Add(metrics);
            observer?.EpochFinished(metrics);
            run.Record(new CheckpointState("train", epoch + 1, stopping.Best, stopping.BestEpoch, stopping.Wait, run.Rows),
                stopping.BestState, optimizer, [], average, last: epoch + 1 == training.Epochs || stopping.Stopped);
        }
        if (stopping.Stopped) observer?.Message($"early stop: validation total correlation has not improved for {training.Patience} epochs; keeping epoch {stopping.BestEpoch}");
        stopping.LoadFinal(network, average);
        if (!run.EncoderTrains)
            foreach (var t in featTrain.Concat(featVal)) t.Dispose();
    }

    /// <summary>Continues the main phase from a checkpoint: Adam's moments, early-stopping counters and best state, weight average.</summary>
    private static void Restore(Run run, CheckpointState state, OptimizerHelper optimizer, WeightAverage? average, EarlyStopping stopping)
    {
        var checkpoint = run.Checkpoint!;
        checkpoint.LoadExtra([], optimizer);
        stopping.Restore(state, checkpoint.LoadBest(run.Network));
        if (average is not null)
            average.Restore(checkpoint.LoadDictionary(run.Network, "average.bin")
                ?? throw new MucmmUserException(checkpoint.Directory, "DeepTrainer.Fit(resume): the checkpoint has no weight average; resume with the options of the interrupted run"));
    }

    /// <summary>One optimizer step on the rows <paramref name="rows"/>; returns the batch's term values and "loss".</summary>
    private KeyValuePair<string, double>[] TrainStep(Run run, IDeepObjective objective, OptimizerHelper optimizer, WeightAverage? average,
        Tensor[] features, double[] noise, int[] rows, int epoch, int batch)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(rows, dtype: int64, device: features[0].device);
        ObjectiveResult result;
        try
        {
            result = objective.Evaluate(Enumerable.Range(0, run.Network.Count).Select(m =>
            {
                var x = run.Schedule.Augment(features[m].index_select(0, idx), m, run.EncoderTrains, epoch, batch);
                return Batch(run.Network[m], run.Schedule.Noise(x, m, noise[m], epoch, batch), run.EncoderTrains, target: x);
            }).ToArray(), epoch);
        }
        catch (MucmmUserException) when (training.Objective.Ridge > 0)
        {
            // With a ridge, covariances of finite outputs are positive definite: a failed Cholesky means overflow.
            throw Diverged("train", epoch, batch, "correlation", run.Checkpoint);
        }
        double loss = result.Loss.item<double>();
        var terms = result.Terms.Select(t => KeyValuePair.Create(t.Name, t.Value.item<double>())).Append(KeyValuePair.Create("loss", loss)).ToArray();
        var bad = terms.FirstOrDefault(t => !double.IsFinite(t.Value));
        if (bad.Key is not null) throw Diverged("train", epoch, batch, bad.Key, run.Checkpoint);
        optimizer.zero_grad();
        result.Loss.backward();
        optimizer.step();
        average?.Update(run.Network);
        return terms;
    }

    /// <summary>
    /// The rows the heads train on: the inputs when the encoder trains, else its features, computed once — for the identity
    /// encoder (the rows are the features) an alias of the inputs, not a copy.
    /// </summary>
    private static Tensor[] Features(Run run, TensorPair x)
    {
        if (run.EncoderTrains) return x.X;
        using (no_grad())
            return Enumerable.Range(0, run.Network.Count).Select(m => run.Network[m].Encoder is FlattenEncoder && x.X[m].dim() == 2
                ? x.X[m].alias() : Chunks.Map(x.X[m], v => run.Network[m].Encoder.call(v))).ToArray();
    }

    /// <summary>The view's outputs on <paramref name="input"/>; the decoder reconstructs <paramref name="target"/> (default: the input).</summary>
    private ViewBatch Batch(ViewNetwork net, Tensor input, bool encoderTrains, Tensor? target = null)
    {
        var h = encoderTrains ? net.Encoder.call(input) : input;
        var (c, u) = net.Heads(h);
        if (!net.HasDecoder || training.Objective.Gamma == 0) return new ViewBatch(c, u);
        var decoded = net.Decode(training.Objective.CommonFromCorrelationOnly ? c.detach() : c, u);
        return new ViewBatch(c, u, target ?? input, decoded);
    }

    private double ValidationCorrelation(Run run, Tensor[] featVal)
    {
        long n = featVal[0].shape[0];
        if (n <= model.CommonDim) return double.NaN;
        var network = run.Network;
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var c = Enumerable.Range(0, network.Count).Select(m => Chunks.Map(featVal[m], x => network[m].Heads(run.EncoderTrains ? network[m].Encoder.call(x) : x).Common)).ToArray();
        // Total correlation Σ_{a<b} R1(c_a, c_b) over the pairs of views (one pair for two views).
        double v = 0;
        for (int a = 0; a < c.Length; a++)
            for (int b = a + 1; b < c.Length; b++)
                v += Correlation.R1(c[a], c[b], training.Objective.Ridge).item<double>();
        return v;
    }

    private MucmmUserException Diverged(string phase, int epoch, int batch, string term, Checkpoint? checkpoint)
    {
        // Only a checkpoint that exists is named (a run diverging in its first epoch has none).
        string kept = checkpoint is { Exists: true } ? $"; the last good checkpoint is kept in {checkpoint.Directory}" : "";
        return new MucmmUserException(
            $"training diverged: the {term} term became NaN or infinite in {phase} epoch {epoch + 1}, batch {batch + 1}{kept}; lower DeepTrainingOptions.LearningRate (now {training.LearningRate.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <summary>
    /// Refuses a fit whose rough peak memory exceeds what the machine has (<see cref="MemoryBudget"/>):
    /// float32 copies of all rows (plus the float64 staging copy of the widest view), the parameters five
    /// times (weights, gradients, two Adam moments, moving average), and activations of one evaluation
    /// chunk of up to 2,048 rows (about 16 bytes per input value and 4 kB of features per row and view).
    /// </summary>
    private void RequireMemory(MultiviewNetwork network, PairedDataset data, int trainRows)
    {
        double rows = data.Count;
        double inputs = data.Views.Sum(v => (double)v.Cols);
        double parameters = network.parameters().Sum(p => (double)p.numel());
        double chunk = Math.Min(2048, Math.Max(trainRows, training.BatchSize));
        double bytes = 4 * rows * inputs + 8 * rows * data.Views.Max(v => (double)v.Cols)
            + 4 * 5 * parameters + chunk * data.Views.Sum(v => 16.0 * v.Cols + 4096);
        MemoryBudget.Require(bytes, "the deep fit",
            $"{data.Count} rows of {string.Join(" + ", data.Views.Select(v => v.Cols))} values as float32, {parameters:0} parameters, batches",
            "use fewer rows or columns, a smaller network, or a machine with more memory");
    }

    /// <summary>One fit in progress: the network, its data, batch schedule, and where its epochs are recorded.</summary>
    private sealed class Run(MultiviewNetwork network, TensorPair train, TensorPair validation, bool encoderTrains,
        BatchSchedule schedule, Checkpoint? checkpoint, string? workDirectory, double checkpointSeconds)
    {
        private readonly Stopwatch sinceCheckpoint = Stopwatch.StartNew();

        public MultiviewNetwork Network { get; } = network;
        public TensorPair Train { get; } = train;
        public TensorPair Validation { get; } = validation;
        public bool EncoderTrains { get; } = encoderTrains;
        public BatchSchedule Schedule { get; } = schedule;
        public Checkpoint? Checkpoint { get; } = checkpoint;

        /// <summary>Metrics of every epoch so far (both phases).</summary>
        public List<EpochMetrics> Rows { get; } = [];

        /// <summary>
        /// After an epoch: the checkpoint, then train.csv (nothing without a work folder) — after the <paramref name="last"/>
        /// epoch of a phase, else only when <see cref="DeepTrainingOptions.CheckpointSeconds"/> have passed since the last write.
        /// </summary>
        public void Record(CheckpointState state, Dictionary<string, Tensor>? best, OptimizerHelper optimizer, IReadOnlyList<nn.Module> extra,
            WeightAverage? average, bool last)
        {
            if (Checkpoint is null || (!last && sinceCheckpoint.Elapsed.TotalSeconds < checkpointSeconds)) return;
            Checkpoint.Save(Network, state, best, optimizer, extra, average?.State);
            WriteLog();
            sinceCheckpoint.Restart();
        }

        /// <summary>Writes train.csv into the work folder, when there is one.</summary>
        public void WriteLog()
        {
            if (workDirectory is not null) TrainingLog.Write(Path.Combine(workDirectory, TrainingLog.FileName), Rows);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mucmm.Data;
using Mucmm.Deep.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Trains a deep MUCMM or Deep CCA model on the training split of a paired dataset and aligns it
/// (METHOD.md section 2): optional autoencoder pretraining of the encoders, mini-batch Adam on the
/// four-term (or Deep CCA) objective, early stopping on the validation total correlation, per-epoch
/// metrics in <c>train.csv</c>, an atomic checkpoint after every epoch and exact resume, NaN/∞ detection.
/// </summary>
/// <remarks>
/// <para>Determinism: the seed fixes the initialization (<c>torch.manual_seed</c>) and the batch order of
/// every epoch (a permutation seeded by seed and epoch), so the same seed gives the same model on CPU, and
/// a run killed after any epoch and resumed gives the same model as an uninterrupted one (the checkpoint
/// holds the networks, Adam's moments, the best state and the metrics so far).</para>
/// <para>Batches: each epoch splits a fresh permutation of the training rows into ⌊n / batch⌋ batches of
/// nearly equal size (so no batch is smaller than the batch size), each processed in its own dispose scope.</para>
/// <para>With a frozen encoder (TorchScript, ONNX and ResNet18 by default, identity, or <c>TrainEncoder = false</c>), features are
/// computed once and the heads train on the cache; the reconstruction target is then the feature h_m,
/// otherwise the input x_m (METHOD.md, practical notes).</para>
/// </remarks>
public sealed class DeepTrainer
{
    private const string CheckpointName = "checkpoint";
    private readonly DeepModelOptions model;
    private readonly DeepTrainingOptions training;
    private readonly ITrainingObserver? observer;

    /// <summary>Stores the settings; nothing is validated or computed until <see cref="Fit"/>.</summary>
    public DeepTrainer(DeepModelOptions? model = null, DeepTrainingOptions? training = null, ITrainingObserver? observer = null)
    {
        this.model = model ?? new DeepModelOptions();
        this.training = training ?? new DeepTrainingOptions();
        this.observer = observer;
    }

    /// <summary>
    /// Trains on the <see cref="Split.Train"/> rows of <paramref name="data"/> (validation rows for early stopping),
    /// writing <c>train.csv</c> and the checkpoint to <paramref name="workDirectory"/> when given.
    /// With <paramref name="resume"/>, continues from the checkpoint found there.
    /// </summary>
    public DeepMultiviewModel Fit(PairedDataset data, string? workDirectory = null, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        model.Validate();
        training.Validate();
        if (data.Views.Count != 2) throw new MucmmUserException($"deep models take exactly 2 views, dataset '{data.Name}' has {data.Views.Count}");
        if (resume && workDirectory is null) throw new MucmmUserException("--resume needs an output folder holding a checkpoint");
        var device = DeviceSelection.Parse(training.Device);
        int widest = model.Kind == DeepModelKind.Mucmm ? model.CommonDim + model.IndividualDim : model.CommonDim;
        if (training.BatchSize <= widest)
            throw new MucmmUserException($"--batch-size {training.BatchSize} is too small: a batch needs more rows than the widest correlation measure ({widest} columns = common + individual dims)");

        // What the checkpoint records of this run (options and data), and on resume the check that they are unchanged.
        string? settings = workDirectory is null ? null : Settings(data).ToJsonString(SettingsJson.Options);
        if (resume && ResumeDifference(workDirectory!, data) is { } difference)
            throw new MucmmUserException(workDirectory,
                $"--resume: {(difference.Setting == "data" ? "the data" : difference.Setting)} {difference.Problem}; resume with the options and data of the interrupted run, or delete the folder to start again");

        var train = data.Subset(Split.Train);
        var validation = data.Subset(Split.Validation);
        if (train.Count < training.BatchSize)
            throw new MucmmUserException($"the training split has {train.Count} rows, fewer than --batch-size {training.BatchSize}");
        train.EnsureFinite();
        var shapes = data.Views.Select(v => v.SampleShape.ToArray()).ToArray();
        shiftShapes = data.Views.Select(v => v.Kind == ViewKind.Image && training.AugmentShift > 0 ? v.SampleShape.ToArray() : null).ToArray();

        torch.manual_seed(training.Seed);
        bool encoderTrains = model.EncoderTrains && model.Encoder != EncoderKind.Identity;
        int[] targets = shapes.Select((s, m) => 0).ToArray();
        using var probeNet = DeepMultiviewModel.BuildNetwork(model with { Kind = DeepModelKind.DeepCca }, shapes, targets);
        for (int m = 0; m < 2; m++)
            targets[m] = model.Kind == DeepModelKind.DeepCca ? 0 : encoderTrains ? data.Views[m].Cols : probeNet[m].Encoder.OutputDim;
        torch.manual_seed(training.Seed);
        var network = DeepMultiviewModel.BuildNetwork(model, shapes, targets);
        RequireMemory(network, data, train.Count);
        network.to(device);
        if (!encoderTrains)
            for (int m = 0; m < 2; m++) network[m].Encoder.parameters().ToList().ForEach(p => p.requires_grad = false);

        using var xTrain = new TensorPair(train, device);
        using var xVal = new TensorPair(validation, device);
        var checkpoint = workDirectory is null ? null : new Checkpoint(Path.Combine(workDirectory, CheckpointName)) { Settings = settings };
        var state = resume ? checkpoint!.Load(network) : null;
        if (resume && state is null)
            throw new MucmmUserException(workDirectory, "--resume: no checkpoint found in this folder");
        if (state is not null) observer?.Message($"resuming after {state.Phase} epoch {state.Epoch}");

        var rows = state?.Rows ?? [];
        if (training.PretrainEpochs > 0 && encoderTrains && model.Encoder is not (EncoderKind.TorchScript or EncoderKind.Onnx or EncoderKind.ResNet18)
            && (state is null || state.Phase == "pretrain"))
        {
            Pretrain(network, xTrain, xVal, state, checkpoint, rows, workDirectory);
            state = checkpoint?.Load(network);
        }
        TrainMain(network, xTrain, xVal, encoderTrains, state?.Phase == "train" ? state : null, checkpoint, rows, workDirectory);
        // Every epoch's row, also when a resumed run had no epoch left to train (killed after the last
        // checkpoint but before its train.csv row was written).
        if (workDirectory is not null) TrainCsv.Write(Path.Combine(workDirectory, "train.csv"), rows);

        // Post-hoc alignment on the training set (float64).
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var outputs = Enumerable.Range(0, 2).Select(m => Chunked(xTrain.X[m], x => network[m].call(x))).ToArray();
        var alignment = Alignment.Fit(outputs.Select(o => o.Common).ToArray(), outputs.Select(o => o.Individual).ToArray());
        observer?.Message("aligned: training canonical correlations " + string.Join(" ", alignment.CanonicalCorrelations.Select(r => r.ToString("F3", CultureInfo.InvariantCulture))));
        return new DeepMultiviewModel(model, shapes, network, alignment);
    }

    /// <summary>
    /// Whether <paramref name="workDirectory"/> holds a complete checkpoint that <see cref="Fit"/> can resume
    /// from (a run killed before its first epoch ended leaves none).
    /// </summary>
    public static bool HasCheckpoint(string workDirectory) =>
        new Checkpoint(Path.Combine(workDirectory, CheckpointName)).Exists;

    /// <summary>
    /// How this trainer's options and <paramref name="data"/> differ from those recorded in the checkpoint in
    /// <paramref name="workDirectory"/>: the first differing setting, as a path into the option records
    /// (e.g. "training.learning_rate", "model.common_dim") or "data" (the data's <see cref="DataFingerprint"/>),
    /// and the difference in words; null when nothing differs or there is no checkpoint. The device may differ,
    /// and so may the number of epochs under the constant learning-rate schedule (a resumed run may train longer:
    /// it equals an uninterrupted run with the new number); under the cosine schedule it shapes every epoch's rate.
    /// </summary>
    public SettingDifference? ResumeDifference(string workDirectory, PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(workDirectory);
        ArgumentNullException.ThrowIfNull(data);
        var checkpoint = new Checkpoint(Path.Combine(workDirectory, CheckpointName));
        if (!checkpoint.Exists) return null;
        var recorded = checkpoint.ReadSettings();
        if (recorded is null) return new SettingDifference("checkpoint", "records no options (written by an older mucmm)");
        var current = Settings(data);
        var ignore = new HashSet<string> { "training.device" };
        if (training.Schedule == LearningRateSchedule.Constant) ignore.Add("training.epochs");
        foreach (string part in new[] { "model", "training" })
            if (SettingsJson.FirstDifference(recorded[part], current[part], part, ignore) is { } d)
                return new SettingDifference(d.Path, $"is {d.Current} now but was {d.Recorded} in the interrupted run");
        var fitted = recorded["data"]?.Deserialize<DataFingerprint>(SettingsJson.Options);
        if (fitted?.DifferenceFrom(current["data"].Deserialize<DataFingerprint>(SettingsJson.Options)!) is { } difference)
            return new SettingDifference("data", "differ from the interrupted run's: " + difference.Replace("the model was fitted on", "the interrupted run used", StringComparison.Ordinal).Replace("those the model was fitted on", "the interrupted run's", StringComparison.Ordinal));
        return null;
    }

    private System.Text.Json.Nodes.JsonObject Settings(PairedDataset data) => new()
    {
        ["model"] = SettingsJson.ToNode(model),
        ["training"] = SettingsJson.ToNode(training),
        ["data"] = SettingsJson.ToNode(DataFingerprint.Of(data)),
    };

    private void Pretrain(MultiviewNetwork network, TensorPair xTrain, TensorPair xVal, CheckpointState? state,
        Checkpoint? checkpoint, List<EpochMetrics> rows, string? workDirectory)
    {
        var decoders = Enumerable.Range(0, 2)
            .Select(m => Layers.Mlp(network[m].Encoder.OutputDim, model.DecoderHidden > 0 ? [model.DecoderHidden] : [], (int)xTrain.X[m].shape[1]))
            .ToArray();
        foreach (var d in decoders) d.to(xTrain.X[0].device);
        var parameters = Enumerable.Range(0, 2).SelectMany(m => network[m].Encoder.parameters().Concat(decoders[m].parameters())).ToArray();
        using var optimizer = optim.Adam(parameters, training.LearningRate);
        int start = state?.Epoch ?? 0;
        if (state is not null)
        {
            checkpoint!.LoadExtra(decoders, optimizer);
        }
        int n = (int)xTrain.X[0].shape[0];
        int batches = Math.Max(1, n / training.BatchSize);
        observer?.PhaseStarted("pretrain", training.PretrainEpochs, batches, start);
        for (int epoch = start; epoch < training.PretrainEpochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var sums = new double[2];
            int[][] batchRows = BatchRows(n, epoch, salt: 17);
            for (int b = 0; b < batchRows.Length; b++)
            {
                using var scope = NewDisposeScope();
                var idx = tensor(batchRows[b], dtype: int64, device: xTrain.X[0].device);
                var losses = new Tensor[2];
                for (int m = 0; m < 2; m++)
                {
                    var x = xTrain.X[m].index_select(0, idx);
                    losses[m] = DeepObjectives.RelativeReconstructionError(x, decoders[m].call(network[m].Encoder.call(x)));
                }
                var loss = losses[0] + losses[1];
                double value = loss.item<double>();
                if (!double.IsFinite(value)) throw Diverged("pretrain", epoch, b, "reconstruction", checkpoint);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                var terms = new[] { KeyValuePair.Create("reconstruction1", losses[0].item<double>()), KeyValuePair.Create("reconstruction2", losses[1].item<double>()) };
                sums[0] += terms[0].Value;
                sums[1] += terms[1].Value;
                observer?.BatchFinished("pretrain", epoch + 1, b + 1, terms);
            }
            var metrics = new EpochMetrics("pretrain", epoch + 1,
                [KeyValuePair.Create("reconstruction1", sums[0] / batchRows.Length), KeyValuePair.Create("reconstruction2", sums[1] / batchRows.Length)],
                double.NaN, watch.Elapsed.TotalSeconds);
            rows.Add(metrics);
            observer?.EpochFinished(metrics);
            if (checkpoint is not null)
            {
                checkpoint.Save(network, new CheckpointState("pretrain", epoch + 1, double.NegativeInfinity, 0, 0, rows), null, optimizer, decoders);
                TrainCsv.Write(Path.Combine(workDirectory!, "train.csv"), rows);
            }
        }
        foreach (var d in decoders) d.Dispose();
    }

    private void TrainMain(MultiviewNetwork network, TensorPair xTrain, TensorPair xVal, bool encoderTrains,
        CheckpointState? state, Checkpoint? checkpoint, List<EpochMetrics> rows, string? workDirectory)
    {
        // Features: cached when the encoder is frozen.
        Tensor[] featTrain, featVal;
        using (no_grad())
        {
            featTrain = encoderTrains ? xTrain.X : Enumerable.Range(0, 2).Select(m => Chunked(xTrain.X[m], x => network[m].Encoder.call(x))).ToArray();
            featVal = encoderTrains ? xVal.X : Enumerable.Range(0, 2).Select(m => Chunked(xVal.X[m], x => network[m].Encoder.call(x))).ToArray();
        }
        var parameters = encoderTrains
            ? network.parameters().ToArray()
            : Enumerable.Range(0, 2).SelectMany(m => network[m].HeadParameters()).ToArray();
        // Adam, or AdamW (decoupled weight decay, Loshchilov & Hutter 2019) when a weight decay is set.
        using OptimizerHelper optimizer = training.WeightDecay > 0
            ? optim.AdamW(parameters, training.LearningRate, weight_decay: training.WeightDecay)
            : optim.Adam(parameters, training.LearningRate);

        int start = 0;
        double best = double.NegativeInfinity;
        int bestEpoch = 0, wait = 0;
        Dictionary<string, Tensor>? bestState = null;
        // Exponential moving average of the weights (Polyak averaging), updated after every step; when on,
        // validation, the best state and the final model use the averaged weights.
        Dictionary<string, Tensor>? average = training.WeightAverage > 0 ? Snapshot(network) : null;
        if (state is not null)
        {
            checkpoint!.LoadExtra([], optimizer);
            start = state.Epoch;
            best = state.Best;
            bestEpoch = state.BestEpoch;
            wait = state.Wait;
            bestState = checkpoint.LoadBest(network);
            if (average is not null)
            {
                DisposeState(average);
                average = checkpoint.LoadDictionary(network, "average.bin")
                    ?? throw new MucmmUserException(checkpoint.Directory, "--resume: the checkpoint has no weight average; resume with the options of the interrupted run");
            }
        }

        int n = (int)featTrain[0].shape[0];
        int batches = Math.Max(1, n / training.BatchSize);
        observer?.PhaseStarted("train", training.Epochs, batches, start);
        bool stopped = Patience > 0 && wait >= Patience;
        for (int epoch = start; epoch < training.Epochs && !stopped; epoch++)
        {
            network.train();
            if (!encoderTrains) for (int m = 0; m < 2; m++) network[m].Encoder.eval();
            var watch = Stopwatch.StartNew();
            var objective = ObjectiveFor(epoch);
            double lr = training.LearningRateAt(epoch);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            double[]? sums = null;
            string[]? names = null;
            int[][] batchRows = BatchRows(n, epoch, salt: 0);
            for (int b = 0; b < batchRows.Length; b++)
            {
                using var scope = NewDisposeScope();
                var idx = tensor(batchRows[b], dtype: int64, device: featTrain[0].device);
                ObjectiveResult result;
                try
                {
                    result = objective(Enumerable.Range(0, 2).Select(m =>
                        Batch(network[m], Augment(featTrain[m].index_select(0, idx), m, encoderTrains, epoch, b), encoderTrains)).ToArray());
                }
                catch (MucmmUserException) when (training.Objective.Ridge > 0)
                {
                    // With a ridge, covariances of finite outputs are positive definite: a failed Cholesky means overflow.
                    throw Diverged("train", epoch, b, "correlation", checkpoint);
                }
                double loss = result.Loss.item<double>();
                var terms = result.Terms.Select(t => KeyValuePair.Create(t.Name, t.Value.item<double>())).Append(KeyValuePair.Create("loss", loss)).ToArray();
                var bad = terms.FirstOrDefault(t => !double.IsFinite(t.Value));
                if (bad.Key is not null) throw Diverged("train", epoch, b, bad.Key, checkpoint);
                optimizer.zero_grad();
                result.Loss.backward();
                optimizer.step();
                if (average is not null) UpdateAverage(average, network, training.WeightAverage);
                names ??= terms.Select(t => t.Key).ToArray();
                sums ??= new double[terms.Length];
                for (int i = 0; i < terms.Length; i++) sums[i] += terms[i].Value;
                observer?.BatchFinished("train", epoch + 1, b + 1, terms);
            }
            using (var check = NewDisposeScope())
                if (!network.parameters().All(p => p.isfinite().all().item<bool>()))
                    throw Diverged("train", epoch, batchRows.Length - 1, "weights", checkpoint);

            var current = average is null ? null : Snapshot(network);
            if (average is not null) network.load_state_dict(average);
            double val = ValidationCorrelation(network, featVal, encoderTrains);
            var metrics = new EpochMetrics("train", epoch + 1,
                names!.Select((name, i) => KeyValuePair.Create(name, sums![i] / batchRows.Length)).ToArray(), val, watch.Elapsed.TotalSeconds);
            rows.Add(metrics);
            double score = double.IsNaN(val) ? -metrics.Terms.Last().Value : val;
            // Warm-up epochs (α = β = 0) train the common part alone: their validation correlation is
            // not comparable with the full objective's, so they neither set the best state nor count
            // towards patience (otherwise a short run keeps a warm-up model with no individual part).
            bool warming = epoch < training.WarmupEpochs;
            if (!warming && score > best + 1e-9)
            {
                best = score;
                bestEpoch = epoch + 1;
                wait = 0;
                DisposeState(bestState);
                bestState = Snapshot(network);
            }
            else if (!warming)
            {
                wait++;
            }
            if (current is not null)
            {
                network.load_state_dict(current);
                DisposeState(current);
            }
            observer?.EpochFinished(metrics);
            stopped = Patience > 0 && wait >= Patience;
            if (checkpoint is not null)
            {
                checkpoint.Save(network, new CheckpointState("train", epoch + 1, best, bestEpoch, wait, rows), bestState, optimizer, [], average);
                TrainCsv.Write(Path.Combine(workDirectory!, "train.csv"), rows);
            }
        }
        if (stopped) observer?.Message($"early stop: validation total correlation has not improved for {Patience} epochs; keeping epoch {bestEpoch}");
        // With early stopping, keep the best epoch; without it (patience 0), the last one.
        if (bestState is not null && Patience > 0) network.load_state_dict(bestState);
        else if (average is not null) network.load_state_dict(average);
        DisposeState(bestState);
        DisposeState(average);
        if (!encoderTrains)
        {
            foreach (var t in featTrain.Concat(featVal)) t.Dispose();
        }
    }

    private int Patience => training.Patience;

    // Per view: the sample shape [H, W] of image views that are shifted while training, null otherwise.
    private int[]?[] shiftShapes = [];

    /// <summary>
    /// Random-translation augmentation of image views (DeepTrainingOptions.AugmentShift), offsets drawn from
    /// a generator seeded by (seed, epoch, batch, view) so runs and resumed runs are reproducible. The
    /// decoder then reconstructs the shifted image the encoder saw. Other views, frozen encoders and
    /// evaluation are untouched.
    /// </summary>
    private Tensor Augment(Tensor x, int view, bool encoderTrains, int epoch, int batch)
    {
        var shape = shiftShapes.Length > view ? shiftShapes[view] : null;
        if (shape is null || !encoderTrains) return x;
        var random = new Random(StreamSeed(epoch, unchecked(batch * 31 + view * 17 + 5)));
        return ImageShift.ApplyRandom(x, shape[0], shape[1], training.AugmentShift, random);
    }

    private Func<IReadOnlyList<ViewBatch>, ObjectiveResult> ObjectiveFor(int epoch)
    {
        var o = training.Objective;
        if (model.Kind == DeepModelKind.DeepCca) return v => DeepObjectives.DeepCca(v, o.Measure, o.Ridge);
        var opts = epoch < training.WarmupEpochs ? o with { Alpha = 0, Beta = 0 } : o;
        return v => DeepObjectives.Mucmm(v, opts);
    }

    private ViewBatch Batch(ViewNetwork net, Tensor input, bool encoderTrains)
    {
        var h = encoderTrains ? net.Encoder.call(input) : input;
        var (c, u) = net.Heads(h);
        if (!net.HasDecoder || training.Objective.Gamma == 0) return new ViewBatch(c, u);
        var decoded = net.Decode(training.Objective.CommonFromCorrelationOnly ? c.detach() : c, u);
        return new ViewBatch(c, u, input, decoded);
    }

    private double ValidationCorrelation(MultiviewNetwork network, Tensor[] featVal, bool encoderTrains)
    {
        long n = featVal[0].shape[0];
        if (n <= model.CommonDim) return double.NaN;
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var c = Enumerable.Range(0, 2).Select(m => Chunked(featVal[m], x => network[m].Heads(encoderTrains ? network[m].Encoder.call(x) : x).Common)).ToArray();
        double v = Correlation.R1(c[0], c[1], training.Objective.Ridge).item<double>();
        return v;
    }

    /// <summary>The seed of one random stream of an epoch (batch order, augmentation offsets), from (seed, epoch, salt).</summary>
    private int StreamSeed(int epoch, int salt) => unchecked(training.Seed * 1_000_003 + epoch * 7_919 + salt);

    /// <summary>Rows of each batch of an epoch: a permutation seeded by (seed, epoch) split into ⌊n/B⌋ nearly equal parts.</summary>
    private int[][] BatchRows(int n, int epoch, int salt)
    {
        int[] perm = PairedDataset.Permutation(n, StreamSeed(epoch, salt));
        int batches = Math.Max(1, n / training.BatchSize);
        var result = new int[batches][];
        for (int b = 0; b < batches; b++)
        {
            int s = (int)((long)n * b / batches), e = (int)((long)n * (b + 1) / batches);
            result[b] = perm[s..e];
        }
        return result;
    }

    private MucmmUserException Diverged(string phase, int epoch, int batch, string term, Checkpoint? checkpoint)
    {
        // Only a checkpoint that exists is named (a run diverging in its first epoch has none).
        string kept = checkpoint is { Exists: true } ? $"; the last good checkpoint is kept in {checkpoint.Directory}" : "";
        return new MucmmUserException(
            $"training diverged: the {term} term became NaN or infinite in {phase} epoch {epoch + 1}, batch {batch + 1}{kept}; lower --lr (now {training.LearningRate.ToString(CultureInfo.InvariantCulture)})");
    }

    private static void UpdateAverage(Dictionary<string, Tensor> average, nn.Module network, double decay)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (k, v) in network.state_dict())
        {
            var a = average[k];
            if (a.is_floating_point()) a.mul_(decay).add_(v, alpha: 1 - decay);
            else a.copy_(v);
        }
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module network)
    {
        var d = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (k, v) in network.state_dict())
                d[k] = v.detach().clone().DetachFromDisposeScope();
        return d;
    }

    private static void DisposeState(Dictionary<string, Tensor>? s)
    {
        if (s is null) return;
        foreach (var t in s.Values) t.Dispose();
    }

    /// <summary>Applies <paramref name="f"/> to row chunks of <paramref name="x"/> and concatenates (caller's scope).</summary>
    internal static Tensor Chunked(Tensor x, Func<Tensor, Tensor> f, int chunk = 2048)
    {
        var parts = new List<Tensor>();
        for (long s = 0; s < x.shape[0]; s += chunk)
            parts.Add(f(x.narrow(0, s, Math.Min(chunk, x.shape[0] - s))));
        return cat(parts, 0);
    }

    /// <summary>Both outputs in chunks.</summary>
    internal static ViewOutputs Chunked(Tensor x, Func<Tensor, ViewOutputs> f, int chunk = 2048)
    {
        var parts = new List<ViewOutputs>();
        for (long s = 0; s < x.shape[0]; s += chunk)
            parts.Add(f(x.narrow(0, s, Math.Min(chunk, x.shape[0] - s))));
        return new ViewOutputs(cat(parts.Select(p => p.Features).ToArray(), 0), cat(parts.Select(p => p.Common).ToArray(), 0), cat(parts.Select(p => p.Individual).ToArray(), 0));
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

    /// <summary>The two views of a dataset as float32 tensors on a device.</summary>
    private sealed class TensorPair : IDisposable
    {
        public TensorPair(PairedDataset data, Device device)
        {
            X = data.Views.Select(v =>
            {
                using var scope = NewDisposeScope();
                return tensor(v.Data, [v.Rows, v.Cols], dtype: float64).to(float32).to(device).DetachFromDisposeScope();
            }).ToArray();
        }

        public Tensor[] X { get; }

        public void Dispose()
        {
            foreach (var t in X) t.Dispose();
        }
    }
}

/// <summary>A setting of a resumed run that differs from the interrupted run's (<see cref="DeepTrainer.ResumeDifference"/>).</summary>
/// <param name="Setting">Path into the option records (e.g. "training.learning_rate"), or "data".</param>
/// <param name="Problem">The difference in words.</param>
public sealed record SettingDifference(string Setting, string Problem);

/// <summary>
/// An exclusive lock on a deep fit's work folder (checkpoint and train.csv): a file <c>lock</c> in the folder,
/// opened with <see cref="FileShare.None"/> for as long as the fit runs. A second fit into the same folder
/// fails at once with a <see cref="MucmmUserException"/>. The operating system drops the lock when the process
/// ends, however it ends, so a killed run never blocks the next one.
/// </summary>
public sealed class WorkFolderLock : IDisposable
{
    /// <summary>Name of the lock file.</summary>
    public const string FileName = "lock";

    private readonly FileStream stream;

    private WorkFolderLock(string directory, FileStream stream)
    {
        Directory = directory;
        this.stream = stream;
    }

    /// <summary>The locked folder.</summary>
    public string Directory { get; }

    /// <summary>Creates <paramref name="directory"/> when needed and locks it; throws <see cref="MucmmUserException"/> when another process holds the lock.</summary>
    public static WorkFolderLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            var stream = new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new WorkFolderLock(directory, stream);
        }
        catch (IOException)
        {
            throw new MucmmUserException(directory, "another fit is running into the same output folder (its checkpoint folder is locked); wait for it to finish or write elsewhere");
        }
    }

    /// <summary>Deletes the folder's content, releases the lock and removes the folder (the end of a successful fit).</summary>
    public void DeleteFolderAndRelease()
    {
        var self = new DirectoryInfo(Directory);
        foreach (var entry in self.EnumerateFileSystemInfos())
        {
            if (entry.Name == FileName) continue;
            if (entry is DirectoryInfo d) d.Delete(recursive: true);
            else entry.Delete();
        }
        Dispose();
        try
        {
            File.Delete(Path.Combine(Directory, FileName));
            System.IO.Directory.Delete(Directory);
        }
        catch (IOException)
        {
            // Another fit took the folder in the meantime: it is theirs now.
        }
    }

    /// <summary>Releases the lock (the lock file stays; the next fit reuses it).</summary>
    public void Dispose() => stream.Dispose();
}

/// <summary>What a checkpoint records besides tensors.</summary>
/// <param name="Phase">"pretrain" or "train".</param>
/// <param name="Epoch">Epochs of that phase completed.</param>
/// <param name="Best">Best validation score so far.</param>
/// <param name="BestEpoch">Epoch of the best score.</param>
/// <param name="Wait">Epochs since the best score.</param>
/// <param name="Rows">Metrics of every epoch so far.</param>
internal sealed record CheckpointState(string Phase, int Epoch, double Best, int BestEpoch, int Wait, List<EpochMetrics> Rows);

/// <summary>
/// An atomic per-epoch checkpoint folder: written to <c>checkpoint.tmp</c>, then swapped in by renames,
/// so a run killed at any moment leaves either the previous or the new checkpoint complete.
/// </summary>
internal sealed class Checkpoint(string directory)
{
    private const string SettingsFile = "settings.json";

    public string Directory { get; } = directory;

    /// <summary>The run's options and data fingerprint (JSON), written into every checkpoint.</summary>
    public string? Settings { get; init; }

    /// <summary>The settings recorded in the checkpoint, or null when it records none.</summary>
    public System.Text.Json.Nodes.JsonObject? ReadSettings()
    {
        string path = Path.Combine(Resolve() ?? throw new InvalidOperationException("no checkpoint"), SettingsFile);
        if (!File.Exists(path)) return null;
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject;
        }
        catch (JsonException e)
        {
            throw new MucmmUserException(path, $"damaged checkpoint settings ({e.Message}); delete the checkpoint folder to start again");
        }
    }

    public void Save(MultiviewNetwork network, CheckpointState state, Dictionary<string, Tensor>? best, OptimizerHelper optimizer, IReadOnlyList<nn.Module> extra, Dictionary<string, Tensor>? average = null)
    {
        string tmp = Directory + ".tmp", old = Directory + ".old";
        // A run killed between the two renames below left only the .old checkpoint (the one it resumed
        // from): put it back first, so that deleting .old further down never removes the only complete one.
        if (!System.IO.Directory.Exists(Directory) && System.IO.Directory.Exists(old)) System.IO.Directory.Move(old, Directory);
        if (System.IO.Directory.Exists(tmp)) System.IO.Directory.Delete(tmp, true);
        System.IO.Directory.CreateDirectory(tmp);
        network.save(Path.Combine(tmp, "network.bin"));
        if (best is not null) SaveDict(best, Path.Combine(tmp, "best.bin"));
        if (average is not null) SaveDict(average, Path.Combine(tmp, "average.bin"));
        optimizer.save_state_dict(Path.Combine(tmp, "optimizer.bin"));
        for (int i = 0; i < extra.Count; i++) extra[i].save(Path.Combine(tmp, $"extra{i}.bin"));
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(ToDto(state)));
        if (Settings is not null) File.WriteAllText(Path.Combine(tmp, SettingsFile), Settings);
        if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, true);
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Move(Directory, old);
        System.IO.Directory.Move(tmp, Directory);
        if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, true);
    }

    /// <summary>Loads networks from the checkpoint and returns its state, or null when there is none.</summary>
    public CheckpointState? Load(MultiviewNetwork network)
    {
        string dir = Resolve();
        if (dir is null) return null;
        network.load(Path.Combine(dir, "network.bin"));
        var dto = JsonSerializer.Deserialize<StateDto>(File.ReadAllText(Path.Combine(dir, "state.json")))!;
        return FromDto(dto);
    }

    public void LoadExtra(IReadOnlyList<nn.Module> extra, OptimizerHelper optimizer)
    {
        string dir = Resolve() ?? throw new InvalidOperationException("no checkpoint");
        for (int i = 0; i < extra.Count; i++) extra[i].load(Path.Combine(dir, $"extra{i}.bin"));
        optimizer.load_state_dict(Path.Combine(dir, "optimizer.bin"));
    }

    public Dictionary<string, Tensor>? LoadBest(MultiviewNetwork network) => LoadDictionary(network, "best.bin");

    /// <summary>A saved state dictionary of the checkpoint (e.g. "best.bin", "average.bin"), or null when absent.</summary>
    public Dictionary<string, Tensor>? LoadDictionary(MultiviewNetwork network, string name)
    {
        string dir = Resolve() ?? throw new InvalidOperationException("no checkpoint");
        string path = Path.Combine(dir, name);
        if (!File.Exists(path)) return null;
        return LoadDict(network, path);
    }

    /// <summary>Whether a complete checkpoint (or the previous one, during a swap) exists.</summary>
    public bool Exists => Resolve() is not null;

    private string Resolve()
    {
        if (File.Exists(Path.Combine(Directory, "state.json"))) return Directory;
        string old = Directory + ".old";
        return File.Exists(Path.Combine(old, "state.json")) ? old : null!;
    }

    private static void SaveDict(Dictionary<string, Tensor> dict, string path)
    {
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(dict.Count);
        foreach (var (k, v) in dict)
        {
            writer.Write(k);
            var data = v.cpu().to(float32).contiguous().data<float>().ToArray();
            writer.Write(data.Length);
            foreach (float f in data) writer.Write(f);
        }
    }

    private static Dictionary<string, Tensor> LoadDict(MultiviewNetwork network, string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var reference = network.state_dict();
        int count = reader.ReadInt32();
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < count; i++)
        {
            string k = reader.ReadString();
            int len = reader.ReadInt32();
            var data = new float[len];
            for (int j = 0; j < len; j++) data[j] = reader.ReadSingle();
            var like = reference[k];
            result[k] = tensor(data, like.shape, dtype: float32).to(like.dtype).to(like.device).DetachFromDisposeScope();
        }
        return result;
    }

    private sealed record StateDto(string Phase, int Epoch, double? Best, int BestEpoch, int Wait, List<RowDto> Rows);
    private sealed record RowDto(string Phase, int Epoch, List<string> Names, List<double> Values, double? Validation, double Seconds);

    private static StateDto ToDto(CheckpointState s) => new(s.Phase, s.Epoch, double.IsFinite(s.Best) ? s.Best : null, s.BestEpoch, s.Wait,
        s.Rows.Select(r => new RowDto(r.Phase, r.Epoch, r.Terms.Select(t => t.Key).ToList(), r.Terms.Select(t => t.Value).ToList(),
            double.IsNaN(r.ValidationCorrelation) ? null : r.ValidationCorrelation, r.Seconds)).ToList());

    private static CheckpointState FromDto(StateDto d) => new(d.Phase, d.Epoch, d.Best ?? double.NegativeInfinity, d.BestEpoch, d.Wait,
        d.Rows.Select(r => new EpochMetrics(r.Phase, r.Epoch, r.Names.Zip(r.Values, KeyValuePair.Create).ToArray(), r.Validation ?? double.NaN, r.Seconds)).ToList());
}

/// <summary>Writes train.csv: one row per epoch, a column per term (atomic replace).</summary>
public static class TrainCsv
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> via a temporary file and a rename.</summary>
    public static void Write(string path, IReadOnlyList<EpochMetrics> rows)
    {
        var names = new List<string>();
        foreach (var r in rows)
            foreach (var t in r.Terms)
                if (!names.Contains(t.Key)) names.Add(t.Key);
        var sb = new StringBuilder();
        sb.Append("phase,epoch,").Append(string.Join(",", names)).Append(",validation_total_correlation,seconds\n");
        foreach (var r in rows)
        {
            sb.Append(r.Phase).Append(',').Append(r.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var name in names)
            {
                var hit = r.Terms.FirstOrDefault(t => t.Key == name);
                sb.Append(',').Append(hit.Key is null ? "" : hit.Value.ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append(',').Append(double.IsNaN(r.ValidationCorrelation) ? "" : r.ValidationCorrelation.ToString("R", CultureInfo.InvariantCulture));
            sb.Append(',').Append(r.Seconds.ToString("F2", CultureInfo.InvariantCulture)).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}

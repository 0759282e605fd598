using Mucmm.Data;
using Mucmm.Deep.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mucmm.Bench;

/// <summary>
/// The benchmark workloads, shared by the BenchmarkDotNet classes and the quick console modes (so
/// compare.sh times exactly what the benchmarks time). Python twins: bench/reference_step.py and
/// bench/reference_linear.py.
/// </summary>
public static class Workloads
{
    /// <summary>Input width of each view (MNIST 28×28).</summary>
    public const int Width = 784;

    /// <summary>Hidden width of the benchmark MLP 784-1024-1024-1024-k.</summary>
    public const int Hidden = 1024;

    /// <summary>Batch of the training-step and objective benchmarks.</summary>
    public const int Batch = 1024;

    /// <summary>Common dim k (the linear models' default).</summary>
    public const int CommonDim = 10;

    /// <summary>Individual dim r of deep MUCMM.</summary>
    public const int IndividualDim = 10;

    /// <summary>
    /// Two paired views (n × 784 each, float64) sharing a 10-dimensional latent: x_m = z A_m + 2·e_m with
    /// z, A_m, e_m standard normal (torch generator seeded with <paramref name="seed"/>).
    /// </summary>
    public static View[] SyntheticViews(int rows, int width = Width, int seed = 1)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var g = new Generator((ulong)seed);
        var z = randn(rows, 10, dtype: float64, generator: g);
        var views = new View[2];
        for (int m = 0; m < 2; m++)
        {
            var a = randn(10, width, dtype: float64, generator: g);
            var x = z.matmul(a).add_(randn(rows, width, dtype: float64, generator: g).mul_(2.0)).contiguous();
            views[m] = new View($"view{m + 1}", ViewKind.Vector, [width], x.data<double>().ToArray());
        }
        return views;
    }

    /// <summary>The MLP 784-1024-1024-1024-<paramref name="outputs"/> with ReLU (float32).</summary>
    public static Sequential Mlp(int outputs, int width = Width, int hidden = Hidden) =>
        nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, outputs));

    /// <summary>
    /// Float32 FLOPs of one training step on both views: forward 2·B·Σ(in·out) per MLP, backward twice
    /// that minus the unneeded input gradient of the first layer, plus the decoder when present. The
    /// objective's float64 work (three k×k or (k+r)×(k+r) covariances, Cholesky, SVD) is below 0.1 % of it
    /// and is counted separately in <see cref="ObjectiveFlops"/>.
    /// </summary>
    public static double StepFlops(int batch, int outputs, bool decoder)
    {
        double forward = 0, firstLayer = (double)Width * Hidden;
        foreach (var (i, o) in new[] { (Width, Hidden), (Hidden, Hidden), (Hidden, Hidden), (Hidden, outputs) })
            forward += (double)i * o;
        double perView = 2.0 * batch * forward * 3 - 2.0 * batch * firstLayer;
        if (decoder) perView += 2.0 * batch * outputs * Width * 3;
        return 2 * perView;
    }

    /// <summary>Approximate FLOPs of the objective's covariance products (forward + backward), for completeness.</summary>
    public static double ObjectiveFlops(int batch, int width) => 3 * 3 * 2.0 * batch * width * width;
}

/// <summary>Which deep model a <see cref="TrainingStep"/> trains.</summary>
public enum StepModel
{
    /// <summary>Deep CCA: MLP → k common outputs per view, objective −R1 (Andrew et al. 2013).</summary>
    Dcca,

    /// <summary>Deep MUCMM: MLP → k common + r individual outputs per view, linear decoder, four-term objective (R2).</summary>
    Mucmm,
}

/// <summary>
/// One Adam step (zero_grad, forward of both MLPs, objective, backward, update) on a fixed float32 batch.
/// The encoders are plain TorchSharp modules (784-1024-1024-1024-k, ReLU) standing in for the deep
/// branch's MLP encoder, with the same layer shapes; the objective is the library's
/// (<see cref="DeepObjectives"/>).
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly Sequential[] _encoders;
    private readonly TorchSharp.Modules.Linear[] _decoders;
    private readonly Tensor[] _inputs;
    private readonly optim.Optimizer _optimizer;
    private readonly MucmmObjectiveOptions _mucmm = new();

    /// <summary>Builds the two encoders, optional decoders, the Adam optimizer and a random batch (seeded).</summary>
    public TrainingStep(StepModel model, int batch = Workloads.Batch, int seed = 0)
    {
        BenchEnvironment.Configure();
        Model = model;
        Batch = batch;
        torch.manual_seed(seed);
        int outputs = model == StepModel.Dcca ? Workloads.CommonDim : Workloads.CommonDim + Workloads.IndividualDim;
        Outputs = outputs;
        _encoders = [Workloads.Mlp(outputs), Workloads.Mlp(outputs)];
        _decoders = model == StepModel.Mucmm ? [nn.Linear(outputs, Workloads.Width), nn.Linear(outputs, Workloads.Width)] : [];
        var parameters = _encoders.SelectMany(e => e.parameters()).Concat(_decoders.SelectMany(d => d.parameters())).ToList();
        _optimizer = optim.Adam(parameters, lr: 1e-4);
        _inputs = [rand(batch, Workloads.Width).DetachFromDisposeScope(), rand(batch, Workloads.Width).DetachFromDisposeScope()];
    }

    /// <summary>Model trained.</summary>
    public StepModel Model { get; }

    /// <summary>Rows per batch.</summary>
    public int Batch { get; }

    /// <summary>Outputs of each MLP (k, or k + r).</summary>
    public int Outputs { get; }

    /// <summary>FLOPs of one step (see <see cref="Workloads.StepFlops"/>).</summary>
    public double Flops => Workloads.StepFlops(Batch, Outputs, Model == StepModel.Mucmm);

    /// <summary>Runs one step; returns the loss.</summary>
    public double Run()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var views = new ViewBatch[2];
        for (int m = 0; m < 2; m++)
        {
            var h = _encoders[m].forward(_inputs[m]);
            if (Model == StepModel.Dcca)
            {
                views[m] = new ViewBatch(h, h.narrow(1, 0, 0));
            }
            else
            {
                var c = h.narrow(1, 0, Workloads.CommonDim);
                var u = h.narrow(1, Workloads.CommonDim, Workloads.IndividualDim);
                views[m] = new ViewBatch(c, u, _inputs[m], _decoders[m].forward(h));
            }
        }
        var result = Model == StepModel.Dcca
            ? DeepObjectives.DeepCca(views, CorrelationMeasure.R1)
            : DeepObjectives.Mucmm(views, _mucmm);
        result.Loss.backward();
        _optimizer.step();
        return result.Loss.item<double>();
    }

    /// <summary>Frees modules, optimizer state and the batch.</summary>
    public void Dispose()
    {
        foreach (var e in _encoders) e.Dispose();
        foreach (var d in _decoders) d.Dispose();
        foreach (var x in _inputs) x.Dispose();
        _optimizer.Dispose();
    }
}

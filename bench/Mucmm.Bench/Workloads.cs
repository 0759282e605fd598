using Mucmm.Data;
using Mucmm.Deep;
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

    /// <summary>The MLP 784-1024-1024-1024-<paramref name="outputs"/> with ReLU (float32), for diagnostics.</summary>
    public static Sequential Mlp(int outputs, int width = Width, int hidden = Hidden) =>
        nn.Sequential(
            nn.Linear(width, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, outputs));

    /// <summary>Hidden width of deep MUCMM's one-hidden-layer decoders (the library default).</summary>
    public static int DecoderHidden => new DeepModelOptions().DecoderHidden;

    /// <summary>
    /// Float32 FLOPs of one training step on both views, counting every matrix product: forward
    /// 2·B·Σ(in·out) per layer, backward twice that (input and weight gradients) except the input
    /// gradient of the first layer, which is not needed. Layers per view: encoder 784→1024→1024→1024,
    /// heads 1024→k (and 1024→r), for MUCMM the decoder (k+r)→512→784. The objective's float64 work
    /// (covariances of k- and (k+r)-wide matrices, Cholesky, SVD) is well under 1 % of it and is ignored;
    /// element-wise work (ReLU, bias, Adam) has no products and is not counted either.
    /// </summary>
    public static double StepFlops(int batch, StepModel model)
    {
        var layers = new List<(int In, int Out)> { (Width, Hidden), (Hidden, Hidden), (Hidden, Hidden), (Hidden, CommonDim) };
        if (model == StepModel.Mucmm)
        {
            layers.Add((Hidden, IndividualDim));
            layers.Add((CommonDim + IndividualDim, DecoderHidden));
            layers.Add((DecoderHidden, Width));
        }
        double perView = 0;
        foreach (var (i, o) in layers) perView += 3 * 2.0 * batch * i * o;
        perView -= 2.0 * batch * Width * Hidden;   // no gradient with respect to the input batch
        return 2 * perView;
    }
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
/// One Adam step of the library's deep networks exactly as <see cref="DeepTrainer"/> takes it (zero_grad,
/// forward of both <see cref="ViewNetwork"/>s, the library objective, backward, update) on a fixed
/// float32 batch: <see cref="MlpEncoder"/> 784-1024-1024-1024 with linear heads (→ k, and → r for
/// MUCMM), MUCMM's decoders (k+r)-512-784, built by <c>DeepMultiviewModel.BuildNetwork</c>.
/// Deep CCA uses R1 (Andrew et al. 2013), MUCMM the default four-term objective (R2, α = β = γ = 1).
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly MultiviewNetwork _network;
    private readonly Tensor[] _inputs;
    private readonly optim.Optimizer _optimizer;
    private readonly MucmmObjectiveOptions _mucmm = new();

    /// <summary>Builds both networks, the Adam optimizer and a random batch (seeded).</summary>
    public TrainingStep(StepModel model, int batch = Workloads.Batch, int seed = 0)
    {
        BenchEnvironment.Configure();
        Model = model;
        Batch = batch;
        torch.manual_seed(seed);
        var options = new DeepModelOptions
        {
            Kind = model == StepModel.Dcca ? DeepModelKind.DeepCca : DeepModelKind.Mucmm,
            Encoder = EncoderKind.Mlp,
            EncoderHidden = [Workloads.Hidden, Workloads.Hidden, Workloads.Hidden],
            CommonDim = Workloads.CommonDim,
            IndividualDim = Workloads.IndividualDim,
        };
        int target = model == StepModel.Mucmm ? Workloads.Width : 0;
        _network = DeepMultiviewModel.BuildNetwork(options, [[Workloads.Width], [Workloads.Width]], [target, target]);
        _optimizer = optim.Adam(_network.parameters(), lr: 1e-4);
        _inputs = [rand(batch, Workloads.Width).DetachFromDisposeScope(), rand(batch, Workloads.Width).DetachFromDisposeScope()];
    }

    /// <summary>Model trained.</summary>
    public StepModel Model { get; }

    /// <summary>Rows per batch.</summary>
    public int Batch { get; }

    /// <summary>FLOPs of one step (see <see cref="Workloads.StepFlops"/>).</summary>
    public double Flops => Workloads.StepFlops(Batch, Model);

    /// <summary>Runs one step; returns the loss.</summary>
    public double Run()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var views = new ViewBatch[2];
        for (int m = 0; m < 2; m++)
        {
            var net = _network[m];
            var (c, u) = net.Heads(net.Encoder.call(_inputs[m]));
            views[m] = Model == StepModel.Dcca ? new ViewBatch(c, u) : new ViewBatch(c, u, _inputs[m], net.Decode(c, u));
        }
        var result = Model == StepModel.Dcca
            ? DeepObjectives.DeepCca(views, CorrelationMeasure.R1)
            : DeepObjectives.Mucmm(views, _mucmm);
        result.Loss.backward();
        _optimizer.step();
        return result.Loss.item<double>();
    }

    /// <summary>Frees the networks, optimizer state and the batch.</summary>
    public void Dispose()
    {
        _network.Dispose();
        foreach (var x in _inputs) x.Dispose();
        _optimizer.Dispose();
    }
}

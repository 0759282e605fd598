using BenchmarkDotNet.Attributes;
using Mucmm.Deep.Objectives;
using static TorchSharp.torch;

namespace Mucmm.Bench.Benchmarks;

/// <summary>
/// Forward + backward of each objective on a batch of 1,024 rows of float32 network outputs
/// (common k and individual r columns per view, k = r = <see cref="Width"/>).
/// </summary>
[Config(typeof(BenchConfig))]
public class ObjectiveBenchmarks
{
    private Tensor[] _common = [], _individual = [], _targets = [], _reconstructions = [];

    /// <summary>Width k (= r) of each output matrix.</summary>
    [Params(10, 100)]
    public int Width { get; set; }

    /// <summary>Random outputs (seeded) that require gradients.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Configure();
        Console.WriteLine("// " + BenchEnvironment.Describe());
        manual_seed(0);
        Tensor Leaf(long cols) => randn(Workloads.Batch, cols).requires_grad_(true).DetachFromDisposeScope();
        _common = [Leaf(Width), Leaf(Width)];
        _individual = [Leaf(Width), Leaf(Width)];
        _targets = [rand(Workloads.Batch, Workloads.Width).DetachFromDisposeScope(), rand(Workloads.Batch, Workloads.Width).DetachFromDisposeScope()];
        _reconstructions = [Leaf(Workloads.Width), Leaf(Workloads.Width)];
    }

    private double Backward(Tensor loss)
    {
        loss.backward();
        foreach (var t in _common.Concat(_individual).Concat(_reconstructions)) t.grad?.zero_();
        return loss.item<double>();
    }

    /// <summary>R2 (Cholesky) of the two common matrices.</summary>
    [Benchmark]
    public double R2()
    {
        using var scope = NewDisposeScope();
        return Backward(Correlation.R2(_common[0], _common[1]));
    }

    /// <summary>R1 (trace norm, SVD backward) of the two common matrices.</summary>
    [Benchmark]
    public double R1()
    {
        using var scope = NewDisposeScope();
        return Backward(Correlation.R1(_common[0], _common[1]));
    }

    /// <summary>The four-term MUCMM objective (R2 common term, both leak terms, reconstruction).</summary>
    [Benchmark]
    public double MucmmFourTerm()
    {
        using var scope = NewDisposeScope();
        var views = new[]
        {
            new ViewBatch(_common[0], _individual[0], _targets[0], _reconstructions[0]),
            new ViewBatch(_common[1], _individual[1], _targets[1], _reconstructions[1]),
        };
        return Backward(DeepObjectives.Mucmm(views, new MucmmObjectiveOptions()).Loss);
    }
}

/// <summary>
/// One Adam training step of Deep CCA and of deep MUCMM with the MLP 784-1024-1024-1024-k per view at
/// batch 1,024 (see <see cref="TrainingStep"/>), and the float32 matmul rate it is compared with.
/// </summary>
[Config(typeof(BenchConfig))]
public class TrainingStepBenchmarks
{
    private TrainingStep? _dcca, _mucmm;
    private Tensor? _a, _b;

    /// <summary>Builds both models and a 4,096 × 4,096 float32 product for the roofline.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Configure();
        Console.WriteLine("// " + BenchEnvironment.Describe());
        _dcca = new TrainingStep(StepModel.Dcca);
        _mucmm = new TrainingStep(StepModel.Mucmm);
        manual_seed(0);
        _a = randn(Roofline.MatmulSize, Roofline.MatmulSize).DetachFromDisposeScope();
        _b = randn(Roofline.MatmulSize, Roofline.MatmulSize).DetachFromDisposeScope();
        Console.WriteLine($"// FLOPs per step: dcca {_dcca.Flops / 1e9:F2} G, mucmm {_mucmm.Flops / 1e9:F2} G; matmul {Roofline.MatmulFlops / 1e9:F1} G");
    }

    /// <summary>Deep CCA step (objective −R1).</summary>
    [Benchmark]
    public double DeepCcaStep() => _dcca!.Run();

    /// <summary>Deep MUCMM step (four-term objective, R2, linear decoders).</summary>
    [Benchmark]
    public double DeepMucmmStep() => _mucmm!.Run();

    /// <summary>A 4,096 × 4,096 float32 matrix product (the machine's matmul rate = 2·4096³ / time).</summary>
    [Benchmark]
    public float Matmul4096()
    {
        using var scope = NewDisposeScope();
        return _a!.matmul(_b!)[0, 0].item<float>();
    }

    /// <summary>Frees the models.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine("// after: " + BenchEnvironment.Describe());
        _dcca?.Dispose();
        _mucmm?.Dispose();
        _a?.Dispose();
        _b?.Dispose();
    }
}

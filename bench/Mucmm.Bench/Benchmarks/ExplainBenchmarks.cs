using BenchmarkDotNet.Attributes;
using Mucmm.Data;
using Mucmm.Deep;
using Mucmm.Explain;
using static TorchSharp.torch;

namespace Mucmm.Bench.Benchmarks;

/// <summary>
/// Scores and gradient maps of a deep MUCMM model with the default architecture (what <c>mucmm fit
/// --model deep</c> builds; untrained weights, since the cost does not depend on them) on 784 + 784
/// inputs. Per-sample cost = time / <see cref="Samples"/> (maps) or / 10,000 (scores).
/// </summary>
[Config(typeof(BenchConfig))]
public class ExplainBenchmarks
{
    private DeepMultiviewModel? _model;
    private View[] _views = [];
    private Tensor[] _inputs = [];

    /// <summary>Samples explained per call.</summary>
    public const int Samples = 64;

    /// <summary>Builds the model (alignment fitted on 2,048 random rows) and the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchEnvironment.Configure();
        Console.WriteLine("// " + BenchEnvironment.Describe());
        manual_seed(0);
        var options = new DeepModelOptions();
        var network = DeepMultiviewModel.BuildNetwork(options, [[28, 28], [28, 28]], [784, 784]);
        Alignment alignment;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var outs = Enumerable.Range(0, 2).Select(m => network[m].call(rand(2048, 784))).ToArray();
            alignment = Alignment.Fit(outs.Select(o => o.Common).ToArray(), outs.Select(o => o.Individual).ToArray());
        }
        _model = new DeepMultiviewModel(options, [[28, 28], [28, 28]], network, alignment);
        _views = Workloads.SyntheticViews(10_000);
        _inputs = _views.Select(v => tensor(v.Data, [v.Rows, v.Cols], dtype: float64).narrow(0, 0, Samples).contiguous().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Common and both individual scores of 10,000 samples.</summary>
    [Benchmark]
    public int Scores10k() => Scores.Compute(_model!, _views, Score.Standard(2)).Length;

    /// <summary>Plain-gradient maps of the common score for <see cref="Samples"/> samples.</summary>
    [Benchmark]
    public int GradientMaps() => Maps(AttributionMethod.Gradient);

    /// <summary>Integrated Gradients (64 steps, default) of the common score for <see cref="Samples"/> samples.</summary>
    [Benchmark]
    public int IntegratedGradientsMaps() => Maps(AttributionMethod.IntegratedGradients);

    /// <summary>SmoothGrad (50 noisy copies, default) of the common score for <see cref="Samples"/> samples.</summary>
    [Benchmark]
    public int SmoothGradMaps() => Maps(AttributionMethod.SmoothGrad);

    private int Maps(AttributionMethod method)
    {
        using var scope = NewDisposeScope();
        var r = Attributions.Compute(_model!, Score.Common, _inputs, new AttributionOptions { Method = method });
        return r.Map(0, 0).Length;
    }

    /// <summary>Frees the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine("// after: " + BenchEnvironment.Describe());
        _model?.Dispose();
        foreach (var t in _inputs) t.Dispose();
    }
}

using Mucmm.Deep.Onnx;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Onnx;

/// <summary><see cref="OnnxModule.ReuseFoldedWeights"/>: folded weights computed once for frozen features, never for gradients.</summary>
public class FoldedWeightReuseTests
{
    /// <summary>Bitwise equality (same shape, every element equal).</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static OnnxModule ResNet(bool trainable, ScalarType type)
    {
        var graph = OnnxGraph.Load(ResNet18Encoder.ModelPath);
        var pool = new HashSet<string> { graph.Nodes.Last(n => n.OpType == "AveragePool").Name };
        var m = new OnnxModule(graph, new OnnxImportOptions { Trainable = trainable, FloatType = type, FixedInputShape = false, GlobalPoolingNodes = pool });
        m.eval();
        return m;
    }

    /// <summary>
    /// Oracle: the same frozen float32 ResNet18 (64 px, batch 2) outside any scope. Inside a scope, the first and the
    /// second forward (the second on the reused weights: the scope holds one entry per convolution) are bitwise equal
    /// to it (tolerance 0: the reused tensors are the ones the step computes). After the scope ends, a weight changed in
    /// place is seen by the next scope: its output equals the unscoped output of the changed network, bitwise, and
    /// differs from the first one.
    /// </summary>
    [Fact]
    public void ReusedWeightsGiveBitwiseTheSameFeaturesAndEndWithTheScope()
    {
        using var scope = NewDisposeScope();
        using var module = ResNet(trainable: false, ScalarType.Float32);
        var x = torch.randn([2, 3, 64, 64], generator: new Generator(3)) * 50;
        int convs = module.Graph.Nodes.Count(n => n.OpType == "Conv");
        using var _ = no_grad();
        var plain = module.call(x);
        using (OnnxModule.ReuseFoldedWeights())
        {
            var first = module.call(x);
            Assert.Equal(convs, FoldedWeightReuse.Entries);
            var second = module.call(x);
            Assert.True(Same(plain, first) && Same(plain, second), "features inside the scope differ from those outside");
        }
        Assert.Equal(0, FoldedWeightReuse.Entries);

        var weight = module.named_parameters().First(p => p.parameter.dim() == 4).parameter;
        weight.mul_(2);   // a change in place between two scopes
        var changed = module.call(x);
        using (OnnxModule.ReuseFoldedWeights())
        {
            var scoped = module.call(x);
            Assert.True(Same(changed, scoped), "the second scope used weights folded before the change");
        }
        Assert.False(Same(plain, changed));
    }

    /// <summary>
    /// Inside a scope nothing is reused where gradients are wanted, so gradient maps and fine-tuning are exactly as
    /// outside it. Oracle: the same float64 ResNet18 (64 px, batch 2) outside the scope; tolerance 0 (bitwise) for the
    /// gradient of a random projection of the output with respect to the input, for a frozen network with grad enabled
    /// (gradient maps) and for a trainable one (every parameter's gradient too); the scope holds no entry.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsInsideTheScopeAreThoseOutside(bool trainable)
    {
        using var scope = NewDisposeScope();
        using var module = ResNet(trainable, ScalarType.Float64);
        var x = torch.randn([2, 3, 64, 64], dtype: ScalarType.Float64, generator: new Generator(5)) * 50;
        var projection = torch.randn([2, 512, 1, 1], dtype: ScalarType.Float64, generator: new Generator(6));
        (Tensor Dx, Tensor[] Dw) Run()
        {
            module.zero_grad();
            var xi = x.clone().requires_grad_(true);
            (module.call(xi) * projection).sum().backward();
            return (xi.grad!.clone(), module.parameters().Where(p => p.requires_grad).Select(p => p.grad!.clone()).ToArray());
        }
        var (dx, dw) = Run();
        using (OnnxModule.ReuseFoldedWeights())
        {
            var (dxs, dws) = Run();
            Assert.Equal(0, FoldedWeightReuse.Entries);
            Assert.True(Same(dx, dxs), "input gradient");
            Assert.Equal(trainable, dw.Length > 0);
            Assert.Equal(dw.Length, dws.Length);
            for (int i = 0; i < dw.Length; i++) Assert.True(Same(dw[i], dws[i]), $"gradient of parameter {i}");
        }
    }
}

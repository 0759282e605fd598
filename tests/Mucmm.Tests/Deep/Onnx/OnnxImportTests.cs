using Mucmm.Deep.Onnx;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Onnx;

public class OnnxImportTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx", name);

    /// <summary>A fixture, its inputs for batch 3 (a batch size the exporter never saw) and, for the transformer, sequence length 7 (export used 5).</summary>
    private static (string File, OrtOracle.Input[] Inputs) Case(string name)
    {
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        float[] Floats(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return name switch
        {
            "cnn_opset9.onnx" or "cnn_opset13.onnx" => (name, [new("x", [3, 3, 12, 12], Floats(3 * 3 * 144))]),
            "ops_opset10.onnx" => (name, [new("x", [3, 3, 9, 8], Floats(3 * 3 * 72))]),
            "ops_opset13.onnx" => (name, [new("x", [3, 2, 3, 4], Floats(3 * 24).Select(v => v * 3).ToArray())]),
            "bert_opset11.onnx" or "bert_opset17.onnx" => (name,
            [
                new("x", [3, 7, 16], Floats(3 * 7 * 16)),
                new("mask", [3, 7], Longs: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]),
            ]),
            _ => throw new ArgumentException(name),
        };
    }

    private static readonly string[] FixtureNames =
        ["cnn_opset9.onnx", "cnn_opset13.onnx", "ops_opset10.onnx", "ops_opset13.onnx", "bert_opset11.onnx", "bert_opset17.onnx"];

    public static TheoryData<string> Fixtures => new(FixtureNames);

    private static Tensor ToTorch(OrtOracle.Input i, ScalarType floatType) =>
        i.Floats is not null ? torch.tensor(i.Floats).reshape(i.Shape).to_type(floatType) : torch.tensor(i.Longs!).reshape(i.Shape);

    /// <summary>
    /// Oracle: ONNX Runtime 1.32 on the same file and inputs (graph optimizations off). Every output of the imported
    /// module equals it in shape and to 1e-4 relative (max-norm: max|ours − ORT| ≤ 1e-4 · max(1, max|ORT|)), with a
    /// batch size (3) and a sequence length (7) different from the ones the models were exported with.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ForwardEqualsOnnxRuntime(string name)
    {
        var (file, inputs) = Case(name);
        var expected = OrtOracle.Run(Fixture(file), inputs);
        using var scope = NewDisposeScope();
        using var module = OnnxModule.Load(Fixture(file));
        Tensor[] got;
        using (no_grad()) got = module.Run(inputs.Select(i => ToTorch(i, ScalarType.Float32)).ToArray());
        Assert.Equal(expected.Count, got.Length);
        for (int o = 0; o < got.Length; o++)
        {
            Assert.Equal(expected[o].Shape, got[o].shape);
            var ours = got[o].to_type(ScalarType.Float32).data<float>().ToArray();
            var theirs = expected[o].Values;
            double scale = Math.Max(1, theirs.Max(v => Math.Abs(v)));
            double err = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(err <= 1e-4 * scale, $"{name} output {o}: max error {err:g3} (scale {scale:g3})");
        }
    }

    /// <summary>
    /// Oracle: central finite differences (h = 1e-6) of a float64 copy of the imported graph (FloatType = Float64),
    /// for the loss L = Σ_o Σ w_o ⊙ y_o with fixed random weights, at 8 random coordinates of the float input. The
    /// autograd input gradient must match to 1e-6 relative (|g − fd| ≤ 1e-6 · max(1, |fd|)).
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void InputGradientEqualsFiniteDifferences(string name)
    {
        var (file, inputs) = Case(name);
        using var scope = NewDisposeScope();
        using var module = OnnxModule.Load(Fixture(file), new OnnxImportOptions { FloatType = ScalarType.Float64 });
        var x = ToTorch(inputs[0], ScalarType.Float64).requires_grad_(true);
        var rest = inputs.Skip(1).Select(i => ToTorch(i, ScalarType.Float64)).ToArray();
        var gen = new Generator(7);
        Tensor[]? weights = null;
        Tensor Loss(Tensor input)
        {
            var ys = module.Run([input, .. rest]);
            weights ??= ys.Select(y => torch.randn(y.shape, dtype: ScalarType.Float64, generator: gen)).ToArray();
            return ys.Zip(weights, (y, w) => (y * w).sum()).Aggregate((a, b) => a + b);
        }
        var loss = Loss(x);
        var grad = torch.autograd.grad([loss], [x])[0];
        var rng = new Random(3);
        const double h = 1e-6;
        using (no_grad())
        {
            var flat = x.detach().reshape(-1);
            for (int k = 0; k < 8; k++)
            {
                long idx = rng.NextInt64(flat.numel());
                var plus = flat.clone(); plus[idx] = plus[idx] + h;
                var minus = flat.clone(); minus[idx] = minus[idx] - h;
                double fd = (Loss(plus.reshape(x.shape)).item<double>() - Loss(minus.reshape(x.shape)).item<double>()) / (2 * h);
                double g = grad.reshape(-1)[idx].item<double>();
                Assert.True(Math.Abs(g - fd) <= 1e-6 * Math.Max(1, Math.Abs(fd)), $"{name} coordinate {idx}: autograd {g} vs finite difference {fd}");
            }
        }
    }

    /// <summary>Weights are frozen by default (no parameter requires a gradient); Trainable makes them trainable except BatchNormalization statistics, and a backward pass reaches them.</summary>
    [Fact]
    public void InitializersAreFrozenByDefaultAndTrainableOnRequest()
    {
        using var scope = NewDisposeScope();
        using var frozen = OnnxModule.Load(Fixture("cnn_opset13.onnx"));
        Assert.NotEmpty(frozen.parameters());
        Assert.All(frozen.parameters(), p => Assert.False(p.requires_grad));

        using var trainable = OnnxModule.Load(Fixture("cnn_opset13.onnx"), new OnnxImportOptions { Trainable = true });
        var named = trainable.named_parameters().ToList();
        Assert.Contains(named, p => p.name.EndsWith("running_mean", StringComparison.Ordinal) && !p.parameter.requires_grad);
        var conv = named.Single(p => p.name == "c1_weight").parameter;
        Assert.True(conv.requires_grad);
        trainable.call(torch.randn(2, 3, 12, 12)).sum().backward();
        Assert.NotNull(conv.grad);
        Assert.True(conv.grad!.abs().sum().item<float>() > 0);
    }

    /// <summary>
    /// Folding (Conv → BatchNormalization as one convolution, Relu in place, channels-last convolutions) changes
    /// nothing a user can observe, also when fine-tuning. Oracle: the same ResNet18 graph run node by node as written
    /// (<see cref="OnnxImportOptions.Fold"/> false), float64, trainable, at 64 px: the output and the gradients of a
    /// random projection of it with respect to the input and to every parameter (conv weights, BatchNormalization
    /// γ and β) agree to 1e-9 relative (max-norm; float64 rounding of a reordered sum is ~1e-14). The profile shows the
    /// fused steps ran, so the comparison is not of two identical paths.
    /// </summary>
    [Fact]
    public void FoldedGraphEqualsUnfoldedInOutputAndEveryGradient()
    {
        using var scope = NewDisposeScope();
        var graph = OnnxGraph.Load(ResNet18Encoder.ModelPath);
        var pool = new HashSet<string> { graph.Nodes.Last(n => n.OpType == "AveragePool").Name };
        OnnxModule Build(bool fold) => new(graph, new OnnxImportOptions
        {
            Trainable = true, FloatType = ScalarType.Float64, FixedInputShape = false, GlobalPoolingNodes = pool, Fold = fold,
        });
        using var folded = Build(true);
        using var plain = Build(false);
        var x = torch.randn([2, 3, 64, 64], dtype: ScalarType.Float64, generator: new Generator(5)) * 50;
        var projection = torch.randn([2, 512, 1, 1], dtype: ScalarType.Float64, generator: new Generator(6));

        (Tensor Y, Tensor Dx, Dictionary<string, Tensor> Dw) Run(OnnxModule m)
        {
            var xi = x.clone().requires_grad_(true);
            var y = m.call(xi);
            (y * projection).sum().backward();
            return (y.detach(), xi.grad!.clone(), m.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        folded.Profile = [];
        var (yf, dxf, dwf) = Run(folded);
        var (yp, dxp, dwp) = Run(plain);
        Assert.Contains("Conv+BatchNormalization+Relu", folded.Profile.Keys);
        Assert.DoesNotContain("BatchNormalization", folded.Profile.Keys);

        static double Rel(Tensor a, Tensor b) => (a - b).abs().max().item<double>() / Math.Max(1e-300, b.abs().max().item<double>());
        Assert.True(Rel(yf, yp) < 1e-9, $"output: {Rel(yf, yp):G3}");
        Assert.True(Rel(dxf, dxp) < 1e-9, $"input gradient: {Rel(dxf, dxp):G3}");
        Assert.Equal(dwp.Keys.Order(), dwf.Keys.Order());
        foreach (var (name, g) in dwp)
            Assert.True(Rel(dwf[name], g) < 1e-9, $"gradient of {name}: {Rel(dwf[name], g):G3}");
    }

    /// <summary>The fixtures together contain every operator the importer promises (issue 13's list), so the two tests above exercise each one against ONNX Runtime and finite differences.</summary>
    [Fact]
    public void FixturesCoverEveryListedOperator()
    {
        string[] listed =
        [
            "Conv", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Flatten", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "Softmax",
            "ReduceMean", "Concat", "Reshape", "Transpose", "Unsqueeze", "Squeeze", "Gather", "Shape", "Slice", "Cast",
            "Constant", "ConstantOfShape", "Where", "Equal", "Expand", "Identity", "Dropout", "LayerNormalization",
        ];
        var used = FixtureNames.SelectMany(f => OnnxGraph.Load(Fixture(f)).Nodes.Select(n => n.OpType)).ToHashSet();
        Assert.Empty(listed.Except(used));
        Assert.Empty(listed.Except(OnnxModule.SupportedOperators));
    }

    /// <summary>A non-batch dimension is free only when FixedInputShape is off: the CNN then runs on 16×16 inputs; with it on, the error names the file, the input and both shapes in one line.</summary>
    [Fact]
    public void WrongInputShapeIsOneLineUserError()
    {
        using var scope = NewDisposeScope();
        using var module = OnnxModule.Load(Fixture("cnn_opset13.onnx"));
        var ex = Assert.Throws<MucmmUserException>(() => module.call(torch.zeros(2, 3, 10, 10)));
        Assert.Equal($"{Fixture("cnn_opset13.onnx")}: input 'x' must have shape [n, 3, 12, 12], got [2, 3, 10, 10]", ex.Message);
        var rank = Assert.Throws<MucmmUserException>(() => module.call(torch.zeros(2, 432)));
        Assert.Contains("got [2, 432]", rank.Message);
        Assert.DoesNotContain('\n', rank.Message);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "not_onnx.onnx", "not an ONNX model" },
        { "truncated.onnx", "truncated or damaged" },
        { "unsupported_op.onnx", "Hardmax node 'hm' (opset 13): operator not supported" },
        { "missing.onnx", "ONNX model file not found" },
    };

    /// <summary>Each bad file is a MucmmUserException whose one-line message starts with the file's path and says what is wrong (for an unsupported operator: the op, the node and the opset).</summary>
    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesAreOneLineUserErrors(string file, string expected)
    {
        var ex = Assert.Throws<MucmmUserException>(() => OnnxModule.Load(Fixture(file)));
        Assert.StartsWith(Fixture(file) + ": ", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}

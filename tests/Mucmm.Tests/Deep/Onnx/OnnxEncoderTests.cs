using Mucmm.Deep;
using Mucmm.Deep.Onnx;
using Mucmm.Tests.Cli;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Onnx;

public class OnnxEncoderTests
{
    private static string Fixture(string name) => OnnxImportTests.Fixture(name);

    /// <summary>
    /// <c>--encoder onnx:PATH</c> in the deep model: the ONNX encoder (the small CNN, 432 inputs → 5 features) stays
    /// frozen by default and trains with TrainEncoder; the saved model carries the graph as encoder1.onnx and its
    /// weights, and the reloaded model transforms exactly like the fitted one (oracle: the fitted model itself,
    /// tolerance 0).
    /// </summary>
    [Fact]
    public void OnnxEncoderIsFrozenByDefaultTrainsOnRequestAndRoundTrips()
    {
        using var scope = NewDisposeScope();
        var data = LinearSynthetic.Create(300, 432, 432, 2, 1, seed: 4);
        using var reference = new OnnxEncoder(Fixture("cnn_opset13.onnx"), 432);
        Assert.Equal(5, reference.OutputDim);
        var before = reference.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        var options = new DeepModelOptions { Encoder = EncoderKind.Onnx, OnnxPaths = [Fixture("cnn_opset13.onnx")], CommonDim = 1, IndividualDim = 1, DecoderHidden = 8 };
        PretrainedEncoderAssert.FrozenByDefaultTrainsOnRequestAndRoundTrips(data, options, before, "encoder1.onnx");
    }

    /// <summary>Bad ONNX encoders on the command line are exit 2 with one line: not ONNX, an unsupported operator (op, node, opset named), a graph whose input does not fit the view, resnet18 on vector samples or at a size that is not a multiple of 32.</summary>
    [Fact]
    public void BadOnnxEncodersAreOneLineUserErrors()
    {
        string root = TestPaths.NewTempDir();
        string[] common = ["fit", "--model", "deep", "--dataset", "synthetic", "--samples", "300", "--batch-size", "100", "--quiet"];
        (string Encoder, string Expected)[] cases =
        [
            ("onnx:" + Fixture("not_onnx.onnx"), "not an ONNX model"),
            ("onnx:" + Fixture("unsupported_op.onnx"), "Hardmax node 'hm' (opset 13): operator not supported"),
            ("onnx:" + Fixture("cnn_opset13.onnx"), "takes 432 values per sample"),
            ("resnet18", "needs image samples"),
            ("resnet18:100", "multiple of 32"),
        ];
        for (int i = 0; i < cases.Length; i++)
        {
            var r = CliHarness.Run([.. common, "--encoder", cases[i].Encoder, "--out", Path.Combine(root, $"o{i}")]);
            Assert.True(r.ExitCode == 2, $"{cases[i].Encoder}: exit {r.ExitCode}, {r.Stderr}");
            Assert.Contains(cases[i].Expected, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.False(Directory.Exists(Path.Combine(root, $"o{i}")));
        }
    }

    /// <summary>
    /// The resnet18 encoder in the deep model: DeepTrainer on 160 pairs of 16×16 grey images (synthetic two-view data
    /// shaped as images) with <c>Encoder = ResNet18, ImageSize = 32</c> trains the heads on frozen 512-d features (the
    /// ResNet weights do not move); the saved model records encoder and size, and the reloaded model transforms exactly
    /// like the fitted one (oracle: the fitted model, tolerance 0).
    /// </summary>
    [Fact]
    public void ResNet18EncoderTrainsHeadsOnFrozenFeaturesAndRoundTrips()
    {
        using var scope = NewDisposeScope();
        var vectors = LinearSynthetic.Create(160, 256, 256, 2, 1, seed: 6);
        var data = new Mucmm.Data.PairedDataset("images",
            vectors.Views.Select(v => new Mucmm.Data.View(v.Name, Mucmm.Data.ViewKind.Image, [16, 16], v.Data)).ToArray(), vectors.Splits);
        var options = new DeepModelOptions { Encoder = EncoderKind.ResNet18, ImageSize = 32, CommonDim = 1, IndividualDim = 1, DecoderHidden = 8 };
        var training = new DeepTrainingOptions { Epochs = 1, BatchSize = 80, WarmupEpochs = 0 };
        using var reference = new ResNet18Encoder([16, 16], 32);
        var before = reference.parameters().First().detach().data<float>().ToArray();
        using var model = new DeepTrainer(options, training).Fit(data);
        var encoder = Assert.IsType<ResNet18Encoder>(model.Network[0].Encoder);
        Assert.Equal(32, encoder.Size);
        Assert.False(model.Options.EncoderTrains);
        Assert.Equal(before, encoder.parameters().First().detach().data<float>().ToArray());

        string dir = TestPaths.NewTempDir();
        model.Save(dir);
        using var loaded = DeepMultiviewModel.Load(dir);
        Assert.Equal(32, Assert.IsType<ResNet18Encoder>(loaded.Network[1].Encoder).Size);
        Assert.Equal(0.0, (model.Transform(data.Views).Individual[1] - loaded.Transform(data.Views).Individual[1]).abs().max().item<double>());
    }
}

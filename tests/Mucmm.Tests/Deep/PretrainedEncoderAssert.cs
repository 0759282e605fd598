using Mucmm.Data;
using Mucmm.Deep;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

/// <summary>The shared check of a pretrained (file-backed) encoder kind: TorchScript, ONNX.</summary>
internal static class PretrainedEncoderAssert
{
    /// <summary>
    /// Oracle: the definition of frozen — training heads (2 epochs) on the encoder of <paramref name="options"/> leaves
    /// its parameters bit-identical to <paramref name="before"/>, while TrainEncoder changes them; the saved model
    /// carries the encoder file <paramref name="savedFile"/> and, reloaded, reproduces the common variates exactly
    /// (tolerance 0).
    /// </summary>
    public static void FrozenByDefaultTrainsOnRequestAndRoundTrips(PairedDataset data, DeepModelOptions options, float[] before, string savedFile)
    {
        var training = new DeepTrainingOptions { Epochs = 2, BatchSize = 100, LearningRate = 1e-2, WarmupEpochs = 0 };
        using var frozen = new DeepTrainer(options, training).Fit(data);
        float[] Params(DeepMultiviewModel m) => m.Network[0].Encoder.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        Assert.Equal(before, Params(frozen));
        using var tuned = new DeepTrainer(options with { TrainEncoder = true }, training).Fit(data);
        Assert.NotEqual(before, Params(tuned));

        string dir = TestPaths.NewTempDir();
        tuned.Save(dir);
        Assert.True(File.Exists(Path.Combine(dir, savedFile)));
        using var loaded = DeepMultiviewModel.Load(dir);
        Assert.Equal(0.0, (tuned.Transform(data.Views).Common[0] - loaded.Transform(data.Views).Common[0]).abs().max().item<double>());
    }
}

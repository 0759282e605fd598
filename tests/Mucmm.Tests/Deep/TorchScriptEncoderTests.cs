using System.Globalization;
using Mucmm.Deep;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep;

public class TorchScriptEncoderTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchscript", name);

    /// <summary>
    /// Oracle: PyTorch 1.13 (Debian python3-torch) — Fixtures/torchscript/make_encoder.py scripted a 6→5→3 tanh
    /// MLP, saved it as encoder.pt and printed its outputs for x[i, j] = (i·6 + j)/10 − 1 into expected.csv.
    /// TorchSharp must load the file and reproduce them to 1e-6 (float32).
    /// </summary>
    [Fact]
    public void LoadedModuleReproducesPythonOutputs()
    {
        using var scope = NewDisposeScope();
        using var encoder = new TorchScriptEncoder(Fixture("encoder.pt"), 6);
        Assert.Equal(3, encoder.OutputDim);
        var x = arange(24, dtype: float32).reshape(4, 6) / 10 - 1;
        var y = encoder.call(x);
        var expected = File.ReadAllLines(Fixture("expected.csv")).Skip(1)
            .SelectMany(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();
        Assert.Equal(expected.Length, (int)y.numel());
        var got = y.data<float>().ToArray();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - expected[i]) < 1e-6, $"entry {i}: {got[i]} vs {expected[i]}");
    }

    /// <summary>
    /// Oracle: the definition of frozen — training heads on a frozen TorchScript encoder leaves its parameters
    /// bit-identical, while --fine-tune changes them; the saved model (with encoder1.pt/encoder2.pt) reloads
    /// and reproduces the variates exactly. Missing or invalid files are clear user errors.
    /// </summary>
    [Fact]
    public void FrozenByDefaultFineTunedOnRequestAndSavedWithTheModel()
    {
        using var scope = NewDisposeScope();
        var data = LinearSynthetic.Create(400, 6, 6, 2, 1, seed: 3);
        using var reference = new TorchScriptEncoder(Fixture("encoder.pt"), 6);
        var before = reference.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        var options = new DeepModelOptions { Encoder = EncoderKind.TorchScript, TorchScriptPaths = [Fixture("encoder.pt")], CommonDim = 1, IndividualDim = 1, DecoderHidden = 8 };
        PretrainedEncoderAssert.FrozenByDefaultTrainsOnRequestAndRoundTrips(data, options, before, "encoder1.pt");

        Assert.Throws<MucmmUserException>(() => new TorchScriptEncoder(Fixture("missing.pt"), 6));
        var ex = Assert.Throws<MucmmUserException>(() => new TorchScriptEncoder(Fixture("expected.csv"), 6));
        Assert.Contains("not a TorchScript module", ex.Message);
        Assert.Throws<MucmmUserException>(() => new TorchScriptEncoder(Fixture("encoder.pt"), 7));
    }
}

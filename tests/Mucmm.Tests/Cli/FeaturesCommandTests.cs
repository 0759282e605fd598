using Mucmm.Data.Readers;
using Mucmm.Tests.Deep.Onnx;
using Xunit;

namespace Mucmm.Tests.Cli;

public class FeaturesCommandTests
{
    /// <summary>
    /// Oracle: ONNX Runtime 1.32 on the same file and samples. <c>mucmm features --encoder onnx:cnn_opset13.onnx</c> on a
    /// (5, 3, 12, 12) .npy writes a float32 (5 × 5) .npy equal to ONNX Runtime's outputs to 1e-4 relative (max-norm),
    /// with --batch-size 2 (batches of 2, 2 and 1).
    /// </summary>
    [Fact]
    public void FeaturesOfAnOnnxEncoderEqualOnnxRuntime()
    {
        string dir = TestPaths.NewTempDir(), input = Path.Combine(dir, "x.npy"), output = Path.Combine(dir, "f.npy");
        var rng = new Random(2);
        var x = Enumerable.Range(0, 5 * 3 * 12 * 12).Select(_ => (double)(float)rng.NextDouble()).ToArray();
        NpyFile.Write(input, x, [5, 3, 12, 12]);
        var r = CliHarness.Run("features", "--encoder", "onnx:" + OnnxImportTests.Fixture("cnn_opset13.onnx"), "--input", input, "--out", output, "--batch-size", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var got = NpyFile.Read(output);
        Assert.Equal(new[] { 5, 5 }, got.Shape);
        Assert.Equal(NpyDType.Float32, got.DType);
        var expected = OrtOracle.Run(OnnxImportTests.Fixture("cnn_opset13.onnx"), new OrtOracle.Input("x", [5, 3, 12, 12], x.Select(v => (float)v).ToArray()))[0].Values;
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        Assert.True(got.Data.Zip(expected, (a, b) => Math.Abs(a - b)).Max() <= 1e-4 * scale);
    }

    /// <summary>Bad uses are exit 2 with one line and no output file: unknown encoder, input that is not .npy, a graph that does not fit the samples, an existing output without --force.</summary>
    [Fact]
    public void BadFeatureRequestsAreOneLineUserErrors()
    {
        string dir = TestPaths.NewTempDir(), input = Path.Combine(dir, "x.npy"), existing = Path.Combine(dir, "old.npy");
        NpyFile.Write(input, new double[4 * 6], [4, 6]);
        File.WriteAllText(existing, "keep");
        string cnn = "onnx:" + OnnxImportTests.Fixture("cnn_opset13.onnx");
        (string[] Args, string Expected)[] cases =
        [
            (["--encoder", "vgg", "--input", input, "--out", Path.Combine(dir, "a.npy")], "encoder must be"),
            (["--encoder", cnn, "--input", Path.Combine(dir, "x.csv"), "--out", Path.Combine(dir, "b.npy")], "--input must be a .npy file"),
            (["--encoder", cnn, "--input", input, "--out", Path.Combine(dir, "c.npy")], "takes 432 values per sample but the view has 6"),
            (["--encoder", cnn, "--input", input, "--out", existing], "already exists"),
        ];
        foreach (var (args, expected) in cases)
        {
            var r = CliHarness.Run(["features", .. args]);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode} {r.Stderr}");
            Assert.Contains(expected, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
        }
        Assert.False(File.Exists(Path.Combine(dir, "c.npy")));
        Assert.Equal("keep", File.ReadAllText(existing));
    }
}

using Mucmm.Deep.Onnx;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Deep.Onnx;

public class ResNet18EncoderTests
{
    /// <summary>
    /// Oracle: ONNX Runtime 1.32 running the package's own two graphs in sequence, ResNetPreprocess.onnx on the
    /// 0–255 RGB image and then ResNet18.onnx (one image at a time: both declare batch 1), on two random 224×224 RGB
    /// images. The encoder (batch 2, [0, 1] pixels) must give the same 512 pooled features to 1e-4 relative (max-norm).
    /// </summary>
    [Fact]
    public void ForwardAt224EqualsOnnxRuntimeOnThePackageModels()
    {
        var rng = new Random(11);
        const int n = 2, s = ResNet18Encoder.NativeSize, d = 3 * s * s;
        var pixels = Enumerable.Range(0, n * d).Select(_ => (float)rng.NextDouble()).ToArray();
        var expected = new List<float>();
        for (int i = 0; i < n; i++)
        {
            var image255 = pixels.Skip(i * d).Take(d).Select(v => v * 255f).ToArray();
            var pre = OrtOracle.Run(ResNet18Encoder.PreprocessPath, new OrtOracle.Input("OriginalInput", [1, 3, s, s], image255))[0];
            var feats = OrtOracle.Run(ResNet18Encoder.ModelPath, new OrtOracle.Input("Input247", [1, 3, s, s], pre.Values))[0];
            Assert.Equal(new long[] { 1, 512, 1, 1 }, feats.Shape);
            expected.AddRange(feats.Values);
        }
        using var scope = NewDisposeScope();
        using var encoder = new ResNet18Encoder([3, s, s]);
        Assert.Equal(512, encoder.OutputDim);
        Tensor y;
        using (no_grad()) y = encoder.call(torch.tensor(pixels).reshape(n, d));
        Assert.Equal(new long[] { n, 512 }, y.shape);
        var got = y.data<float>().ToArray();
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        double err = got.Zip(expected, (a, b) => (double)Math.Abs(a - b)).Max();
        Assert.True(err <= 1e-4 * scale, $"max error {err:g3} (scale {scale:g3})");
        Assert.True(expected.Max() > 0.1, "the features are not all near zero");
    }

    /// <summary>
    /// Oracle: central finite differences (h = 1e-7 on [0, 1] pixels; a larger step crosses ReLU and max-pool kinks of the deep network) of a float64 copy of the encoder on a 20×20 grey
    /// view at size 64, for L = Σ w ⊙ features with fixed random w: the autograd gradient with respect to the view's
    /// own pixels (through the bilinear resize, the grey → RGB replication, the preprocessing and the network) matches
    /// at 5 pixels to 1e-5 relative (|g − fd| ≤ 1e-5 · max(1e-3, |fd|)), and is not zero.
    /// </summary>
    [Fact]
    public void GradientsReachTheOriginalPixels()
    {
        using var scope = NewDisposeScope();
        using var encoder = new ResNet18Encoder([20, 20], size: 64, floatType: ScalarType.Float64);
        var gen = new Generator(5);
        var x = torch.rand(new long[] { 2, 400 }, dtype: ScalarType.Float64, generator: gen).requires_grad_(true);
        var w = torch.randn(new long[] { 2, 512 }, dtype: ScalarType.Float64, generator: gen);
        Tensor Loss(Tensor input) => (encoder.call(input) * w).sum();
        var grad = torch.autograd.grad([Loss(x)], [x])[0].reshape(-1);
        const double h = 1e-7;
        using (no_grad())
        {
            var flat = x.detach().reshape(-1);
            foreach (long idx in new long[] { 0, 57, 210, 399, 640 })
            {
                var plus = flat.clone(); plus[idx] = plus[idx] + h;
                var minus = flat.clone(); minus[idx] = minus[idx] - h;
                double fd = (Loss(plus.reshape(2, 400)).item<double>() - Loss(minus.reshape(2, 400)).item<double>()) / (2 * h);
                double g = grad[idx].item<double>();
                Assert.True(Math.Abs(g) > 1e-6, $"pixel {idx}: zero gradient");
                Assert.True(Math.Abs(g - fd) <= 1e-5 * Math.Max(1e-3, Math.Abs(fd)), $"pixel {idx}: autograd {g} vs finite difference {fd}");
            }
        }
    }

    /// <summary>Other sizes and colour views: the final pooling is global, so a 3×50×60 view at size 96 gives 512 features per sample; an unsupported sample shape and a size that is not a multiple of 32 are one-line user errors.</summary>
    [Fact]
    public void OtherSizesGive512FeaturesAndBadShapesAreUserErrors()
    {
        using var scope = NewDisposeScope();
        using var encoder = new ResNet18Encoder([3, 50, 60], size: 96);
        using (no_grad()) Assert.Equal(new long[] { 4, 512 }, encoder.call(torch.rand(4, 3 * 50 * 60)).shape);
        Assert.Contains("[H, W], [1, H, W] or [3, H, W]", Assert.Throws<MucmmUserException>(() => new ResNet18Encoder([2, 5, 5])).Message);
        Assert.Contains("multiple of 32", Assert.Throws<MucmmUserException>(() => new ResNet18Encoder([28, 28], size: 40)).Message);
    }
}

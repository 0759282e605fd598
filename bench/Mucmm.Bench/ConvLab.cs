using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Mucmm.Bench;

/// <summary>
/// <c>convlab</c>: LibTorch's oneDNN convolution at ResNet18's shapes (batch 32 by default, under no_grad), each variant
/// timed alone (wall ms, median of <c>--reps</c> calls after one warm-up): the 7 × 7 / 2 stem on 3 channels in NHWC (what
/// the importer runs), NCHW, and as a 4 × 4 convolution on the 12-channel space-to-depth input (exact algebra); and the
/// 3 × 3 stride-1 layers in NHWC and NCHW with their GFLOP/s. Evidence for docs/pretrained.md ("what bounds the
/// forward"): compare with <c>matmul</c> (MKL's sgemm rate here), which bounds any im2col or Winograd rewrite.
/// </summary>
public static class ConvLab
{
    static Tensor CL(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    static double Ms(int reps, Action a)
    {
        a();
        var ts = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var s = NewDisposeScope()) a();
            ts.Add(sw.Elapsed.TotalMilliseconds);
        }
        ts.Sort();
        return ts[ts.Count / 2];
    }

    public static int Run(int reps, int n)
    {
        var inv = CultureInfo.InvariantCulture;
        using var _ = no_grad();
        torch.manual_seed(0);
        // stem: 3 → 64, 224², 7×7/2, pad 3
        {
            using var stem = NewDisposeScope();
            var x = torch.randn(n, 3, 224, 224);
            var w = torch.randn(64, 3, 7, 7) * 0.1;
            var b = torch.randn(64);
            var wcl = CL(w);
            var refY = F.conv2d(x, w, b, [2, 2], [3, 3]);
            double t0 = Ms(reps, () => F.conv2d(x, wcl, b, [2, 2], [3, 3]));
            double t1 = Ms(reps, () => F.conv2d(x, w, b, [2, 2], [3, 3]));
            double t1b = Ms(reps, () => CL(F.conv2d(x, w, b, [2, 2], [3, 3])));   // NCHW, then to NHWC for the layers after it
            // space to depth: pad 3 → 230, (n,3,115,2,115,2) → (n,12,115,115); weight → (64,12,4,4)
            var w8 = F.pad(w, [0, 1, 0, 1]);
            var ws = w8.reshape(64, 3, 4, 2, 4, 2).permute(0, 1, 3, 5, 2, 4).reshape(64, 12, 4, 4).contiguous();
            var wscl = CL(ws);
            Tensor S2D(Tensor xx, bool cl)
            {
                var xp = F.pad(xx, [3, 3, 3, 3]);
                if (!cl) return xp.reshape(n, 3, 115, 2, 115, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, 12, 115, 115);
                // an NHWC copy whose channels are ordered (c, p, q), as the weight's
                return xp.reshape(n, 3, 115, 2, 115, 2).permute(0, 2, 4, 1, 3, 5).reshape(n, 115, 115, 12).permute(0, 3, 1, 2);
            }
            var ys = F.conv2d(S2D(x, true), wscl, b);
            Console.WriteLine($"# s2d max err {(ys - refY).abs().max().item<float>()} of {refY.abs().max().item<float>()}");
            double t2 = Ms(reps, () => F.conv2d(S2D(x, true), wscl, b));
            double t3 = Ms(reps, () => F.conv2d(S2D(x, false), ws, b));
            double t2s = Ms(reps, () => S2D(x, true).contiguous());
            Console.WriteLine(string.Create(inv, $"stem nhwc {t0:F1} ms | nchw {t1:F1} (+to CL {t1b:F1}) | s2d nhwc {t2:F1} (s2d copy {t2s:F1}) | s2d nchw {t3:F1}"));
        }
        foreach (var (c, h) in new[] { (64, 56), (128, 28), (256, 14), (512, 7) })
        {
            using var layer = NewDisposeScope();
            var x = torch.randn(n, c, h, h);
            var w = torch.randn(c, c, 3, 3) * 0.05;
            var b = torch.randn(c);
            var xcl = CL(x); var wcl = CL(w);
            double a = Ms(reps, () => F.conv2d(xcl, wcl, b, [1, 1], [1, 1]));
            double d = Ms(reps, () => F.conv2d(x, w, b, [1, 1], [1, 1]));
            double gf = 2.0 * n * h * h * c * c * 9 / 1e9;
            Console.WriteLine(string.Create(inv, $"{c}x{h}: nhwc {a:F1} ms ({gf / a * 1e3:F0} GF/s) | nchw {d:F1} ({gf / d * 1e3:F0})"));
        }
        return 0;
    }
}

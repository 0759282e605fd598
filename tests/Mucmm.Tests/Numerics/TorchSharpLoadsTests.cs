using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Numerics;

public class TorchSharpLoadsTests
{
    /// <summary>
    /// Oracle: closed form. For S = A Aᵀ + I, the eigenvalues sum to tr(S) = ‖A‖²_F + n, and
    /// d/dA Σλ(S) = d/dA tr(S) = 2A. Tolerance 1e-10 (float64 LAPACK eigh).
    /// Proves the native library loads (the GLIBCXX weak-version patch of the build works).
    /// </summary>
    [Fact]
    public void Float64EighWithGradientMatchesClosedForm()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var a = randn(6, 6, dtype: float64, requires_grad: true);
        var s = a.matmul(a.t()) + eye(6, dtype: float64);
        var (l, _) = linalg.eigh(s);
        var total = l.sum();
        total.backward();

        double expected = a.detach().square().sum().item<double>() + 6;
        Assert.Equal(expected, total.item<double>(), 10);
        double gradError = (a.grad! - 2 * a.detach()).abs().max().item<double>();
        Assert.True(gradError < 1e-10, $"gradient error {gradError}");
    }
}

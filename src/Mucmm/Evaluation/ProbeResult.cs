using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Outcome of a linear probe fitted on train, tuned on validation, scored on test.</summary>
/// <param name="Metric">"accuracy" (classification) or "r2" (regression).</param>
/// <param name="Test">The metric on the test rows (NaN when undefined, e.g. R² of a constant target).</param>
/// <param name="Validation">The metric on the validation rows for the chosen regularization.</param>
/// <param name="Regularization">The chosen L2 strength (λ for logistic regression, α for ridge).</param>
public sealed record ProbeResult(string Metric, double Test, double Validation, double Regularization);

/// <summary>
/// Column standardization with statistics of the training rows (population standard deviation,
/// as scikit-learn's <c>StandardScaler</c>); zero-variance columns keep scale 1.
/// </summary>
internal sealed class Standardizer : IDisposable
{
    private readonly Tensor _mean;
    private readonly Tensor _scale;

    public Standardizer(Tensor train)
    {
        using var scope = NewDisposeScope();
        var x = train.detach().to(float64).cpu();
        var mean = x.shape[0] > 0 ? x.mean([0], keepdim: true) : zeros(1, x.shape[1], dtype: float64);
        var sd = x.shape[0] > 0 ? (x - mean).square().mean([0], keepdim: true).sqrt() : ones(1, x.shape[1], dtype: float64);
        var tiny = mean.abs().clamp_min(1.0) * 1e-12;
        _scale = where(sd > tiny, sd, ones_like(sd)).MoveToOuterDisposeScope();
        _mean = mean.MoveToOuterDisposeScope();
    }

    /// <summary>(x − mean) / scale as a float64 CPU tensor.</summary>
    public Tensor Apply(Tensor x) => (x.detach().to(float64).cpu() - _mean) / _scale;

    public void Dispose()
    {
        _mean.Dispose();
        _scale.Dispose();
    }
}

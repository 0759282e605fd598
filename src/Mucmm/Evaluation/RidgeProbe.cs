using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Hyperparameters of <see cref="RidgeProbe"/>; defaults in <see cref="Defaults"/>.</summary>
public sealed record RidgeProbeOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        /// <summary>Penalties α tried on validation (objective ‖y − Xw − b‖² + α‖w‖² on standardized X, scikit-learn's convention).</summary>
        public static readonly IReadOnlyList<double> Alphas = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5];
    }

    /// <summary>Penalties tried; the best validation R² wins (ties: the larger α).</summary>
    public IReadOnlyList<double> Alphas { get; init; } = Defaults.Alphas;
}

/// <summary>
/// A fitted ridge regression <c>ŷ = xw + b</c>: closed form <c>w = (XcᵀXc + αI)⁻¹ Xcᵀ yc</c>,
/// <c>b = ȳ − x̄w</c> (intercept not penalized), in float64 — scikit-learn's <c>Ridge(alpha)</c>.
/// </summary>
public sealed class RidgeRegression
{
    private RidgeRegression(double[] coefficients, double intercept)
    {
        Coefficients = coefficients;
        Intercept = intercept;
    }

    /// <summary>w, one per feature.</summary>
    public double[] Coefficients { get; }

    /// <summary>b.</summary>
    public double Intercept { get; }

    /// <summary>Fits on rows of <paramref name="x"/> (n×d, any dtype) and targets <paramref name="y"/>.</summary>
    public static RidgeRegression Fit(Tensor x, double[] y, double alpha)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() != 2 || x.shape[0] != y.Length)
            throw new MucmmUserException($"ridge regression: {y.Length} targets for a feature matrix of shape [{string.Join(", ", x.shape)}]");
        if (y.Length == 0) throw new MucmmUserException("ridge regression needs at least one training row");
        if (alpha < 0 || !double.IsFinite(alpha)) throw new MucmmUserException($"ridge penalty must be ≥ 0, got {alpha}");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var xs = x.detach().to(float64).cpu();
        int d = (int)xs.shape[1];
        var t = tensor(y, dtype: float64).unsqueeze(1);
        var xMean = xs.mean([0], keepdim: true);
        var tMean = t.mean();
        if (d == 0) return new RidgeRegression([], tMean.item<double>());
        var xc = xs - xMean;
        var gram = xc.t().matmul(xc) + alpha * eye(d, dtype: float64);
        var w = linalg.lstsq(gram, xc.t().matmul(t - tMean)).Solution;
        double b = (tMean - xMean.matmul(w)).item<double>();
        return new RidgeRegression(w.reshape(-1).data<double>().ToArray(), b);
    }

    /// <summary>Predictions for the rows of <paramref name="x"/>.</summary>
    public double[] Predict(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (x.dim() != 2 || x.shape[1] != Coefficients.Length)
            throw new MucmmUserException($"ridge regression expects {Coefficients.Length} features, got shape [{string.Join(", ", x.shape)}]");
        if (Coefficients.Length == 0) return Enumerable.Repeat(Intercept, (int)x.shape[0]).ToArray();
        var w = tensor(Coefficients, dtype: float64).unsqueeze(1);
        return (x.detach().to(float64).cpu().matmul(w) + Intercept).reshape(-1).data<double>().ToArray();
    }

    /// <summary>Coefficient of determination 1 − Σ(y − ŷ)²/Σ(y − ȳ)² (scikit-learn's r2_score); NaN when y is constant or empty.</summary>
    public double Score(Tensor x, double[] y) => RSquared(y, Predict(x));

    /// <summary>1 − Σ(y − ŷ)²/Σ(y − ȳ)²; NaN when <paramref name="y"/> is constant or empty.</summary>
    public static double RSquared(double[] y, double[] prediction)
    {
        if (y.Length == 0) return double.NaN;
        double mean = y.Average(), ssRes = 0, ssTot = 0;
        for (int i = 0; i < y.Length; i++)
        {
            ssRes += (y[i] - prediction[i]) * (y[i] - prediction[i]);
            ssTot += (y[i] - mean) * (y[i] - mean);
        }
        return ssTot > 0 ? 1 - ssRes / ssTot : double.NaN;
    }
}

/// <summary>
/// Linear regression probe (docs/evaluation.md): standardize features with training statistics,
/// fit ridge regression for each α of a grid on train, keep the α with the best validation R²,
/// report test R².
/// </summary>
public static class RidgeProbe
{
    /// <summary>Fits on train, tunes α on validation and returns the test R².</summary>
    public static ProbeResult Evaluate(
        Tensor xTrain, double[] yTrain,
        Tensor xValidation, double[] yValidation,
        Tensor xTest, double[] yTest,
        RidgeProbeOptions? options = null)
    {
        options ??= new RidgeProbeOptions();
        return ProbeGrid.Search<RidgeRegression>("ridge", "r2", "α", options.Alphas,
            (xTrain, yTrain.Length), (xValidation, yValidation.Length), (xTest, yTest.Length),
            (tr, alpha, _) => RidgeRegression.Fit(tr, yTrain, alpha),
            (model, va) => (model.Score(va, yValidation), 0),
            (model, te) => model.Score(te, yTest));
    }
}

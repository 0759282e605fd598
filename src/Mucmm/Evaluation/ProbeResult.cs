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

/// <summary>
/// The grid search both probes share (<see cref="LogisticProbe"/>, <see cref="RidgeProbe"/>): check the rows,
/// standardize with the training statistics, fit on train for each regularization strength of the grid (strongest
/// first, so a fit may warm-start from the previous one), keep the best on validation, and score it on test.
/// </summary>
internal static class ProbeGrid
{
    /// <summary>
    /// Runs the search. <paramref name="fit"/>(train, strength, previous) fits one model; <paramref name="validate"/>
    /// gives its validation (score, tie-break): a higher score wins, a lower tie-break breaks ties, the first model
    /// stays on equality (or when scores are NaN). The result's validation value is the kept score, NaN without
    /// validation rows.
    /// </summary>
    public static ProbeResult Search<TModel>(string probe, string metric, string strength, IReadOnlyList<double> grid,
        (Tensor X, int Rows) train, (Tensor X, int Rows) validation, (Tensor X, int Rows) test,
        Func<Tensor, double, TModel?, TModel> fit, Func<TModel, Tensor, (double Score, double TieBreak)> validate,
        Func<TModel, Tensor, double> score) where TModel : class
    {
        if (grid.Count == 0) throw new MucmmUserException($"{probe} probe: the {strength} grid is empty");
        CheckRows(train.X, train.Rows, "train");
        CheckRows(validation.X, validation.Rows, "validation");
        CheckRows(test.X, test.Rows, "test");
        using var scope = NewDisposeScope();
        using var standardizer = new Standardizer(train.X);
        var tr = standardizer.Apply(train.X);
        var va = standardizer.Apply(validation.X);
        var te = standardizer.Apply(test.X);

        TModel? best = null, previous = null;
        (double Score, double TieBreak) bestValue = (double.NaN, double.NaN);
        double bestStrength = double.NaN;
        foreach (double h in grid.OrderDescending())
        {
            var model = fit(tr, h, previous);
            previous = model;
            var value = validate(model, va);
            if (best is null || value.Score > bestValue.Score || (value.Score == bestValue.Score && value.TieBreak < bestValue.TieBreak))
            {
                best = model; bestValue = value; bestStrength = h;
            }
        }
        return new ProbeResult(metric, score(best!, te), validation.Rows > 0 ? bestValue.Score : double.NaN, bestStrength);
    }

    /// <summary>Features must be a matrix with one row per target.</summary>
    public static void CheckRows(Tensor x, int rows, string split)
    {
        if (x.dim() != 2 || x.shape[0] != rows)
            throw new MucmmUserException($"probe: {split} features have shape [{string.Join(", ", x.shape)}] but there are {rows} targets");
    }
}

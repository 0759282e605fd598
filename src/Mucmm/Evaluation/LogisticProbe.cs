using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Hyperparameters of <see cref="LogisticProbe"/>; defaults in <see cref="Defaults"/>.</summary>
public sealed record LogisticProbeOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        /// <summary>L2 strengths λ tried on validation (objective: mean cross-entropy + λ/2·‖W‖²).</summary>
        public static readonly IReadOnlyList<double> Lambdas = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0];
        /// <summary>L-BFGS iteration cap per λ.</summary>
        public const int MaxIterations = 1000;
        /// <summary>Stop when max |gradient| of the objective is below this.</summary>
        public const double GradientTolerance = 1e-6;
    }

    /// <summary>L2 strengths tried; the best validation accuracy wins (ties: lower validation log-loss).</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = Defaults.Lambdas;

    /// <summary>L-BFGS iteration cap per λ.</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>Gradient tolerance of the solver.</summary>
    public double GradientTolerance { get; init; } = Defaults.GradientTolerance;
}

/// <summary>
/// A fitted multinomial logistic regression <c>p(y = c | x) = softmax(xW + b)_c</c>, fitted in
/// float64 by full-batch L-BFGS on <c>(1/n) Σᵢ −log p(yᵢ | xᵢ) + (λ/2)‖W‖²_F</c> (intercept not
/// penalized). This is scikit-learn's <c>LogisticRegression(multi_class="multinomial")</c> with
/// <c>C = 1/(n·λ)</c>. Features are used as given (the probe standardizes them).
/// </summary>
public sealed class MultinomialLogisticRegression
{
    private MultinomialLogisticRegression(int[] classes, double[,] coefficients, double[] intercepts, int iterations)
    {
        Classes = classes;
        Coefficients = coefficients;
        Intercepts = intercepts;
        Iterations = iterations;
    }

    /// <summary>Distinct training labels, ascending; column c of the model is class <c>Classes[c]</c>.</summary>
    public int[] Classes { get; }

    /// <summary>W, features × classes.</summary>
    public double[,] Coefficients { get; }

    /// <summary>b, one per class.</summary>
    public double[] Intercepts { get; }

    /// <summary>L-BFGS iterations used.</summary>
    public int Iterations { get; }

    /// <summary>Fits on rows of <paramref name="x"/> (n×d, any dtype) with labels <paramref name="y"/>.</summary>
    public static MultinomialLogisticRegression Fit(Tensor x, int[] y, double lambda, LogisticProbeOptions? options = null)
        => Fit(x, y, lambda, options, warmStart: null);

    internal static MultinomialLogisticRegression Fit(
        Tensor x, int[] y, double lambda, LogisticProbeOptions? options, MultinomialLogisticRegression? warmStart)
    {
        options ??= new LogisticProbeOptions();
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() != 2 || x.shape[0] != y.Length)
            throw new MucmmUserException($"logistic regression: {y.Length} labels for a feature matrix of shape [{string.Join(", ", x.shape)}]");
        if (y.Length == 0) throw new MucmmUserException("logistic regression needs at least one training row");
        if (lambda < 0 || !double.IsFinite(lambda)) throw new MucmmUserException($"L2 strength must be ≥ 0, got {lambda}");

        int[] classes = y.Distinct().Order().ToArray();
        int n = y.Length, d = (int)x.shape[1], c = classes.Length;
        var classIndex = classes.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i);
        using var outer = NewDisposeScope();
        using var _ = no_grad();
        var xs = x.detach().to(float64).cpu();
        var target = tensor(y.Select(v => (long)classIndex[v]).ToArray(), dtype: int64).unsqueeze(1);
        var oneHot = zeros(n, c, dtype: float64).scatter_(1, target, ones(n, 1, dtype: float64));

        (double, double[]) Objective(double[] theta)
        {
            using var scope = NewDisposeScope();
            var all = tensor(theta, dtype: float64);
            var w = all[..(d * c)].reshape(d, c);
            var b = all[(d * c)..];
            var logits = xs.matmul(w) + b;
            var logp = logits.log_softmax(1);
            double loss = -(logp * oneHot).sum().item<double>() / n + 0.5 * lambda * w.square().sum().item<double>();
            var residual = logp.exp() - oneHot;
            var gw = xs.t().matmul(residual) / n + lambda * w;
            var gb = residual.mean([0]);
            var grad = cat([gw.reshape(-1), gb]).data<double>().ToArray();
            return (loss, grad);
        }

        var start = new double[(d + 1) * c];
        if (warmStart is not null && warmStart.Classes.SequenceEqual(classes) && warmStart.Coefficients.GetLength(0) == d)
        {
            Buffer.BlockCopy(warmStart.Coefficients, 0, start, 0, d * c * sizeof(double));
            Array.Copy(warmStart.Intercepts, 0, start, d * c, c);
        }
        var (theta, iterations) = Lbfgs.Minimize(Objective, start, options.GradientTolerance, options.MaxIterations);
        var coef = new double[d, c];
        Buffer.BlockCopy(theta, 0, coef, 0, d * c * sizeof(double));
        return new MultinomialLogisticRegression(classes, coef, theta[(d * c)..], iterations);
    }

    /// <summary>Class probabilities, rows × classes (float64 CPU tensor).</summary>
    public Tensor PredictProbabilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        int d = Coefficients.GetLength(0), c = Classes.Length;
        if (x.dim() != 2 || x.shape[1] != d)
            throw new MucmmUserException($"logistic regression expects {d} features, got shape [{string.Join(", ", x.shape)}]");
        var flat = new double[d * c];
        Buffer.BlockCopy(Coefficients, 0, flat, 0, flat.Length * sizeof(double));
        var w = tensor(flat, new long[] { d, c }, dtype: float64);
        var b = tensor(Intercepts, dtype: float64);
        return (x.detach().to(float64).cpu().matmul(w) + b).softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Most probable class label of each row.</summary>
    public int[] Predict(Tensor x)
    {
        using var scope = NewDisposeScope();
        var arg = PredictProbabilities(x).argmax(1).data<long>().ToArray();
        return arg.Select(i => Classes[i]).ToArray();
    }

    /// <summary>Mean negative log-likelihood of <paramref name="y"/>; labels unseen in training count as probability 1e-15.</summary>
    public double LogLoss(Tensor x, int[] y)
    {
        using var scope = NewDisposeScope();
        if (y.Length == 0) return double.NaN;
        var p = PredictProbabilities(x).data<double>().ToArray();
        int c = Classes.Length;
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            int k = Array.BinarySearch(Classes, y[i]);
            double pi = k >= 0 ? p[i * c + k] : 0;
            sum -= Math.Log(Math.Max(pi, 1e-15));
        }
        return sum / y.Length;
    }

    /// <summary>Fraction of rows whose predicted label equals <paramref name="y"/> (NaN for no rows).</summary>
    public double Accuracy(Tensor x, int[] y)
    {
        if (y.Length == 0) return double.NaN;
        var pred = Predict(x);
        int hits = 0;
        for (int i = 0; i < y.Length; i++) if (pred[i] == y[i]) hits++;
        return hits / (double)y.Length;
    }
}

/// <summary>
/// Linear classification probe (docs/evaluation.md): standardize features with training
/// statistics, fit a multinomial logistic regression for each λ of a small grid on train, keep
/// the λ with the best validation accuracy, report test accuracy. Deterministic.
/// </summary>
public static class LogisticProbe
{
    /// <summary>Fits on train, tunes λ on validation and returns the test accuracy.</summary>
    public static ProbeResult Evaluate(
        Tensor xTrain, int[] yTrain,
        Tensor xValidation, int[] yValidation,
        Tensor xTest, int[] yTest,
        LogisticProbeOptions? options = null)
    {
        options ??= new LogisticProbeOptions();
        // Strongest penalty first: each fit warm-starts the next, weaker one; ties in accuracy go to the lower log-loss.
        return ProbeGrid.Search<MultinomialLogisticRegression>("logistic", "accuracy", "λ", options.Lambdas,
            (xTrain, yTrain.Length), (xValidation, yValidation.Length), (xTest, yTest.Length),
            (tr, lambda, previous) => MultinomialLogisticRegression.Fit(tr, yTrain, lambda, options, previous),
            (model, va) => yValidation.Length > 0 ? (model.Accuracy(va, yValidation), model.LogLoss(va, yValidation)) : (0, 0),
            (model, te) => model.Accuracy(te, yTest));
    }
}

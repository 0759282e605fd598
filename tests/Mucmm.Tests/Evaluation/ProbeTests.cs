using Mucmm.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Evaluation;

public class ProbeTests
{
    // The deterministic data of probe_reference.py (no random numbers, so C# and Python agree exactly).
    private const int N = 90, D = 3;

    private static (double[] x, int[] y) ReferenceClassification()
    {
        var x = new double[N * D];
        var y = new int[N];
        for (int i = 0; i < N; i++)
        {
            y[i] = 7 * i % 3;
            for (int j = 0; j < D; j++)
                x[i * D + j] = Math.Sin(0.37 * i + 1.1 * j) + (y[i] == j ? 0.9 : 0) + 0.2 * Math.Cos(0.05 * i * j);
        }
        return (x, y);
    }

    /// <summary>
    /// Oracle: scikit-learn 1.2.1 (Debian python3-sklearn), tests/Mucmm.Tests/Evaluation/probe_reference.py:
    /// <c>LogisticRegression(C=1/(n·λ), multi_class="multinomial", solver="newton-cg", tol=1e-14)</c> on the
    /// same formula data, λ = 0.01 (its gradient at the solution is 5e-14; scikit-learn's lbfgs solver stops
    /// early there, at gradient 3e-6, on its ftol criterion). Coefficients and centered intercepts agree
    /// to 1e-8 (the optimum is unique: the objective is strictly convex in W).
    /// </summary>
    [Fact]
    public void LogisticRegressionMatchesScikitLearn()
    {
        using var scope = NewDisposeScope();
        var (xs, y) = ReferenceClassification();
        var x = tensor(xs, new long[] { N, D }, dtype: float64);
        var model = MultinomialLogisticRegression.Fit(x, y, 0.01, new LogisticProbeOptions { GradientTolerance = 1e-11 });
        double[] expectedCoef =
        [
            1.5029231208441889, -1.9599948889223164, 0.4570717680781265,
            -0.9959570207582096, 1.9248518238889631, -0.9288948031307528,
            0.4953936879692689, -1.898633838567354, 1.4032401505980845,
        ];
        double[] expectedIntercept = [-0.5547194837035548, 0.8243463061538517, -0.26962682245029695];
        Assert.Equal([0, 1, 2], model.Classes);
        for (int j = 0; j < D; j++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(expectedCoef[j * 3 + c], model.Coefficients[j, c], 8);
        double mean = model.Intercepts.Average();
        for (int c = 0; c < 3; c++)
            Assert.Equal(expectedIntercept[c], model.Intercepts[c] - mean, 8);
    }

    /// <summary>
    /// Oracle: scikit-learn 1.2.1 <c>Ridge(alpha=2.5)</c> (probe_reference.py) on the formula data with
    /// target x·[0.5, −1, 2] + sin(0.11 i). Closed form on both sides: agreement to 1e-10.
    /// </summary>
    [Fact]
    public void RidgeRegressionMatchesScikitLearn()
    {
        using var scope = NewDisposeScope();
        var (xs, _) = ReferenceClassification();
        var t = new double[N];
        for (int i = 0; i < N; i++)
            t[i] = 0.5 * xs[i * D] - xs[i * D + 1] + 2 * xs[i * D + 2] + Math.Sin(0.11 * i);
        var model = RidgeRegression.Fit(tensor(xs, new long[] { N, D }, dtype: float64), t, 2.5);
        double[] expected = [0.37996568329679975, -0.9307390019224359, 1.8800371044236504];
        for (int j = 0; j < D; j++) Assert.Equal(expected[j], model.Coefficients[j], 10);
        Assert.Equal(0.2745290357246105, model.Intercept, 10);
    }

    private static (Tensor x, int[] y) Blobs(int n, int seed, double separation)
    {
        var g = new Random(seed);
        var x = new double[n * 4];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (g.NextDouble() - 0.5) + (j == y[i] ? separation : 0);
        }
        return (tensor(x, new long[] { n, 4 }, dtype: float64), y);
    }

    /// <summary>
    /// Oracle: synthetic ground truth. Three classes whose bounded noise (±0.5 per coordinate) cannot
    /// cross the class offsets of 5: a linear classifier separates them, so test accuracy is exactly 1.
    /// </summary>
    [Fact]
    public void SeparableClassesGiveAccuracyOne()
    {
        using var scope = NewDisposeScope();
        var (xtr, ytr) = Blobs(150, 1, 5);
        var (xva, yva) = Blobs(60, 2, 5);
        var (xte, yte) = Blobs(60, 3, 5);
        var r = LogisticProbe.Evaluate(xtr, ytr, xva, yva, xte, yte);
        Assert.Equal("accuracy", r.Metric);
        Assert.Equal(1.0, r.Test);
        Assert.Contains(r.Regularization, LogisticProbeOptions.Defaults.Lambdas);
    }

    /// <summary>
    /// Oracle: synthetic ground truth. Features carry no information about labels (labels are a
    /// separate random draw), three balanced classes: test accuracy must be near chance 1/3
    /// (bound 0.5 at n = 600 test rows; the binomial standard deviation is 0.02).
    /// </summary>
    [Fact]
    public void UninformativeFeaturesGiveChanceAccuracy()
    {
        using var scope = NewDisposeScope();
        var g = new Random(7);
        Tensor X(int n) => tensor(Enumerable.Range(0, n * 5).Select(_ => g.NextDouble()).ToArray(), new long[] { n, 5 }, dtype: float64);
        int[] Y(int n) => Enumerable.Range(0, n).Select(_ => g.Next(3)).ToArray();
        var r = LogisticProbe.Evaluate(X(600), Y(600), X(200), Y(200), X(600), Y(600));
        Assert.InRange(r.Test, 0.2, 0.5);
    }

    /// <summary>
    /// Oracle: synthetic ground truth. The target is an exact linear function of the features, so the
    /// best ridge fit (smallest α = 1e-3 on standardized features, n = 200) has test R² = 1 up to the
    /// shrinkage, below 1e-6.
    /// </summary>
    [Fact]
    public void ExactLinearTargetGivesRSquaredOne()
    {
        using var scope = NewDisposeScope();
        var g = new Random(3);
        (Tensor, double[]) Make(int n)
        {
            var x = Enumerable.Range(0, n * 3).Select(_ => g.NextDouble() * 10).ToArray();
            var y = Enumerable.Range(0, n).Select(i => 3 * x[i * 3] - 0.5 * x[i * 3 + 1] + 7).ToArray();
            return (tensor(x, new long[] { n, 3 }, dtype: float64), y);
        }
        var (a, ya) = Make(200);
        var (b, yb) = Make(50);
        var (c, yc) = Make(50);
        var r = RidgeProbe.Evaluate(a, ya, b, yb, c, yc);
        Assert.Equal("r2", r.Metric);
        Assert.True(1 - r.Test < 1e-6, $"R² = {r.Test}");
        Assert.Equal(1e-3, r.Regularization);
    }

    /// <summary>
    /// Oracle: closed form. With no features (a model without individual variates) ridge predicts the
    /// training mean, so R² = 1 − Σ(y − ȳ_train)²/Σ(y − ȳ_test)², computed here by hand; logistic
    /// regression predicts the majority training class.
    /// </summary>
    [Fact]
    public void ZeroWidthFeaturesFallBackToConstantPredictions()
    {
        using var scope = NewDisposeScope();
        var empty = zeros(4, 0, dtype: float64);
        double[] ytr = [1, 2, 3, 6], yte = [0, 1, 2, 5];
        var r = RidgeProbe.Evaluate(empty, ytr, empty, ytr, empty, yte);
        double expected = 1 - yte.Sum(v => (v - 3.0) * (v - 3.0)) / yte.Sum(v => (v - 2.0) * (v - 2.0));
        Assert.Equal(expected, r.Test, 12);

        var c = LogisticProbe.Evaluate(empty, [1, 1, 1, 0], empty, [1, 0, 1, 1], empty, [1, 1, 0, 0]);
        Assert.Equal(0.5, c.Test);
    }

    [Fact]
    public void MismatchedRowsAreUserErrors()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 2, dtype: float64);
        Assert.Throws<MucmmUserException>(() => RidgeProbe.Evaluate(x, [1, 2, 3], x, [1, 2, 3, 4], x, [1, 2, 3, 4]));
        Assert.Throws<MucmmUserException>(() => LogisticProbe.Evaluate(x, [1, 2, 3, 4], x, [1, 2], x, [1, 2, 3, 4]));
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Gradient-map methods (docs/method.md §5).</summary>
public enum AttributionMethod
{
    /// <summary>∂S/∂x, the plain gradient (saliency).</summary>
    Gradient,
    /// <summary>x ⊙ ∂S/∂x.</summary>
    GradientTimesInput,
    /// <summary>Mean gradient over noisy copies of the input (Smilkov et al. 2017, "SmoothGrad").</summary>
    SmoothGrad,
    /// <summary>(x − x′) ⊙ ∫₀¹ ∂S/∂x(x′ + α(x − x′)) dα (Sundararajan et al. 2017), by Gauss–Legendre quadrature.</summary>
    IntegratedGradients,
    /// <summary>
    /// Σ_m ∂S/∂x_m with Σ_m the training covariance of view m's inputs (<see cref="InputCovariance"/>):
    /// the pattern Σ₁₁A of a linear model (Haufe et al. 2014), the gradient in the data's Mahalanobis
    /// geometry for any model (docs/method.md).
    /// </summary>
    Pattern,
    /// <summary>
    /// x ⊙ Σ_m ∂S/∂x_m: the pattern map weighted by the input, a contribution in the spirit of
    /// PatternAttribution (Kindermans et al. 2018) — zero where the input is zero.
    /// </summary>
    PatternTimesInput,
    /// <summary>
    /// Occlusion (Zeiler and Fergus 2014): S(x) − S(x with a patch replaced by the baseline), for every
    /// patch of <see cref="AttributionOptions.OcclusionPatch"/> inputs per side moved by
    /// <see cref="AttributionOptions.OcclusionStride"/>; an input's attribution is the mean change over the
    /// patches that contain it. Square patches on images and spectrograms, windows on vectors.
    /// </summary>
    Occlusion,
}

/// <summary>Options of <see cref="Attributions.Compute"/>; defaults in <see cref="Defaults"/>.</summary>
public sealed record AttributionOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        /// <summary>Noisy copies per sample for SmoothGrad (Smilkov et al. report that 50 suffice).</summary>
        public const int SmoothGradSamples = 50;
        /// <summary>SmoothGrad noise σ as a fraction of each sample's value range per view (10–20 % in Smilkov et al.).</summary>
        public const double SmoothGradNoise = 0.15;
        /// <summary>
        /// Gauss–Legendre nodes for Integrated Gradients. Smooth paths (linear models, tanh networks) are
        /// integrated to rounding error with far fewer; ReLU networks put kinks on the path, where the
        /// error falls only like ~n^(−1.5): on a deep MUCMM model of noisy-mnist the absolute
        /// completeness error was 0.02 with 64 nodes, 0.0026 with 256 and 0.0003 with 1024 (|S(x) − S(x′)| ≈ 5).
        /// </summary>
        public const int IntegratedGradientsSteps = 256;
        /// <summary>
        /// Occlusion: side of the square patch (images, spectrograms) or length of the window (vectors),
        /// in inputs. 4 pixels covers about a stroke's width on 28 × 28 digits.
        /// </summary>
        public const int OcclusionPatch = 4;
        /// <summary>Occlusion: step between patches; half the patch, so every input lies in up to 4 patches (smoother maps than disjoint patches).</summary>
        public const int OcclusionStride = 2;
        /// <summary>Samples per autograd pass (each expands to SmoothGrad samples or IG steps rows).</summary>
        public const int BatchSize = 16;
        /// <summary>
        /// The method <c>mucmm explain</c> and the report use unless told otherwise, chosen by evidence
        /// (docs/explain.md, "Localization"): see <see cref="ExplainMethodReason"/>.
        /// </summary>
        public const AttributionMethod ExplainMethod = AttributionMethod.Pattern;
        /// <summary>Why <see cref="ExplainMethod"/> is the default (shown in the report).</summary>
        public const string ExplainMethodReason =
            "on located-mnist, where the shared content sits in the left half of view 1 and view 1's own content in the right half, " +
            "pattern maps put most of their mass where it belongs — linear MUCMM: 0.95 of the common map in the shared half and 0.95 of " +
            "the view-1 individual map in the own half (plain gradient 0.53 / 0.85); deep MUCMM with located-mnist's defaults (k = 30, 30 epochs, mean of 3 seeds): " +
            "0.872 / 0.886 (plain gradient 0.81 / 0.74; on the individual map only pattern × input comes as close, 0.89, and the size of its maps hardly depends " +
            "on the trained heads; occlusion 0.97 / 0.76) — and they pass the model-randomization check (rank correlation of the signed maps of the trained " +
            "model and of a copy with re-initialized heads ≤ 0.27). Plain gradients of a linear model are filters, which also weigh noise; " +
            "patterns show what a variate is made of (Haufe et al. 2014).";
    }

    /// <summary>The method.</summary>
    public AttributionMethod Method { get; init; } = AttributionMethod.Gradient;

    /// <summary>SmoothGrad: noisy copies per sample.</summary>
    public int SmoothGradSamples { get; init; } = Defaults.SmoothGradSamples;

    /// <summary>SmoothGrad: noise σ relative to (max − min) of the sample's values in each view.</summary>
    public double SmoothGradNoise { get; init; } = Defaults.SmoothGradNoise;

    /// <summary>Integrated Gradients: quadrature nodes along the straight path from the baseline.</summary>
    public int IntegratedGradientsSteps { get; init; } = Defaults.IntegratedGradientsSteps;

    /// <summary>Samples per autograd pass.</summary>
    public int BatchSize { get; init; } = Defaults.BatchSize;

    /// <summary>Seed of the SmoothGrad noise (same seed, same maps).</summary>
    public int Seed { get; init; }

    /// <summary>Occlusion: patch side (images, spectrograms) or window length (vectors), in inputs; clipped to the sample's size.</summary>
    public int OcclusionPatch { get; init; } = Defaults.OcclusionPatch;

    /// <summary>Occlusion: step between patches, in inputs (at most the patch, so that every input is covered).</summary>
    public int OcclusionStride { get; init; } = Defaults.OcclusionStride;

    /// <summary>
    /// Occlusion: the sample shape of each view (e.g. [28, 56] for an image); a view with a 2-D shape gets
    /// square patches, any other (or a missing entry) windows over its flattened inputs.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>>? SampleShapes { get; init; }

    /// <summary>The training covariance of each view's inputs; required by <see cref="AttributionMethod.Pattern"/> and <see cref="AttributionMethod.PatternTimesInput"/>, ignored otherwise.</summary>
    public InputCovariance? Covariance { get; init; }

    /// <summary>Throws <see cref="MucmmUserException"/> for out-of-range values.</summary>
    public void Validate()
    {
        if (SmoothGradSamples < 1) throw new MucmmUserException($"SmoothGrad samples must be ≥ 1, got {SmoothGradSamples}");
        if (!(SmoothGradNoise >= 0) || !double.IsFinite(SmoothGradNoise)) throw new MucmmUserException($"SmoothGrad noise must be ≥ 0, got {SmoothGradNoise}");
        if (IntegratedGradientsSteps < 1) throw new MucmmUserException($"Integrated Gradients steps must be ≥ 1, got {IntegratedGradientsSteps}");
        if (BatchSize < 1) throw new MucmmUserException($"batch size must be ≥ 1, got {BatchSize}");
        if (OcclusionPatch < 1) throw new MucmmUserException($"occlusion patch must be ≥ 1, got {OcclusionPatch}");
        if (OcclusionStride < 1 || OcclusionStride > OcclusionPatch)
            throw new MucmmUserException($"occlusion stride must be between 1 and the patch size {OcclusionPatch} (so that every input is covered), got {OcclusionStride}");
    }

    /// <summary>Whether <paramref name="method"/> needs <see cref="Covariance"/>.</summary>
    public static bool NeedsCovariance(AttributionMethod method) =>
        method is AttributionMethod.Pattern or AttributionMethod.PatternTimesInput;

    /// <summary>The command-line names of the methods.</summary>
    public static IReadOnlyList<string> MethodNames { get; } = ["gradient", "gradient-x-input", "smoothgrad", "integrated-gradients", "pattern", "pattern-x-input", "occlusion"];

    /// <summary>Parses a method name: gradient, gradient-x-input, smoothgrad, integrated-gradients, pattern, pattern-x-input, occlusion.</summary>
    public static AttributionMethod ParseMethod(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "gradient" => AttributionMethod.Gradient,
        "gradient-x-input" => AttributionMethod.GradientTimesInput,
        "smoothgrad" => AttributionMethod.SmoothGrad,
        "integrated-gradients" => AttributionMethod.IntegratedGradients,
        "pattern" => AttributionMethod.Pattern,
        "pattern-x-input" => AttributionMethod.PatternTimesInput,
        "occlusion" => AttributionMethod.Occlusion,
        _ => throw new MucmmUserException($"unknown attribution method '{name}'; valid: {string.Join(", ", MethodNames)}"),
    };

    /// <summary>The command-line name of a method.</summary>
    public static string MethodName(AttributionMethod method) => method switch
    {
        AttributionMethod.Gradient => "gradient",
        AttributionMethod.GradientTimesInput => "gradient-x-input",
        AttributionMethod.SmoothGrad => "smoothgrad",
        AttributionMethod.Pattern => "pattern",
        AttributionMethod.PatternTimesInput => "pattern-x-input",
        AttributionMethod.Occlusion => "occlusion",
        _ => "integrated-gradients",
    };
}

/// <summary>Attribution maps of one score for n samples.</summary>
public sealed class AttributionResult
{
    internal AttributionResult(Score score, AttributionMethod method, int rows, double[][] maps, double[] values,
        double[]? baselineValues, double[]? completenessErrors)
    {
        Score = score;
        Method = method;
        Rows = rows;
        Maps = maps;
        Values = values;
        BaselineValues = baselineValues;
        CompletenessErrors = completenessErrors;
    }

    /// <summary>The explained score.</summary>
    public Score Score { get; }

    /// <summary>The method used.</summary>
    public AttributionMethod Method { get; }

    /// <summary>Number of samples.</summary>
    public int Rows { get; }

    /// <summary>Maps[m] is view m's attribution, row-major (Rows × input width of view m), float64.</summary>
    public IReadOnlyList<double[]> Maps { get; }

    /// <summary>S(x) of each sample.</summary>
    public double[] Values { get; }

    /// <summary>Integrated Gradients only: S(baseline) of each sample; null otherwise.</summary>
    public double[]? BaselineValues { get; }

    /// <summary>
    /// Integrated Gradients only: the completeness error Σ attributions (all views) − (S(x) − S(baseline))
    /// of each sample; null otherwise.
    /// </summary>
    public double[]? CompletenessErrors { get; }

    /// <summary>
    /// Integrated Gradients only: max over samples of |completeness error| / |S(x) − S(baseline)|
    /// (samples with S(x) = S(baseline) are skipped); NaN otherwise.
    /// </summary>
    public double MaxRelativeCompletenessError
    {
        get
        {
            if (CompletenessErrors is null || BaselineValues is null) return double.NaN;
            double worst = 0;
            for (int i = 0; i < Rows; i++)
            {
                double delta = Math.Abs(Values[i] - BaselineValues[i]);
                if (delta > 0) worst = Math.Max(worst, Math.Abs(CompletenessErrors[i]) / delta);
            }
            return worst;
        }
    }

    /// <summary>The map of sample <paramref name="row"/> in view <paramref name="view"/> (0-based).</summary>
    public ReadOnlySpan<double> Map(int view, int row)
    {
        int width = Maps[view].Length / Math.Max(1, Rows);
        return Maps[view].AsSpan(row * width, width);
    }
}

/// <summary>
/// Gradient maps of any <see cref="Score"/> of any <see cref="IMultiviewModel"/> with respect to
/// every input view, by autograd through the model's <see cref="IMultiviewModel.Forward"/>.
/// </summary>
/// <remarks>
/// Samples are processed in batches; the score of a sample must depend on that sample's inputs
/// only (true for every model in evaluation mode). Inputs are given to the model as float64 tensors.
/// </remarks>
public static partial class Attributions
{
    /// <summary>
    /// Attribution maps of <paramref name="score"/> for the rows of <paramref name="inputs"/> (one
    /// (n × d_m) tensor per view). <paramref name="baseline"/> (Integrated Gradients only; one tensor per
    /// view of shape (1 × d_m) or (n × d_m)) defaults to zeros.
    /// </summary>
    /// <remarks>
    /// <paramref name="baseline"/> is also the value that occlusion puts into a patch.
    /// </remarks>
    public static AttributionResult Compute(
        IMultiviewModel model, Score score, IReadOnlyList<Tensor> inputs,
        AttributionOptions? options = null, IReadOnlyList<Tensor>? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(score);
        options ??= new AttributionOptions();
        options.Validate();
        CheckInputs(model, inputs);
        if (AttributionOptions.NeedsCovariance(options.Method))
        {
            if (options.Covariance is null) throw new MucmmUserException($"the {AttributionOptions.MethodName(options.Method)} method needs the training covariance of the inputs (Covariance)");
            options.Covariance.CheckFits(model);
        }
        int mCount = inputs.Count, n = (int)inputs[0].shape[0];
        if (baseline is not null)
        {
            if (baseline.Count != mCount) throw new MucmmUserException($"baseline has {baseline.Count} views, expected {mCount}");
            for (int m = 0; m < mCount; m++)
                if (baseline[m].dim() != 2 || baseline[m].shape[1] != inputs[m].shape[1] || (baseline[m].shape[0] != 1 && baseline[m].shape[0] != n))
                    throw new MucmmUserException($"baseline of view {m + 1} has shape [{string.Join(", ", baseline[m].shape)}], expected [1, {inputs[m].shape[1]}] or [{n}, {inputs[m].shape[1]}]");
        }

        var maps = Enumerable.Range(0, mCount).Select(m => new double[n * inputs[m].shape[1]]).ToArray();
        var values = new double[n];
        bool ig = options.Method == AttributionMethod.IntegratedGradients;
        var baseValues = ig ? new double[n] : null;
        var errors = ig ? new double[n] : null;
        using var generator = new torch.Generator((ulong)options.Seed);

        for (int start = 0; start < n; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(options.BatchSize, n - start);
            var x = inputs.Select(t => t.detach().to(float64).cpu()[start..(start + count)]).ToArray();
            Tensor[] attr;
            double[] s;
            switch (options.Method)
            {
                case AttributionMethod.Gradient:
                    (attr, s) = Gradients(model, score, x);
                    break;
                case AttributionMethod.GradientTimesInput:
                    (attr, s) = Gradients(model, score, x);
                    attr = attr.Select((g, m) => g * x[m]).ToArray();
                    break;
                case AttributionMethod.SmoothGrad:
                    (attr, s) = SmoothGrad(model, score, x, options, generator);
                    break;
                case AttributionMethod.Pattern:
                    (attr, s) = Gradients(model, score, x);
                    attr = attr.Select((g, m) => options.Covariance!.Apply(m, g)).ToArray();
                    break;
                case AttributionMethod.PatternTimesInput:
                    (attr, s) = Gradients(model, score, x);
                    attr = attr.Select((g, m) => options.Covariance!.Apply(m, g) * x[m]).ToArray();
                    break;
                case AttributionMethod.Occlusion:
                {
                    var xb = Enumerable.Range(0, mCount).Select(m => BaselineRows(baseline?[m], x[m], start, count)).ToArray();
                    (attr, s) = Occlusion(model, score, x, xb, options);
                    break;
                }
                default:
                {
                    var xb = Enumerable.Range(0, mCount).Select(m => BaselineRows(baseline?[m], x[m], start, count)).ToArray();
                    double[] sb;
                    (attr, s, sb) = IntegratedGradients(model, score, x, xb, options.IntegratedGradientsSteps);
                    for (int i = 0; i < count; i++)
                    {
                        double total = 0;
                        foreach (var a in attr) total += a[i].sum().item<double>();
                        baseValues![start + i] = sb[i];
                        errors![start + i] = total - (s[i] - sb[i]);
                    }
                    break;
                }
            }
            for (int m = 0; m < mCount; m++)
            {
                var flat = attr[m].contiguous().data<double>().ToArray();
                Array.Copy(flat, 0, maps[m], start * inputs[m].shape[1], flat.Length);
            }
            Array.Copy(s, 0, values, start, count);
        }
        return new AttributionResult(score, options.Method, n, maps, values, baseValues, errors);
    }

    /// <summary>Throws <see cref="MucmmUserException"/> unless the inputs fit the model.</summary>
    internal static void CheckInputs(IMultiviewModel model, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != model.ViewCount)
            throw new MucmmUserException($"the {model.Kind} model has {model.ViewCount} views but {inputs.Count} inputs were given");
        for (int m = 0; m < inputs.Count; m++)
        {
            if (inputs[m].dim() != 2 || inputs[m].shape[1] != model.InputDims[m])
                throw new MucmmUserException($"input of view {m + 1} has shape [{string.Join(", ", inputs[m].shape)}], the model expects [n, {model.InputDims[m]}]");
            if (inputs[m].shape[0] != inputs[0].shape[0])
                throw new MucmmUserException($"inputs are not paired: {inputs[0].shape[0]} rows vs {inputs[m].shape[0]} rows");
        }
    }

    /// <summary>∂S/∂x_m of every row (float64, the inputs' shapes) and S of every row.</summary>
    internal static (Tensor[] grads, double[] values) Gradients(IMultiviewModel model, Score score, IReadOnlyList<Tensor> x)
    {
        using var scope = NewDisposeScope();
        using var _ = enable_grad();
        var leaves = x.Select(t => t.detach().to(float64).requires_grad_(true)).ToArray();
        var s = score.Evaluate(model.Forward(leaves));
        var grads = autograd.grad([s.sum()], leaves, allow_unused: true);
        var result = leaves.Select((leaf, m) =>
            (grads[m] is null || grads[m].IsInvalid ? zeros_like(leaf) : grads[m].detach().to(float64)).MoveToOuterDisposeScope()).ToArray();
        return (result, s.detach().data<double>().ToArray());
    }

    /// <summary>S of every row, without gradient.</summary>
    internal static double[] Values(IMultiviewModel model, Score score, IReadOnlyList<Tensor> x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return score.Evaluate(model.Forward(x)).detach().data<double>().ToArray();
    }

    private static (Tensor[] attr, double[] values) SmoothGrad(
        IMultiviewModel model, Score score, Tensor[] x, AttributionOptions options, torch.Generator generator)
    {
        using var scope = NewDisposeScope();
        int count = (int)x[0].shape[0], k = options.SmoothGradSamples;
        var values = Values(model, score, x);
        var noisy = x.Select(t =>
        {
            // σ per sample and view: noise level × (max − min) of the sample's values (1 for a constant sample).
            var range = t.amax([1], keepdim: true) - t.amin([1], keepdim: true);
            range = where(range > 0, range, ones_like(range));
            var rep = t.repeat_interleave(k, 0);
            var sigma = (options.SmoothGradNoise * range).repeat_interleave(k, 0);
            return rep + sigma * randn(rep.shape, dtype: float64, generator: generator);
        }).ToArray();
        var (g, _) = Gradients(model, score, noisy);
        var mean = g.Select((t, m) => t.reshape(count, k, x[m].shape[1]).mean([1]).MoveToOuterDisposeScope()).ToArray();
        return (mean, values);
    }

    private static (Tensor[] attr, double[] values, double[] baselineValues) IntegratedGradients(
        IMultiviewModel model, Score score, Tensor[] x, Tensor[] baseline, int steps)
    {
        using var scope = NewDisposeScope();
        int count = (int)x[0].shape[0];
        var (nodes, weights) = GaussLegendre.OnUnitInterval(steps);
        var alpha = tensor(nodes, dtype: float64).repeat(count).unsqueeze(1);   // row i·steps + j ↦ node j
        var w = tensor(weights, dtype: float64).reshape(1, steps, 1);
        var path = x.Select((t, m) =>
        {
            var b = baseline[m].repeat_interleave(steps, 0);
            return b + alpha * (t.repeat_interleave(steps, 0) - b);
        }).ToArray();
        var (g, _) = Gradients(model, score, path);
        var attr = g.Select((t, m) =>
            ((x[m] - baseline[m]) * (t.reshape(count, steps, x[m].shape[1]) * w).sum([1])).MoveToOuterDisposeScope()).ToArray();
        return (attr, Values(model, score, x), Values(model, score, baseline));
    }
}

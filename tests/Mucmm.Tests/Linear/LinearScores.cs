using TorchSharp;
using static TorchSharp.torch;

using Mucmm.Linear;

namespace Mucmm.Tests.Linear;

/// <summary>
/// Test oracle (it lives with the tests: the product computes every score by autograd, <c>Mucmm.Explain</c>).
/// Per-sample scores of docs/method.md §5 for a <see cref="LinearModel"/>, with their input
/// gradients in closed form (no autograd). They are the reference that autograd maps through
/// <see cref="IMultiviewModel.Forward"/> must reproduce. Derivation in docs/method.md.
/// </summary>
/// <remarks>
/// With cₘ = (xₘ − x̄ₘ)Aₘ and uₘ = (xₘ − x̄ₘ)Lₘ (row vectors):
/// <list type="bullet">
/// <item>common score S_c = Σᵢ c₁ᵢ c₂ᵢ; ∂S_c/∂x₁ = A₁ c₂ and ∂S_c/∂x₂ = A₂ c₁ (in the span of the
/// common directions of that view); with M &gt; 2 views the mean over the P = M(M−1)/2 pairs,
/// S_c = (1/P) Σ_{a&lt;b} Σᵢ c_aᵢ c_bᵢ, and ∂S_c/∂xₘ = (1/P) Aₘ Σ_{b≠m} c_b;</item>
/// <item>individual score S_u^m = (1/rₘ) Σᵢ uₘᵢ²; ∂S_u^m/∂xₘ = (2/rₘ) Lₘ uₘ (in the span of the
/// individual loadings), ∂S_u^m/∂x_other = 0;</item>
/// <item>single variates cₘᵢ and uₘᵢ have the constant gradients aₘᵢ and lₘᵢ.</item>
/// </list>
/// Inputs are (n × dₘ) tensors of any floating dtype; results are float64, one row per sample.
/// </remarks>
public static class LinearScores
{
    /// <summary>Common score S_c of each row of a two-view model: (n) float64.</summary>
    public static Tensor Common(LinearModel model, Tensor x1, Tensor x2) => Common(model, [x1, x2]);

    /// <summary>
    /// Common score of each row for a model of M ≥ 2 views, one input per view: the mean over the
    /// M(M−1)/2 pairs a &lt; b of Σᵢ c_aᵢ c_bᵢ (S_c = Σᵢ c₁ᵢ c₂ᵢ for two views); (n) float64.
    /// </summary>
    public static Tensor Common(LinearModel model, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = model.Forward(inputs).Common;
        Tensor? sum = null;
        int pairs = 0;
        for (int a = 0; a < c.Count; a++)
            for (int b = a + 1; b < c.Count; b++, pairs++)
            {
                var prod = (c[a] * c[b]).sum(1);
                sum = sum is null ? prod : sum + prod;
            }
        return (pairs == 1 ? sum! : sum! / pairs).MoveToOuterDisposeScope();
    }

    /// <summary>Individual score S_u^m of view <paramref name="view"/> for each row: (n) float64.</summary>
    public static Tensor Individual(LinearModel model, int view, Tensor x)
    {
        int r = RequireIndividual(model, view);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var u = IndividualVariates(model, view, x);
        return u.square().sum(1).div_(r).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Analytic gradients of the common score with respect to both inputs: (∂S_c/∂x₁, ∂S_c/∂x₂),
    /// each (n × dₘ) float64: row j is A₁ c₂(j) and A₂ c₁(j).
    /// </summary>
    public static (Tensor Grad1, Tensor Grad2) CommonGradients(LinearModel model, Tensor x1, Tensor x2)
    {
        var g = CommonGradients(model, [x1, x2]);
        return (g[0], g[1]);
    }

    /// <summary>
    /// Analytic gradients of the common score (<see cref="Common(LinearModel, IReadOnlyList{Tensor})"/>) with
    /// respect to every input of a model of M ≥ 2 views: element m is ∂S_c/∂xₘ, (n × dₘ) float64, row j =
    /// (1/P) Aₘ Σ_{b≠m} c_b(j) with P = M(M−1)/2 (A₁ c₂(j) and A₂ c₁(j) for two views).
    /// </summary>
    public static Tensor[] CommonGradients(LinearModel model, IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var c = model.Forward(inputs).Common;
        int mCount = c.Count, pairs = mCount * (mCount - 1) / 2;
        var result = new Tensor[mCount];
        for (int m = 0; m < mCount; m++)
        {
            Tensor? others = null;
            for (int b = 0; b < mCount; b++)
                if (b != m) others = others is null ? c[b] : others + c[b];
            var g = others!.matmul(model.CommonDirections(m).to(inputs[m].device).t());
            result[m] = (pairs == 1 ? g : g / pairs).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>
    /// Analytic gradient of the individual score of view <paramref name="view"/> with respect to that
    /// view's input: (n × dₘ) float64, row j = (2/rₘ) Lₘ uₘ(j). (The gradient with respect to the other views is zero.)
    /// </summary>
    public static Tensor IndividualGradient(LinearModel model, int view, Tensor x)
    {
        int r = RequireIndividual(model, view);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var u = IndividualVariates(model, view, x);
        var g = u.matmul(model.IndividualLoadings(view).to(x.device).t()).mul_(2.0 / r);
        return g.MoveToOuterDisposeScope();
    }

    /// <summary>Gradient of the single common variate c_{view,i} with respect to x_view: the direction aᵢ (dₘ) float64.</summary>
    public static Tensor CommonVariateGradient(LinearModel model, int view, int index)
    {
        if (index < 0 || index >= model.CommonDim)
            throw new MucmmUserException($"common variate {index} does not exist (the model has {model.CommonDim})");
        using var scope = NewDisposeScope();
        return model.CommonDirections(view).select(1, index).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Gradient of the single individual variate u_{view,i} with respect to x_view: the loading lᵢ (dₘ) float64.</summary>
    public static Tensor IndividualVariateGradient(LinearModel model, int view, int index)
    {
        if (index < 0 || index >= model.IndividualDims[view])
            throw new MucmmUserException($"individual variate {index} of view {view + 1} does not exist (the model has {model.IndividualDims[view]})");
        using var scope = NewDisposeScope();
        return model.IndividualLoadings(view).select(1, index).contiguous().MoveToOuterDisposeScope();
    }

    private static Tensor IndividualVariates(LinearModel model, int view, Tensor x)
    {
        if (view < 0 || view >= model.ViewCount) throw new MucmmUserException($"view {view + 1} does not exist (the model has {model.ViewCount})");
        if (x.ndim != 2 || x.shape[1] != model.InputDims[view])
            throw new MucmmUserException($"view {view + 1}: expected (rows × {model.InputDims[view]}), got shape [{string.Join(", ", x.shape)}]");
        var xc = x.to_type(float64) - torch.tensor(model.Mean(view).ToArray(), dtype: float64, device: x.device);
        return xc.matmul(model.IndividualLoadings(view).to(x.device));
    }

    private static int RequireIndividual(LinearModel model, int view)
    {
        if (view < 0 || view >= model.ViewCount) throw new MucmmUserException($"view {view + 1} does not exist (the model has {model.ViewCount})");
        int r = model.IndividualDims[view];
        if (r == 0) throw new MucmmUserException($"the {model.Kind} model has no individual variates for view {view + 1}");
        return r;
    }
}

using Mucmm.Data;
using Mucmm.Linear;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>
/// The JIVE-style split of each view's variance into common / individual / residual parts for any
/// <see cref="IMultiviewModel"/>, measured by least-squares regression of the input on the model's variates.
/// </summary>
/// <remarks>
/// For view m with centred inputs X (n × dₘ): common = 1 − ‖X − P_C X‖²/‖X‖² with P_C the projection on the
/// common variates cₘ; individual = (1 − ‖X − P_{C,U} X‖²/‖X‖²) − common with P_{C,U} the projection on
/// [cₘ, uₘ]; residual = 1 − common − individual. For a linear MUCMM model with K = k these equal the
/// model's own <see cref="LinearModel.ExplainedVariance"/> on its training rows (the individual variates
/// are uncorrelated with the common ones, so the two regressions add up).
/// </remarks>
public static class VarianceDecomposition
{
    /// <summary>The split of each view's variance on the rows of <paramref name="views"/>.</summary>
    public static VarianceSplit[] Compute(IMultiviewModel model, IReadOnlyList<View> views)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var z = model.Transform(views);
        var result = new VarianceSplit[views.Count];
        for (int m = 0; m < views.Count; m++)
        {
            var x = Representations.Slice(views[m], 0, views[m].Rows);
            x = x - x.mean([0], keepdim: true);
            double total = x.square().sum().item<double>();
            if (!(total > 0))
            {
                result[m] = new VarianceSplit(0, 0, 1);
                continue;
            }
            double common = Explained(z.Common[m], x, total);
            double both = Explained(cat([z.Common[m], z.Individual[m]], 1), x, total);
            result[m] = new VarianceSplit(common, Math.Max(0, both - common), Math.Max(0, 1 - both));
        }
        return result;
    }

    /// <summary>Fraction of ‖X‖² explained by the least-squares regression of X on the columns of Z (centred).</summary>
    private static double Explained(Tensor z, Tensor x, double total)
    {
        if (z.shape[1] == 0) return 0;
        using var scope = NewDisposeScope();
        var zc = z - z.mean([0], keepdim: true);
        // Orthonormal basis of span(Z) by a thin QR, then the projection of X on it.
        var (q, r) = linalg.qr(zc);
        var d = r.diagonal().abs();
        var keep = d > d.max() * 1e-10;
        q = q.index_select(1, keep.nonzero().reshape(-1));
        var proj = q.matmul(q.t().matmul(x));
        return proj.square().sum().item<double>() / total;
    }
}

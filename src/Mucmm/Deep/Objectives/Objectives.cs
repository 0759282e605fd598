using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>
/// Weights and measure of the MUCMM objective. Defaults live here and only here.
/// </summary>
/// <param name="Alpha">α: weight of the individual-vs-other-views penalty.</param>
/// <param name="Beta">β: weight of the individual-vs-own-common penalty.</param>
/// <param name="Gamma">γ: weight of the relative reconstruction error.</param>
/// <param name="Measure">Correlation measure of the common term (the penalties always use R2).</param>
/// <param name="Ridge">Relative ridge ε of every measure.</param>
/// <param name="CommonFromCorrelationOnly">
/// When true, the common representations enter the α and β penalties as constants
/// (<c>detach</c>): the penalties push the individual parts away from the common ones, never the common
/// parts away from the individual ones, so the common heads learn from the correlation term alone (as in
/// Deep CCA) and the common correlation rises as fast as Deep CCA's. The loss value is unchanged; only its
/// gradient with respect to c differs. The trainer likewise feeds the decoders a detached c. False gives
/// the plain gradient of the formula (docs/method.md §8) (default: on noisy-mnist the detached variant let rotation
/// leak into the common variates, docs/results.md).
/// </param>
public sealed record MucmmObjectiveOptions(
    double Alpha = 1.0,
    double Beta = 1.0,
    double Gamma = 1.0,
    CorrelationMeasure Measure = CorrelationMeasure.R2,
    double Ridge = Correlation.DefaultRidge,
    bool CommonFromCorrelationOnly = false)
{
    /// <summary>Throws <see cref="MucmmUserException"/> for negative or non-finite weights.</summary>
    public void Validate()
    {
        foreach (var (name, v) in new[] { (nameof(Alpha), Alpha), (nameof(Beta), Beta), (nameof(Gamma), Gamma), (nameof(Ridge), Ridge) })
            if (!double.IsFinite(v) || v < 0)
                throw new MucmmUserException($"{nameof(MucmmObjectiveOptions)}.{name} must be a finite number ≥ 0, got {v}");
    }
}

/// <summary>
/// Functional forms of the deep objectives (typed twins: <see cref="MucmmObjective"/>,
/// <see cref="DeepCcaObjective"/>).
/// </summary>
/// <remarks>
/// <para>MUCMM objective (docs/method.md §8; Shi &amp; Niethammer 2023, arXiv 2305.03125), for M ≥ 2
/// views with common c_m (n×k), individual u_m (n×r_m), z_m = [c_m, u_m], reconstruction target t_m
/// and decoder output D_m(z_m):</para>
/// <code>
/// L = − Σ_{m&lt;m'} R(c_m, c_m')                          "correlation"
///     + α · Σ_{m≠m'} R2(u_m, z_m')                     "leak_other"
///     + β · Σ_m R2(u_m, c_m)                            "leak_own"
///     + γ · Σ_m ‖t_m − D_m(z_m)‖² / ‖t_m − mean(t_m)‖²   "reconstruction"
/// </code>
/// <para>With M = 2 this is exactly the two-view formula of docs/method.md §8; with M &gt; 2 every sum runs over all (ordered,
/// for α) pairs. Deep CCA (Andrew et al. 2013) keeps only the first term (with R = R1 in the paper).
/// Views whose individual width is 0 contribute no penalty terms. Every term is returned unweighted,
/// with its weight, so all of them can be logged.</para>
/// </remarks>
public static class DeepObjectives
{
    /// <summary>The four-term MUCMM objective over all views; see the type's remarks.</summary>
    public static ObjectiveResult Mucmm(IReadOnlyList<ViewBatch> views, MucmmObjectiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (views.Count < 2) throw new ArgumentException("an objective needs at least two views", nameof(views));

        // Every R2 measure of the formula in one batched computation (Correlation.R2Pairs): the blocks are c_m (index m),
        // u_m (M + m) and, when the penalties see the common parts as constants, c_m detached (2M + m).
        int count = views.Count;
        bool detach = options.CommonFromCorrelationOnly;
        var blocks = views.Select(v => v.Common).Concat(views.Select(v => v.Individual))
            .Concat(detach ? views.Select(v => v.Common.detach()) : []).ToArray();
        int PenaltyCommon(int m) => detach ? 2 * count + m : m;
        bool HasIndividual(int m) => views[m].Individual.shape[1] > 0;
        var pairs = new List<(int[] A, int[] B)>();
        if (options.Measure == CorrelationMeasure.R2)
            for (int m = 0; m < count; m++)
                for (int o = m + 1; o < count; o++) pairs.Add(([m], [o]));
        int correlationPairs = pairs.Count;
        for (int m = 0; m < count; m++)
            if (HasIndividual(m))
                for (int o = 0; o < count; o++)
                    if (o != m) pairs.Add(([count + m], HasIndividual(o) ? [PenaltyCommon(o), count + o] : [PenaltyCommon(o)]));
        int otherPairs = pairs.Count - correlationPairs;
        for (int m = 0; m < count; m++)
            if (HasIndividual(m)) pairs.Add(([count + m], [PenaltyCommon(m)]));
        int ownPairs = pairs.Count - correlationPairs - otherPairs;
        var r2 = pairs.Count > 0 ? Correlation.R2Pairs(blocks, pairs, options.Ridge) : null;
        var zero = zeros([], dtype: float64, device: views[0].Common.device);
        Tensor Sum(int start, int length) => length == 0 ? zero : r2!.narrow(0, start, length).sum();

        var correlation = options.Measure == CorrelationMeasure.R2 ? Sum(0, correlationPairs) : CommonCorrelation(views, options.Measure, options.Ridge);
        var leakOther = Sum(correlationPairs, otherPairs);
        var leakOwn = Sum(correlationPairs + otherPairs, ownPairs);
        var reconstruction = zero;
        foreach (var v in views)
            if (v.Target is { } t && v.Reconstruction is { } r)
                reconstruction = reconstruction + RelativeReconstructionError(t, r);

        var terms = new[]
        {
            new ObjectiveTerm(TermNames.Correlation, correlation, -1.0),
            new ObjectiveTerm(TermNames.LeakOther, leakOther, options.Alpha),
            new ObjectiveTerm(TermNames.LeakOwn, leakOwn, options.Beta),
            new ObjectiveTerm(TermNames.Reconstruction, reconstruction, options.Gamma),
        };
        return new ObjectiveResult(Combine(terms), terms);
    }

    /// <summary>
    /// Deep CCA (Andrew et al. 2013): maximize Σ_{m&lt;m'} R(c_m, c_m'); the only term is "correlation".
    /// The paper's measure is <see cref="CorrelationMeasure.R1"/>.
    /// </summary>
    public static ObjectiveResult DeepCca(IReadOnlyList<ViewBatch> views, CorrelationMeasure measure = CorrelationMeasure.R1,
        double ridge = Correlation.DefaultRidge) => DeepCcaObjective.Compute(views, measure, ridge);

    /// <summary>Σ_{m&lt;m'} R(c_m, c_m') over all pairs of views.</summary>
    public static Tensor CommonCorrelation(IReadOnlyList<ViewBatch> views, CorrelationMeasure measure, double ridge)
    {
        ArgumentNullException.ThrowIfNull(views);
        Tensor? sum = null;
        for (int m = 0; m < views.Count; m++)
            for (int o = m + 1; o < views.Count; o++)
            {
                var r = Correlation.Measure(measure, views[m].Common, views[o].Common, ridge);
                sum = sum is null ? r : sum + r;
            }
        return sum ?? throw new ArgumentException("an objective needs at least two views", nameof(views));
    }

    /// <summary>
    /// <c>‖t − r‖²_F / ‖t − mean(t)‖²_F</c> over the batch (float64 scalar): 1 for predicting the batch mean,
    /// 0 for a perfect reconstruction, invariant to rescaling target and reconstruction together.
    /// </summary>
    public static Tensor RelativeReconstructionError(Tensor target, Tensor reconstruction)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(reconstruction);
        using var scope = NewDisposeScope();
        // In the inputs' dtype (float32 in training: no float64 copies of the batch), with fused kernels — the squared
        // error summed in one pass (cascaded float sums), the spread as n · Σ per-column variance (Welford) —, the
        // ratio in float64: few passes over the batch, which matter more than the arithmetic at these sizes. The per-column
        // variance is LibTorch's to the bit, computed faster (ColumnVariance).
        var t = target.flatten(1);
        var r = reconstruction.flatten(1);
        var err = nn.functional.mse_loss(r, t, nn.Reduction.Sum).to(float64);
        var spread = (ColumnVariance.Of(t).to(float64).sum() * t.shape[0]).clamp_min(1e-300);
        return (err / spread).MoveToOuterDisposeScope();
    }

    /// <summary>The loss Σ Weight · Value of <paramref name="terms"/> (terms of weight 0 are left out).</summary>
    internal static Tensor Combine(IReadOnlyList<ObjectiveTerm> terms)
    {
        Tensor loss = terms[0].Value * terms[0].Weight;
        for (int i = 1; i < terms.Count; i++)
            if (terms[i].Weight != 0) loss = loss + terms[i].Value * terms[i].Weight;
        return loss;
    }
}

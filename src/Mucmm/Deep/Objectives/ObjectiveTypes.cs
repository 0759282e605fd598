using static TorchSharp.torch;

namespace Mucmm.Deep.Objectives;

/// <summary>
/// What an objective sees of one view in one batch (rows = samples).
/// </summary>
/// <param name="Common">Common representation c_m (n × k).</param>
/// <param name="Individual">Individual representation u_m (n × r_m); n × 0 for Deep CCA.</param>
/// <param name="Target">Reconstruction target: the feature h_m when the encoder is frozen, the input x_m when it trains; null when there is no decoder.</param>
/// <param name="Reconstruction">Decoder output D_m(z_m), same shape as <paramref name="Target"/>; null when there is no decoder.</param>
public sealed record ViewBatch(Tensor Common, Tensor Individual, Tensor? Target = null, Tensor? Reconstruction = null);

/// <summary>One named term of an objective: its unweighted value (float64 scalar) and its weight in the loss.</summary>
/// <param name="Name">Stable name used in logs and train.csv, e.g. "correlation".</param>
/// <param name="Value">Unweighted value (float64 scalar tensor, differentiable).</param>
/// <param name="Weight">Signed weight: the loss is Σ Weight · Value.</param>
public sealed record ObjectiveTerm(string Name, Tensor Value, double Weight);

/// <summary>The loss to minimize and every term it is made of, in a fixed order.</summary>
/// <param name="Loss">Σ Weight · Value over <paramref name="Terms"/> (float64 scalar, differentiable).</param>
/// <param name="Terms">The named terms, all of which are logged.</param>
public sealed record ObjectiveResult(Tensor Loss, IReadOnlyList<ObjectiveTerm> Terms)
{
    /// <summary>The term called <paramref name="name"/>.</summary>
    public ObjectiveTerm this[string name] => Terms.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"objective has no term '{name}'");
}

/// <summary>Names of the terms objectives report.</summary>
public static class TermNames
{
    /// <summary>Σ over view pairs of R(c_m, c_m') — maximized.</summary>
    public const string Correlation = "correlation";
    /// <summary>Σ over ordered pairs m≠m' of R2(u_m, z_m') — individual vs the other views (α).</summary>
    public const string LeakOther = "leak_other";
    /// <summary>Σ_m R2(u_m, c_m) — individual vs own common (β).</summary>
    public const string LeakOwn = "leak_own";
    /// <summary>Σ_m ‖t_m − D_m(z_m)‖² / ‖t_m − mean(t_m)‖² — relative reconstruction error (γ).</summary>
    public const string Reconstruction = "reconstruction";
}

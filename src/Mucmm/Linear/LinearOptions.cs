using Mucmm.Data;
using Mucmm.Numerics;

namespace Mucmm.Linear;

/// <summary>Which closed-form model to fit.</summary>
public enum LinearModelKind
{
    /// <summary>Linear MUCMM: common (top-k canonical pairs) and individual parts (config.json "linear").</summary>
    Mucmm,

    /// <summary>Plain linear CCA: the same model without individual parts (config.json "cca").</summary>
    Cca,
}

/// <summary>
/// Hyperparameters of the closed-form linear models (<see cref="LinearMucmm"/>), and their fit: immutable,
/// validated when fitting. Defaults live in <see cref="Defaults"/> (the one home of default values, used by the CLI too).
/// </summary>
public sealed record LinearOptions : IMultiviewEstimator<LinearModel>
{
    /// <summary>Default hyperparameters.</summary>
    public static class Defaults
    {
        /// <summary>Relative ridge ε: Σ + ε·(tr Σ / d)·I. 1e-3 keeps MNIST's constant border pixels harmless.</summary>
        public const double Ridge = 1e-3;

        /// <summary>Number of common variates k per view.</summary>
        public const int CommonDim = 10;

        /// <summary>Number of individual variates r per view.</summary>
        public const int IndividualDim = 10;

        /// <summary>Number of permutations of the correlated-set test; 0 = no test.</summary>
        public const int Permutations = 0;

        /// <summary>Quantile of the permutation null distribution of the top correlation used as threshold.</summary>
        public const double PermutationQuantile = 0.95;

        /// <summary>Seed of the permutation test.</summary>
        public const int Seed = 0;
    }

    /// <summary>Model to fit (MUCMM or plain CCA).</summary>
    public LinearModelKind Kind { get; init; } = LinearModelKind.Mucmm;

    /// <summary>Number of common variates k (1 ≤ k ≤ min(d₁, d₂)).</summary>
    public int CommonDim { get; init; } = Defaults.CommonDim;

    /// <summary>Number of individual variates r of each view (ignored for <see cref="LinearModelKind.Cca"/>).</summary>
    public int IndividualDim { get; init; } = Defaults.IndividualDim;

    /// <summary>Relative ridge ε ≥ 0 (0 = classical CCA, which needs n &gt; dₘ and no constant columns).</summary>
    public double Ridge { get; init; } = Defaults.Ridge;

    /// <summary>
    /// Threshold τ of the correlated set: K = max(k, #{i : ρ̃ᵢ &gt; τ}). Null (and no permutations): K = k.
    /// Ignored when <see cref="Permutations"/> &gt; 0.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// When &gt; 0, τ is the <see cref="Defaults.PermutationQuantile"/> quantile of the top regularized
    /// canonical correlation over this many random re-pairings of the rows (needs the data in memory).
    /// </summary>
    public int Permutations { get; init; } = Defaults.Permutations;

    /// <summary>Seed of the permutation test (same seed, same τ).</summary>
    public int Seed { get; init; } = Defaults.Seed;

    /// <summary>
    /// Fits on the <see cref="Split.Train"/> rows of <paramref name="data"/> (M ≥ 2 views); supports the permutation
    /// test (2 views only). To fit on every row of a dataset, give <c>data.AsSplit(Split.Train)</c>.
    /// </summary>
    public LinearModel Fit(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var train = data.Subset(Split.Train);
        if (train.Count == 0) throw new MucmmUserException($"{data.Name}: the train split has no rows");
        return LinearMucmm.Fit(train.Views, this);
    }

    /// <summary>
    /// Fits from streaming statistics (any n; the data need not fit in memory). The correlated set comes from
    /// <see cref="Threshold"/> or is K = k; a permutation test needs the rows and is refused here.
    /// </summary>
    public LinearModel Fit(CovarianceStats stats) => LinearMucmm.Fit(stats, this);
}

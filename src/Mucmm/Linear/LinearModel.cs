using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// A fitted closed-form linear model (linear MUCMM, or plain CCA without individual parts), made by
/// <see cref="LinearMucmm"/>. Immutable. For view m with training mean x̄ₘ:
/// common variates cₘ = (xₘ − x̄ₘ)·Aₘ (Aₘ: dₘ × k canonical directions, unit mean square on the training data,
/// corr(c₁ᵢ, c₂ᵢ) = <see cref="CanonicalCorrelations"/>[i]) and individual variates
/// uₘ = (xₘ − x̄ₘ)·Lₘ (Lₘ = P wᵢ / √(λᵢ(n−1)/n): dₘ × rₘ loadings, unit mean square, uncorrelated with the K
/// correlated variates of view m). "Unit mean square" is variance with divisor n, so that the training
/// mean of the common score Σᵢc₁ᵢc₂ᵢ is exactly Σᵢ<c>ρᵢ</c> and that of each individual score exactly 1.
/// </summary>
public sealed class LinearModel : IMultiviewModel
{
    /// <summary>Version of the saved folder layout this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Name of the weights file inside a saved model folder.</summary>
    public const string WeightsFile = "weights.safetensors";

    private readonly double[][] _means, _common, _individual, _commonPattern, _individualPattern, _individualVariance;
    private readonly int[] _dims, _individualDims;

    internal LinearModel(LinearModelKind kind, long count, double ridge, int[] dims, int commonDim, int[] individualDims,
        int correlatedCount, double? threshold, int permutations, int seed,
        double[] correlations, double[] regularized, double[][] means, double[][] common, double[][] individual,
        double[][] commonPattern, double[][] individualPattern, double[][] individualVariance, VarianceSplit[] explained)
    {
        ModelKind = kind;
        TrainingCount = count;
        Ridge = ridge;
        _dims = dims;
        CommonDim = commonDim;
        _individualDims = individualDims;
        CorrelatedCount = correlatedCount;
        Threshold = threshold;
        Permutations = permutations;
        Seed = seed;
        CanonicalCorrelations = correlations;
        RegularizedCanonicalCorrelations = regularized;
        _means = means;
        _common = common;
        _individual = individual;
        _commonPattern = commonPattern;
        _individualPattern = individualPattern;
        _individualVariance = individualVariance;
        ExplainedVariance = explained;
    }

    /// <summary>Linear MUCMM or plain CCA.</summary>
    public LinearModelKind ModelKind { get; }

    /// <inheritdoc/>
    public string Kind => ModelKind == LinearModelKind.Cca ? "cca" : "linear";

    /// <inheritdoc/>
    public int ViewCount => _dims.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> InputDims => _dims;

    /// <inheritdoc/>
    public int CommonDim { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> IndividualDims => _individualDims;

    /// <summary>Number of training rows.</summary>
    public long TrainingCount { get; }

    /// <summary>Relative ridge ε the model was fitted with.</summary>
    public double Ridge { get; }

    /// <summary>Size K ≥ k of the correlated set regressed out before the individual PCA.</summary>
    public int CorrelatedCount { get; }

    /// <summary>Threshold τ on the regularized correlations that chose K (null when K = k was fixed).</summary>
    public double? Threshold { get; }

    /// <summary>Permutations of the test that produced <see cref="Threshold"/> (0 = none).</summary>
    public int Permutations { get; }

    /// <summary>Seed of the permutation test.</summary>
    public int Seed { get; }

    /// <summary>
    /// All min(d₁, d₂) canonical correlations on the training data (training correlation of each pair, descending).
    /// With M &gt; 2 views: per multiset variate (min dₘ of them), the mean over the pairs of views of the training
    /// correlation corr(c_ai, c_bi) (<see cref="MultisetCorrelation.Correlations"/>).
    /// </summary>
    public IReadOnlyList<double> CanonicalCorrelations { get; }

    /// <summary>
    /// Singular value ρ̃ of the regularized T of each pair, in pair order (equal to <see cref="CanonicalCorrelations"/> when ε = 0).
    /// With M &gt; 2 views: (λ − 1)/(M − 1) from the eigenvalue λ of the whitened M-view matrix (<see cref="MultisetCorrelation.RegularizedCorrelations"/>).
    /// </summary>
    public IReadOnlyList<double> RegularizedCanonicalCorrelations { get; }

    /// <summary>Common / individual / residual fractions of each view's total variance.</summary>
    public IReadOnlyList<VarianceSplit> ExplainedVariance { get; }

    /// <summary>Training means x̄ₘ of view m.</summary>
    public IReadOnlyList<double> Mean(int view) => _means[view];

    /// <summary>Residual variances λᵢ (descending) along the individual principal directions of view m.</summary>
    public IReadOnlyList<double> IndividualVariances(int view) => _individualVariance[view];

    /// <summary>Common directions Aₘ of view m: a new (dₘ × k) float64 CPU tensor.</summary>
    public Tensor CommonDirections(int view) => LinearAlgebra.FromArray(_common[view], _dims[view], CommonDim);

    /// <summary>Individual loadings Lₘ = P wᵢ / √λᵢ of view m: a new (dₘ × rₘ) float64 CPU tensor.</summary>
    public Tensor IndividualLoadings(int view) =>
        _individualDims[view] == 0 ? zeros(_dims[view], 0, dtype: float64)
        : LinearAlgebra.FromArray(_individual[view], _dims[view], _individualDims[view]);

    /// <summary>
    /// Common patterns of view m: a new (dₘ × k) float64 tensor, column i = cov(xₘ, cₘᵢ) on the training
    /// data (divisor n) — the input-space direction that common variate i stands for, i.e. the span of
    /// the joint (JIVE) part of xₘ. Read patterns, not weights, to see what a variate captures
    /// (Haufe et al. 2014, "On the interpretation of weight vectors of linear models in multivariate neuroimaging").
    /// </summary>
    public Tensor CommonPatterns(int view) => LinearAlgebra.FromArray(_commonPattern[view], _dims[view], CommonDim);

    /// <summary>Individual patterns of view m: a new (dₘ × rₘ) float64 tensor, column i = cov(xₘ, uₘᵢ) (divisor n).</summary>
    public Tensor IndividualPatterns(int view) =>
        _individualDims[view] == 0 ? zeros(_dims[view], 0, dtype: float64)
        : LinearAlgebra.FromArray(_individualPattern[view], _dims[view], _individualDims[view]);

    /// <inheritdoc/>
    public MultiviewOutput Forward(IReadOnlyList<Tensor> inputs) =>
        LinearProjection.Forward(inputs, _dims, _means, CommonDirections, IndividualLoadings);

    /// <inheritdoc/>
    public MultiviewOutput Transform(IReadOnlyList<Data.View> views) => ForwardBatches.Transform(this, views);

    /// <summary>Nothing to release: the model holds managed arrays only (tensors are made per call).</summary>
    public void Dispose() { }

    /// <summary>
    /// Writes <c>config.json</c> (model kind, <c>format_version</c>, dims, hyperparameters, training
    /// correlations, variance split) and <c>weights.safetensors</c> (float64, for every view m = 1…M: mean{m},
    /// common{m}, individual{m}, common_pattern{m}, individual_pattern{m}; see docs/method.md) into <paramref name="directory"/>,
    /// creating it when needed.
    /// </summary>
    public void Save(string directory)
    {
        var config = new JsonObject
        {
            ["model"] = Kind,
            ["format_version"] = FormatVersion,
            ["dims"] = new JsonArray(_dims.Select(d => (JsonNode)d).ToArray()),
            ["common_dim"] = CommonDim,
            ["individual_dims"] = new JsonArray(_individualDims.Select(d => (JsonNode)d).ToArray()),
            ["ridge"] = Ridge,
            ["correlated_count"] = CorrelatedCount,
            ["threshold"] = Threshold,
            ["permutations"] = Permutations,
            ["seed"] = Seed,
            ["n_samples"] = TrainingCount,
            ["canonical_correlations"] = new JsonArray(CanonicalCorrelations.Select(c => (JsonNode)c).ToArray()),
            ["regularized_canonical_correlations"] = new JsonArray(RegularizedCanonicalCorrelations.Select(c => (JsonNode)c).ToArray()),
            ["individual_variances"] = new JsonArray(_individualVariance.Select(v => (JsonNode)new JsonArray(v.Select(x => (JsonNode)x).ToArray())).ToArray()),
            ["explained_variance"] = new JsonArray(ExplainedVariance.Select(s => (JsonNode)new JsonObject
            {
                ["common"] = s.Common, ["individual"] = s.Individual, ["residual"] = s.Residual,
            }).ToArray()),
        };
        LinearProjection.Save(directory, config, () =>
        {
            var weights = new Dictionary<string, Tensor>();
            for (int m = 0; m < ViewCount; m++)
            {
                weights[$"mean{m + 1}"] = torch.tensor(_means[m], dtype: float64);
                weights[$"common{m + 1}"] = CommonDirections(m);
                weights[$"individual{m + 1}"] = IndividualLoadings(m);
                weights[$"common_pattern{m + 1}"] = CommonPatterns(m);
                weights[$"individual_pattern{m + 1}"] = IndividualPatterns(m);
            }
            return weights;
        });
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. Throws <see cref="MucmmUserException"/> (naming the
    /// file) when the folder is not a linear/cca model, was written by another format version, or is damaged.
    /// </summary>
    public static LinearModel Load(string directory)
    {
        var (json, kindName, configPath) = ModelStore.ReadConfig(directory, "linear", FormatVersion, "linear", "cca");
        var config = new ModelConfig(json, configPath);
        var kind = kindName == "cca" ? LinearModelKind.Cca : LinearModelKind.Mucmm;
        int[] dims = config.Ints("dims", min: 1);
        int[] individualDims = config.Ints("individual_dims", min: 0);
        if (dims.Length < 2) throw config.Bad("dims", $"must list at least 2 views, found {dims.Length}");
        int mCount = dims.Length;
        if (individualDims.Length != mCount) throw config.Bad("individual_dims", $"must list {mCount} views (as dims), found {individualDims.Length}");
        int k = config.Int("common_dim", 1, dims.Min());
        for (int m = 0; m < mCount; m++)
            if (individualDims[m] > dims[m]) throw config.Bad("individual_dims", $"[{m}] = {individualDims[m]} exceeds the width {dims[m]} of view {m + 1}");
        if (kind == LinearModelKind.Cca && individualDims.Any(r => r != 0))
            throw config.Bad("individual_dims", $"must be [{string.Join(", ", Enumerable.Repeat(0, mCount))}] for a \"cca\" model (no individual part), found [{string.Join(", ", individualDims)}]; is \"model\" right?");
        double[] corr = config.Doubles("canonical_correlations");
        double[] reg = config.Doubles("regularized_canonical_correlations");
        var indVar = config.DoubleArrays("individual_variances");
        if (indVar.Length != mCount) throw config.Bad("individual_variances", $"must list {mCount} views (as dims), found {indVar.Length}");
        var explained = config.Array("explained_variance").Select(node =>
        {
            if (node is not JsonObject o) throw config.Bad("explained_variance", "must be an array of objects");
            var entry = new ModelConfig(o, configPath);
            return new VarianceSplit(entry.Double("common"), entry.Double("individual"), entry.Double("residual"));
        }).ToArray();
        long count = config.Long("n_samples", min: 1);
        double ridge = config.Double("ridge");
        int correlated = config.Int("correlated_count", k, dims.Min());
        double? threshold = config.OptionalDouble("threshold");
        int permutations = config.Int("permutations", min: 0);
        int seed = config.Int("seed");

        return LinearProjection.Load(directory, configPath, take =>
        {
            double[] Take(string name, params long[] shape) => take(name, shape);
            var means = new double[mCount][];
            var common = new double[mCount][];
            var individual = new double[mCount][];
            var commonPattern = new double[mCount][];
            var individualPattern = new double[mCount][];
            for (int m = 0; m < mCount; m++)
            {
                commonPattern[m] = Take($"common_pattern{m + 1}", dims[m], k);
                individualPattern[m] = Take($"individual_pattern{m + 1}", dims[m], individualDims[m]);
                means[m] = Take($"mean{m + 1}", dims[m]);
                common[m] = Take($"common{m + 1}", dims[m], k);
                individual[m] = Take($"individual{m + 1}", dims[m], individualDims[m]);
            }
            return new LinearModel(kind, count, ridge, dims, k, individualDims, correlated, threshold, permutations, seed,
                corr, reg, means, common, individual, commonPattern, individualPattern, indVar, explained);
        });
    }
}

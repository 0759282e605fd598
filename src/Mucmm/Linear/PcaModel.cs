using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// PCA of each view on its own — the baseline of docs/evaluation.md that uses no pairing at all.
/// Its "common" variates are the top k principal components of each view, standardized (unit mean
/// square on the training data, divisor n, as <see cref="LinearModel"/>), ordered by variance; it has
/// no individual part. Kind <c>"pca"</c>. Immutable; made by <see cref="PcaOptions.Fit"/>.
/// </summary>
/// <remarks>
/// Unlike the other models the common variates of the two views are not paired: the i-th component of
/// view 1 has no reason to correlate with the i-th of view 2. Evaluation therefore measures the
/// correlation PCA leaves between the views with a CCA of the two k-dimensional representations
/// (fitted on train), like for every model.
/// </remarks>
public sealed class PcaModel : IMultiviewModel
{
    /// <summary>Version of the saved folder layout this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly int[] _dims;
    private readonly double[][] _means, _loadings, _variances;
    private readonly double[] _explained;

    private PcaModel(int[] dims, int k, long count, double[][] means, double[][] loadings, double[][] variances, double[] explained)
    {
        _dims = dims;
        CommonDim = k;
        TrainingCount = count;
        _means = means;
        _loadings = loadings;
        _variances = variances;
        _explained = explained;
    }

    /// <inheritdoc/>
    public string Kind => "pca";

    /// <inheritdoc/>
    public int ViewCount => _dims.Length;

    /// <inheritdoc/>
    public IReadOnlyList<int> InputDims => _dims;

    /// <summary>Number of principal components kept per view (k).</summary>
    public int CommonDim { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> IndividualDims => new int[_dims.Length];

    /// <summary>Number of training rows.</summary>
    public long TrainingCount { get; }

    /// <summary>Variances (divisor n − 1) of the k components of view m, descending.</summary>
    public IReadOnlyList<double> ComponentVariances(int view) => _variances[view];

    /// <summary>Fraction of view m's total variance carried by its k components.</summary>
    public double ExplainedVarianceRatio(int view) => _explained[view];

    /// <summary>Loadings of view m: a new (dₘ × k) float64 tensor; (x − x̄)·L has unit mean square on the training data.</summary>
    public Tensor Loadings(int view) => LinearAlgebra.FromArray(_loadings[view], _dims[view], CommonDim);

    /// <summary>The fit from statistics (see <see cref="PcaOptions.Fit"/>).</summary>
    internal static PcaModel Fit(CovarianceStats stats, int components)
    {
        ArgumentNullException.ThrowIfNull(stats);
        if (stats.Count < 2) throw new MucmmUserException($"PCA needs at least 2 samples, got {stats.Count}");
        int mCount = stats.ViewCount;
        var dims = stats.Dims.ToArray();
        var means = new double[mCount][];
        var loadings = new double[mCount][];
        var variances = new double[mCount][];
        var explained = new double[mCount];
        long n = stats.Count;
        for (int m = 0; m < mCount; m++)
        {
            if (components < 1 || components > dims[m])
                throw new MucmmUserException($"the number of components k = {components} must be in 1..{dims[m]} (the width of view {m + 1})");
            using var scope = NewDisposeScope();
            var s = stats.Covariance(m, m);
            var (top, wTop) = LinearAlgebra.TopEigenpairs(s, components);
            double trace = s.trace().item<double>();
            double smallest = top[components - 1].item<double>();
            if (!(trace > 0) || !(smallest > 1e-12 * trace))
                throw new MucmmUserException(
                    $"view {m + 1} has fewer than {components} directions with nonzero variance; choose a smaller k");
            var load = wTop * (top * ((n - 1.0) / n)).rsqrt();
            load = load * LinearAlgebra.SignsOfLargest(load);
            means[m] = stats.Mean(m).ToArray();
            loadings[m] = LinearAlgebra.ToArray(load);
            variances[m] = LinearAlgebra.ToArray(top);
            explained[m] = variances[m].Sum() / trace;
        }
        return new PcaModel(dims, components, n, means, loadings, variances, explained);
    }

    /// <inheritdoc/>
    public MultiviewOutput Forward(IReadOnlyList<Tensor> inputs) =>
        LinearProjection.Forward(inputs, _dims, _means, Loadings, m => zeros(_dims[m], 0, dtype: float64));

    /// <inheritdoc/>
    public MultiviewOutput Transform(IReadOnlyList<View> views) => ForwardBatches.Transform(this, views);

    /// <summary>Nothing to release: the model holds managed arrays only (tensors are made per call).</summary>
    public void Dispose() { }

    /// <summary>Writes <c>config.json</c> and <c>weights.safetensors</c> (float64 mean{m}, loadings{m}) into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        var config = new JsonObject
        {
            ["model"] = Kind,
            ["format_version"] = FormatVersion,
            ["dims"] = new JsonArray(_dims.Select(d => (JsonNode)d).ToArray()),
            ["common_dim"] = CommonDim,
            ["individual_dims"] = new JsonArray(_dims.Select(_ => (JsonNode)0).ToArray()),
            ["n_samples"] = TrainingCount,
            ["component_variances"] = new JsonArray(_variances.Select(v => (JsonNode)new JsonArray(v.Select(x => (JsonNode)x).ToArray())).ToArray()),
            ["explained_variance_ratio"] = new JsonArray(_explained.Select(x => (JsonNode)x).ToArray()),
        };
        LinearProjection.Save(directory, config, () =>
        {
            var weights = new Dictionary<string, Tensor>();
            for (int m = 0; m < ViewCount; m++)
            {
                weights[$"mean{m + 1}"] = torch.tensor(_means[m], dtype: float64);
                weights[$"loadings{m + 1}"] = Loadings(m);
            }
            return weights;
        });
    }

    /// <summary>Reads a model written by <see cref="Save"/>; a damaged folder or another format version is a <see cref="MucmmUserException"/>.</summary>
    public static PcaModel Load(string directory)
    {
        var (json, _, configPath) = ModelStore.ReadConfig(directory, "PCA", FormatVersion, "pca");
        var config = new ModelConfig(json, configPath);
        int[] dims = config.Ints("dims", min: 1);
        if (dims.Length < 2) throw config.Bad("dims", $"must list at least 2 views, found {dims.Length}");
        int k = config.Int("common_dim", 1, dims.Min());
        long n = config.Long("n_samples", min: 2);
        var variances = config.DoubleArrays("component_variances");
        var explained = config.Doubles("explained_variance_ratio");
        if (variances.Length != dims.Length || variances.Any(v => v.Length != k))
            throw config.Bad("component_variances", $"must hold {k} values for each of the {dims.Length} views");
        if (explained.Length != dims.Length)
            throw config.Bad("explained_variance_ratio", $"must hold one value for each of the {dims.Length} views");
        return LinearProjection.Load(directory, configPath, take =>
        {
            var means = dims.Select((d, m) => take($"mean{m + 1}", [d])).ToArray();
            var loadings = dims.Select((d, m) => take($"loadings{m + 1}", [d, k])).ToArray();
            return new PcaModel(dims, k, n, means, loadings, variances, explained);
        });
    }
}

/// <summary>The PCA-per-view baseline's one hyperparameter, and its fit (<see cref="PcaModel"/>).</summary>
public sealed record PcaOptions : IMultiviewEstimator<PcaModel>
{
    /// <summary>Principal components kept per view (k, 1 ≤ k ≤ dₘ).</summary>
    public int CommonDim { get; init; } = LinearOptions.Defaults.CommonDim;

    /// <summary>
    /// Fits k principal components per view on the <see cref="Split.Train"/> rows of <paramref name="data"/> (float64,
    /// eigen-decomposition of each view's covariance). Signs: the largest-magnitude loading of each component is
    /// positive. Throws <see cref="MucmmUserException"/> when k is not in 1..dₘ or a view has fewer than k
    /// directions with nonzero variance.
    /// </summary>
    public PcaModel Fit(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var train = data.Subset(Split.Train);
        if (train.Count == 0) throw new MucmmUserException($"{data.Name}: the train split has no rows");
        return PcaModel.Fit(CovarianceStats.FromViews(train.Views), CommonDim);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Linear;
using Mucmm.Numerics;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Settings of <see cref="ModelEvaluation"/>; defaults in <see cref="Defaults"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The one home of the default values.</summary>
    public static class Defaults
    {
        /// <summary>
        /// Width p of the other view's representation in the "individual vs other view" leakage: its top p
        /// principal components (fitted on train). Chosen so that the chance level p/(n−1) stays small on
        /// a test split of a thousand rows (0.05 for noisy-mnist's 1,000; the raw 784 pixels would give 0.78) while keeping most of an
        /// image's variance (about 83 % for MNIST).
        /// </summary>
        public const int OtherViewComponents = 50;
    }

    /// <summary>Relative ridge ε of the correlation measures (canonical correlations and leakage).</summary>
    public double Ridge { get; init; } = Leakage.DefaultRidge;

    /// <summary>See <see cref="Defaults.OtherViewComponents"/>; a view narrower than this is used whole (after centring).</summary>
    public int OtherViewComponents { get; init; } = Defaults.OtherViewComponents;

    /// <summary>Hyperparameters of the classification probes.</summary>
    public LogisticProbeOptions Logistic { get; init; } = new();

    /// <summary>Hyperparameters of the regression probes.</summary>
    public RidgeProbeOptions Regression { get; init; } = new();
}

/// <summary>Rows per split.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Test rows.</param>
public sealed record SplitSizes(int Train, int Validation, int Test);

/// <summary>One leakage figure: the mean squared canonical correlation of a representation with another, on test data.</summary>
/// <param name="Key">Name in metrics.json, e.g. <c>individual1_vs_view2</c>.</param>
/// <param name="Value">R2(A, B)/width(A) on the test rows (NaN — null in JSON — when A has no columns).</param>
/// <param name="Chance">What the value is on average for independent representations of the same widths and row count (<see cref="Leakage.ChanceLevel"/>).</param>
public sealed record LeakageValue(string Key, double Value, double Chance);

/// <summary>Probe results for one label or factor.</summary>
/// <param name="Target">Label or factor name.</param>
/// <param name="Metric">"accuracy" (labels, multinomial logistic regression) or "r2" (factors, ridge regression).</param>
/// <param name="Common">Test metric from view 1's common variates.</param>
/// <param name="Individual">Test metric from each view's individual variates; null for a view without an individual part.</param>
public sealed record ProbeScores(string Target, string Metric, double Common, IReadOnlyList<double?> Individual)
{
    /// <summary>
    /// With more than two views: the test metric from each view's common variates (element 0 equals <see cref="Common"/>);
    /// null for two views (their probes use view 1's common variates only, as before).
    /// </summary>
    public IReadOnlyList<double>? CommonByView { get; init; }
}

/// <summary>
/// What <c>metrics.json</c> holds (issue 6): split sizes, test canonical correlations of the common
/// variates and their total, leakage on test data, and probes per label/factor.
/// </summary>
/// <param name="Model">Model kind ("linear", "cca", "deep", "dcca", "pca").</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Split">Rows per split.</param>
/// <param name="TestCorrelations">Correlation on test of each canonical pair of the common variates (see <see cref="ModelEvaluation"/>).</param>
/// <param name="Leakage">Leakage figures in metrics.json order.</param>
/// <param name="Probes">One entry per label, then per factor.</param>
public sealed record EvaluationResult(
    string Model, string Dataset, SplitSizes Split, IReadOnlyList<double> TestCorrelations,
    IReadOnlyList<LeakageValue> Leakage, IReadOnlyList<ProbeScores> Probes)
{
    /// <summary>Sum of <see cref="TestCorrelations"/>.</summary>
    public double TotalCorrelation => TestCorrelations.Sum();

    /// <summary>The fingerprint of the data evaluated on (metrics.json <c>run.data</c>; null when not recorded).</summary>
    public Mucmm.Data.DataFingerprint? Data { get; init; }

    /// <summary>SHA-256 of the evaluated model's folder (metrics.json <c>run.model_sha256</c>; null when not recorded).</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>
    /// With more than two views: per pair of views a &lt; b (key <c>view{a}_view{b}</c>), the test correlations of the
    /// multiset canonical variates whose mean over the pairs is <see cref="TestCorrelations"/> (metrics.json
    /// <c>test.pairwise_correlations</c>); null for two views.
    /// </summary>
    public IReadOnlyDictionary<string, double[]>? PairwiseTestCorrelations { get; init; }

    /// <summary>Cross-view retrieval on the test rows (metrics.json <c>retrieval</c>; null in files written before it existed).</summary>
    public RetrievalResult? Retrieval { get; init; }

    /// <summary>
    /// The metrics.json object: <c>split</c>, <c>test</c> {<c>canonical_correlations</c>,
    /// <c>total_correlation</c>, <c>leakage</c>}, <c>probes</c> {target: {<c>metric</c>, <c>common</c>,
    /// <c>individual1</c>, <c>individual2</c>}} exactly as issue 6 specifies, plus <c>model</c>,
    /// <c>dataset</c>, <c>test.leakage_chance</c> (the chance level of each leakage figure) and <c>run</c>
    /// (<see cref="ModelSha256"/> and the data fingerprint <see cref="Data"/>, when recorded) and
    /// <c>retrieval</c> (<see cref="RetrievalResult.ToJson"/>, when computed).
    /// Undefined values (NaN, a view without individual part) are written as null.
    /// </summary>
    public JsonObject ToJson()
    {
        var leakage = new JsonObject();
        var chance = new JsonObject();
        foreach (var l in Leakage)
        {
            leakage[l.Key] = Number(l.Value);
            chance[l.Key] = Number(l.Chance);
        }
        var probes = new JsonObject();
        foreach (var p in Probes)
        {
            var o = new JsonObject { ["metric"] = p.Metric, ["common"] = Number(p.Common) };
            if (p.CommonByView is { } byView)
                for (int m = 0; m < byView.Count; m++) o[$"common{m + 1}"] = Number(byView[m]);
            for (int m = 0; m < p.Individual.Count; m++) o[$"individual{m + 1}"] = p.Individual[m] is { } v ? Number(v) : null;
            probes[p.Target] = o;
        }
        var root = new JsonObject
        {
            ["model"] = Model,
            ["dataset"] = Dataset,
            ["split"] = new JsonObject { ["train"] = Split.Train, ["validation"] = Split.Validation, ["test"] = Split.Test },
            ["test"] = new JsonObject
            {
                ["canonical_correlations"] = new JsonArray(TestCorrelations.Select(Number).ToArray()),
                ["total_correlation"] = Number(TotalCorrelation),
                ["leakage"] = leakage,
                ["leakage_chance"] = chance,
            },
            ["probes"] = probes,
        };
        if (PairwiseTestCorrelations is not null)
        {
            var pairwise = new JsonObject();
            foreach (var (key, values) in PairwiseTestCorrelations) pairwise[key] = new JsonArray(values.Select(Number).ToArray());
            root["test"]!["pairwise_correlations"] = pairwise;
        }
        if (Retrieval is not null) root["retrieval"] = Retrieval.ToJson();
        if (Data is not null || ModelSha256 is not null)
            root["run"] = new JsonObject { ["model_sha256"] = ModelSha256, ["data"] = SettingsJson.ToNode(Data) };
        return root;
    }

    /// <summary>Writes <see cref="ToJson"/> (indented) to <paramref name="path"/>, atomically (the one writer of metrics.json).</summary>
    public void Write(string path) =>
        Mucmm.Data.AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>Reads a metrics.json written by <see cref="Write"/>; a damaged file is a <see cref="MucmmUserException"/> naming it.</summary>
    public static EvaluationResult Read(string path)
    {
        if (!File.Exists(path)) throw new MucmmUserException(path, "file not found");
        try
        {
            var root = JsonNode.Parse(Mucmm.Data.Readers.ReaderIO.ReadAllText(path)) ?? throw new JsonException("empty");
            var split = root["split"]!;
            var test = root["test"]!;
            var leakage = test["leakage"]!.AsObject();
            var chance = test["leakage_chance"] as JsonObject;
            var probes = root["probes"]!.AsObject().Select(kv =>
            {
                var o = kv.Value!.AsObject();
                var ind = o.Where(p => p.Key.StartsWith("individual", StringComparison.Ordinal))
                    .OrderBy(p => int.Parse(p.Key["individual".Length..], CultureInfo.InvariantCulture))
                    .Select(p => p.Value is null ? (double?)null : p.Value.GetValue<double>()).ToArray();
                var byView = o.Where(p => p.Key.Length > "common".Length && p.Key.StartsWith("common", StringComparison.Ordinal))
                    .OrderBy(p => int.Parse(p.Key["common".Length..], CultureInfo.InvariantCulture))
                    .Select(p => Value(p.Value)).ToArray();
                return new ProbeScores(kv.Key, o["metric"]!.GetValue<string>(), Value(o["common"]), ind) { CommonByView = byView.Length > 0 ? byView : null };
            }).ToArray();
            return new EvaluationResult(
                root["model"]?.GetValue<string>() ?? "",
                root["dataset"]?.GetValue<string>() ?? "",
                new SplitSizes(split["train"]!.GetValue<int>(), split["validation"]!.GetValue<int>(), split["test"]!.GetValue<int>()),
                test["canonical_correlations"]!.AsArray().Select(Value).ToArray(),
                leakage.Select(kv => new LeakageValue(kv.Key, Value(kv.Value), chance is null ? double.NaN : Value(chance[kv.Key]))).ToArray(),
                probes)
            {
                ModelSha256 = root["run"]?["model_sha256"]?.GetValue<string>(),
                Data = root["run"]?["data"]?.Deserialize<Mucmm.Data.DataFingerprint>(SettingsJson.Options),
                Retrieval = root["retrieval"] is { } retrieval ? RetrievalResult.FromJson(retrieval) : null,
                PairwiseTestCorrelations = test["pairwise_correlations"] is JsonObject pairwise
                    ? pairwise.ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(Value).ToArray())
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or KeyNotFoundException)
        {
            throw new MucmmUserException(path, $"not a metrics.json written by mucmm evaluate ({e.Message})");
        }
    }

    private static JsonNode? Number(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double Value(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
}

/// <summary>
/// The evaluation protocol of docs/evaluation.md for any <see cref="IMultiviewModel"/> on a
/// <see cref="PairedDataset"/> with a train/validation/test split.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Test canonical correlations.</b> A linear CCA between the common variates of view 1 and view 2
/// is fitted on the training rows (ε = <see cref="EvaluationOptions.Ridge"/>) and its k canonical
/// pairs are applied to the test rows; the figures are the test correlations of those pairs, in the
/// training order. With M &gt; 2 views, multiset CCA (<see cref="MultisetCorrelation"/>, the linear model's
/// common part for M &gt; 2) of all views' common variates takes the place of the CCA, and each figure is the mean
/// over the M(M−1)/2 pairs of views of the test correlation of one multiset variate (per pair in
/// <see cref="EvaluationResult.PairwiseTestCorrelations"/>). For models whose common variates are already aligned (every model but PCA) this CCA
/// only undoes what alignment did, so the figures are the held-out correlations corr(c₁ᵢ, c₂ᵢ); for PCA
/// they are the correlation its components carry between the views. Nothing is fitted on test rows,
/// so the figures have no optimistic bias.</item>
/// <item><b>Leakage</b> (mean squared canonical correlation, <see cref="Evaluation.Leakage"/>) on the test rows:
/// <c>individual{m}_vs_view{o}</c> = R2(u_m, h_o)/r_m and <c>individual{m}_vs_common{m}</c> =
/// R2(u_m, c_m)/r_m. The other view's representation h_o is its input, reduced to its top
/// <see cref="EvaluationOptions.OtherViewComponents"/> principal components fitted on train (the raw
/// 784-pixel input against 1,000 test rows would put the chance level at 0.78). The same h_o is used for
/// every model, so figures compare across linear and deep models (a deep model's encoder features are
/// not part of <see cref="IMultiviewModel"/>). Leakage is linear: it misses nonlinear dependence.</item>
/// <item><b>Probes</b>: per label a multinomial logistic regression (accuracy), per factor a ridge
/// regression (R²), each fitted on the standardized training representation with its regularization
/// chosen on validation and scored on test (<see cref="LogisticProbe"/>, <see cref="RidgeProbe"/>).
/// "common" uses view 1's common variates; "individual{m}" view m's individual variates (null when r_m = 0).
/// With M &gt; 2 views also "common{m}", view m's common variates, for every view (<see cref="ProbeScores.CommonByView"/>).</item>
/// <item><b>Retrieval</b> (<see cref="Evaluation.Retrieval"/>) on the test rows, for every ordered pair of views:
/// recall@1, recall@10 and median rank of the true partner by cosine similarity, from common and from individual variates.</item>
/// </list>
/// </remarks>
public static class ModelEvaluation
{
    /// <summary>Evaluates <paramref name="model"/> on <paramref name="data"/> (every split is used: train to fit probes, validation to tune them, test to report).</summary>
    /// <exception cref="MucmmUserException">The data does not fit the model, or a split is too small.</exception>
    public static EvaluationResult Evaluate(IMultiviewModel model, PairedDataset data, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new EvaluationOptions();
        if (options.OtherViewComponents < 1) throw new MucmmUserException($"the number of principal components of the other view must be ≥ 1, got {options.OtherViewComponents}");
        ModelInputs.Check(model, data.Views);
        var train = data.Subset(Split.Train);
        var validation = data.Subset(Split.Validation);
        var test = data.Subset(Split.Test);
        var sizes = new SplitSizes(train.Count, validation.Count, test.Count);
        if (train.Count < 3) throw new MucmmUserException($"{data.Name}: the train split has {train.Count} rows; evaluation needs at least 3");
        if (test.Count < 3) throw new MucmmUserException($"{data.Name}: the test split has {test.Count} rows; evaluation needs at least 3");
        int mCount = model.ViewCount;

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var zTrain = model.Transform(train.Views);
        var zValidation = model.Transform(validation.Views);
        var zTest = model.Transform(test.Views);

        double[] correlations;
        Dictionary<string, double[]>? pairwise = null;
        if (mCount == 2)
            correlations = TestCorrelations(zTrain.Common[0], zTrain.Common[1], zTest.Common[0], zTest.Common[1], options.Ridge);
        else
            (correlations, pairwise) = MultisetTestCorrelations(zTrain.Common, zTest.Common, options.Ridge);

        // Leakage on test rows.
        var leakage = new List<LeakageValue>();
        var other = OtherViewRepresentations(train, test, options.OtherViewComponents);
        long nTest = test.Count;
        for (int m = 0; m < mCount; m++)
        {
            for (int o = 0; o < mCount; o++)
            {
                if (o == m) continue;
                var u = zTest.Individual[m];
                leakage.Add(new LeakageValue($"individual{m + 1}_vs_view{o + 1}",
                    u.shape[1] == 0 ? double.NaN : Evaluation.Leakage.MeanSquaredCanonicalCorrelation(u, other[o], options.Ridge),
                    Evaluation.Leakage.ChanceLevel(nTest, u.shape[1], other[o].shape[1])));
            }
        }
        for (int m = 0; m < mCount; m++)
        {
            var u = zTest.Individual[m];
            leakage.Add(new LeakageValue($"individual{m + 1}_vs_common{m + 1}",
                u.shape[1] == 0 ? double.NaN : Evaluation.Leakage.MeanSquaredCanonicalCorrelation(u, zTest.Common[m], options.Ridge),
                Evaluation.Leakage.ChanceLevel(nTest, u.shape[1], zTest.Common[m].shape[1])));
        }

        // Probes.
        var probes = new List<ProbeScores>();
        foreach (var (name, y) in data.Labels)
        {
            int[] yTr = Pick(y, data, Split.Train), yVa = Pick(y, data, Split.Validation), yTe = Pick(y, data, Split.Test);
            double Run(Tensor tr, Tensor va, Tensor te) =>
                LogisticProbe.Evaluate(tr, yTr, va, yVa, te, yTe, options.Logistic).Test;
            probes.Add(Probe(name, "accuracy", zTrain, zValidation, zTest, Run));
        }
        foreach (var (name, y) in data.Factors)
        {
            double[] yTr = Pick(y, data, Split.Train), yVa = Pick(y, data, Split.Validation), yTe = Pick(y, data, Split.Test);
            double Run(Tensor tr, Tensor va, Tensor te) =>
                RidgeProbe.Evaluate(tr, yTr, va, yVa, te, yTe, options.Regression).Test;
            probes.Add(Probe(name, "r2", zTrain, zValidation, zTest, Run));
        }
        return new EvaluationResult(model.Kind, data.Name, sizes, correlations, leakage, probes)
        {
            PairwiseTestCorrelations = pairwise,
            Retrieval = Evaluation.Retrieval.Evaluate(zTest),
        };
    }

    /// <summary>
    /// Test correlations of the canonical pairs of a CCA between <paramref name="c1Train"/> and
    /// <paramref name="c2Train"/> (fitted on those training rows), applied to the test rows; in the training order.
    /// </summary>
    public static double[] TestCorrelations(Tensor c1Train, Tensor c2Train, Tensor c1Test, Tensor c2Test, double ridge = Leakage.DefaultRidge)
    {
        using var scope = NewDisposeScope();
        if (c1Train.shape[1] == 0 || c2Train.shape[1] == 0) return [];
        var cca = CanonicalCorrelation.Fit(CovarianceStats.FromTensors([c1Train, c2Train]), ridge);
        var a = cca.Transform(0, c1Test);
        var b = cca.Transform(1, c2Test);
        a = a - a.mean([0], keepdim: true);
        b = b - b.mean([0], keepdim: true);
        var num = (a * b).sum([0]);
        var den = (a.square().sum([0]) * b.square().sum([0])).sqrt();
        var r = where(den > 0, num / den, zeros_like(num));
        return r.data<double>().ToArray();
    }

    /// <summary>
    /// M &gt; 2 views: multiset CCA of the common variates <paramref name="train"/> (fitted on those training rows,
    /// <see cref="MultisetCorrelation"/>), its k leading variates applied to the <paramref name="test"/> rows of every
    /// view; per variate (training order) the mean over the pairs a &lt; b of the test correlation corr(c_aᵢ, c_bᵢ),
    /// and the per-pair figures keyed <c>view{a}_view{b}</c>.
    /// </summary>
    public static (double[] Mean, Dictionary<string, double[]> Pairs) MultisetTestCorrelations(
        IReadOnlyList<Tensor> train, IReadOnlyList<Tensor> test, double ridge = Leakage.DefaultRidge)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var pairs = new Dictionary<string, double[]>();
        if (train.Any(t => t.shape[1] == 0)) return ([], pairs);
        using var scope = NewDisposeScope();
        int mCount = train.Count;
        long k = train.Min(t => t.shape[1]);
        var mcca = MultisetCorrelation.Fit(CovarianceStats.FromTensors(train.Select(t => t.to(float64)).ToArray()), ridge);
        var z = new Tensor[mCount];
        for (int m = 0; m < mCount; m++)
        {
            var mean = tensor(mcca.Mean(m).ToArray(), dtype: float64, device: test[m].device);
            z[m] = (test[m].to(float64) - mean).matmul(mcca.Directions(m).narrow(1, 0, k).to(test[m].device));
            z[m] = z[m] - z[m].mean([0], keepdim: true);
        }
        var sum = zeros(k, dtype: float64);
        for (int a = 0; a < mCount; a++)
            for (int b = a + 1; b < mCount; b++)
            {
                var num = (z[a] * z[b]).sum([0]);
                var den = (z[a].square().sum([0]) * z[b].square().sum([0])).sqrt();
                var r = where(den > 0, num / den, zeros_like(num)).cpu();
                pairs[$"view{a + 1}_view{b + 1}"] = r.data<double>().ToArray();
                sum = sum + r;
            }
        return ((sum / (mCount * (mCount - 1) / 2.0)).data<double>().ToArray(), pairs);
    }

    /// <summary>Test rows of each view as its top principal components fitted on the train rows (the whole centred view when it is narrow).</summary>
    private static Tensor[] OtherViewRepresentations(PairedDataset train, PairedDataset test, int components)
    {
        var result = new Tensor[train.Views.Count];
        for (int m = 0; m < train.Views.Count; m++)
        {
            var v = train.Views[m];
            var testRows = Representations.Slice(test.Views[m], 0, test.Count);
            if (v.Cols <= components)
            {
                result[m] = testRows;
                continue;
            }
            int p = Math.Min(components, Math.Max(1, train.Count - 1));
            var stats = CovarianceStats.FromViews([v]);
            result[m] = PcaComponents(stats, p, testRows);
        }
        return result;
    }

    /// <summary>Projection of <paramref name="x"/> on the top p principal directions of a one-view statistic (columns with zero variance dropped).</summary>
    private static Tensor PcaComponents(CovarianceStats stats, int p, Tensor x)
    {
        using var scope = NewDisposeScope();
        var s = stats.Covariance(0, 0);
        var (top, w) = LinearAlgebra.TopEigenpairs(s, p);
        double trace = s.trace().item<double>();
        long keep = Math.Max(1, (top > 1e-12 * Math.Max(trace, double.Epsilon)).sum().item<long>());
        var wTop = w.narrow(1, 0, keep);
        return ((x - stats.MeanTensor(0)).matmul(wTop)).MoveToOuterDisposeScope();
    }

    private static ProbeScores Probe(string name, string metric, MultiviewOutput train, MultiviewOutput validation, MultiviewOutput test,
        Func<Tensor, Tensor, Tensor, double> run)
    {
        double Common(int m) => train.Common[m].shape[1] == 0 ? double.NaN : run(train.Common[m], validation.Common[m], test.Common[m]);
        double common = Common(0);
        var individual = new double?[train.Individual.Count];
        for (int m = 0; m < individual.Length; m++)
            individual[m] = train.Individual[m].shape[1] == 0 ? null : run(train.Individual[m], validation.Individual[m], test.Individual[m]);
        // More than two views: a probe from every view's common variates (two-view results keep their shape).
        double[]? byView = train.Common.Count > 2
            ? [common, .. Enumerable.Range(1, train.Common.Count - 1).Select(Common)]
            : null;
        return new ProbeScores(name, metric, common, individual) { CommonByView = byView };
    }

    private static T[] Pick<T>(T[] values, PairedDataset data, Split split) => data.RowsOf(split).Select(i => values[i]).ToArray();
}

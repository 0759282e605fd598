using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Retrieval figures of one query set against one candidate set (row i of each is a true pair).</summary>
/// <param name="RecallAt1">Fraction of queries whose true partner ranks first.</param>
/// <param name="RecallAt10">Fraction of queries whose true partner ranks in the top 10 (every query when there are ≤ 10 candidates).</param>
/// <param name="MedianRank">Median over queries of the true partner's rank (1 = best; mean of the two middle ranks for an even count).</param>
public sealed record RetrievalScores(double RecallAt1, double RecallAt10, double MedianRank)
{
    /// <summary>All NaN: the representation has no columns.</summary>
    public static RetrievalScores Undefined { get; } = new(double.NaN, double.NaN, double.NaN);
}

/// <summary>Retrieval of view <paramref name="To"/>'s rows from view <paramref name="From"/>'s rows (0-based views).</summary>
/// <param name="From">Query view.</param>
/// <param name="To">Candidate view.</param>
/// <param name="Common">From the common variates of both views.</param>
/// <param name="Individual">From the individual variates of both views (the leading min(r_a, r_b) columns; undefined when either has none).</param>
public sealed record RetrievalPair(int From, int To, RetrievalScores Common, RetrievalScores Individual)
{
    /// <summary>Name in metrics.json, e.g. <c>view1_to_view2</c>.</summary>
    public string Key => $"view{From + 1}_to_view{To + 1}";
}

/// <summary>Retrieval on the test rows for every ordered pair of views, with the chance levels for <paramref name="Candidates"/> candidates.</summary>
/// <param name="Candidates">Number of candidates (test rows) n.</param>
/// <param name="Pairs">Every ordered pair (a, b), a ≠ b, in order a, then b.</param>
public sealed record RetrievalResult(int Candidates, IReadOnlyList<RetrievalPair> Pairs)
{
    /// <summary>Expected figures for a random ranking of <see cref="Candidates"/> candidates (<see cref="Retrieval.Chance"/>).</summary>
    public RetrievalScores Chance => Retrieval.Chance(Candidates);

    /// <summary>
    /// The metrics.json <c>retrieval</c> object: <c>candidates</c>, <c>chance</c> {<c>recall_at_1</c>,
    /// <c>recall_at_10</c>, <c>median_rank</c>}, and <c>common</c> / <c>individual</c>, each
    /// {<c>view{a}_to_view{b}</c>: the same three figures}; undefined figures are null.
    /// </summary>
    public JsonObject ToJson()
    {
        var common = new JsonObject();
        var individual = new JsonObject();
        foreach (var p in Pairs)
        {
            common[p.Key] = Json(p.Common);
            individual[p.Key] = Json(p.Individual);
        }
        return new JsonObject
        {
            ["candidates"] = Candidates,
            ["chance"] = Json(Chance),
            ["common"] = common,
            ["individual"] = individual,
        };
    }

    /// <summary>Reads <see cref="ToJson"/>'s object (exceptions of a malformed object propagate to the caller).</summary>
    public static RetrievalResult FromJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        int n = node["candidates"]!.GetValue<int>();
        var common = node["common"]!.AsObject();
        var individual = node["individual"]!.AsObject();
        var pairs = common.Select(kv =>
        {
            var parts = kv.Key.Split("_to_");
            if (parts.Length != 2 || !parts[0].StartsWith("view", StringComparison.Ordinal) || !parts[1].StartsWith("view", StringComparison.Ordinal))
                throw new FormatException($"unknown retrieval key '{kv.Key}'");
            int a = int.Parse(parts[0]["view".Length..], System.Globalization.CultureInfo.InvariantCulture) - 1;
            int b = int.Parse(parts[1]["view".Length..], System.Globalization.CultureInfo.InvariantCulture) - 1;
            return new RetrievalPair(a, b, Scores(kv.Value), Scores(individual[kv.Key]));
        }).ToArray();
        return new RetrievalResult(n, pairs);
    }

    private static JsonObject Json(RetrievalScores s) => new()
    {
        ["recall_at_1"] = Number(s.RecallAt1),
        ["recall_at_10"] = Number(s.RecallAt10),
        ["median_rank"] = Number(s.MedianRank),
    };

    private static RetrievalScores Scores(JsonNode? o) => o is null ? RetrievalScores.Undefined
        : new RetrievalScores(Value(o["recall_at_1"]), Value(o["recall_at_10"]), Value(o["median_rank"]));

    private static JsonNode? Number(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static double Value(JsonNode? node) => node is null ? double.NaN : node.GetValue<double>();
}

/// <summary>
/// Cross-view retrieval (issue 14): for each query row i of one view, rank every row j of the other view
/// by the cosine similarity of their representations; the true partner is row i.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Rank</b> of the true partner = 1 + the number of other candidates whose similarity is ≥ the
/// partner's. Ties therefore count <i>against</i> the partner (pessimistic, and independent of row order):
/// a constant representation gets rank n for every query, never a lucky recall.</item>
/// <item><b>Cosine similarity</b> of the raw variates (no centring: the models' variates already have
/// training mean 0); a zero row has similarity 0 with everything.</item>
/// <item><b>Chance</b> (a random ranking of n candidates): recall@K = min(K, n)/n, median rank (n + 1)/2.</item>
/// <item>Individual variates of two views are not aligned by any model, so their retrieval uses the
/// leading min(r_a, r_b) columns of each and should be at chance.</item>
/// </list>
/// Queries are processed in blocks of <see cref="BlockRows"/> rows, so memory is O(block × n).
/// </remarks>
public static class Retrieval
{
    /// <summary>Query rows per block of the similarity matrix.</summary>
    public const int BlockRows = 1024;

    /// <summary>Expected recall@1, recall@10 and median rank of a random ranking of <paramref name="n"/> candidates.</summary>
    public static RetrievalScores Chance(int n) =>
        n < 1 ? RetrievalScores.Undefined : new RetrievalScores(1.0 / n, Math.Min(10, n) / (double)n, (n + 1) / 2.0);

    /// <summary>
    /// Rank (1-based, ties against the partner) of candidate i among all rows of <paramref name="candidates"/>
    /// for query row i of <paramref name="queries"/>, by cosine similarity. Both are (n × w) with the same n and w.
    /// </summary>
    public static int[] Ranks(Tensor queries, Tensor candidates)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(candidates);
        if (queries.dim() != 2 || candidates.dim() != 2 || queries.shape[0] != candidates.shape[0] || queries.shape[1] != candidates.shape[1])
            throw new ArgumentException($"queries and candidates must be (n × w) of the same shape, got [{string.Join(", ", queries.shape)}] and [{string.Join(", ", candidates.shape)}]");
        int n = (int)queries.shape[0];
        var ranks = new int[n];
        if (n == 0) return ranks;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var q = Normalize(queries.detach().to(float64).cpu());
        var c = Normalize(candidates.detach().to(float64).cpu());
        for (int start = 0; start < n; start += BlockRows)
        {
            using var block = NewDisposeScope();
            int count = Math.Min(BlockRows, n - start);
            var sim = q.narrow(0, start, count).matmul(c.t());                                // (count × n)
            var partner = sim.gather(1, arange(start, start + count, dtype: int64).unsqueeze(1)); // (count × 1), the same numbers as in sim
            var atLeast = (sim >= partner).sum(1);                                            // includes the partner itself
            var values = atLeast.data<long>().ToArray();
            for (int i = 0; i < count; i++) ranks[start + i] = (int)values[i];
        }
        return ranks;
    }

    /// <summary>Recall@1, recall@10 and median rank from <see cref="Ranks"/>; undefined when the representation has no columns or no rows.</summary>
    public static RetrievalScores Evaluate(Tensor queries, Tensor candidates)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.shape[1] == 0 || queries.shape[0] == 0) return RetrievalScores.Undefined;
        return FromRanks(Ranks(queries, candidates));
    }

    /// <summary>Recall@1, recall@10 and median rank of a set of ranks.</summary>
    public static RetrievalScores FromRanks(IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        if (ranks.Count == 0) return RetrievalScores.Undefined;
        var sorted = ranks.OrderBy(r => r).ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return new RetrievalScores(sorted.Count(r => r <= 1) / (double)n, sorted.Count(r => r <= 10) / (double)n, median);
    }

    /// <summary>Retrieval for every ordered pair of views from a model's test variates.</summary>
    public static RetrievalResult Evaluate(MultiviewOutput test)
    {
        ArgumentNullException.ThrowIfNull(test);
        int mCount = test.Common.Count;
        int n = mCount == 0 ? 0 : (int)test.Common[0].shape[0];
        var pairs = new List<RetrievalPair>();
        for (int a = 0; a < mCount; a++)
        {
            for (int b = 0; b < mCount; b++)
            {
                if (a == b) continue;
                var common = Evaluate(test.Common[a], test.Common[b]);
                long w = Math.Min(test.Individual[a].shape[1], test.Individual[b].shape[1]);
                var individual = w == 0 ? RetrievalScores.Undefined
                    : Evaluate(test.Individual[a].narrow(1, 0, w), test.Individual[b].narrow(1, 0, w));
                pairs.Add(new RetrievalPair(a, b, common, individual));
            }
        }
        return new RetrievalResult(n, pairs);
    }

    private static Tensor Normalize(Tensor x)
    {
        var norm = x.norm(1, keepdim: true);
        return where(norm > 0, x / norm.clamp_min(double.Epsilon), zeros_like(x));
    }
}

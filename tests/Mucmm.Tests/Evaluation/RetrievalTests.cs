using Mucmm.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Evaluation;

public class RetrievalTests
{
    /// <summary>Standard normal (n × w) matrix from System.Random(seed) by Box–Muller (deterministic, independent of torch's generator).</summary>
    private static Tensor Gaussian(int n, int w, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n * w];
        for (int i = 0; i < x.Length; i++)
            x[i] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return tensor(x, new long[] { n, w }, dtype: float64);
    }

    /// <summary>Oracle: identity pairing of distinct rows — every query's best match (cosine 1) is its own row: recall@1 = recall@10 = 1, median rank 1 (exact).</summary>
    [Fact]
    public void Identity_pairing_gives_recall_one_and_median_rank_one()
    {
        using var scope = NewDisposeScope();
        var x = Gaussian(60, 5, 1);
        Assert.All(Retrieval.Ranks(x, x), r => Assert.Equal(1, r));
        Assert.Equal(new RetrievalScores(1, 1, 1), Retrieval.Evaluate(x, x * 3.0));   // cosine ignores scale
    }

    /// <summary>
    /// Oracle: hand count. Queries are unit vectors eᵢ, candidate j is e_π(j), so the true partner of query i
    /// (candidate i) has cosine 1 when π(i) = i and 0 otherwise, tied with n − 1 other zeros: rank 1 for the
    /// 5 fixed points, rank n = 12 for the 7 moved rows (ties count against the partner). Exact.
    /// </summary>
    [Fact]
    public void A_permutation_of_orthogonal_rows_ranks_fixed_points_first_and_moved_rows_last()
    {
        using var scope = NewDisposeScope();
        int[] pi = [0, 2, 1, 3, 5, 6, 4, 7, 9, 8, 10, 11];   // fixed: 0, 3, 7, 10, 11
        int n = pi.Length;
        var q = eye(n, dtype: float64);
        var c = q.index_select(0, tensor(pi.Select(p => (long)p).ToArray()));
        var ranks = Retrieval.Ranks(q, c);
        for (int i = 0; i < n; i++) Assert.Equal(pi[i] == i ? 1 : n, ranks[i]);
        var s = Retrieval.Evaluate(q, c);
        Assert.Equal(5.0 / 12, s.RecallAt1, 15);
        Assert.Equal(5.0 / 12, s.RecallAt10, 15);
        Assert.Equal(12.0, s.MedianRank);
    }

    /// <summary>
    /// Oracle: angular distance by hand. Rows are unit vectors in the plane at generic angles θ (no two
    /// distances equal: the smallest gap between distinct |θᵢ − θₗ| is checked &gt; 1e-6), all within 1.5 rad,
    /// so cosine order = angle order. Candidate j sits at θ_π(j) for a fixed permutation π; the rank of the
    /// partner of query i is 1 + #{l ≠ π(i): |θᵢ − θₗ| &lt; |θᵢ − θ_π(i)|}. Exact.
    /// </summary>
    [Fact]
    public void A_known_permutation_gives_the_ranks_of_angular_distance()
    {
        using var scope = NewDisposeScope();
        int n = 15;
        double[] theta = Enumerable.Range(0, n).Select(i => 0.09 * i + 0.004 * i * i + 0.0007 * Math.Sqrt(i)).ToArray();
        var distances = theta.SelectMany(a => theta.Select(b => Math.Abs(a - b))).Distinct().Order().ToArray();
        Assert.True(distances.Zip(distances.Skip(1)).All(p => p.Second - p.First > 1e-6), "angles must not give tied distances");
        int[] pi = Enumerable.Range(0, n).Select(j => (j * 4 + 3) % n).ToArray();   // 4 is invertible mod 15
        Tensor Points(IEnumerable<double> angles) =>
            tensor(angles.SelectMany(a => new[] { Math.Cos(a), Math.Sin(a) }).ToArray(), new long[] { n, 2 }, dtype: float64);
        var q = Points(theta);
        var c = Points(pi.Select(p => theta[p]));
        var ranks = Retrieval.Ranks(q, c);
        var expected = new int[n];
        for (int i = 0; i < n; i++)
        {
            double d = Math.Abs(theta[i] - theta[pi[i]]);
            expected[i] = 1 + Enumerable.Range(0, n).Count(l => l != pi[i] && Math.Abs(theta[i] - theta[l]) < d);
        }
        Assert.Equal(expected, ranks);
        Assert.Contains(ranks, r => r > 1);
        Assert.Equal(Retrieval.FromRanks(expected), Retrieval.Evaluate(q, c));
    }

    /// <summary>Oracle: the tie rule. A constant representation (and an all-zero one, similarity 0) ties every candidate: rank n for every query, recall 0 (exact).</summary>
    [Fact]
    public void Ties_count_against_the_true_partner()
    {
        using var scope = NewDisposeScope();
        var constant = ones(20, 3, dtype: float64);
        Assert.Equal(new RetrievalScores(0, 0, 20), Retrieval.Evaluate(constant, constant));
        var zero = zeros(20, 3, dtype: float64);
        Assert.Equal(new RetrievalScores(0, 0, 20), Retrieval.Evaluate(zero, zero));
    }

    /// <summary>Oracle: hand count of the definitions (ranks 1, 2, 3, 11: recall@1 1/4, recall@10 3/4, median (2 + 3)/2; odd count 2, 10, 12: recall@10 2/3, the middle rank 10). Exact.</summary>
    [Fact]
    public void Scores_from_ranks_follow_the_definitions()
    {
        Assert.Equal(new RetrievalScores(0.25, 0.75, 2.5), Retrieval.FromRanks([11, 2, 1, 3]));
        Assert.Equal(new RetrievalScores(0, 2.0 / 3, 10), Retrieval.FromRanks([12, 10, 2]));
        Assert.Equal(new RetrievalScores(1.0 / 500, 10.0 / 500, 250.5), Retrieval.Chance(500));
        Assert.Equal(new RetrievalScores(1.0 / 4, 1, 2.5), Retrieval.Chance(4));
    }

    /// <summary>
    /// Oracle: chance levels. Independent Gaussian queries and candidates (n = 500, w = 8, fixed seeds): the
    /// rank of the partner is uniform on 1..n, so recall@1 ≈ 1/n (tolerance 0.01, ≈ 5 standard errors of
    /// √(0.002/500)), recall@10 ≈ 10/n = 0.02 (tolerance 0.03, ≈ 5 s.e. of 0.0063) and median rank ≈ (n + 1)/2
    /// (tolerance 0.1·n, ≈ 4.5 s.e. of n/(2√n)).
    /// </summary>
    [Fact]
    public void Independent_embeddings_retrieve_at_chance()
    {
        using var scope = NewDisposeScope();
        int n = 500;
        var s = Retrieval.Evaluate(Gaussian(n, 8, 11), Gaussian(n, 8, 12));
        var chance = Retrieval.Chance(n);
        Assert.InRange(s.RecallAt1, 0, chance.RecallAt1 + 0.01);
        Assert.InRange(s.RecallAt10, Math.Max(0, chance.RecallAt10 - 0.03), chance.RecallAt10 + 0.03);
        Assert.InRange(s.MedianRank, chance.MedianRank - 0.1 * n, chance.MedianRank + 0.1 * n);
    }

    /// <summary>
    /// Oracle: construction. Three views whose common variates are the same rows (identity pairing, recall 1)
    /// and whose individual variates are independent (recall@10 at chance, tolerance as above) with unequal
    /// widths (4, 2, 0): every ordered pair is reported, individual figures use min(r_a, r_b) columns and are
    /// undefined when a view has none; metrics.json's object reads back equal.
    /// </summary>
    [Fact]
    public void Every_ordered_pair_of_three_views_is_reported_and_round_trips()
    {
        using var scope = NewDisposeScope();
        int n = 400;
        var c = Gaussian(n, 3, 5);
        var output = new MultiviewOutput([c, c.clone(), c * 2.0], [Gaussian(n, 4, 6), Gaussian(n, 2, 7), zeros(n, 0, dtype: float64)]);
        var result = Retrieval.Evaluate(output);
        Assert.Equal(n, result.Candidates);
        Assert.Equal(["view1_to_view2", "view1_to_view3", "view2_to_view1", "view2_to_view3", "view3_to_view1", "view3_to_view2"],
            result.Pairs.Select(p => p.Key).ToArray());
        Assert.All(result.Pairs, p => Assert.Equal(new RetrievalScores(1, 1, 1), p.Common));
        foreach (var p in result.Pairs)
        {
            if (p.From == 2 || p.To == 2) Assert.True(double.IsNaN(p.Individual.RecallAt10));
            else Assert.InRange(p.Individual.RecallAt10, 0, result.Chance.RecallAt10 + 0.03);
        }
        var back = RetrievalResult.FromJson(result.ToJson());
        Assert.Equal(result.Candidates, back.Candidates);
        Assert.Equal(result.Pairs, back.Pairs);
    }
}

using System.Globalization;
using System.Text;

namespace Mucmm.Evaluation;

/// <summary>Plain-text rendering of an <see cref="EvaluationResult"/> for the terminal.</summary>
public static class MetricsText
{
    /// <summary>A short table: test correlations, leakage (with chance levels), probes.</summary>
    public static string Format(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.AppendLine($"{result.Model} on {result.Dataset}: train {result.Split.Train}, validation {result.Split.Validation}, test {result.Split.Test} rows");
        sb.AppendLine($"test canonical correlations: {string.Join(" ", result.TestCorrelations.Select(c => F(c, 3)))}");
        sb.AppendLine($"test total correlation:      {F(result.TotalCorrelation, 3)} (of {result.TestCorrelations.Count} possible)");
        if (result.PairwiseTestCorrelations is { } pairwise)
        {
            sb.AppendLine("  (more than two views: each figure is the mean over the view pairs of a multiset canonical variate's test correlation)");
            foreach (var (key, values) in pairwise)
                sb.AppendLine($"  {key.Replace('_', ' ')}: {string.Join(" ", values.Select(c => F(c, 3)))}");
        }
        sb.AppendLine("leakage (mean squared canonical correlation, test; chance level in brackets):");
        int w = result.Leakage.Count == 0 ? 0 : result.Leakage.Max(l => l.Key.Length);
        foreach (var l in result.Leakage)
            sb.AppendLine($"  {l.Key.PadRight(w)}  {F(l.Value, 4)}  ({F(l.Chance, 4)})");
        AppendRetrieval(sb, result.Retrieval);
        if (result.Probes.Count == 0)
        {
            sb.AppendLine("probes: none (the data has no labels or factors)");
            return sb.ToString();
        }
        int views = result.Probes.Max(p => p.Individual.Count);
        int commonViews = result.Probes.Max(p => p.CommonByView?.Count ?? 0);
        var header = new List<string> { "probe (test)" };
        header.AddRange(commonViews == 0 ? ["common"] : Enumerable.Range(1, commonViews).Select(m => $"common{m}"));
        header.AddRange(Enumerable.Range(1, views).Select(m => $"individual{m}"));
        var rows = new List<string[]> { header.ToArray() };
        foreach (var p in result.Probes)
        {
            var row = new List<string> { $"{p.Target} ({(p.Metric == "accuracy" ? "accuracy" : "R²")})" };
            if (commonViews == 0) row.Add(F(p.Common, 3));
            else row.AddRange(Enumerable.Range(0, commonViews).Select(m => p.CommonByView is { } c && m < c.Count ? F(c[m], 3) : m == 0 ? F(p.Common, 3) : "-"));
            row.AddRange(Enumerable.Range(0, views).Select(m => m < p.Individual.Count && p.Individual[m] is { } v ? F(v, 3) : "-"));
            rows.Add(row.ToArray());
        }
        int[] widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
            sb.AppendLine("  " + string.Join("  ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
        return sb.ToString();
    }

    /// <summary>The retrieval table: one row per ordered pair of views, common and individual figures, then chance.</summary>
    private static void AppendRetrieval(StringBuilder sb, RetrievalResult? retrieval)
    {
        if (retrieval is null || retrieval.Pairs.Count == 0) return;
        sb.AppendLine($"retrieval (test, {retrieval.Candidates} candidates, cosine similarity of the variates; median = median rank of the true partner):");
        var rows = new List<string[]> { new[] { "", "common R@1", "R@10", "median", "individual R@1", "R@10", "median" } };
        foreach (var p in retrieval.Pairs)
            rows.Add([$"view {p.From + 1} → view {p.To + 1}", F(p.Common.RecallAt1, 3), F(p.Common.RecallAt10, 3), F(p.Common.MedianRank, 1),
                F(p.Individual.RecallAt1, 3), F(p.Individual.RecallAt10, 3), F(p.Individual.MedianRank, 1)]);
        var c = retrieval.Chance;
        rows.Add(["chance", F(c.RecallAt1, 3), F(c.RecallAt10, 3), F(c.MedianRank, 1), F(c.RecallAt1, 3), F(c.RecallAt10, 3), F(c.MedianRank, 1)]);
        int[] widths = Enumerable.Range(0, 7).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var r in rows)
            sb.AppendLine("  " + string.Join("  ", r.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
    }

    /// <summary>A number with <paramref name="digits"/> decimals, invariant culture; "-" for NaN.</summary>
    public static string F(double x, int digits) =>
        double.IsFinite(x) ? x.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "-";
}

using System.Text.RegularExpressions;

namespace Mucmm.Explain;

/// <summary>
/// Choosing which samples to explain: by dataset index, at random, or the top/bottom by a score.
/// All methods return row positions (0-based) into the data they are given.
/// </summary>
public static partial class SampleSelection
{
    /// <summary>
    /// Positions of the rows whose dataset index (<paramref name="rowIndices"/>[row], e.g.
    /// <c>PairedDataset.Indices</c>) is in <paramref name="wanted"/>, in the order asked. Throws
    /// <see cref="MucmmUserException"/> for an index not present.
    /// </summary>
    public static int[] ByIndex(IReadOnlyList<int> rowIndices, IReadOnlyList<int> wanted)
    {
        ArgumentNullException.ThrowIfNull(rowIndices);
        ArgumentNullException.ThrowIfNull(wanted);
        var position = new Dictionary<int, int>();
        for (int r = 0; r < rowIndices.Count; r++) position.TryAdd(rowIndices[r], r);
        return wanted.Select(i => position.TryGetValue(i, out int r)
            ? r
            : throw new MucmmUserException(rowIndices.Count == 0
                ? $"index {i} is out of range: the data is empty"
                : $"index {i} is not among the {rowIndices.Count} candidate samples (indices {rowIndices.Min()}..{rowIndices.Max()} of the chosen split)")).ToArray();
    }

    /// <summary><paramref name="count"/> distinct positions out of <paramref name="rows"/>, fixed by <paramref name="seed"/>, ascending.</summary>
    public static int[] Random(int rows, int count, int seed)
    {
        CheckCount(rows, count);
        return Data.PairedDataset.Permutation(rows, seed).Take(count).Order().ToArray();
    }

    /// <summary>Positions of the <paramref name="count"/> highest scores, highest first (ties: lower position first).</summary>
    public static int[] Top(IReadOnlyList<double> scores, int count)
    {
        CheckCount(scores.Count, count);
        return Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(count).ToArray();
    }

    /// <summary>Positions of the <paramref name="count"/> lowest scores, lowest first (ties: lower position first).</summary>
    public static int[] Bottom(IReadOnlyList<double> scores, int count)
    {
        CheckCount(scores.Count, count);
        return Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ThenBy(i => i).Take(count).ToArray();
    }

    /// <summary>
    /// Parses a rule <c>top-SCORE</c> or <c>bottom-SCORE</c> (e.g. <c>top-common</c>,
    /// <c>bottom-individual1</c>, <c>top-common:2</c>) for <paramref name="model"/>.
    /// </summary>
    public static (bool top, Score score) ParseRule(string rule, IMultiviewModel model)
    {
        var m = RulePattern().Match((rule ?? "").Trim().ToLowerInvariant());
        if (!m.Success)
            throw new MucmmUserException($"unknown selection '{rule}'; use top-SCORE or bottom-SCORE, e.g. top-common, bottom-individual1");
        return (m.Groups[1].Value == "top", Score.Parse(m.Groups[2].Value, model));
    }

    private static void CheckCount(int rows, int count)
    {
        if (count < 1) throw new MucmmUserException($"the number of samples must be ≥ 1, got {count}");
        if (count > rows) throw new MucmmUserException($"cannot choose {count} samples out of {rows}");
    }

    [GeneratedRegex(@"^(top|bottom)-(.+)$")]
    private static partial Regex RulePattern();
}

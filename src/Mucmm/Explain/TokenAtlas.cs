using System.Globalization;
using System.Text;

namespace Mucmm.Explain;

/// <summary>One word of a text variate's pattern (<see cref="AtlasEntry.Tokens"/>).</summary>
/// <param name="Token">The word (lower case; <see cref="TokenAtlas.Words"/>).</param>
/// <param name="Weight">
/// The regression of the word's presence indicator on the standardized variate over the training rows,
/// Σᵢ (bᵢ − b̄)·z̃ᵢ / (n − 1) — the image atlas's pattern with words as the input coordinates. Positive: the word
/// is more frequent where the variate is high.
/// </param>
/// <param name="Correlation">Pearson correlation of the presence indicator with the variate (the weight divided by the indicator's standard deviation).</param>
/// <param name="Count">Training texts that contain the word.</param>
public sealed record TokenWeight(string Token, double Weight, double Correlation, int Count);

/// <summary>
/// The atlas of a text view in token space: for each variate of the view, the words whose presence goes with it —
/// the regression of a bag-of-words indicator (is word t in text i) on the standardized variate over the training
/// rows, ranked by |weight|. Words are whole words, not WordPiece pieces, so the pattern does not depend on the text
/// encoder and reads as words; a word in every training text (no variance) or in fewer than
/// <see cref="DefaultMinCount"/> is left out.
/// </summary>
public static class TokenAtlas
{
    /// <summary>Words in fewer training texts than this are left out of a pattern.</summary>
    public const int DefaultMinCount = 2;

    /// <summary>Words kept per variate (the largest |weight|).</summary>
    public const int DefaultKept = 24;

    /// <summary>
    /// The distinct words of <paramref name="text"/> in order of first appearance: maximal runs of letters, digits and
    /// combining marks, lower-cased (invariant culture) — BERT's basic tokenization with its punctuation tokens
    /// dropped, e.g. "Flag: United-States" → flag, united, states.
    /// </summary>
    public static IReadOnlyList<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = new StringBuilder();
        void Flush()
        {
            if (current.Length == 0) return;
            string w = current.ToString().ToLowerInvariant();
            if (seen.Add(w)) words.Add(w);
            current.Clear();
        }
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            bool part = Rune.IsLetterOrDigit(rune) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (part) current.Append(rune.ToString());
            else Flush();
        }
        Flush();
        return words;
    }

    /// <summary>
    /// The token pattern of each variate: <paramref name="variates"/>[j] holds variate j on the training rows whose
    /// texts are <paramref name="texts"/> (same order). For each, the <paramref name="kept"/> words with the largest
    /// |<see cref="TokenWeight.Weight"/>| (ties by word, ordinal), largest first. A constant variate gives weights 0.
    /// </summary>
    public static TokenWeight[][] Patterns(IReadOnlyList<string> texts, IReadOnlyList<double[]> variates,
        int minCount = DefaultMinCount, int kept = DefaultKept)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(variates);
        int n = texts.Count;
        if (n < 2) throw new MucmmUserException("the token atlas needs at least 2 training texts");
        if (kept < 1) throw new ArgumentOutOfRangeException(nameof(kept));
        foreach (var z in variates)
            if (z.Length != n) throw new ArgumentException($"a variate has {z.Length} values for {n} texts", nameof(variates));

        // The rows holding each word.
        var rowsOf = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            foreach (var w in Words(texts[i] ?? ""))
            {
                if (!rowsOf.TryGetValue(w, out var rows)) rowsOf[w] = rows = [];
                rows.Add(i);
            }
        var vocabulary = rowsOf.Where(kv => kv.Value.Count >= minCount && kv.Value.Count < n)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();

        var result = new TokenWeight[variates.Count][];
        for (int j = 0; j < variates.Count; j++)
        {
            var z = Standardized(variates[j]);
            // z̃ is centred, so Σᵢ (bᵢ − b̄) z̃ᵢ = Σ_{i ∋ t} z̃ᵢ.
            var weights = vocabulary.Select(kv =>
            {
                int c = kv.Value.Count;
                double sum = 0;
                foreach (int i in kv.Value) sum += z[i];
                double weight = sum / (n - 1);
                double sdIndicator = Math.Sqrt((c - (double)c * c / n) / (n - 1));
                return new TokenWeight(kv.Key, weight, weight / sdIndicator, c);
            });
            result[j] = weights.OrderByDescending(t => Math.Abs(t.Weight)).ThenBy(t => t.Token, StringComparer.Ordinal).Take(kept).ToArray();
        }
        return result;
    }

    /// <summary>z centred and scaled to unit variance (divisor n − 1); a constant z gives zeros (as <see cref="Atlas"/>).</summary>
    private static double[] Standardized(double[] z)
    {
        double mean = z.Average();
        double ss = z.Sum(v => (v - mean) * (v - mean));
        double sd = Math.Sqrt(ss / (z.Length - 1));
        return z.Select(v => sd > 0 ? (v - mean) / sd : 0).ToArray();
    }
}

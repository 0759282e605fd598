using System.Globalization;
using System.Text;
using Mucmm.Data;

namespace Mucmm.Explain;

/// <summary>The per-sample score table written by <c>mucmm score</c>.</summary>
public static class ScoreTable
{
    /// <summary>
    /// Writes <paramref name="path"/> (CSV): <c>index</c>, one column per score (named by
    /// <see cref="Score.Name"/>), then the dataset's labels and factors. Rows follow the dataset
    /// (its index order); <paramref name="values"/>[s][i] is score s of row i.
    /// </summary>
    public static void WriteCsv(string path, PairedDataset dataset, IReadOnlyList<Score> scores, double[][] values)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (values.Length != scores.Count || values.Any(v => v.Length != dataset.Count))
            throw new ArgumentException("one value per score and row is needed");
        var labels = dataset.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        var factors = dataset.Factors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine(string.Join(",", new[] { "index" }.Concat(scores.Select(s => s.Name))
            .Concat(labels.Select(l => l.Key)).Concat(factors.Select(f => f.Key)).Select(Quote)));
        var line = new StringBuilder();
        for (int i = 0; i < dataset.Count; i++)
        {
            line.Clear();
            line.Append(dataset.Indices[i].ToString(CultureInfo.InvariantCulture));
            foreach (var v in values) line.Append(',').Append(v[i].ToString("R", CultureInfo.InvariantCulture));
            foreach (var l in labels) line.Append(',').Append(l.Value[i].ToString(CultureInfo.InvariantCulture));
            foreach (var f in factors) line.Append(',').Append(f.Value[i].ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    private static string Quote(string name) =>
        name.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + name.Replace("\"", "\"\"") + "\"" : name;
}

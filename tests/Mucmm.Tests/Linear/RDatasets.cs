using System.Globalization;
using Mucmm.Data;

namespace Mucmm.Tests.Linear;

/// <summary>Reads the small R data sets in Fixtures/r-datasets (CSV with a quoted header, numeric cells).</summary>
internal static class RDatasets
{
    /// <summary>The named columns of <paramref name="file"/> as one view (rows = samples).</summary>
    public static View Columns(string file, params string[] names)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "r-datasets", file))
            .Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',').Select(h => h.Trim('"')).ToList();
        int[] cols = names.Select(n => header.IndexOf(n) is var i and >= 0 ? i : throw new ArgumentException($"{file}: no column {n}")).ToArray();
        var data = new double[(lines.Length - 1) * cols.Length];
        for (int r = 1; r < lines.Length; r++)
        {
            var cells = lines[r].Split(',');
            for (int j = 0; j < cols.Length; j++)
                data[(r - 1) * cols.Length + j] = double.Parse(cells[cols[j]], CultureInfo.InvariantCulture);
        }
        return new View(file, ViewKind.Vector, new[] { cols.Length }, data);
    }
}

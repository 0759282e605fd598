using System.Globalization;
using System.Text;
using Mucmm.Data;

namespace Mucmm.Deep;

/// <summary>
/// The training log <c>train.csv</c>: one row per epoch (phase, epoch, a column per objective term in order of
/// first appearance, the validation total correlation, seconds). Its one writer (the trainer) and one reader
/// (the report).
/// </summary>
public static class TrainingLog
{
    /// <summary>File name of the log in a work or run folder.</summary>
    public const string FileName = "train.csv";

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> via a temporary file and a rename.</summary>
    public static void Write(string path, IReadOnlyList<EpochMetrics> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var names = new List<string>();
        foreach (var r in rows)
            foreach (var t in r.Terms)
                if (!names.Contains(t.Key)) names.Add(t.Key);
        var sb = new StringBuilder();
        sb.Append("phase,epoch,").Append(string.Join(",", names)).Append(",validation_total_correlation,seconds\n");
        foreach (var r in rows)
        {
            sb.Append(r.Phase).Append(',').Append(r.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var name in names)
            {
                var hit = r.Terms.FirstOrDefault(t => t.Key == name);
                sb.Append(',').Append(hit.Key is null ? "" : hit.Value.ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append(',').Append(double.IsNaN(r.ValidationCorrelation) ? "" : r.ValidationCorrelation.ToString("R", CultureInfo.InvariantCulture));
            sb.Append(',').Append(r.Seconds.ToString("F2", CultureInfo.InvariantCulture)).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// Reads a log written by <see cref="Write"/>: the value columns (terms and validation_total_correlation, not
    /// seconds) and one row per epoch with the values of its non-empty cells. Throws <see cref="MucmmUserException"/>
    /// for a file that is not such a log.
    /// </summary>
    public static (IReadOnlyList<string> Terms, IReadOnlyList<(string Phase, int Epoch, Dictionary<string, double> Values)> Rows) Read(string path)
    {
        var lines = Data.Readers.ReaderIO.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new MucmmUserException(path, "empty train.csv");
        var header = lines[0].Split(',');
        if (header.Length < 3 || header[0] != "phase" || header[1] != "epoch")
            throw new MucmmUserException(path, "not a train.csv written by mucmm fit (the header must start with phase,epoch)");
        var terms = header.Skip(2).Where(h => h != "seconds").ToArray();
        var rows = new List<(string, int, Dictionary<string, double>)>();
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length) throw new MucmmUserException(path, $"line {i + 1} has {cells.Length} cells, the header {header.Length}");
            if (!int.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch))
                throw new MucmmUserException(path, $"line {i + 1}: epoch '{cells[1]}' is not an integer");
            var values = new Dictionary<string, double>();
            for (int c = 2; c < header.Length; c++)
                if (double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) values[header[c]] = v;
            rows.Add((cells[0], epoch, values));
        }
        return (terms, rows);
    }
}

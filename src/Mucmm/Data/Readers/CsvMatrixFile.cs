using System.Globalization;
using System.Text;

namespace Mucmm.Data.Readers;

/// <summary>
/// Reads a numeric matrix from a CSV file: a header line of column names (bare or in double
/// quotes, RFC 4180 style with <c>""</c> for a quote inside), then one line per row of numbers
/// separated by commas, in the invariant culture (<c>1.5e-3</c>; no thousands separators).
/// Blank lines are skipped; fields are trimmed; numbers may be quoted. A line longer than
/// 16 Mi characters is refused (a file without line breaks, e.g. a link to <c>/dev/zero</c>, is not read to its end).
/// Values must be at most <see cref="Mucmm.Data.View.MaxMagnitude"/> in magnitude.
/// </summary>
/// <remarks>
/// Errors name the file, the line number (1-based, as editors show it), the data row (1-based,
/// the header not counted) and the column name:
/// <c>x.csv: line 8 (data row 7) has 3 fields, the header has 4</c>.
/// </remarks>
public static class CsvMatrixFile
{
    /// <summary>Reads the file; returns the column names and the float64 matrix.</summary>
    /// <exception cref="MucmmUserException">
    /// Missing or empty file, header only, a header that looks numeric (no header line), ragged rows,
    /// empty or non-numeric cells, NaN or infinite values.
    /// </exception>
    public static MatrixData Read(string path)
    {
        using var stream = ReaderIO.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads CSV text from a stream; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">As <see cref="Read(string)"/>.</exception>
    public static MatrixData Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        using var reader = new LineReader(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true), source);
        var fields = new List<string>();
        string? line;
        int lineNo = 0;
        string[]? names = null;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            CsvLine.Split(line, fields, source, lineNo);
            names = fields.ToArray();
            break;
        }
        if (names is null)
            throw new MucmmUserException(source, "the file is empty (expected a header line of column names, then rows of numbers)");
        if (names.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            throw new MucmmUserException(source, $"line {lineNo} should be a header of column names but holds only numbers; add a header line");

        int cols = names.Length;
        var data = new List<double>();
        int rows = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            rows++;
            if (!line.Contains('"') && TryParseBareRow(line, cols, data))
                continue;
            CsvLine.Split(line, fields, source, lineNo);
            if (fields.Count != cols)
                throw new MucmmUserException(source, $"line {lineNo} (data row {rows}) has {fields.Count} fields, the header has {cols}");
            for (int c = 0; c < cols; c++)
            {
                string cell = fields[c];
                string where = $"line {lineNo} (data row {rows}), column '{names[c]}'";
                if (cell.Length == 0)
                    throw new MucmmUserException(source, $"{where} is empty (missing values are not supported)");
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new MucmmUserException(source, $"{where}: '{Shorten(cell)}' is not a number");
                if (double.IsNaN(v))
                    throw new MucmmUserException(source, $"{where} is NaN");
                if (double.IsInfinity(v))
                    throw new MucmmUserException(source, $"{where} is infinite ('{Shorten(cell)}')");
                if (Math.Abs(v) > View.MaxMagnitude)
                    throw new MucmmUserException(source, $"{where} is {Shorten(cell)}: {View.TooLargeReason}");
                data.Add(v);
            }
        }
        if (rows == 0)
            throw new MucmmUserException(source, "no data rows (only a header line)");
        return new MatrixData(source, data.ToArray(), rows, cols, names);
    }

    /// <summary>
    /// Fast path for an unquoted line: parses exactly <paramref name="cols"/> finite numbers without
    /// allocating and appends them. Returns false (appending nothing) on any problem, so the slow
    /// path can produce the precise error.
    /// </summary>
    private static bool TryParseBareRow(ReadOnlySpan<char> line, int cols, List<double> data)
    {
        int before = data.Count;
        for (int c = 0; c < cols; c++)
        {
            int comma = line.IndexOf(',');
            bool last = c == cols - 1;
            if (last != (comma < 0)) break;
            var cell = (last ? line : line[..comma]).Trim();
            if (cell.Length == 0 || !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(Math.Abs(v) <= View.MaxMagnitude))
                break;
            data.Add(v);
            if (last) return true;
            line = line[(comma + 1)..];
        }
        data.RemoveRange(before, data.Count - before);
        return false;
    }

    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

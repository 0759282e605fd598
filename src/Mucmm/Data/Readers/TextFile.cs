using System.Text;

namespace Mucmm.Data.Readers;

/// <summary>
/// Texts as view samples: one sample per line of a UTF-8 text file (<c>names.txt</c>), or one per data row of a text
/// column of a CSV file (<c>table.csv#column</c>). The one home of reading texts (<c>--view2 FILE</c> and
/// <c>mucmm features --encoder minilm</c>).
/// </summary>
/// <remarks>
/// Text files: strict UTF-8 (an invalid byte is an error naming the file and the byte offset), an optional byte-order
/// mark is skipped, lines end with <c>\n</c> or <c>\r\n</c>, a final newline ends the last line, and an empty line is an
/// empty text (a sample whose text is empty, kept so that rows stay paired). CSV columns: the header line names the
/// columns (RFC 4180 quoting, fields trimmed); every non-blank line after it is one row and gives the named column's
/// field (quoted fields may hold commas; they cannot span lines).
/// </remarks>
public static class TextFile
{
    /// <summary>The extension of a text view file.</summary>
    public const string Extension = ".txt";

    /// <summary>Whether <paramref name="spec"/> names a text view: a <c>.txt</c> file or a <c>FILE.csv#COLUMN</c>.</summary>
    public static bool IsTextView(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) || SplitColumn(spec) is not null;
    }

    /// <summary>
    /// The CSV file and column of <c>FILE.csv#COLUMN</c> (the last <c>#</c> separates them); null when
    /// <paramref name="spec"/> has no such form (or names an existing file as it is).
    /// </summary>
    public static (string File, string Column)? SplitColumn(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int hash = spec.LastIndexOf('#');
        if (hash <= 0 || File.Exists(spec)) return null;
        string file = spec[..hash];
        return file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? (file, spec[(hash + 1)..]) : null;
    }

    /// <summary>The texts of a text view: the lines of a <c>.txt</c> file or the column of <c>FILE.csv#COLUMN</c>.</summary>
    /// <exception cref="MucmmUserException">Missing file, invalid UTF-8, no lines, unknown column, ragged CSV rows.</exception>
    public static string[] ReadTexts(string spec) =>
        SplitColumn(spec) is { } c ? ReadColumn(c.File, c.Column) : ReadLines(spec);

    /// <summary>The lines of a strict UTF-8 text file (see the remarks of <see cref="TextFile"/>).</summary>
    public static string[] ReadLines(string path)
    {
        string text = ReadUtf8(path);
        var lines = text.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);   // the final newline ends the last line
        if (lines.Count == 0) throw new MucmmUserException(path, "the text file has no lines");
        return lines.ToArray();
    }

    /// <summary>The field of column <paramref name="column"/> of every data row of CSV file <paramref name="path"/>.</summary>
    public static string[] ReadColumn(string path, string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        string text = ReadUtf8(path);
        var fields = new List<string>();
        var texts = new List<string>();
        int at = -1, width = 0, lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (string.IsNullOrWhiteSpace(line)) continue;
            CsvLine.Split(line, fields, path, lineNo);
            if (at < 0)
            {
                at = fields.IndexOf(column);
                width = fields.Count;
                if (at < 0)
                    throw new MucmmUserException(path, $"no column '{column}' in the header (columns: {string.Join(", ", fields.Take(20))}{(fields.Count > 20 ? ", …" : "")})");
                continue;
            }
            if (fields.Count != width)
                throw new MucmmUserException(path, $"line {lineNo} has {fields.Count} fields, the header has {width}");
            texts.Add(fields[at]);
        }
        if (at < 0) throw new MucmmUserException(path, "the file is empty (expected a header line of column names, then rows)");
        if (texts.Count == 0) throw new MucmmUserException(path, "the file has a header but no rows");
        return texts.ToArray();
    }

    private static string ReadUtf8(string path)
    {
        if (!File.Exists(path)) throw new MucmmUserException(path, Directory.Exists(path) ? "is a folder, not a text file" : "file not found");
        byte[] bytes;
        using (var stream = ReaderIO.OpenRead(path))
            bytes = ReaderIO.ReadAll(stream, path, ReaderIO.MaxTextFileBytes);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException ex)
        {
            throw new MucmmUserException(path, $"not valid UTF-8 text (invalid bytes at offset {ex.Index})");
        }
    }
}

using System.Text;

namespace Mucmm.Data.Readers;

/// <summary>Splitting of one CSV line (comma separator, RFC 4180 double quotes), shared by the CSV readers.</summary>
internal static class CsvLine
{
    /// <summary>Splits one CSV line into trimmed fields (double-quoted fields may hold commas and "" for a quote).</summary>
    public static void Split(string line, List<string> fields, string source, int lineNo)
    {
        fields.Clear();
        int i = 0;
        var sb = new StringBuilder();
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t') i++;
            if (i < line.Length && line[i] == '"')
            {
                sb.Clear();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new MucmmUserException(source, $"line {lineNo}: unterminated quoted field (quoted fields cannot span lines)");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                while (i < line.Length && line[i] is ' ' or '\t') i++;
                if (i < line.Length && line[i] != ',')
                    throw new MucmmUserException(source, $"line {lineNo}: unexpected text after a quoted field at character {i + 1}");
                fields.Add(sb.ToString());
            }
            else
            {
                int start = i;
                int comma = line.IndexOf(',', i);
                int end = comma < 0 ? line.Length : comma;
                fields.Add(line[start..end].Trim());
                i = end;
            }
            if (i >= line.Length) return;
            i++; // the comma
        }
    }
}

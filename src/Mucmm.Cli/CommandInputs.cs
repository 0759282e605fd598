using System.CommandLine;
using System.CommandLine.Parsing;

namespace Mucmm.Cli;

/// <summary>
/// The inputs of a command, for <see cref="Mucmm.Data.OutputFolder"/> and <see cref="Mucmm.Data.AtomicFile"/>: every
/// value given on the command line (options and arguments, except the output's own) that names an existing file or
/// folder — data files, <c>--model</c>/<c>--run</c> folders, <c>--fsdd</c>, TorchScript files in
/// <c>--encoder torchscript:PATH</c>, manifests and the image files they list. No per-command list: a new option
/// naming a file is covered by construction.
/// </summary>
public static class CommandInputs
{
    /// <summary>Lines of a manifest read for the files it lists (a bound: the check must stay cheap).</summary>
    public const int MaxManifestLines = 1_000_000;

    /// <summary>Largest file read as a possible manifest.</summary>
    public const long MaxManifestBytes = 256L << 20;

    /// <summary>The existing files and folders named by <paramref name="parse"/>, except the values of <paramref name="outputs"/>.</summary>
    public static IReadOnlyList<string> Of(ParseResult parse, params Symbol[] outputs)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var found = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
            foreach (var child in command.Children)
            {
                Symbol symbol = child switch
                {
                    OptionResult o => o.Option,
                    ArgumentResult a => a.Argument,
                    _ => null!,
                };
                if (symbol is null || outputs.Contains(symbol)) continue;
                foreach (var token in child.Tokens)
                    foreach (string path in Candidates(token.Value))
                        if (Path.Exists(path))
                        {
                            found.Add(Path.GetFullPath(path));
                            if (File.Exists(path)) found.AddRange(ManifestFiles(path));
                        }
            }
        return found.Distinct().ToArray();
    }

    /// <summary>The value itself, its comma-separated parts, the part after a <c>kind:</c> prefix (e.g. <c>torchscript:enc.pt</c>) and the file of a CSV text column (<c>table.csv#name</c>).</summary>
    private static IEnumerable<string> Candidates(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) yield break;
        yield return value;
        foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part != value) yield return part;
            if (Mucmm.Data.Readers.TextFile.SplitColumn(part) is { } column) yield return column.File;   // table.csv#name
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon > 1 && colon < part.Length - 1) yield return part[(colon + 1)..];   // > 1: not a drive letter
        }
    }

    /// <summary>Longest line read from a possible manifest; a longer one ends the reading (a data file, or /dev/zero).</summary>
    private const int MaxLineChars = 8192;

    /// <summary>The next line, or null at the end or when it is longer than <see cref="MaxLineChars"/> (never reads more).</summary>
    private static string? ReadLine(StreamReader reader)
    {
        var line = new System.Text.StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n') return line.ToString().TrimEnd('\r');
            if (line.Length >= MaxLineChars) return null;
            line.Append((char)c);
        }
        return line.Length > 0 ? line.ToString() : null;
    }

    /// <summary>The files an image manifest lists (header <c>view1,view2…</c>; paths relative to its folder), else nothing.</summary>
    private static IEnumerable<string> ManifestFiles(string path)
    {
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return [];
        var files = new List<string>();
        try
        {
            // Regular, non-empty files only: a FIFO, a device (a link to /dev/zero) or a huge data file is not a manifest.
            long length = new FileInfo(path).Length;
            if (length <= 0 || length > MaxManifestBytes) return [];
            string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            using var reader = new StreamReader(path);
            string? header = ReadLine(reader);
            if (header is null || !header.TrimStart('\uFEFF').StartsWith("view1,view2", StringComparison.Ordinal)) return [];
            string? line;
            for (int n = 0; n < MaxManifestLines && (line = ReadLine(reader)) is not null; n++)
                foreach (string cell in line.Split(',').Take(2))
                {
                    string rel = cell.Trim().Trim('"');
                    if (rel.Length > 0) files.Add(Path.GetFullPath(Path.Combine(dir, rel)));
                }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Not readable as a manifest: the reader will say so; the file itself is already an input.
        }
        return files;
    }
}

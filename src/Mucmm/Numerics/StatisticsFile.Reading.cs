using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Mucmm.Data.Readers;

namespace Mucmm.Numerics;
/// <summary>The archive reading and member checks of <see cref="StatisticsFile.Read"/>.</summary>
public sealed partial class StatisticsFile
{
    private static ZipArchive OpenZip(Stream stream, string path)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            throw new MucmmUserException(path, "not a NumPy .npz file (not a zip archive); write statistics with np.savez (docs/statistics.md)");
        }
    }

    [GeneratedRegex(@"^mean_([0-9]+)$")]
    private static partial Regex MeanPattern();

    private static (CovarianceStats Stats, string? Meta) ReadArchive(ZipArchive zip, string path)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
            if (e.FullName.EndsWith(".npy", StringComparison.Ordinal)) entries[e.FullName[..^4]] = e;

        if (!entries.TryGetValue(CountName, out var countEntry))
            throw new MucmmUserException(path, "the member 'n' (the number of rows, an int64 scalar) is missing");
        long n = ReadCount(countEntry, path);
        if (n <= 0) throw new MucmmUserException(path, $"'n' is {n}: a statistics file describes at least one row");

        int views = 0;
        foreach (var key in entries.Keys)
        {
            var match = MeanPattern().Match(key);
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m > views)
                views = m;
        }
        if (views < 2)
            throw new MucmmUserException(path, $"{(views == 0 ? "no view means (mean_1, mean_2, …)" : "only mean_1")}: a statistics file describes at least 2 views");
        if (views > 1000) throw new MucmmUserException(path, $"'mean_{views}': at most 1000 views are supported");
        var means = new double[views][];
        for (int m = 0; m < views; m++)
        {
            string name = MeanName(m);
            if (!entries.TryGetValue(name, out var e))
                throw new MucmmUserException(path, $"'{name}' is missing (views are numbered 1 … {views} without gaps)");
            var (values, shape, _) = ReadFloat64(e, name, path);
            if (shape.Length != 1 || shape[0] == 0)
                throw new MucmmUserException(path, $"'{name}' has shape {NpyHeader.FormatShape(shape)}; a mean is a non-empty 1-D array (d,)");
            CheckFinite(values, shape, name, path);
            means[m] = values;
        }
        var dims = means.Select(v => v.Length).ToArray();
        int d = dims.Sum();
        if ((long)d * d > Array.MaxLength)
            throw new MucmmUserException(path, $"the views have {d} columns in all; at most {(int)Math.Sqrt(Array.MaxLength)} are supported");
        var offsets = new int[views + 1];
        for (int m = 0; m < views; m++) offsets[m + 1] = offsets[m] + dims[m];

        var c = new double[(long)d * d];
        for (int a = 0; a < views; a++)
            for (int b = a; b < views; b++)
            {
                string name = CoMomentName(a, b);
                if (!entries.TryGetValue(name, out var e))
                    throw new MucmmUserException(path,
                        $"the co-moment block '{name}' is missing (M = {views} views need comoment_a_b for every 1 ≤ a ≤ b ≤ {views})");
                var (values, shape, fortran) = ReadFloat64(e, name, path);
                if (shape.Length != 2 || shape[0] != dims[a] || shape[1] != dims[b])
                    throw new MucmmUserException(path,
                        $"'{name}' has shape {NpyHeader.FormatShape(shape)} but mean_{a + 1} and mean_{b + 1} have {dims[a]} and {dims[b]} values: the widths disagree");
                CheckFinite(values, fortran ? [shape[1], shape[0]] : shape, name, path);
                int da = dims[a], db = dims[b], oa = offsets[a], ob = offsets[b];
                for (int i = 0; i < da; i++)
                    for (int j = 0; j < db; j++)
                    {
                        double v = fortran ? values[(long)j * da + i] : values[(long)i * db + j];
                        c[(long)(oa + i) * d + ob + j] = v;
                        c[(long)(ob + j) * d + oa + i] = v;
                    }
                if (a == b) CheckDiagonalBlock(values, da, fortran, name, path, c, oa, d);
            }

        string? meta = entries.TryGetValue(MetaName, out var metaEntry) ? ReadText(metaEntry, path) : null;
        var mean = means.SelectMany(v => v).ToArray();
        return (new CovarianceStats(dims, n, mean, c), meta);
    }

    // Checks a diagonal block (non-negative diagonal, symmetric within SymmetryTolerance) and stores its
    // symmetric part into c (the copy loop above left the lower triangle's values in both places).
    private static void CheckDiagonalBlock(double[] values, int size, bool fortran, string name, string path, double[] c, int offset, int d)
    {
        double At(int i, int j) => fortran ? values[(long)j * size + i] : values[(long)i * size + j];
        for (int i = 0; i < size; i++)
            if (At(i, i) < 0)
                throw new MucmmUserException(path,
                    $"'{name}' has the negative diagonal value {At(i, i).ToString("G6", CultureInfo.InvariantCulture)} at [{i}, {i}]; a co-moment Σ (x − mean)² is never negative");
        for (int i = 0; i < size; i++)
            for (int j = i + 1; j < size; j++)
            {
                double x = At(i, j), y = At(j, i);
                if (x == y) continue;
                double scale = Math.Sqrt(At(i, i) * At(j, j));
                if (Math.Abs(x - y) > SymmetryTolerance * scale)
                    throw new MucmmUserException(path,
                        $"'{name}' is not symmetric: [{i}, {j}] = {x.ToString("G6", CultureInfo.InvariantCulture)} but [{j}, {i}] = {y.ToString("G6", CultureInfo.InvariantCulture)}");
                double s = 0.5 * (x + y);
                c[(long)(offset + i) * d + offset + j] = s;
                c[(long)(offset + j) * d + offset + i] = s;
            }
    }

    private static void CheckFinite(double[] values, long[] shape, string name, string path)
    {
        for (long k = 0; k < values.LongLength; k++)
        {
            if (double.IsFinite(values[k])) continue;
            string what = double.IsNaN(values[k]) ? "NaN" : "an infinite value";
            string at = shape.Length == 2 ? $"[{k / shape[1]}, {k % shape[1]}]" : $"[{k}]";
            throw new MucmmUserException(path, $"'{name}' holds {what} at {at}");
        }
    }

    private static long ReadCount(ZipArchiveEntry entry, string path)
    {
        using var s = entry.Open();
        var (descr, _, shape, _, _) = NpyHeader.ReadUntyped(s, $"{path}: 'n'");
        if (shape.Length > 1 || shape.Length == 1 && shape[0] != 1)
            throw new MucmmUserException(path, $"'n' has shape {NpyHeader.FormatShape(shape)}; it must be a scalar (np.int64(rows))");
        string code = (descr as string ?? "").Replace("=", BitConverter.IsLittleEndian ? "<" : ">");
        Span<byte> b = stackalloc byte[8];
        switch (code)
        {
            case "<i8":
                ReaderIO.ReadExactly(s, b, path, "'n'");
                return BinaryPrimitives.ReadInt64LittleEndian(b);
            case "<u8":
                ReaderIO.ReadExactly(s, b, path, "'n'");
                ulong u = BinaryPrimitives.ReadUInt64LittleEndian(b);
                if (u > long.MaxValue) throw new MucmmUserException(path, $"'n' = {u} is implausibly large");
                return (long)u;
            case "<i4":
                ReaderIO.ReadExactly(s, b[..4], path, "'n'");
                return BinaryPrimitives.ReadInt32LittleEndian(b);
            case "<u4":
                ReaderIO.ReadExactly(s, b[..4], path, "'n'");
                return BinaryPrimitives.ReadUInt32LittleEndian(b);
            default:
                throw new MucmmUserException(path, $"'n' has dtype {descr ?? "(structured)"}; the number of rows must be an integer (np.int64)");
        }
    }

    private static (double[] Values, long[] Shape, bool Fortran) ReadFloat64(ZipArchiveEntry entry, string name, string path)
    {
        using var s = entry.Open();
        var (descr, fortran, shape, _, _) = NpyHeader.ReadUntyped(s, $"{path}: '{name}'");
        string code = (descr as string ?? "").Replace("=", BitConverter.IsLittleEndian ? "<" : ">");
        if (code != "<f8")
            throw new MucmmUserException(path, $"'{name}' has dtype {descr ?? "(structured)"}; statistics are float64 ('<f8') — write a.astype(np.float64)");
        long count = 1;
        foreach (var dim in shape) count *= dim;
        if (count > Array.MaxLength) throw new MucmmUserException(path, $"'{name}' has shape {NpyHeader.FormatShape(shape)}, too large");
        var values = new double[count];
        const int Step = 1 << 20;
        for (long off = 0; off < count; off += Step)
        {
            int m = (int)Math.Min(Step, count - off);
            ReaderIO.ReadExactly(s, MemoryMarshal.AsBytes(values.AsSpan((int)off, m)), path, $"'{name}' (the member ends early)");
        }
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("statistics files need a little-endian machine");
        return (values, shape, fortran && shape.Length == 2);
    }

    private static string ReadText(ZipArchiveEntry entry, string path)
    {
        using var s = entry.Open();
        var (descr, _, shape, _, _) = NpyHeader.ReadUntyped(s, $"{path}: 'meta'");
        if (shape.Length != 0 || descr is not string code || code.Length < 3)
            throw new MucmmUserException(path, "'meta' must be a string scalar (np.savez(..., meta=json.dumps({...})))");
        bool unicode = code[1] == 'U' && code[0] is '<' or '=';
        bool bytes = code[1] == 'S' && code[0] == '|';
        if ((!unicode && !bytes) || !int.TryParse(code[2..], NumberStyles.None, CultureInfo.InvariantCulture, out int chars) || chars > 1 << 24)
            throw new MucmmUserException(path, $"'meta' has dtype {code}; it must be a string (np.str_)");
        var buffer = new byte[unicode ? chars * 4L : chars];
        ReaderIO.ReadExactly(s, buffer, path, "'meta'");
        string text = unicode ? new UTF32Encoding(false, false).GetString(buffer) : Encoding.UTF8.GetString(buffer);
        return text.TrimEnd('\0');
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Mucmm.Data.Readers;

namespace Mucmm.Numerics;

/// <summary>
/// The statistics file (docs/statistics.md): the sufficient statistics of M ≥ 2 paired views as a NumPy
/// <c>.npz</c> archive, so that they can be computed anywhere (one <c>mucmm stats</c> per shard, NumPy,
/// Dask, Spark) and merged and fitted here. Members:
/// <list type="bullet">
/// <item><c>n</c>: int64 scalar, the number of rows;</item>
/// <item><c>mean_{m}</c>: float64 (d_m,), the column means of view m (views numbered from 1);</item>
/// <item><c>comoment_{a}_{b}</c>: float64 (d_a × d_b), Σ over rows of (x_a − mean_a)ᵀ(x_b − mean_b),
/// for every 1 ≤ a ≤ b ≤ M (the blocks below the diagonal are the transposes);</item>
/// <item><c>meta</c> (optional): a JSON string (view names, source files).</item>
/// </list>
/// The one home of reading, writing, checking and merging such files; the round trip to
/// <see cref="CovarianceStats"/> is exact (float64 and int64 are written bit for bit).
/// </summary>
public sealed partial class StatisticsFile
{
    /// <summary>Name of the row-count member.</summary>
    public const string CountName = "n";

    /// <summary>Name of the optional JSON member.</summary>
    public const string MetaName = "meta";

    /// <summary>
    /// Largest relative asymmetry |C_ij − C_ji| / √(C_ii·C_jj) accepted in a diagonal block (rounding of
    /// a product computed in another order is ~1e-15; a wrong matrix is off by far more). The block is then
    /// made exactly symmetric.
    /// </summary>
    public const double SymmetryTolerance = 1e-8;

    private StatisticsFile(string path, CovarianceStats stats, string? meta, string sha256)
    {
        Path = path;
        Stats = stats;
        Meta = meta;
        Sha256 = sha256;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The statistics it holds.</summary>
    public CovarianceStats Stats { get; }

    /// <summary>The <c>meta</c> member (a JSON string), or null when absent.</summary>
    public string? Meta { get; }

    /// <summary>SHA-256 of the file's bytes, lowercase hex (its fingerprint in fit.json).</summary>
    public string Sha256 { get; }

    /// <summary>Name of the mean member of view <paramref name="view"/> (0-based index; files number views from 1).</summary>
    public static string MeanName(int view) => $"mean_{view + 1}";

    /// <summary>Name of the co-moment block between views <paramref name="a"/> ≤ <paramref name="b"/> (0-based indices).</summary>
    public static string CoMomentName(int a, int b) => $"comoment_{a + 1}_{b + 1}";

    /// <summary>
    /// Writes <paramref name="stats"/> (at least 2 views) to <paramref name="path"/> as an uncompressed
    /// <c>.npz</c> (what <c>np.savez</c> writes), with <paramref name="meta"/> as the <c>meta</c> member when
    /// given. The file is written under a temporary name and renamed when complete (an existing file is
    /// replaced); members carry a fixed timestamp, so equal statistics give equal bytes.
    /// </summary>
    /// <exception cref="MucmmUserException">Fewer than 2 views, or the file cannot be written.</exception>
    public static void Write(string path, CovarianceStats stats, string? meta = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stats);
        if (stats.ViewCount < 2)
            throw new MucmmUserException(path, $"statistics files hold at least 2 views; these statistics have {stats.ViewCount}");
        string full = System.IO.Path.GetFullPath(path);
        string temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = ReaderIO.CreateWrite(temp, 1 << 20))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                WriteMember(zip, CountName, s =>
                {
                    NpyHeader.Write(s, "<i8", []);
                    Span<byte> b = stackalloc byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(b, stats.Count);
                    s.Write(b);
                });
                for (int m = 0; m < stats.ViewCount; m++)
                {
                    int view = m;
                    WriteMember(zip, MeanName(m), s => NpyFile.Write(s, stats.Mean(view), [stats.Dims[view]], NpyDType.Float64));
                }
                int d = stats.TotalDim;
                for (int a = 0; a < stats.ViewCount; a++)
                    for (int b = a; b < stats.ViewCount; b++)
                    {
                        int da = stats.Dims[a], db = stats.Dims[b], oa = stats.Offset(a), ob = stats.Offset(b);
                        WriteMember(zip, CoMomentName(a, b), s =>
                        {
                            using var w = NpyWriter.Create(s, [da, db], NpyDType.Float64, leaveOpen: true);
                            for (int r = 0; r < da; r++) w.WriteRows(stats.CoMoment.Slice((int)((long)(oa + r) * d + ob), db));
                            w.Complete();
                        });
                    }
                if (meta is not null)
                    WriteMember(zip, MetaName, s =>
                    {
                        var utf32 = new UTF32Encoding(bigEndian: false, byteOrderMark: false);
                        int chars = Math.Max(1, meta.EnumerateRunes().Count());
                        NpyHeader.Write(s, $"<U{chars}", []);
                        var bytes = new byte[chars * 4];
                        utf32.GetBytes(meta, bytes);
                        s.Write(bytes);
                    });
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (IOException e)
        {
            TryDelete(temp);
            throw new MucmmUserException(path, $"cannot write the statistics file ({e.Message})");
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete(temp);
            throw new MucmmUserException(path, $"cannot write the statistics file ({e.Message})");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Reads and checks a statistics file (stored or deflated members, as <c>np.savez</c> and
    /// <c>np.savez_compressed</c> write them). A co-moment written in Fortran order is accepted.
    /// </summary>
    /// <exception cref="MucmmUserException">
    /// One line naming the file and the member: not a zip archive; <c>n</c> missing, not an integer
    /// scalar, or ≤ 0; fewer than 2 views or a view missing its mean; a missing co-moment block; a member
    /// that is not float64 or whose shape disagrees with the view widths; a non-finite value; a negative
    /// diagonal (a sum of squares) or a non-symmetric diagonal block.
    /// </exception>
    public static StatisticsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MucmmUserException(path, "statistics file not found");
        string sha;
        try
        {
            using var hashStream = ReaderIO.OpenRead(path, 1 << 20);
            sha = Convert.ToHexStringLower(SHA256.HashData(hashStream));
            hashStream.Position = 0;
            using var zip = OpenZip(hashStream, path);
            var (stats, meta) = ReadArchive(zip, path);
            return new StatisticsFile(path, stats, meta, sha);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new MucmmUserException(path, $"cannot read the statistics file ({e.Message})");
        }
        catch (InvalidDataException e)
        {
            throw new MucmmUserException(path, $"damaged .npz archive ({e.Message})");
        }
    }

    /// <summary>
    /// Reads the statistics files one at a time and merges them exactly (<see cref="CovarianceStats.Merge(CovarianceStats, CovarianceStats)"/>,
    /// float64), so memory holds two sets of statistics whatever the number of files. The files must
    /// describe disjoint sets of rows of the same views.
    /// </summary>
    /// <exception cref="MucmmUserException">No file; a file fails <see cref="Read"/>; view widths that disagree between files.</exception>
    public static MergedStatistics Merge(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new MucmmUserException("no statistics files to merge");
        CovarianceStats? merged = null;
        string? first = null;
        var sources = new List<StatisticsSource>();
        foreach (var p in paths)
        {
            var f = Read(p);
            if (merged is null)
            {
                merged = f.Stats;
                first = p;
            }
            else
            {
                if (!merged.Dims.SequenceEqual(f.Stats.Dims))
                    throw new MucmmUserException(p,
                        $"view widths [{string.Join(", ", f.Stats.Dims)}] disagree with [{string.Join(", ", merged.Dims)}] of {first}");
                merged = merged.Merge(f.Stats);
            }
            sources.Add(new StatisticsSource(p, f.Sha256, f.Stats.Count, f.Meta));
        }
        return new MergedStatistics(merged!, sources);
    }

    private static void WriteMember(ZipArchive zip, string name, Action<Stream> write)
    {
        var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var s = entry.Open();
        write(s);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One statistics file that went into a merge: its path, SHA-256 fingerprint, row count and meta.</summary>
/// <param name="Path">The file as given.</param>
/// <param name="Sha256">SHA-256 of its bytes, lowercase hex.</param>
/// <param name="Count">Its n.</param>
/// <param name="Meta">Its <c>meta</c> JSON string, or null.</param>
public sealed record StatisticsSource(string Path, string Sha256, long Count, string? Meta);

/// <summary>The merge of several statistics files (<see cref="StatisticsFile.Merge"/>).</summary>
/// <param name="Stats">The statistics of all their rows.</param>
/// <param name="Sources">The files, in the order merged.</param>
public sealed record MergedStatistics(CovarianceStats Stats, IReadOnlyList<StatisticsSource> Sources);

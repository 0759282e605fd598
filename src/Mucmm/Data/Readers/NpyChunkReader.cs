using System.Runtime.InteropServices;

namespace Mucmm.Data.Readers;

/// <summary>
/// Streams the rows of a 2-D (or n-D, flattened per row) float32/float64 <c>.npy</c> file in chunks
/// into a caller-owned float64 buffer, so files far larger than memory can be processed with
/// bounded memory. Memory use is the caller's buffer plus a fixed 1 MiB scratch buffer.
/// </summary>
/// <remarks>
/// Each chunk is checked for NaN, infinite and too large values (|x| &gt; <see cref="View.MaxMagnitude"/>;
/// the error names the row and column).
/// Truncated files are reported when opened (for seekable streams such as files) or when the
/// missing data is reached (other streams).
/// <code>
/// using var r = NpyChunkReader.Open("big.npy");
/// var buf = new double[4096 * r.Cols];
/// int n;
/// while ((n = r.ReadRows(buf)) &gt; 0) { /* rows 0..n-1 of buf, row-major */ }
/// </code>
/// </remarks>
public sealed class NpyChunkReader : IRowChunkReader
{
    private const int ScratchBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _dataStart;
    private byte[]? _scratch;
    private long _dataBytesRead;

    private NpyChunkReader(Stream stream, string source, bool leaveOpen)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the .npy reader needs a little-endian machine");
        _stream = stream;
        _leaveOpen = leaveOpen;
        Source = source;
        long start = stream.CanSeek ? stream.Position : 0;
        Header = NpyHeader.Read(stream, source);
        _dataStart = start + Header.DataOffset;
        Cols = (int)Header.Cols;
        if (stream.CanSeek)
        {
            long have = stream.Length - _dataStart;
            long need = Header.Count * Header.ItemSize;
            if (have < need)
                throw new MucmmUserException(source,
                    $"truncated data: shape {Header.ShapeText} {Header.DType.ToString().ToLowerInvariant()} needs {need} bytes of data, the file has {have}");
        }
    }

    /// <summary>Opens a <c>.npy</c> file and reads its header.</summary>
    /// <exception cref="MucmmUserException">Missing file, not .npy, unsupported version/dtype/order, malformed header, truncated data.</exception>
    public static NpyChunkReader Open(string path)
    {
        var stream = ReaderIO.OpenRead(path);
        try
        {
            return new NpyChunkReader(stream, path, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the header of a <c>.npy</c> array at the current position of <paramref name="stream"/>;
    /// <paramref name="source"/> names it in error messages.
    /// </summary>
    /// <exception cref="MucmmUserException">Not .npy, unsupported version/dtype/order, malformed header, truncated data (seekable streams).</exception>
    public static NpyChunkReader Open(Stream stream, string source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        return new NpyChunkReader(stream, source, leaveOpen);
    }

    /// <summary>The file path or stream name used in error messages.</summary>
    public string Source { get; }

    /// <summary>The parsed header (dtype, full shape, data offset).</summary>
    public NpyHeader Header { get; }

    /// <summary>Number of rows (first dimension).</summary>
    public long Rows => Header.Rows;

    /// <summary>Values per row (product of the other dimensions; 1 for a 1-D array).</summary>
    public int Cols { get; }

    /// <summary>Rows returned so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Rows not yet returned.</summary>
    public long RowsRemaining => Rows - RowsRead;

    /// <summary>
    /// Reads the next rows, as many as fit in <paramref name="buffer"/> (buffer.Length / Cols) and
    /// remain, into the start of <paramref name="buffer"/>, row-major, as float64.
    /// Returns the number of rows read; 0 at the end.
    /// </summary>
    /// <exception cref="MucmmUserException">Truncated data, or a NaN/infinite value (names row and column).</exception>
    public int ReadRows(Span<double> buffer)
    {
        if (RowsRemaining <= 0) return 0;
        if (Cols == 0)
        {
            int all = (int)Math.Min(RowsRemaining, int.MaxValue);
            RowsRead += all;
            return all;
        }
        int rows = (int)Math.Min(buffer.Length / Cols, RowsRemaining);
        if (rows == 0) throw new ArgumentException($"the buffer ({buffer.Length} values) cannot hold one row of {Cols} values", nameof(buffer));
        var dst = buffer[..(rows * Cols)];
        if (Header.DType == NpyDType.Float64)
        {
            ReadData(MemoryMarshal.AsBytes(dst));
        }
        else
        {
            _scratch ??= new byte[ScratchBytes];
            int per = ScratchBytes / sizeof(float);
            for (int off = 0; off < dst.Length; off += per)
            {
                int m = Math.Min(per, dst.Length - off);
                var bytes = _scratch.AsSpan(0, m * sizeof(float));
                ReadData(bytes);
                FloatSpans.Widen(MemoryMarshal.Cast<byte, float>(bytes), dst.Slice(off, m));
            }
        }
        int bad = FloatSpans.FirstAbove(dst, View.MaxMagnitude);
        if (bad >= 0)
        {
            string what = double.IsNaN(dst[bad]) ? "NaN" : double.IsInfinity(dst[bad]) ? "an infinite value"
                : $"the value {dst[bad].ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}";
            string why = double.IsFinite(dst[bad]) ? ": " + View.TooLargeReason : "";
            throw new MucmmUserException(Source, $"{what} at row {RowsRead + bad / Cols}, column {bad % Cols}{why}");
        }
        RowsRead += rows;
        return rows;
    }

    /// <summary>Reads up to <paramref name="maxRows"/> rows into <paramref name="buffer"/>; see <see cref="ReadRows(Span{double})"/>.</summary>
    public int ReadRows(double[] buffer, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        long values = Math.Min((long)maxRows * Cols, buffer.Length);
        return ReadRows(buffer.AsSpan(0, (int)values));
    }

    /// <summary>Goes back to the first row (needs a seekable stream; files are).</summary>
    public void Reset()
    {
        if (!_stream.CanSeek) throw new NotSupportedException($"{Source}: the stream cannot seek back to the first row");
        _stream.Seek(_dataStart, SeekOrigin.Begin);
        _dataBytesRead = 0;
        RowsRead = 0;
    }

    /// <summary>Closes the file (or the stream unless it was opened with leaveOpen).</summary>
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private void ReadData(Span<byte> bytes)
    {
        int got = _stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (got < bytes.Length)
        {
            long need = Header.Count * Header.ItemSize;
            throw new MucmmUserException(Source,
                $"truncated data: shape {Header.ShapeText} {Header.DType.ToString().ToLowerInvariant()} needs {need} bytes of data, the stream ends after {_dataBytesRead + got}");
        }
        _dataBytesRead += got;
    }
}

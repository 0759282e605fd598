using System.Runtime.InteropServices;

namespace Mucmm.Data.Readers;

/// <summary>
/// Writes a <c>.npy</c> file row chunk by row chunk (the shape is declared up front), so large
/// arrays can be written with bounded memory. Call <see cref="Complete"/> after the last row;
/// disposing an incomplete writer of a file deletes the file, so a half-written file never
/// looks valid.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private const int ScratchFloats = 1 << 18;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string? _path;
    private float[]? _scratch;
    private bool _completed;
    private bool _disposed;

    private NpyWriter(Stream stream, string? path, IReadOnlyList<long> shape, NpyDType dtype, bool leaveOpen)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the .npy writer needs a little-endian machine");
        _stream = stream;
        _path = path;
        _leaveOpen = leaveOpen;
        DType = dtype;
        Shape = shape.ToArray();
        long cols = 1;
        for (int i = 1; i < Shape.Count; i++) cols *= Shape[i];
        if (Shape.Any(d => d < 0)) throw new ArgumentException("dimensions must be non-negative", nameof(shape));
        if (cols > int.MaxValue) throw new ArgumentException("too many values per row", nameof(shape));
        Cols = (int)cols;
        Rows = Shape.Count == 0 ? 1 : Shape[0];
        NpyHeader.Write(stream, dtype, Shape);
    }

    /// <summary>Creates (overwrites) <paramref name="path"/> and writes the header for <paramref name="shape"/>.</summary>
    /// <exception cref="MucmmUserException">The file cannot be created.</exception>
    public static NpyWriter Create(string path, IReadOnlyList<long> shape, NpyDType dtype = NpyDType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var stream = ReaderIO.CreateWrite(path, 1 << 20);
        try
        {
            return new NpyWriter(stream, path, shape, dtype, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Writes the header to <paramref name="stream"/>; the rows follow with <see cref="WriteRows"/>.</summary>
    public static NpyWriter Create(Stream stream, IReadOnlyList<long> shape, NpyDType dtype = NpyDType.Float32, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(shape);
        return new NpyWriter(stream, null, shape, dtype, leaveOpen);
    }

    /// <summary>Element type written.</summary>
    public NpyDType DType { get; }

    /// <summary>Declared shape.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Declared number of rows (first dimension).</summary>
    public long Rows { get; }

    /// <summary>Values per row.</summary>
    public int Cols { get; }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Appends whole rows (row-major); the length must be a multiple of <see cref="Cols"/>.</summary>
    /// <exception cref="ArgumentException">Partial row, or more rows than declared.</exception>
    public void WriteRows(ReadOnlySpan<double> rows)
    {
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        if (Cols == 0)
        {
            if (rows.Length != 0) throw new ArgumentException("rows have 0 values", nameof(rows));
            return;
        }
        if (rows.Length % Cols != 0)
            throw new ArgumentException($"{rows.Length} values is not a whole number of rows of {Cols}", nameof(rows));
        long n = rows.Length / Cols;
        if (RowsWritten + n > Rows)
            throw new ArgumentException($"writing {n} rows after {RowsWritten} exceeds the declared {Rows}", nameof(rows));
        if (DType == NpyDType.Float64)
        {
            _stream.Write(MemoryMarshal.AsBytes(rows));
        }
        else
        {
            _scratch ??= new float[ScratchFloats];
            for (int off = 0; off < rows.Length; off += ScratchFloats)
            {
                int m = Math.Min(ScratchFloats, rows.Length - off);
                FloatSpans.Narrow(rows.Slice(off, m), _scratch);
                _stream.Write(MemoryMarshal.AsBytes(_scratch.AsSpan(0, m)));
            }
        }
        RowsWritten += n;
    }

    /// <summary>Checks that every declared row was written, flushes and closes.</summary>
    /// <exception cref="InvalidOperationException">Fewer rows than declared were written.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Cols > 0 && RowsWritten != Rows)
            throw new InvalidOperationException($"{RowsWritten} rows written, {Rows} declared");
        _stream.Flush();
        _completed = true;
        Dispose();
    }

    /// <summary>Closes the stream; an incomplete file written by path is deleted.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_leaveOpen) _stream.Dispose();
        if (!_completed && _path is not null)
        {
            try { File.Delete(_path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

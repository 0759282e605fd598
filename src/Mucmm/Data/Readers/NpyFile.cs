namespace Mucmm.Data.Readers;

/// <summary>A float array read from a <c>.npy</c> file, converted to float64.</summary>
/// <param name="Shape">The array's shape, outermost first (empty for a 0-d array).</param>
/// <param name="Data">Values in C (row-major) order.</param>
/// <param name="DType">The element type stored in the file.</param>
public sealed record NpyArray(int[] Shape, double[] Data, NpyDType DType)
{
    /// <summary>Number of rows: the first dimension (1 for a 0-d array).</summary>
    public int Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Values per row: the product of the other dimensions (1 for 0-d and 1-d arrays).</summary>
    public int Cols
    {
        get
        {
            int c = 1;
            for (int i = 1; i < Shape.Length; i++) c *= Shape[i];
            return c;
        }
    }
}

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0, 3.0; see
/// <c>numpy/lib/format.py</c>): little-endian float32 or float64, C order. Values are float64 in
/// memory. For files larger than memory use <see cref="NpyChunkReader"/> and <see cref="NpyWriter"/>.
/// </summary>
public static class NpyFile
{
    /// <summary>Reads a whole <c>.npy</c> file into memory as float64.</summary>
    /// <exception cref="MucmmUserException">
    /// Missing file, not .npy, unsupported version, dtype (named) or fortran order, malformed header,
    /// truncated data, NaN or infinite values (row and column named), too large for one array.
    /// </exception>
    public static NpyArray Read(string path)
    {
        using var reader = NpyChunkReader.Open(path);
        return ReadAll(reader);
    }

    /// <summary>Reads a whole <c>.npy</c> array from a stream; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">As <see cref="Read(string)"/>.</exception>
    public static NpyArray Read(Stream stream, string source)
    {
        using var reader = NpyChunkReader.Open(stream, source, leaveOpen: true);
        return ReadAll(reader);
    }

    /// <summary>Reads only the header of a <c>.npy</c> file (dtype, shape).</summary>
    /// <exception cref="MucmmUserException">As <see cref="NpyChunkReader.Open(string)"/>.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        using var reader = NpyChunkReader.Open(path);
        return reader.Header;
    }

    /// <summary>
    /// Writes <paramref name="data"/> (C order) as a <c>.npy</c> file of the given
    /// <paramref name="shape"/>, as float32 (default; values rounded to nearest) or float64.
    /// </summary>
    /// <exception cref="ArgumentException">The data length is not the product of the shape (nothing is written).</exception>
    /// <exception cref="MucmmUserException">The file cannot be created.</exception>
    public static void Write(string path, ReadOnlySpan<double> data, IReadOnlyList<int> shape, NpyDType dtype = NpyDType.Float32)
    {
        long[] longShape = CheckShape(data.Length, shape);
        using var writer = NpyWriter.Create(path, longShape, dtype);
        writer.WriteRows(data);
        writer.Complete();
    }

    /// <summary>Writes a rows × cols matrix (row-major) as a 2-D <c>.npy</c> file; see <see cref="Write(string, ReadOnlySpan{double}, IReadOnlyList{int}, NpyDType)"/>.</summary>
    public static void Write(string path, ReadOnlySpan<double> data, int rows, int cols, NpyDType dtype = NpyDType.Float32) =>
        Write(path, data, [rows, cols], dtype);

    /// <summary>Writes to a stream (left open); see <see cref="Write(string, ReadOnlySpan{double}, IReadOnlyList{int}, NpyDType)"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<double> data, IReadOnlyList<int> shape, NpyDType dtype = NpyDType.Float32)
    {
        long[] longShape = CheckShape(data.Length, shape);
        using var writer = NpyWriter.Create(stream, longShape, dtype, leaveOpen: true);
        writer.WriteRows(data);
        writer.Complete();
    }

    private static long[] CheckShape(int length, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long[] longShape = shape.Select(d => (long)d).ToArray();
        long count = 1;
        foreach (long d in longShape)
        {
            if (d < 0) throw new ArgumentException("dimensions must be non-negative", nameof(shape));
            count *= d;
        }
        if (count != length)
            throw new ArgumentException($"data has {length} values, shape {NpyHeader.FormatShape(longShape)} needs {count}", nameof(shape));
        return longShape;
    }

    private static NpyArray ReadAll(NpyChunkReader reader)
    {
        var h = reader.Header;
        if (h.Count > Array.MaxLength)
            throw new MucmmUserException(reader.Source,
                $"shape {h.ShapeText} holds {h.Count} values, too many for memory in one array; stream it with NpyChunkReader");
        var data = new double[h.Count];
        int read = 0;
        while (read < data.Length)
        {
            int rows = reader.ReadRows(data.AsSpan(read));
            if (rows == 0) break;
            read += rows * reader.Cols;
        }
        return new NpyArray(h.Shape.Select(d => (int)d).ToArray(), data, h.DType);
    }
}

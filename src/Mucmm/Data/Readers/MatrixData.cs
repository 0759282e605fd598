namespace Mucmm.Data.Readers;

/// <summary>A numeric matrix read from a file: rows = samples, row-major float64.</summary>
/// <param name="Source">The file it was read from (for messages).</param>
/// <param name="Data">Row-major values, length <paramref name="Rows"/> × <paramref name="Cols"/>; all finite.</param>
/// <param name="Rows">Number of rows (samples).</param>
/// <param name="Cols">Number of columns (features).</param>
/// <param name="ColumnNames">Column names from a CSV header; null for <c>.npy</c> files.</param>
public sealed record MatrixData(string Source, double[] Data, int Rows, int Cols, IReadOnlyList<string>? ColumnNames = null)
{
    /// <summary>
    /// The array's shape as stored in the file, outermost first (e.g. (n, 28, 28) for a <c>.npy</c> of
    /// images, empty for a 0-d array); [<see cref="Rows"/>, <see cref="Cols"/>] for CSV files.
    /// </summary>
    public IReadOnlyList<int> Shape { get; init; } = [Rows, Cols];

    /// <summary>The values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row) => Data.AsSpan(row * Cols, Cols);
}

/// <summary>
/// Rows of a matrix file delivered chunk by chunk into a caller-owned buffer, so a fit can stream
/// files larger than memory (<see cref="NpyChunkReader"/>) or treat an in-memory matrix the same way.
/// </summary>
public interface IRowChunkReader : IDisposable
{
    /// <summary>The file path or stream name used in error messages.</summary>
    string Source { get; }

    /// <summary>Number of rows.</summary>
    long Rows { get; }

    /// <summary>Values per row.</summary>
    int Cols { get; }

    /// <summary>Rows returned so far.</summary>
    long RowsRead { get; }

    /// <summary>
    /// Reads the next rows, as many as fit in <paramref name="buffer"/> and remain, into its start,
    /// row-major. Returns the number of rows read; 0 at the end.
    /// </summary>
    int ReadRows(Span<double> buffer);

    /// <summary>Goes back to the first row.</summary>
    void Reset();
}

/// <summary>An <see cref="IRowChunkReader"/> over a matrix already in memory.</summary>
public sealed class InMemoryRowChunkReader : IRowChunkReader
{
    private readonly MatrixData _matrix;

    /// <summary>Serves the rows of <paramref name="matrix"/>.</summary>
    public InMemoryRowChunkReader(MatrixData matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        _matrix = matrix;
    }

    /// <inheritdoc />
    public string Source => _matrix.Source;

    /// <inheritdoc />
    public long Rows => _matrix.Rows;

    /// <inheritdoc />
    public int Cols => _matrix.Cols;

    /// <inheritdoc />
    public long RowsRead { get; private set; }

    /// <inheritdoc />
    public int ReadRows(Span<double> buffer)
    {
        long remaining = Rows - RowsRead;
        if (remaining <= 0) return 0;
        if (Cols == 0)
        {
            RowsRead = Rows;
            return (int)remaining;
        }
        int rows = (int)Math.Min(buffer.Length / Cols, remaining);
        if (rows == 0) throw new ArgumentException($"the buffer ({buffer.Length} values) cannot hold one row of {Cols} values", nameof(buffer));
        _matrix.Data.AsSpan((int)RowsRead * Cols, rows * Cols).CopyTo(buffer);
        RowsRead += rows;
        return rows;
    }

    /// <inheritdoc />
    public void Reset() => RowsRead = 0;

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }
}

using Mucmm.Data;
using Mucmm.Data.Readers;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Numerics;

/// <summary>
/// Streams chunks of paired rows into float64 <see cref="CovarianceStats"/>: per chunk the BLAS
/// product Xcᵀ Xc of the chunk centred at its own mean (D × D for the concatenated views; only the
/// column blocks on and above the diagonal are multiplied), merged
/// into the running co-moment with the pairwise update of Chan, Golub &amp; LeVeque (1979). Memory is
/// O(D² + chunk × D), independent of the number of rows.
/// </summary>
/// <remarks>Not thread-safe. Holds native tensors: dispose it (or call <see cref="ToStats"/> and dispose).</remarks>
public sealed class CovarianceAccumulator : IDisposable
{
    /// <summary>Rows per chunk used by the convenience methods (a chunk of 2,048 × 1,568 float64 is 26 MB).</summary>
    public const int DefaultChunkRows = 2048;

    /// <summary>Target width of the column blocks of the co-moment product (see <see cref="Add(IReadOnlyList{Tensor})"/>).</summary>
    private const int BlockWidth = 400;

    private readonly int[] _dims;
    private readonly int[] _blocks;   // column block boundaries, length B + 1
    private readonly int _total;
    private readonly Tensor _mean;     // D
    private readonly Tensor _comoment; // D × D
    private long _count;
    private double[]? _buffer;
    private bool _disposed;

    /// <summary>Creates an empty accumulator for views of the given widths.</summary>
    public CovarianceAccumulator(IReadOnlyList<int> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Count < 1 || dims.Any(d => d <= 0))
            throw new MucmmUserException($"view widths must be positive, got [{string.Join(", ", dims)}]");
        _dims = dims.ToArray();
        _total = _dims.Sum();
        double d = _total;
        MemoryBudget.Require(8 * 5 * d * d, "the covariance statistics",
            $"a float64 D × D co-moment matrix and its copies, D = {_total}",
            "reduce the number of columns (e.g. PCA or pooling first) or use a machine with more memory");
        _mean = zeros(_total, dtype: float64).DetachFromDisposeScope();
        _comoment = zeros(_total, _total, dtype: float64).DetachFromDisposeScope();
        int blocks = Math.Max(1, (int)Math.Round(_total / (double)BlockWidth));
        _blocks = Enumerable.Range(0, blocks + 1).Select(b => (int)((long)_total * b / blocks)).ToArray();
    }

    /// <summary>Rows accumulated so far.</summary>
    public long Count => _count;

    /// <summary>Width of each view.</summary>
    public IReadOnlyList<int> Dims => _dims;

    /// <summary>
    /// Adds one chunk: <paramref name="views"/>[m] is (r × d_m), any floating dtype, the same r for every view.
    /// Throws <see cref="MucmmUserException"/> on mismatched rows or widths and on NaN/infinite values.
    /// </summary>
    public void Add(IReadOnlyList<Tensor> views)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != _dims.Length)
            throw new MucmmUserException($"expected {_dims.Length} views, got {views.Count}");
        long rows = views[0].ndim == 2 ? views[0].shape[0] : -1;
        for (int m = 0; m < views.Count; m++)
        {
            var v = views[m];
            if (v.ndim != 2 || v.shape[1] != _dims[m])
                throw new MucmmUserException($"view {m + 1}: expected (rows × {_dims[m]}), got shape [{string.Join(", ", v.shape)}]");
            if (v.shape[0] != rows)
                throw new MucmmUserException($"views are not paired: view 1 has {rows} rows but view {m + 1} has {v.shape[0]}");
        }
        if (rows == 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = views.Count == 1
            ? views[0].to(float64, CPU, copy: true)
            : cat(views.Select(v => v.to(float64, CPU)).ToArray(), 1);
        AddConcatenated(x, _count);
    }

    /// <summary>Adds rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of in-memory views.</summary>
    public void Add(IReadOnlyList<View> views, int start, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckViews(views);
        if (start < 0 || count < 0 || start + count > views[0].Rows)
            throw new ArgumentOutOfRangeException(nameof(count), $"rows [{start}, {start + count}) outside 0..{views[0].Rows}");
        if (count == 0) return;
        long need = (long)count * _total;
        if (_buffer is null || _buffer.Length != need) _buffer = new double[need];
        var buf = _buffer;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            int o = 0;
            for (int m = 0; m < views.Count; m++)
            {
                views[m].Row(start + i).CopyTo(buf.AsSpan((int)((long)i * _total + o), _dims[m]));
                o += _dims[m];
            }
        });
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = torch.tensor(buf, new long[] { count, _total }, dtype: float64);
        AddConcatenated(x, start);
    }

    /// <summary>Adds all rows of in-memory views, <paramref name="chunkRows"/> rows at a time.</summary>
    public void Add(IReadOnlyList<View> views, int chunkRows = DefaultChunkRows)
    {
        CheckViews(views);
        if (chunkRows <= 0) throw new ArgumentOutOfRangeException(nameof(chunkRows));
        int n = views[0].Rows;
        for (int s = 0; s < n; s += chunkRows) Add(views, s, Math.Min(chunkRows, n - s));
    }

    /// <summary>
    /// Streams paired chunk readers (one per view, e.g. <c>.npy</c> files opened with
    /// <see cref="MatrixFile.OpenRows"/>) to the end, <paramref name="chunkRows"/> rows at a time, adding
    /// the rows whose index (0-based, in file order) passes <paramref name="keep"/> (all rows when null).
    /// Memory: the chunk buffers, independent of the number of rows. <paramref name="progress"/>, when given,
    /// hears the number of rows read so far (of the first reader) after every chunk.
    /// </summary>
    /// <exception cref="MucmmUserException">The readers have different row counts or widths other than the accumulator's.</exception>
    public void Add(IReadOnlyList<IRowChunkReader> readers, Func<long, bool>? keep = null, int chunkRows = DefaultChunkRows,
        IProgress<long>? progress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(readers);
        if (chunkRows <= 0) throw new ArgumentOutOfRangeException(nameof(chunkRows));
        if (readers.Count != _dims.Length) throw new MucmmUserException($"expected {_dims.Length} views, got {readers.Count}");
        for (int m = 0; m < readers.Count; m++)
        {
            if (readers[m].Cols != _dims[m])
                throw new MucmmUserException(readers[m].Source, $"has {readers[m].Cols} columns, expected {_dims[m]}");
            if (readers[m].Rows - readers[m].RowsRead != readers[0].Rows - readers[0].RowsRead)
                throw new MucmmUserException(readers[m].Source,
                    $"has {readers[m].Rows} rows but {readers[0].Source} has {readers[0].Rows}; the views must be paired row by row");
        }
        var chunks = _dims.Select(d => new double[(long)chunkRows * d]).ToArray();
        var kept = new int[chunkRows];
        while (true)
        {
            long first = readers[0].RowsRead;
            int rows = readers[0].ReadRows(chunks[0]);
            for (int m = 1; m < readers.Count; m++)
            {
                int got = readers[m].ReadRows(chunks[m].AsSpan(0, rows * _dims[m]));
                if (got != rows) throw new MucmmUserException(readers[m].Source, $"ended after {readers[m].RowsRead} rows, before {readers[0].Source}");
            }
            if (rows == 0) break;
            int count = 0;
            for (int i = 0; i < rows; i++) if (keep is null || keep(first + i)) kept[count++] = i;
            if (count == 0)
            {
                progress?.Report(readers[0].RowsRead);
                continue;
            }
            long need = (long)count * _total;
            if (_buffer is null || _buffer.Length != need) _buffer = new double[need];
            var buf = _buffer;
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            {
                int o = 0, row = kept[i];
                for (int m = 0; m < chunks.Length; m++)
                {
                    chunks[m].AsSpan(row * _dims[m], _dims[m]).CopyTo(buf.AsSpan((int)((long)i * _total + o), _dims[m]));
                    o += _dims[m];
                }
            });
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            AddConcatenated(torch.tensor(buf, new long[] { count, _total }, dtype: float64), first);
            progress?.Report(readers[0].RowsRead);
        }
    }

    /// <summary>An immutable snapshot of what has been accumulated (the accumulator stays usable).</summary>
    public CovarianceStats ToStats()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Only blocks on and above the diagonal were accumulated (the rank-one updates touched all of
        // it): mirror the upper triangle, which also makes the result exactly symmetric.
        var upper = _comoment.triu();
        var sym = (upper + upper.triu(1).t()).contiguous();
        return new CovarianceStats(_dims, _count, _mean.data<double>().ToArray(), sym.data<double>().ToArray());
    }

    /// <summary>Frees the native tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _mean.Dispose();
        _comoment.Dispose();
    }

    // x: (r × D) float64 CPU, owned by the caller's scope; modified in place.
    private void AddConcatenated(Tensor x, long firstRow)
    {
        if (!(x.abs() <= View.MaxMagnitude).all().item<bool>()) ThrowNotFinite(x, firstRow);
        long r = x.shape[0];
        var chunkMean = x.mean(new long[] { 0 });
        x.sub_(chunkMean);
        long n = _count + r;
        var delta = chunkMean - _mean;
        // Upper block triangle only: D is cut into column blocks of about BlockWidth and only blocks
        // (i ≤ j) are multiplied — (B + 1)/(2B) of a full XᵀX (62.5 % for 784 + 784), since BLAS has
        // no syrk here. ToStats mirrors the upper triangle.
        for (int i = 0; i < _blocks.Length - 1; i++)
        {
            int oi = _blocks[i], si = _blocks[i + 1] - oi;
            var xi = x.narrow(1, oi, si);
            for (int j = i; j < _blocks.Length - 1; j++)
            {
                int oj = _blocks[j], sj = _blocks[j + 1] - oj;
                _comoment.narrow(0, oi, si).narrow(1, oj, sj).addmm_(xi.t(), x.narrow(1, oj, sj));
            }
        }
        if (_count > 0) _comoment.addr_(delta * ((double)_count * r / n), delta); // scale a vector: addr_'s alpha is float32
        _mean.add_(delta, alpha: (double)r / n);
        _count = n;
    }

    private void ThrowNotFinite(Tensor x, long firstRow)
    {
        var bad = logical_not(x.abs() <= View.MaxMagnitude).nonzero();
        long row = bad[0, 0].item<long>(), col = bad[0, 1].item<long>();
        int m = 0;
        while (col >= _dims[m]) { col -= _dims[m]; m++; }
        double value = x[bad[0, 0], bad[0, 1]].item<double>();
        string what = double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? "an infinite value"
            : $"the value {value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}";
        string why = double.IsFinite(value) ? ": " + View.TooLargeReason : "";
        throw new MucmmUserException($"view {m + 1} holds {what} at row {firstRow + row}, column {col}{why}");
    }

    private void CheckViews(IReadOnlyList<View> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != _dims.Length)
            throw new MucmmUserException($"expected {_dims.Length} views, got {views.Count}");
        for (int m = 0; m < views.Count; m++)
        {
            if (views[m].Cols != _dims[m])
                throw new MucmmUserException($"view '{views[m].Name}': expected {_dims[m]} columns, got {views[m].Cols}");
            if (views[m].Rows != views[0].Rows)
                throw new MucmmUserException(
                    $"views are not paired: view '{views[0].Name}' has {views[0].Rows} rows but view '{views[m].Name}' has {views[m].Rows}");
        }
    }
}

using Mucmm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Numerics;

/// <summary>
/// Streams chunks of paired rows into float64 <see cref="CovarianceStats"/>: per chunk the BLAS
/// products Xcᵀ Xc of the chunk centred at its own mean (D × D for the concatenated views), merged
/// into the running co-moment with the pairwise update of Chan, Golub &amp; LeVeque (1979). Memory is
/// O(D² + chunk × D), independent of the number of rows.
/// </summary>
/// <remarks>
/// The product is symmetric, so only the tiles on and above the diagonal of a T × T tiling of the
/// columns (tiles of about <see cref="TileWidth"/> columns) are computed — (T + 1) / 2T of the full
/// product, 62.5 % for 784 + 784 columns — and <see cref="ToStats"/> mirrors the upper triangle
/// (docs/benchmarks.md has the measurement).
/// </remarks>
/// <remarks>Not thread-safe. Holds native tensors: dispose it (or call <see cref="ToStats"/> and dispose).</remarks>
public sealed class CovarianceAccumulator : IDisposable
{
    /// <summary>Target width (columns) of the tiles of the symmetric product.</summary>
    public const int TileWidth = 392;

    /// <summary>Rows per chunk used by the convenience methods (a chunk of 2,048 × 1,568 float64 is 26 MB).</summary>
    public const int DefaultChunkRows = 2048;

    private readonly int[] _dims;
    private readonly int _total;
    private readonly int[] _tiles;     // tile boundaries, length T + 1
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
        int t = Math.Max(1, (int)Math.Round(_total / (double)TileWidth));
        _tiles = Enumerable.Range(0, t + 1).Select(i => (int)((long)_total * i / t)).ToArray();
        _mean = zeros(_total, dtype: float64).DetachFromDisposeScope();
        _comoment = zeros(_total, _total, dtype: float64).DetachFromDisposeScope();
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

    /// <summary>An immutable snapshot of what has been accumulated (the accumulator stays usable).</summary>
    public CovarianceStats ToStats()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // Only the upper tiles are accumulated (the lower off-diagonal tiles hold just the mean updates):
        // mirror the upper triangle, which also makes the result bitwise symmetric.
        var sym = (_comoment.triu() + _comoment.triu(1).t()).contiguous();
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
        if (!isfinite(x).all().item<bool>()) ThrowNotFinite(x, firstRow);
        long r = x.shape[0];
        var chunkMean = x.mean(new long[] { 0 });
        x.sub_(chunkMean);
        long n = _count + r;
        var delta = chunkMean - _mean;
        for (int i = 0; i + 1 < _tiles.Length; i++)
        {
            var xi = x.narrow(1, _tiles[i], _tiles[i + 1] - _tiles[i]);
            var rows = _comoment.narrow(0, _tiles[i], _tiles[i + 1] - _tiles[i]);
            for (int j = i; j + 1 < _tiles.Length; j++)
                rows.narrow(1, _tiles[j], _tiles[j + 1] - _tiles[j]).addmm_(xi.t(), x.narrow(1, _tiles[j], _tiles[j + 1] - _tiles[j]));
        }
        if (_count > 0) _comoment.addr_(delta * ((double)_count * r / n), delta); // scale a vector: addr_'s alpha is float32
        _mean.add_(delta, alpha: (double)r / n);
        _count = n;
    }

    private void ThrowNotFinite(Tensor x, long firstRow)
    {
        var bad = logical_not(isfinite(x)).nonzero();
        long row = bad[0, 0].item<long>(), col = bad[0, 1].item<long>();
        int m = 0;
        while (col >= _dims[m]) { col -= _dims[m]; m++; }
        double value = x[bad[0, 0], bad[0, 1]].item<double>();
        string what = double.IsNaN(value) ? "NaN" : "an infinite value";
        throw new MucmmUserException($"view {m + 1} holds {what} at row {firstRow + row}, column {col}");
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

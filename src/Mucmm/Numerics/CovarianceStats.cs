using Mucmm.Data;
using Mucmm.Data.Readers;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Numerics;

/// <summary>
/// Float64 first and second moments of M paired views, as if the views were concatenated column-wise
/// (total width D = Σ d_m): the sample count n, the mean of every column and the co-moment matrix
/// C = Σᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ (D × D; the covariance is C / (n − 1)). Immutable; two statistics over
/// disjoint sets of rows merge exactly (Chan, Golub &amp; LeVeque 1979), so n is not bounded by memory.
/// </summary>
/// <remarks>
/// Build one with <see cref="CovarianceAccumulator"/> (streaming, chunk by chunk),
/// <see cref="FromViews"/> or <see cref="FromTensors"/>, and combine partial results with
/// <see cref="Merge(CovarianceStats, CovarianceStats)"/>. Blocks are addressed by view: <see cref="Covariance(int, int)"/>(i, j) is
/// Σ_ij = C_ij / (n − 1).
/// </remarks>
public sealed class CovarianceStats
{
    private readonly double[] _mean;     // D
    private readonly double[] _comoment; // D × D, row-major, symmetric
    private readonly int[] _offsets;     // start column of each view, length M + 1

    internal CovarianceStats(IReadOnlyList<int> dims, long count, double[] mean, double[] comoment)
    {
        if (dims.Count < 1) throw new ArgumentException("at least one view is needed", nameof(dims));
        _offsets = new int[dims.Count + 1];
        for (int m = 0; m < dims.Count; m++)
        {
            if (dims[m] <= 0) throw new ArgumentException("view widths must be positive", nameof(dims));
            _offsets[m + 1] = _offsets[m] + dims[m];
        }
        int d = _offsets[^1];
        if (mean.Length != d || comoment.Length != (long)d * d)
            throw new ArgumentException("mean/co-moment sizes do not match the view widths");
        Dims = dims.ToArray();
        Count = count;
        _mean = mean;
        _comoment = comoment;
    }

    /// <summary>Statistics of zero rows (the identity of <see cref="Merge(CovarianceStats, CovarianceStats)"/>).</summary>
    public static CovarianceStats Empty(IReadOnlyList<int> dims)
    {
        int d = dims.Sum();
        return new CovarianceStats(dims, 0, new double[d], new double[(long)d * d]);
    }

    /// <summary>Number of rows (samples) seen.</summary>
    public long Count { get; }

    /// <summary>Width d_m of each view.</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>Number of views M.</summary>
    public int ViewCount => Dims.Count;

    /// <summary>Total width D = Σ d_m.</summary>
    public int TotalDim => _offsets[^1];

    /// <summary>First column of view <paramref name="view"/> in the concatenated layout.</summary>
    public int Offset(int view) => _offsets[view];

    /// <summary>Column means of all views, concatenated (length D).</summary>
    public ReadOnlySpan<double> Means => _mean;

    /// <summary>Column means of one view (length d_m).</summary>
    public ReadOnlySpan<double> Mean(int view) => _mean.AsSpan(_offsets[view], Dims[view]);

    /// <summary>The co-moment matrix C = Σ (x − x̄)(x − x̄)ᵀ of the concatenated views, D × D row-major.</summary>
    public ReadOnlySpan<double> CoMoment => _comoment;

    /// <summary>Sample variances (divisor n − 1) of the columns of one view.</summary>
    public double[] Variances(int view)
    {
        RequireTwoRows();
        int d = Dims[view], o = _offsets[view], D = TotalDim;
        var v = new double[d];
        for (int j = 0; j < d; j++) v[j] = _comoment[(long)(o + j) * D + o + j] / (Count - 1);
        return v;
    }

    /// <summary>
    /// The covariance block Σ_ij = C_ij / (n − 1) as a new float64 CPU tensor (d_i × d_j).
    /// The caller owns it (it joins the caller's dispose scope).
    /// </summary>
    public Tensor Covariance(int i, int j)
    {
        RequireTwoRows();
        int di = Dims[i], dj = Dims[j], oi = _offsets[i], oj = _offsets[j], D = TotalDim;
        var block = new double[(long)di * dj];
        for (int r = 0; r < di; r++)
            _comoment.AsSpan((int)((long)(oi + r) * D + oj), dj).CopyTo(block.AsSpan(r * dj, dj));
        var t = torch.tensor(block, new long[] { di, dj }, dtype: float64);
        t.div_(Count - 1);
        return t;
    }

    /// <summary>The covariance of all views concatenated (D × D float64 tensor, divisor n − 1).</summary>
    public Tensor Covariance()
    {
        RequireTwoRows();
        var t = torch.tensor(_comoment, new long[] { TotalDim, TotalDim }, dtype: float64);
        t.div_(Count - 1);
        return t;
    }

    /// <summary>Means of one view as a float64 tensor (d_m).</summary>
    public Tensor MeanTensor(int view) => torch.tensor(Mean(view).ToArray(), dtype: float64);

    /// <summary>
    /// Merges the statistics of two disjoint sets of rows: the result equals the statistics of their
    /// union up to rounding (pairwise update of Chan, Golub &amp; LeVeque 1979:
    /// C = C_a + C_b + δδᵀ·n_a·n_b/n with δ = x̄_b − x̄_a).
    /// </summary>
    public static CovarianceStats Merge(CovarianceStats a, CovarianceStats b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Dims.SequenceEqual(b.Dims))
            throw new MucmmUserException(
                $"cannot merge statistics of views with widths [{string.Join(", ", a.Dims)}] and [{string.Join(", ", b.Dims)}]");
        if (b.Count == 0) return a;
        if (a.Count == 0) return b;
        int d = a.TotalDim;
        long n = a.Count + b.Count;
        double wb = (double)b.Count / n, f = (double)a.Count * b.Count / n;
        var delta = new double[d];
        var mean = new double[d];
        for (int j = 0; j < d; j++)
        {
            delta[j] = b._mean[j] - a._mean[j];
            mean[j] = a._mean[j] + delta[j] * wb;
        }
        var c = new double[(long)d * d];
        Parallel.For(0, d, r =>
        {
            long row = (long)r * d;
            double fr = f * delta[r];
            for (int s = 0; s < d; s++)
                c[row + s] = a._comoment[row + s] + b._comoment[row + s] + fr * delta[s];
        });
        return new CovarianceStats(a.Dims, n, mean, c);
    }

    /// <summary>Merges this with <paramref name="other"/> (see <see cref="Merge(CovarianceStats, CovarianceStats)"/>).</summary>
    public CovarianceStats Merge(CovarianceStats other) => Merge(this, other);

    /// <summary>Statistics of in-memory views (all rows), accumulated in chunks of <paramref name="chunkRows"/> rows.</summary>
    public static CovarianceStats FromViews(IReadOnlyList<View> views, int chunkRows = CovarianceAccumulator.DefaultChunkRows)
    {
        ArgumentNullException.ThrowIfNull(views);
        foreach (var v in views) v.EnsureNumeric();
        using var acc = new CovarianceAccumulator(views.Select(v => v.Cols).ToArray());
        acc.Add(views, chunkRows);
        return acc.ToStats();
    }

    /// <summary>
    /// Statistics of paired matrix files (<c>.npy</c> streamed from disk with bounded memory; <c>.csv</c>
    /// parsed first), keeping the rows whose index passes <paramref name="keep"/> (all when null).
    /// <paramref name="progress"/> hears the rows read so far after every chunk (as <see cref="CovarianceAccumulator"/> reports it).
    /// </summary>
    public static CovarianceStats FromFiles(IReadOnlyList<string> paths, Func<long, bool>? keep = null, int chunkRows = CovarianceAccumulator.DefaultChunkRows,
        IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var readers = new List<IRowChunkReader>();
        try
        {
            foreach (var p in paths) readers.Add(MatrixFile.OpenRows(p));
            return FromReaders(readers, keep, chunkRows, progress);
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    /// <summary>
    /// Statistics of paired row streams already open (one per view, read to the end in chunks of
    /// <paramref name="chunkRows"/>), keeping row i only when <paramref name="keep"/>(i); the caller owns the readers.
    /// </summary>
    public static CovarianceStats FromReaders(IReadOnlyList<IRowChunkReader> readers, Func<long, bool>? keep = null,
        int chunkRows = CovarianceAccumulator.DefaultChunkRows, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(readers);
        using var acc = new CovarianceAccumulator(readers.Select(r => r.Cols).ToArray());
        acc.Add(readers, keep, chunkRows, progress);
        return acc.ToStats();
    }

    /// <summary>Statistics of one chunk given as tensors (n × d_m each, any floating dtype, same n).</summary>
    public static CovarianceStats FromTensors(IReadOnlyList<Tensor> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        using var acc = new CovarianceAccumulator(views.Select(v => v.ndim == 2 ? (int)v.shape[1] : throw new MucmmUserException($"expected a 2-D (rows × columns) tensor per view, got shape [{string.Join(", ", v.shape)}]")).ToArray());
        acc.Add(views);
        return acc.ToStats();
    }

    private void RequireTwoRows()
    {
        if (Count < 2) throw new MucmmUserException($"covariances need at least 2 samples, got {Count}");
    }
}

using Mucmm.Data;
using Mucmm.Numerics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Numerics;

public class CovarianceStatsTests
{
    private static View RandomView(int n, int d, int seed, double offset)
    {
        var rng = new Random(seed);
        var data = new double[n * d];
        for (int i = 0; i < data.Length; i++) data[i] = offset + (rng.NextDouble() - 0.5) * (1 + i % d);
        return new View($"v{seed}", ViewKind.Vector, new[] { d }, data);
    }

    /// <summary>
    /// Oracle: the textbook two-pass formulas in plain C# (mean, then Σ (x − x̄)(x − x̄)ᵀ / (n − 1))
    /// over the concatenated views. Data carry a large offset (1e4) to expose cancellation.
    /// Tolerance 1e-12 relative to the largest covariance entry.
    /// </summary>
    [Fact]
    public void OnePassEqualsTwoPassFormula()
    {
        int n = 333;
        var v1 = RandomView(n, 5, 1, 1e4);
        var v2 = RandomView(n, 3, 2, -1e4);
        var stats = CovarianceStats.FromViews(new[] { v1, v2 }, chunkRows: 50);
        Assert.Equal(n, stats.Count);
        Assert.Equal(8, stats.TotalDim);

        var rows = Enumerable.Range(0, n).Select(i => v1.Row(i).ToArray().Concat(v2.Row(i).ToArray()).ToArray()).ToArray();
        var mean = new double[8];
        foreach (var r in rows) for (int j = 0; j < 8; j++) mean[j] += r[j] / n;
        var cov = new double[8, 8];
        foreach (var r in rows)
            for (int a = 0; a < 8; a++)
                for (int b = 0; b < 8; b++)
                    cov[a, b] += (r[a] - mean[a]) * (r[b] - mean[b]) / (n - 1);

        for (int j = 0; j < 8; j++) Assert.True(Math.Abs(stats.Means[j] - mean[j]) < 1e-12 * Math.Abs(mean[j]));
        using var scope = NewDisposeScope();
        var full = stats.Covariance();
        var s12 = stats.Covariance(0, 1);
        double scale = 0;
        foreach (var c in cov) scale = Math.Max(scale, Math.Abs(c));
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++)
                Assert.True(Math.Abs(full[a, b].item<double>() - cov[a, b]) < 1e-12 * scale, $"cov[{a},{b}]");
        for (int a = 0; a < 5; a++)
            for (int b = 0; b < 3; b++)
                Assert.Equal(full[a, 5 + b].item<double>(), s12[a, b].item<double>());
    }

    /// <summary>
    /// Oracle: the one-pass statistics of all rows. Merging statistics of disjoint row sets (uneven
    /// sizes, one empty, merged in a tree) equals them to 1e-12 (relative to the largest entry),
    /// and the result does not depend on the chunk size.
    /// </summary>
    [Fact]
    public void MergeEqualsOnePass()
    {
        int n = 1000;
        var v1 = RandomView(n, 6, 3, 50);
        var v2 = RandomView(n, 4, 4, -7);
        var views = new[] { v1, v2 };
        var whole = CovarianceStats.FromViews(views, chunkRows: n);

        CovarianceStats Part(int start, int count)
        {
            using var acc = new CovarianceAccumulator(new[] { 6, 4 });
            acc.Add(views, start, count);
            return acc.ToStats();
        }
        var merged = CovarianceStats.Merge(
            CovarianceStats.Merge(Part(0, 1), Part(1, 0)),
            CovarianceStats.Merge(Part(1, 337), CovarianceStats.Merge(Part(338, 600), Part(938, 62))));
        var chunked = CovarianceStats.FromViews(views, chunkRows: 7);

        foreach (var other in new[] { merged, chunked })
        {
            Assert.Equal(whole.Count, other.Count);
            double scale = whole.CoMoment.ToArray().Max(Math.Abs);
            for (int i = 0; i < whole.CoMoment.Length; i++)
                Assert.True(Math.Abs(whole.CoMoment[i] - other.CoMoment[i]) <= 1e-12 * scale, $"co-moment entry {i}");
            for (int j = 0; j < whole.TotalDim; j++)
                Assert.True(Math.Abs(whole.Means[j] - other.Means[j]) <= 1e-12 * Math.Max(1, Math.Abs(whole.Means[j])));
        }
    }

    /// <summary>
    /// Oracle: the same rows given as float32 tensors in chunks and as in-memory views (float32
    /// values are exact in float64) give the same statistics to 1e-12.
    /// </summary>
    [Fact]
    public void TensorChunksOfAnyDtypeEqualViews()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        var x1 = randn(301, 4, dtype: float32);
        var x2 = randn(301, 2, dtype: float32) + 3;
        using var acc = new CovarianceAccumulator(new[] { 4, 2 });
        for (int s = 0; s < 301; s += 100)
        {
            long len = Math.Min(100, 301 - s);
            acc.Add(new[] { x1.narrow(0, s, len), x2.narrow(0, s, len) });
        }
        var fromTensors = acc.ToStats();
        var v1 = new View("a", ViewKind.Vector, new[] { 4 }, x1.to(float64).data<double>().ToArray());
        var v2 = new View("b", ViewKind.Vector, new[] { 2 }, x2.to(float64).data<double>().ToArray());
        var fromViews = CovarianceStats.FromViews(new[] { v1, v2 });
        for (int i = 0; i < fromViews.CoMoment.Length; i++)
            Assert.True(Math.Abs(fromViews.CoMoment[i] - fromTensors.CoMoment[i]) < 1e-12 * 301);
    }

    /// <summary>
    /// Oracle: a plain full product (X − x̄)ᵀ(X − x̄) in float64. Views wide enough (500 + 400) that the
    /// accumulator cuts the columns into several blocks and multiplies only the upper block triangle;
    /// the mirrored result, over uneven chunks, equals the full product to 1e-12 (relative) and is
    /// exactly symmetric.
    /// </summary>
    [Fact]
    public void BlockedUpperTriangleEqualsFullProduct()
    {
        using var scope = NewDisposeScope();
        var v1 = RandomView(120, 500, 9, 3);
        var v2 = RandomView(120, 400, 10, -1);
        var stats = CovarianceStats.FromViews(new[] { v1, v2 }, chunkRows: 47);
        var x = cat(new[] { tensor(v1.Data, new long[] { 120, 500 }, dtype: float64), tensor(v2.Data, new long[] { 120, 400 }, dtype: float64) }, 1);
        var xc = x - x.mean(new long[] { 0 });
        var full = xc.t().matmul(xc);
        var got = tensor(stats.CoMoment.ToArray(), new long[] { 900, 900 }, dtype: float64);
        double scale = full.abs().max().item<double>();
        Assert.True((got - full).abs().max().item<double>() < 1e-12 * scale);
        Assert.True(got.eq(got.t()).all().item<bool>());
    }

    /// <summary>
    /// Oracle: the in-memory statistics of the same rows. Streaming two .npy files (float64, chunks of
    /// 64 rows) keeping every third row equals <see cref="CovarianceStats.FromViews"/> of those rows to
    /// 1e-12; files with different row counts are a user error naming the file.
    /// </summary>
    [Fact]
    public void FromFilesStreamsAndFiltersRows()
    {
        string dir = TestPaths.NewTempDir();
        var v1 = RandomView(500, 7, 11, 2);
        var v2 = RandomView(500, 4, 12, -3);
        string f1 = Path.Combine(dir, "a.npy"), f2 = Path.Combine(dir, "b.npy"), f3 = Path.Combine(dir, "c.npy");
        Mucmm.Data.Readers.NpyFile.Write(f1, v1.Data, 500, 7, Mucmm.Data.Readers.NpyDType.Float64);
        Mucmm.Data.Readers.NpyFile.Write(f2, v2.Data, 500, 4, Mucmm.Data.Readers.NpyDType.Float64);
        var streamed = CovarianceStats.FromFiles(new[] { f1, f2 }, keep: i => i % 3 == 0, chunkRows: 64);
        var rows = Enumerable.Range(0, 500).Where(i => i % 3 == 0).ToArray();
        var inMemory = CovarianceStats.FromViews(new[] { v1.Select(rows), v2.Select(rows) });
        Assert.Equal(inMemory.Count, streamed.Count);
        double scale = inMemory.CoMoment.ToArray().Max(Math.Abs);
        for (int i = 0; i < inMemory.CoMoment.Length; i++)
            Assert.True(Math.Abs(inMemory.CoMoment[i] - streamed.CoMoment[i]) <= 1e-12 * scale);

        Mucmm.Data.Readers.NpyFile.Write(f3, v2.Data.AsSpan(0, 499 * 4), 499, 4, Mucmm.Data.Readers.NpyDType.Float64);
        var ex = Assert.Throws<MucmmUserException>(() => CovarianceStats.FromFiles(new[] { f1, f3 }));
        Assert.StartsWith(f3, ex.Message);
    }

    /// <summary>Bad input: NaN/∞ and unpaired chunks are user errors naming view, row and column.</summary>
    [Fact]
    public void BadChunksAreClearErrors()
    {
        using var scope = NewDisposeScope();
        using var acc = new CovarianceAccumulator(new[] { 3, 2 });
        acc.Add(new[] { ones(5, 3), ones(5, 2) });
        var bad = zeros(4, 2);
        bad[2, 1] = tensor(double.PositiveInfinity);
        var ex = Assert.Throws<MucmmUserException>(() => acc.Add(new[] { zeros(4, 3), bad }));
        Assert.Contains("view 2 holds an infinite value at row 7, column 1", ex.Message);
        Assert.Throws<MucmmUserException>(() => acc.Add(new[] { zeros(4, 3), zeros(3, 2) }));
        Assert.Throws<MucmmUserException>(() => acc.Add(new[] { zeros(4, 3), zeros(4, 5) }));
        Assert.Equal(5, acc.Count);
    }
}

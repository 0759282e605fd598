using System.Buffers.Binary;
using System.Text;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

/// <summary>
/// Fixtures in Fixtures/npy were written by NumPy 1.24.2 (Debian python3-numpy) with
/// Fixtures/npy/make_fixtures.py; their values are closed forms recomputed here.
/// </summary>
public class NpyFileTests
{
    private static string Fx(string name) => ReaderAssert.Fixture("npy", name);

    /// <summary>Oracle: NumPy wrote (arange(6)/4).reshape(2,3) as float32; values are exact in float32.</summary>
    [Fact]
    public void Read_NumPyFloat32_MatchesValues()
    {
        var a = NpyFile.Read(Fx("f4_2x3.npy"));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal(Enumerable.Range(0, 6).Select(k => k / 4.0), a.Data);
    }

    /// <summary>Oracle: NumPy wrote ((arange(6)+1)/3).reshape(3,2) as float64; IEEE division gives the same doubles; exact.</summary>
    [Fact]
    public void Read_NumPyFloat64_MatchesValuesExactly()
    {
        var a = NpyFile.Read(Fx("f8_3x2.npy"));
        Assert.Equal([3, 2], a.Shape);
        Assert.Equal((3, 2), (a.Rows, a.Cols));
        Assert.Equal(Enumerable.Range(1, 6).Select(k => k / 3.0), a.Data);
    }

    /// <summary>Oracle: NumPy's write_array with version=(2,0) and (3,0) of arange(6)*1.5 reshaped 2×3; exact.</summary>
    [Theory]
    [InlineData("f8_v2.npy", 2)]
    [InlineData("f8_v3.npy", 3)]
    public void Read_HeaderVersions2And3(string file, int version)
    {
        var h = NpyFile.ReadHeader(Fx(file));
        Assert.Equal(version, h.MajorVersion);
        var a = NpyFile.Read(Fx(file));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(Enumerable.Range(0, 6).Select(k => k * 1.5), a.Data);
    }

    /// <summary>Oracle: NumPy's arange(-2, 3) (1-D → 5 rows × 1 column) and arange(12)-6 reshaped (2,2,3) (→ 2 rows × 6 columns); exact.</summary>
    [Fact]
    public void Read_OneAndThreeDimensional_FlattenPerRow()
    {
        var v = NpyFile.Read(Fx("f8_1d.npy"));
        Assert.Equal([5], v.Shape);
        Assert.Equal((5, 1), (v.Rows, v.Cols));
        Assert.Equal([-2.0, -1, 0, 1, 2], v.Data);

        var t = NpyFile.Read(Fx("f4_3d.npy"));
        Assert.Equal([2, 2, 3], t.Shape);
        Assert.Equal((2, 6), (t.Rows, t.Cols));
        Assert.Equal(Enumerable.Range(0, 12).Select(k => k - 6.0), t.Data);
    }

    [Fact]
    public void Read_Int32_NamesTheDtype()
    {
        string path = Fx("i4.npy");
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "unsupported dtype '<i4' (int32)");
    }

    [Fact]
    public void Read_BigEndian_IsRejected()
    {
        string path = Fx("f8_big_endian.npy");
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "unsupported dtype '>f8' (big-endian float64)");
    }

    [Fact]
    public void Read_FortranOrder_IsRejected()
    {
        string path = Fx("f8_fortran.npy");
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "fortran_order is True");
    }

    /// <summary>Oracle: the written values; float64 exact, float32 equal to the values rounded to float (IEEE round-to-nearest).</summary>
    [Theory]
    [InlineData(NpyDType.Float32)]
    [InlineData(NpyDType.Float64)]
    public void Write_ThenRead_RoundTrips(NpyDType dtype)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "x.npy");
        var rng = new Random(1);
        double[] x = Enumerable.Range(0, 37 * 11).Select(_ => rng.NextDouble() * 200 - 100).ToArray();
        NpyFile.Write(path, x, 37, 11, dtype);

        var a = NpyFile.Read(path);
        Assert.Equal([37, 11], a.Shape);
        Assert.Equal(dtype, a.DType);
        Assert.Equal(dtype == NpyDType.Float64 ? x : x.Select(v => (double)(float)v), a.Data);
        Assert.Equal(0, NpyFile.ReadHeader(path).DataOffset % 64);
    }

    /// <summary>
    /// Oracle: NumPy 1.24.2's np.save of the same float32 2×3 array (Fixtures/npy/f4_2x3.npy):
    /// the file we write is byte-for-byte identical (header dict, padding to 64 bytes, data).
    /// </summary>
    [Fact]
    public void Write_Float32Matrix_IsByteIdenticalToNumPy()
    {
        using var ms = new MemoryStream();
        NpyFile.Write(ms, Enumerable.Range(0, 6).Select(k => k / 4.0).ToArray(), [2, 3]);
        Assert.Equal(File.ReadAllBytes(Fx("f4_2x3.npy")), ms.ToArray());
    }

    /// <summary>Oracle: the written values (float64, exact), read back in chunks of 64 rows, then again after Reset.</summary>
    [Fact]
    public void ChunkReader_ReadsAllRowsInChunks_AndResets()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "big.npy");
        int rows = 1000, cols = 7;
        double[] x = Enumerable.Range(0, rows * cols).Select(i => Math.Sin(i)).ToArray();
        NpyFile.Write(path, x, rows, cols, NpyDType.Float64);

        using var r = NpyChunkReader.Open(path);
        Assert.Equal((1000L, 7), (r.Rows, r.Cols));
        for (int pass = 0; pass < 2; pass++)
        {
            var buf = new double[64 * cols];
            var all = new List<double>();
            var sizes = new List<int>();
            int n;
            while ((n = r.ReadRows(buf)) > 0)
            {
                sizes.Add(n);
                all.AddRange(buf.AsSpan(0, n * cols).ToArray());
            }
            Assert.Equal(x, all);
            Assert.Equal(15 * 64 + 40, sizes.Sum());
            Assert.Equal(40, sizes[^1]);
            Assert.Equal(1000, r.RowsRead);
            r.Reset();
        }
    }

    /// <summary>
    /// Oracle: written float32 values (rounded from float64) read back in chunks larger than the
    /// reader's 1 MiB scratch buffer (300 rows × 1000 columns = 300,000 floats per chunk); exact.
    /// </summary>
    [Fact]
    public void ChunkReader_Float32ChunksLargerThanScratch_AreExact()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "f4.npy");
        int rows = 700, cols = 1000;
        double[] x = Enumerable.Range(0, rows * cols).Select(i => (i % 9973) * 0.001 - 3).ToArray();
        using (var w = NpyWriter.Create(path, [rows, cols]))
        {
            for (int r0 = 0; r0 < rows; r0 += 100) w.WriteRows(x.AsSpan(r0 * cols, 100 * cols));
            w.Complete();
        }
        using var r = NpyChunkReader.Open(path);
        var buf = new double[300 * cols];
        int read = 0, n;
        while ((n = r.ReadRows(buf, 300)) > 0)
        {
            for (int i = 0; i < n * cols; i++) Assert.Equal((double)(float)x[read * cols + i], buf[i]);
            read += n;
        }
        Assert.Equal(rows, read);
    }

    [Fact]
    public void Read_NaN_NamesRowAndColumn()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "nan.npy");
        double[] x = new double[5 * 4];
        x[3 * 4 + 2] = double.NaN;
        NpyFile.Write(path, x, 5, 4);
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "NaN at row 3, column 2");
    }

    [Fact]
    public void ChunkReader_Infinity_NamesAbsoluteRow()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "inf.npy");
        double[] x = new double[200 * 3];
        x[130 * 3 + 1] = double.NegativeInfinity;
        NpyFile.Write(path, x, 200, 3, NpyDType.Float64);
        using var r = NpyChunkReader.Open(path);
        var buf = new double[64 * 3];
        ReaderAssert.UserError(() => { while (r.ReadRows(buf) > 0) { } }, path, "an infinite value at row 130, column 1");
    }

    [Fact]
    public void Read_TruncatedFile_IsRejectedWhenOpened()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "cut.npy");
        NpyFile.Write(path, new double[12], 3, 4);
        byte[] b = File.ReadAllBytes(path);
        File.WriteAllBytes(path, b[..^5]);
        ReaderAssert.UserError(() => NpyChunkReader.Open(path).Dispose(), path, "truncated data", "(3, 4) float32 needs 48 bytes", "has 43");
    }

    [Fact]
    public void Read_TruncatedNonSeekableStream_IsRejectedWhileReading()
    {
        using var ms = new MemoryStream();
        NpyFile.Write(ms, new double[12], [3, 4], NpyDType.Float64);
        byte[] b = ms.ToArray()[..^8];
        using var stream = new ForwardOnlyStream(new MemoryStream(b));
        ReaderAssert.UserError(() => NpyFile.Read(stream, "pipe:x"), "pipe:x", "truncated data", "needs 96 bytes");
    }

    [Fact]
    public void Read_NotNpy_IsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "x.npy");
        File.WriteAllText(path, "a,b\n1,2\n");
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "not a NumPy .npy file");
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'shape': (2, 3), }", "the key 'fortran_order' is missing")]
    [InlineData("{'descr' '<f8', 'fortran_order': False, 'shape': (2, 3), }", "malformed .npy header")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }", "non-negative integers")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3", "malformed .npy header")]
    [InlineData("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", "structured")]
    public void Read_BadHeader_IsRejected(string dict, string expected)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "h.npy");
        File.WriteAllBytes(path, [.. RawHeader(1, dict), .. new byte[48]]);
        ReaderAssert.UserError(() => NpyFile.Read(path), path, expected);
    }

    [Fact]
    public void Read_UnknownVersion_IsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "v4.npy");
        File.WriteAllBytes(path, RawHeader(4, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"));
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "unsupported .npy format version 4.0");
    }

    [Fact]
    public void Write_LengthNotMatchingShape_ThrowsAndWritesNothing()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "w.npy");
        var e = Assert.Throws<ArgumentException>(() => NpyFile.Write(path, new double[5], 2, 3));
        Assert.Contains("data has 5 values, shape (2, 3) needs 6", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Read_HugeShape_IsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "huge.npy");
        File.WriteAllBytes(path, RawHeader(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 2), }"));
        ReaderAssert.UserError(() => NpyFile.Read(path), path, "implausibly large");
    }

    [Fact]
    public void Writer_DisposedBeforeComplete_DeletesTheFile()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "partial.npy");
        using (var w = NpyWriter.Create(path, [10, 2]))
            w.WriteRows(new double[4]);
        Assert.False(File.Exists(path));
    }

    private static byte[] RawHeader(int major, string dict)
    {
        var text = Encoding.Latin1.GetBytes(dict + "\n");
        int lenBytes = major == 1 ? 2 : 4;
        var b = new byte[8 + lenBytes + text.Length];
        b[0] = 0x93; "NUMPY"u8.CopyTo(b.AsSpan(1));
        b[6] = (byte)major;
        if (lenBytes == 2) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)text.Length);
        text.CopyTo(b, 8 + lenBytes);
        return b;
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

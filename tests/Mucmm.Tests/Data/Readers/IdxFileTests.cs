using System.IO.Compression;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class IdxFileTests
{
    // The repository's own copy of the MNIST IDX files (the embedded resource; byte-identical to
    // the shared mnist-10k files), so these tests need no external data.
    private static string Resources => Path.Combine(TestPaths.RepoRoot, "src", "Mucmm", "Data", "Datasets", "Resources");
    private static string MnistLabels => Path.Combine(Resources, "labels-idx1-ubyte.gz");
    private static string MnistImages => Path.Combine(Resources, "images-idx3-ubyte.gz");

    /// <summary>
    /// Oracle: the first 20 labels of the MNIST labels-idx1-ubyte.gz (mnist-10k) as read by
    /// Python's gzip module (<c>list(gzip.open(p).read()[8:28])</c>, Python 3.11); exact.
    /// </summary>
    [Fact]
    public void ReadLabels_SharedMnist_MatchesPythonGzipReference()
    {
        byte[] labels = IdxFile.ReadLabels(MnistLabels);
        Assert.Equal(10000, labels.Length);
        byte[] expected = [3, 4, 2, 0, 6, 5, 1, 8, 0, 0, 8, 0, 1, 5, 2, 0, 3, 5, 4, 1];
        Assert.Equal(expected, labels[..20]);
        Assert.All(labels, l => Assert.InRange(l, (byte)0, (byte)9));
    }

    /// <summary>
    /// Oracle: Python's gzip on images-idx3-ubyte.gz: header 0x00000803, dims 10000×28×28, and the
    /// sum of the first image's 784 bytes is 30569 (<c>sum(d[16:16+784])</c>); exact.
    /// </summary>
    [Fact]
    public void ReadImages_SharedMnist_MatchesPythonGzipReference()
    {
        var images = IdxFile.ReadImages(MnistImages);
        Assert.Equal((10000, 28, 28), (images.Count, images.Height, images.Width));
        int sum = 0;
        foreach (byte b in images.Image(0)) sum += b;
        Assert.Equal(30569, sum);
    }

    /// <summary>Oracle: the written bytes (round trip raw, gzip detected by magic not extension, and a stream); exact.</summary>
    [Fact]
    public void Write_ThenRead_RoundTripsRawGzipAndStream()
    {
        string dir = TestPaths.NewTempDir();
        string raw = Path.Combine(dir, "a.idx");
        byte[] data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        IdxFile.Write(raw, [2, 3, 4], data);

        var a = IdxFile.Read(raw);
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal(data, a.Data);

        string gz = Path.Combine(dir, "compressed-without-extension");
        using (var outFile = File.Create(gz))
        using (var z = new GZipStream(outFile, CompressionLevel.Optimal))
            z.Write(File.ReadAllBytes(raw));
        Assert.Equal(data, IdxFile.Read(gz).Data);

        using var stream = new MemoryStream(File.ReadAllBytes(gz));
        var images = IdxFile.ReadImages(stream, "embedded:a");
        Assert.Equal((2, 3, 4), (images.Count, images.Height, images.Width));
        Assert.Equal(data[12..], images.Image(1).ToArray());
    }

    [Fact]
    public void Read_WrongMagic_NamesFileAndMagic()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "bad.idx");
        File.WriteAllBytes(path, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 1, 9]);
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "wrong magic number 0x504B0304");
    }

    [Fact]
    public void Read_UnsupportedTypeCode_NamesTheCode()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "float.idx");
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0x80, 0x3F]);
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "unsupported IDX data type code 0x0D (float32)");
    }

    [Fact]
    public void Read_TruncatedData_SaysHowMuchIsMissing()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "short.idx");
        File.WriteAllBytes(path, [0, 0, 0x08, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5]);
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "truncated IDX data", "needs 10 bytes", "found 5");
    }

    [Fact]
    public void Read_TruncatedHeader_IsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "header.idx");
        File.WriteAllBytes(path, [0, 0, 0x08, 3, 0, 0, 0, 10]);
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "truncated IDX header", "3 dimensions");
    }

    [Fact]
    public void Read_TruncatedGzip_IsRejected()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "labels.gz");
        byte[] gz = File.ReadAllBytes(MnistLabels);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "truncated");
    }

    [Fact]
    public void ReadImages_OnALabelFile_SaysItExpectsThreeDimensions()
    {
        ReaderAssert.UserError(() => IdxFile.ReadImages(MnistLabels), MnistLabels, "expected an idx3 image file", "1 dimension");
    }

    [Fact]
    public void Read_MissingFile_SaysNotFound()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "nope.idx");
        ReaderAssert.UserError(() => IdxFile.Read(path), path, "file not found");
    }
}

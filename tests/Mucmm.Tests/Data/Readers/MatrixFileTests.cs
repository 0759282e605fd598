using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class MatrixFileTests
{
    /// <summary>Oracle: the same 3×2 values written as .npy (float64) and as .csv read back identically; exact.</summary>
    [Fact]
    public void Read_DispatchesOnExtension()
    {
        string dir = TestPaths.NewTempDir();
        double[] x = [1, 2, 3.5, -4, 5, 6];
        string npy = Path.Combine(dir, "v.NPY");
        NpyFile.Write(npy, x, 3, 2, NpyDType.Float64);
        string csv = Path.Combine(dir, "v.csv");
        File.WriteAllText(csv, "p,q\n1,2\n3.5,-4\n5,6\n");

        var a = MatrixFile.Read(npy);
        var b = MatrixFile.Read(csv);
        Assert.Equal((3, 2), (a.Rows, a.Cols));
        Assert.Equal(x, a.Data);
        Assert.Null(a.ColumnNames);
        Assert.Equal((3, 2), (b.Rows, b.Cols));
        Assert.Equal(x, b.Data);
        Assert.Equal(["p", "q"], b.ColumnNames);
    }

    /// <summary>Oracle: the written values, streamed two rows at a time from both formats, then again after Reset; exact.</summary>
    [Fact]
    public void OpenRows_StreamsBothFormats()
    {
        string dir = TestPaths.NewTempDir();
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        string npy = Path.Combine(dir, "v.npy");
        NpyFile.Write(npy, x, 5, 2, NpyDType.Float64);
        string csv = Path.Combine(dir, "v.csv");
        File.WriteAllText(csv, "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n");
        foreach (string path in new[] { npy, csv })
        {
            using var r = MatrixFile.OpenRows(path);
            Assert.Equal((5L, 2), (r.Rows, r.Cols));
            for (int pass = 0; pass < 2; pass++)
            {
                var got = new List<double>();
                var buf = new double[4];
                int n;
                while ((n = r.ReadRows(buf)) > 0) got.AddRange(buf[..(n * 2)]);
                Assert.Equal(x, got);
                r.Reset();
            }
        }
    }

    [Theory]
    [InlineData("v.txt", "unsupported file type '.txt'")]
    [InlineData("v", "no file extension")]
    public void Read_OtherExtension_IsRejected(string name, string expected)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllText(path, "a\n1\n");
        ReaderAssert.UserError(() => MatrixFile.Read(path), path, expected, ".npy", ".csv");
    }
}

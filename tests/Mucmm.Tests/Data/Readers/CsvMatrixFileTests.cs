using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class CsvMatrixFileTests
{
    private static string Write(string text, string name = "m.csv")
    {
        string path = Path.Combine(TestPaths.NewTempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Oracle: the numbers written in the text (parsed in the invariant culture); exact.</summary>
    [Fact]
    public void Read_QuotedAndBareNames_ParsesNamesAndNumbers()
    {
        string path = Write("\"a, first\",b,\"say \"\"c\"\"\"\n1,2.5,-3e-2\n\n 4 , \"5\" ,6\r\n");
        var m = CsvMatrixFile.Read(path);
        Assert.Equal(["a, first", "b", "say \"c\""], m.ColumnNames);
        Assert.Equal((2, 3), (m.Rows, m.Cols));
        Assert.Equal([1, 2.5, -0.03, 4, 5, 6], m.Data);
        Assert.Equal([4.0, 5, 6], m.Row(1).ToArray());
    }

    [Fact]
    public void Read_RaggedRow_SaysLineRowAndCounts()
    {
        string path = Write("a,b,c,d\n1,2,3,4\n1,2,3\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 3 (data row 2) has 3 fields, the header has 4");
    }

    [Fact]
    public void Read_NonNumericCell_SaysRowAndColumnName()
    {
        string path = Write("x,y\n1,2\n3,abc\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 3 (data row 2), column 'y': 'abc' is not a number");
    }

    [Fact]
    public void Read_DecimalComma_IsNotANumber()
    {
        string path = Write("x\n\"1,5\"\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "column 'x': '1,5' is not a number");
    }

    [Theory]
    [InlineData("NaN", "is NaN")]
    [InlineData("Infinity", "is infinite")]
    [InlineData("-1e400", "is infinite")]
    public void Read_NonFinite_IsRejected(string cell, string expected)
    {
        string path = Write($"x,y\n1,2\n3,{cell}\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 3 (data row 2), column 'y' " + expected);
    }

    [Fact]
    public void Read_EmptyCell_IsRejected()
    {
        string path = Write("x,y\n1,\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 2 (data row 1), column 'y' is empty");
    }

    [Fact]
    public void Read_EmptyFile_IsRejected()
    {
        string path = Write("\n  \n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "the file is empty");
    }

    [Fact]
    public void Read_HeaderOnly_IsRejected()
    {
        string path = Write("x,y\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "no data rows");
    }

    [Fact]
    public void Read_NoHeader_IsRejected()
    {
        string path = Write("1,2\n3,4\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 1 should be a header");
    }

    [Fact]
    public void Read_UnterminatedQuote_IsRejected()
    {
        string path = Write("\"x,y\n1,2\n");
        ReaderAssert.UserError(() => CsvMatrixFile.Read(path), path, "line 1: unterminated quoted field");
    }
}

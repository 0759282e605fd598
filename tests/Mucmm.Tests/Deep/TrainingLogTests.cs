using Mucmm.Deep;
using Xunit;

namespace Mucmm.Tests.Deep;

public class TrainingLogTests
{
    /// <summary>
    /// Oracle: the rows written. The reader gives back every written value exactly (doubles in round-trip
    /// format; tolerance 0), the term columns in order of first appearance followed by the validation column,
    /// no value for a term a phase does not have or for a missing validation correlation, and the seconds
    /// column is not a term. The header is the one the report and the tests rely on.
    /// </summary>
    [Fact]
    public void WrittenLogReadsBackExactly()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), TrainingLog.FileName);
        var rows = new List<EpochMetrics>
        {
            new("pretrain", 1, [KeyValuePair.Create("reconstruction1", 0.1 / 3), KeyValuePair.Create("reconstruction2", 2.5e-17)], double.NaN, 1.234),
            new("train", 1, [KeyValuePair.Create("correlation", Math.PI), KeyValuePair.Create("loss", -Math.PI)], 1.0 / 7, 0.5),
            new("train", 2, [KeyValuePair.Create("correlation", Math.E), KeyValuePair.Create("loss", -Math.E)], 0.875, 0.25),
        };
        TrainingLog.Write(path, rows);
        Assert.Equal("phase,epoch,reconstruction1,reconstruction2,correlation,loss,validation_total_correlation,seconds", File.ReadLines(path).First());

        var (terms, read) = TrainingLog.Read(path);
        Assert.Equal(["reconstruction1", "reconstruction2", "correlation", "loss", "validation_total_correlation"], terms);
        Assert.Equal(rows.Count, read.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].Phase, read[i].Phase);
            Assert.Equal(rows[i].Epoch, read[i].Epoch);
            var expected = rows[i].Terms.ToDictionary(t => t.Key, t => t.Value);
            if (!double.IsNaN(rows[i].ValidationCorrelation)) expected["validation_total_correlation"] = rows[i].ValidationCorrelation;
            expected["seconds"] = Math.Round(rows[i].Seconds, 2);
            Assert.Equal(expected.OrderBy(p => p.Key), read[i].Values.OrderBy(p => p.Key));
        }
    }

    /// <summary>Oracle: the format's rule — a file whose header does not start with phase,epoch is refused as a user error naming the file.</summary>
    [Fact]
    public void ForeignCsvIsRefused()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), TrainingLog.FileName);
        File.WriteAllText(path, "a,b,c\n1,2,3\n");
        var e = Assert.Throws<MucmmUserException>(() => TrainingLog.Read(path));
        Assert.Contains("phase,epoch", e.Message);
    }
}

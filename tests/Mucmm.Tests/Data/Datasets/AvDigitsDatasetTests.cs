using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class AvDigitsDatasetTests
{
    private static readonly Lazy<PairedDataset> Default = new(() => AvDigitsDataset.Create(TestPaths.Fsdd, 0));

    /// <summary>
    /// Oracle: the FSDD folder's own content (../shared/data/README.md): 3,000 recordings,
    /// 6 speakers × 10 digits × 50 takes; the split rule 80/10/10 gives 2,400 / 300 / 300.
    /// </summary>
    [FsddFact]
    public void Has_the_documented_shapes_labels_and_split()
    {
        var data = Default.Value;
        Assert.Equal("av-digits", data.Name);
        Assert.Equal(3_000, data.Count);
        Assert.Equal(["audio", "handwritten"], data.Views.Select(v => v.Name));
        Assert.Equal(ViewKind.Spectrogram, data.Views[0].Kind);
        Assert.Equal([40, 64], data.Views[0].SampleShape);
        Assert.Equal([28, 28], data.Views[1].SampleShape);
        Assert.Equal(["digit", "speaker"], data.Labels.Keys);
        Assert.Empty(data.Factors);
        Assert.Equal(["image", "take"], data.Ids.Keys);
        Assert.Equal(["george", "jackson", "lucas", "nicolas", "theo", "yweweler"], data.LabelNames["speaker"]);
        var perCell = data.Labels["digit"].Zip(data.Labels["speaker"]).GroupBy(p => p).Select(g => g.Count()).ToArray();
        Assert.Equal(60, perCell.Length);
        Assert.All(perCell, c => Assert.Equal(50, c));
        Assert.Equal([2_400, 300, 300], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => data.RowsOf(s).Length));
        foreach (var split in new[] { Split.Train, Split.Validation, Split.Test })
            Assert.Equal(6, data.RowsOf(split).Select(i => data.Labels["speaker"][i]).Distinct().Count());
        DatasetCatalogTests.AssertMatches(DatasetCatalog.Describe("av-digits"), data);
    }

    [FsddFact]
    public void No_recording_and_no_image_appears_in_two_splits()
    {
        var data = Default.Value;
        var digit = data.Labels["digit"];
        var speaker = data.Labels["speaker"];
        var take = data.Ids["take"];
        var image = data.Ids["image"];
        var recordingSplits = Enumerable.Range(0, data.Count).GroupBy(i => (digit[i], speaker[i], take[i]));
        Assert.All(recordingSplits, g => Assert.Single(g.Select(i => data.Splits[i]).Distinct()));
        Assert.Equal(3_000, recordingSplits.Count());
        Assert.All(Enumerable.Range(0, data.Count).GroupBy(i => image[i]), g => Assert.Single(g.Select(i => data.Splits[i]).Distinct()));
        Assert.Equal(3_000, image.Distinct().Count()); // stronger: every image is used once

        var mnist = MnistDigits.Embedded;
        for (int i = 0; i < data.Count; i++)
        {
            Assert.Equal(digit[i], mnist.Labels[image[i]]);
            if (i % 97 == 0) Assert.Equal(mnist.Image(image[i]).ToArray(), data.Views[1].Row(i).ToArray());
        }
    }

    /// <summary>
    /// Oracle: the log-mel reader applied to the row's WAV file (named from digit, speaker name and
    /// take) gives the stored spectrogram exactly; rows are in digit, speaker, take order.
    /// </summary>
    [FsddFact]
    public void Audio_view_is_the_recordings_log_mel_spectrogram()
    {
        var data = Default.Value;
        var names = data.LabelNames["speaker"];
        var mel = new LogMelSpectrogram();
        foreach (int i in new[] { 0, 1_234, 2_999 })
        {
            string path = Path.Combine(TestPaths.Fsdd, "recordings",
                $"{data.Labels["digit"][i]}_{names[data.Labels["speaker"][i]]}_{data.Ids["take"][i]}.wav");
            Assert.Equal(mel.Compute(WavFile.Read(path), path), data.Views[0].Row(i).ToArray());
        }
        Assert.Equal("0_george_0.wav", $"{data.Labels["digit"][0]}_{names[data.Labels["speaker"][0]]}_{data.Ids["take"][0]}.wav");
        Assert.All(data.Views[0].Data, v => Assert.True(double.IsFinite(v)));
    }

    /// <summary>On a small copy of FSDD (2 speakers × 10 digits × 3 takes), so the three loads stay fast.</summary>
    [FsddFact]
    public void Same_seed_same_pairing_and_split()
    {
        string root = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(root, "recordings"));
        foreach (string speaker in new[] { "jackson", "theo" })
            for (int d = 0; d < 10; d++)
                for (int t = 0; t < 3; t++)
                {
                    string name = $"{d}_{speaker}_{t}.wav";
                    File.Copy(Path.Combine(TestPaths.Fsdd, "recordings", name), Path.Combine(root, "recordings", name));
                }
        var a = AvDigitsDataset.Create(root, 0);
        var b = AvDigitsDataset.Create(root, 0);
        var c = AvDigitsDataset.Create(root, 1);
        Assert.Equal(60, a.Count);
        Assert.Equal(["jackson", "theo"], a.LabelNames["speaker"]);
        Assert.Equal([48, 6, 6], new[] { Split.Train, Split.Validation, Split.Test }.Select(s => a.RowsOf(s).Length));
        Assert.Equal(a.Splits, b.Splits);
        Assert.Equal(a.Ids["image"], b.Ids["image"]);
        Assert.Equal(a.Views[0].Data, b.Views[0].Data);
        Assert.Equal(a.Views[1].Data, b.Views[1].Data);
        Assert.NotEqual(a.Splits, c.Splits);
        Assert.NotEqual(a.Ids["image"], c.Ids["image"]);
        Assert.Equal(a.Views[0].Data, c.Views[0].Data); // the audio does not depend on the seed
    }

    [Fact]
    public void Missing_or_wrong_folder_is_a_clear_user_error()
    {
        Assert.Contains("DatasetOptions.FsddDir", Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(null)).Message);
        string root = TestPaths.NewTempDir();
        string missing = Path.Combine(root, "nope");
        Assert.StartsWith(missing, Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(missing)).Message);
        var noRecordings = Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(root));
        Assert.StartsWith(root, noRecordings.Message);
        Assert.Contains("recordings/", noRecordings.Message);

        Directory.CreateDirectory(Path.Combine(root, "recordings"));
        Assert.Contains("no .wav", Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(root)).Message);

        string odd = Path.Combine(root, "recordings", "seven.wav");
        File.WriteAllBytes(odd, [0]);
        Assert.StartsWith(odd, Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(root)).Message);
        File.Delete(odd);

        string broken = Path.Combine(root, "recordings", "7_anna_0.wav");
        File.WriteAllBytes(broken, [1, 2, 3, 4]);
        Assert.StartsWith(broken, Assert.Throws<MucmmUserException>(() => AvDigitsDataset.Create(root)).Message);
    }
}

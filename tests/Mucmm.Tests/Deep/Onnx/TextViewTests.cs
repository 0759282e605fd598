using System.Text;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Deep.Onnx;
using Mucmm.Tests.Cli;
using Xunit;

namespace Mucmm.Tests.Deep.Onnx;

/// <summary>Text views (lines of a .txt file, a CSV column), their fingerprint, and the frozen-feature cache.</summary>
public class TextViewTests
{
    private static string WriteNumbers(string dir, string name, int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var data = Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble()).ToArray();
        string path = Path.Combine(dir, name);
        NpyFile.Write(path, data, rows, cols);
        return path;
    }

    /// <summary>
    /// A .txt view is one sample per line (byte-order mark skipped, \r\n and a final newline accepted, an empty line kept
    /// as an empty text), a <c>FILE.csv#COLUMN</c> view is one text per data row (quoted commas kept); both give views of
    /// kind Text whose texts are the lines/fields. Oracle: the texts written. Invalid UTF-8, an unknown column and a
    /// missing file are one-line errors naming the file (exit 2 at the command line, no output folder).
    /// </summary>
    [Fact]
    public void TextViewsReadLinesAndCsvColumnsAndRefuseInvalidUtf8()
    {
        string dir = TestPaths.NewTempDir();
        string[] texts = ["first line", "", "ünïcödé — ok", "a, b and c", "last"];
        string txt = Path.Combine(dir, "names.txt");
        File.WriteAllBytes(txt, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(string.Join("\r\n", texts) + "\r\n")]);
        string csv = Path.Combine(dir, "table.csv");
        File.WriteAllText(csv, "id,name,score\n" + string.Join("\n", texts.Select((t, i) => $"{i},\"{t.Replace("\"", "\"\"")}\",{i * 0.5}")) + "\n");
        string numbers = WriteNumbers(dir, "x.npy", texts.Length, 3, 1);

        var fromLines = PairedFiles.Load([numbers, txt], seed: 0);
        Assert.Equal(ViewKind.Text, fromLines.Views[1].Kind);
        Assert.Equal(texts, fromLines.Views[1].Texts);
        var fromColumn = PairedFiles.Load([numbers, csv + "#name"], seed: 0);
        Assert.Equal(ViewKind.Text, fromColumn.Views[1].Kind);
        Assert.Equal(texts, fromColumn.Views[1].Texts);
        // The same texts give the same fingerprint whichever file they come from; one changed text changes it.
        Assert.Equal(DataFingerprint.Of(fromLines).Sha256, DataFingerprint.Of(fromColumn).Sha256);
        File.WriteAllText(txt, string.Join("\n", texts.Select((t, i) => i == 3 ? "a, b and d" : t)) + "\n");
        Assert.NotEqual(DataFingerprint.Of(fromLines).Sha256, DataFingerprint.Of(PairedFiles.Load([numbers, txt], seed: 0)).Sha256);

        string bad = Path.Combine(dir, "bad.txt");
        File.WriteAllBytes(bad, [.. Encoding.UTF8.GetBytes("good\n"), 0xC3, 0x28, (byte)'\n', (byte)'x', (byte)'\n']);
        var e = Assert.Throws<MucmmUserException>(() => PairedFiles.Load([numbers, bad], seed: 0));
        Assert.Contains("bad.txt", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("no column 'nope'", Assert.Throws<MucmmUserException>(() => PairedFiles.Load([numbers, csv + "#nope"], seed: 0)).Message);

        string[] fit = ["fit", "--model", "linear", "--view1", numbers, "--common-dim", "1", "--individual-dim", "1"];
        foreach (var (view, expected) in new[] { (bad, "not valid UTF-8"), (csv + "#nope", "no column"), (Path.Combine(dir, "missing.txt"), "file not found") })
        {
            string outDir = Path.Combine(dir, "o" + Guid.NewGuid().ToString("N")[..6]);
            var r = CliHarness.Run([.. fit, "--view2", view, "--out", outDir]);
            Assert.True(r.ExitCode == 2, $"{view}: exit {r.ExitCode}: {r.Stderr}");
            Assert.Contains(expected, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.False(Directory.Exists(outDir));
        }
    }

    /// <summary>
    /// The feature cache: the first encoding computes the features (a miss: the progress callback runs) and writes an
    /// entry; the second reads it (a hit: no computation); an entry with one flipped byte, and a truncated one, are
    /// recomputed, not trusted. Oracle: the uncached forward (<see cref="ViewEncoders.Compute"/>) — every result equals it
    /// exactly (tolerance 0: entries are float64). Encoder: the ONNX fixture cnn_opset13 on 12 random (3, 12, 12) samples.
    /// </summary>
    [Fact]
    public void FeatureCacheHitsMissesAndRecomputesDamagedEntries()
    {
        string dir = TestPaths.NewTempDir();
        var cache = new FeatureCache(Path.Combine(dir, "cache"));
        var rng = new Random(3);
        var view = new View("images", ViewKind.Vector, [3, 12, 12], Enumerable.Range(0, 12 * 432).Select(_ => rng.NextDouble()).ToArray());
        string spec = ViewEncoders.Canonical("onnx:" + OnnxImportTests.Fixture("cnn_opset13.onnx"));
        var (oracle, width) = ViewEncoders.Compute(spec, view);
        Assert.Equal(5, width);

        int computed = 0;
        Action<int>? Counting(string what, int rows) { computed++; return null; }
        double[] Encode() => ViewEncoders.Encode(spec, view, cache, Counting).Data;

        Assert.Equal(oracle, Encode());                       // miss
        Assert.Equal(1, computed);
        string entry = cache.PathOf(ViewEncoders.KeyOf(spec, view));
        Assert.True(File.Exists(entry));
        Assert.Equal([entry], Directory.GetFiles(cache.Directory));   // no temporary left
        Assert.Equal(oracle, Encode());                       // hit
        Assert.Equal(1, computed);

        var bytes = File.ReadAllBytes(entry);
        bytes[40] ^= 0x01;                                     // a flipped bit in the features
        File.WriteAllBytes(entry, bytes);
        Assert.Equal(oracle, Encode());
        Assert.Equal(2, computed);
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..^10]);   // truncated
        Assert.Equal(oracle, Encode());
        Assert.Equal(3, computed);
        Assert.Equal(oracle, Encode());
        Assert.Equal(3, computed);

        // Another input (one value changed) or another encoder is another entry.
        var changed = new View("images", ViewKind.Vector, [3, 12, 12], view.Data.Select((v, i) => i == 0 ? v + 1 : v).ToArray());
        Assert.NotEqual(ViewEncoders.KeyOf(spec, view), ViewEncoders.KeyOf(spec, changed));
        Assert.NotEqual(ViewEncoders.KeyOf(spec, view), ViewEncoders.KeyOf(ViewEncoders.Canonical("onnx:" + OnnxImportTests.Fixture("cnn_opset9.onnx")), view));
    }

    /// <summary>
    /// Per-view encoders at the command line: <c>--encoder1 onnx:FILE</c> on a (n, 3, 12, 12) view, none on a vector view,
    /// with <c>--model linear</c>: fit.json records <c>options.encoders</c> = [onnx:ABSOLUTE, null], model/encoders.json the
    /// same, the linear model takes the 5 ONNX features; transform applies the encoder again (from the cache) and
    /// gives the variates of the inner model on the features (oracle: the saved model applied to
    /// <see cref="ViewEncoders.Compute"/>'s features, tolerance 1e-6 for the float32 .npy). Refused in one line (exit 2):
    /// --encoder3 with 2 views, a deep-only encoder for a linear model, minilm on numbers, resnet18 on a text view.
    /// </summary>
    [Fact]
    public void PerViewEncodersAreParsedRecordedAndHonoured()
    {
        string dir = TestPaths.NewTempDir();
        int n = 60;
        var rng = new Random(5);
        var images = Enumerable.Range(0, n * 432).Select(_ => rng.NextDouble()).ToArray();
        string v1 = Path.Combine(dir, "images.npy");
        NpyFile.Write(v1, images, [n, 3, 12, 12]);
        string v2 = WriteNumbers(dir, "x.npy", n, 4, 6);
        string onnx = OnnxImportTests.Fixture("cnn_opset13.onnx");
        string run = Path.Combine(dir, "run");
        var r = CliHarness.Run("fit", "--model", "linear", "--view1", v1, "--view2", v2, "--encoder1", "onnx:" + onnx,
            "--common-dim", "2", "--individual-dim", "1", "--quiet", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "fit.json")))!;
        var recorded = fit["options"]!["encoders"]!.AsArray();
        Assert.Equal("onnx:" + Path.GetFullPath(onnx), recorded[0]!.GetValue<string>());
        Assert.Null(recorded[1]);
        Assert.Equal(new string?[] { "onnx:" + Path.GetFullPath(onnx), null }, ViewEncoders.Load(Path.Combine(run, "model")));
        var model = ModelStore.Load(Path.Combine(run, "model"));
        Assert.Equal([5, 4], model.InputDims);

        string transformed = Path.Combine(dir, "t");
        r = CliHarness.Run("transform", "--model", run, "--split", "all", "--out", transformed);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var data = PairedFiles.Load([v1, v2], seed: 0);
        var features = ViewEncoders.Compute(ViewEncoders.Canonical("onnx:" + onnx), data.Views[0]).Features;
        var expected = model.Transform([new View("f", ViewKind.Vector, [5], features), data.Views[1]]).Common[0];
        var got = NpyFile.Read(Directory.GetFiles(transformed, "common*1*.npy").Single());
        var want = Mucmm.Numerics.LinearAlgebra.ToArray(expected);
        Assert.Equal(want.Length, got.Data.Length);
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got.Data[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])), $"{i}: {got.Data[i]} vs {want[i]}");

        string txt = Path.Combine(dir, "t.txt");
        File.WriteAllLines(txt, Enumerable.Range(0, n).Select(i => $"line {i}"));
        (string[] Args, string Expected)[] refused =
        [
            (["--view1", v1, "--view2", v2, "--encoder3", "resnet18"], "--encoder3"),
            (["--view1", v1, "--view2", v2, "--encoder1", "cnn"], "pretrained encoders only"),
            (["--view1", v1, "--view2", v2, "--encoder2", "minilm"], "encodes text views"),
            (["--view1", v2, "--view2", txt, "--encoder2", "resnet18"], "text view"),
        ];
        foreach (var (args, expectedText) in refused)
        {
            string outDir = Path.Combine(dir, "bad" + Guid.NewGuid().ToString("N")[..6]);
            r = CliHarness.Run(["fit", "--model", "linear", .. args, "--common-dim", "1", "--individual-dim", "1", "--quiet", "--out", outDir]);
            Assert.True(r.ExitCode == 2, $"{string.Join(" ", args)}: exit {r.ExitCode}: {r.Stderr}");
            Assert.Contains(expectedText, r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.False(Directory.Exists(outDir));
        }
    }
}

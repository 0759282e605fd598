using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Tests.Cli;
using Xunit;

namespace Mucmm.Tests.Reliability;

/// <summary>
/// docs/reliability.md sections 4 and 6: hopeless work is refused before it is done (shapes, memory,
/// endless files), defaults fit the data, and every bad input gives exit code 2 with one line naming the
/// file or the property — or the correct result. Data is tiny; each test takes seconds.
/// </summary>
public class BadInputTests
{
    private static string Dir() => TestPaths.NewTempDir();

    private static double[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    private static string Npy(string dir, string name, double[] data, params int[] shape)
    {
        string path = Path.Combine(dir, name);
        NpyFile.Write(path, data, shape, NpyDType.Float64);
        return path;
    }

    private static string Csv(string dir, string name, int rows, int cols, int seed, Func<int, int, string>? cell = null)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(string.Join(",", Enumerable.Range(0, cols).Select(c => $"c{c}"))).Append('\n');
        for (int i = 0; i < rows; i++)
            sb.Append(string.Join(",", Enumerable.Range(0, cols).Select(c => cell?.Invoke(i, c) ?? (rng.NextDouble() * 2 - 1).ToString("R", CultureInfo.InvariantCulture)))).Append('\n');
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>
    /// A float32 .npy of shape (rows, cols) whose data is a hole (all zeros, no disk blocks): only its header
    /// is ever read by the refusals below.
    /// </summary>
    private static string SparseNpy(string dir, string name, long rows, long cols)
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string padded = dict.PadRight(total - 10 - 1) + "\n";
        string path = Path.Combine(dir, name);
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)((total - 10) & 0xff), (byte)((total - 10) >> 8)]);
        f.Write(Encoding.Latin1.GetBytes(padded));
        f.SetLength(total + rows * cols * 4);
        return path;
    }

    private static CliResult Fit(params string[] args) =>
        CliHarness.Run(["fit", .. args, "--out", Path.Combine(Dir(), "run")]);

    /// <summary>Exit 2 and exactly one line on stderr containing every one of <paramref name="parts"/>.</summary>
    private static string AssertRefused(CliResult r, params string[] parts)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}{r.Stdout}");
        var line = Assert.Single(r.ErrorLines);
        foreach (var p in parts) Assert.Contains(p, line);
        return line;
    }

    private static T WithMemoryLimit<T>(string limit, Func<T> work)
    {
        string? old = Environment.GetEnvironmentVariable(MemoryBudget.LimitVariable);
        Environment.SetEnvironmentVariable(MemoryBudget.LimitVariable, limit);
        try
        {
            return work();
        }
        finally
        {
            Environment.SetEnvironmentVariable(MemoryBudget.LimitVariable, old);
        }
    }

    /// <summary>
    /// Issue 11 §4: a 50 × 20,000 view with --ridge 0 built 15.8 GB of d × d matrices before the "needs more
    /// samples than columns" check. The check now runs on the shapes first: refused at once, for streamed
    /// .npy files and for CSV files read into memory, with less than 100 MB allocated on the managed heap
    /// (the 50 × 20,000 CSV itself is 8 MB as float64; one 20,000² float64 block would be 3.2 GB).
    /// </summary>
    [Theory]
    [InlineData("npy")]
    [InlineData("csv")]
    public void RidgeZeroWideViewRefusedFromShapes(string format)
    {
        string dir = Dir();
        string v1 = format == "npy" ? SparseNpy(dir, "wide.npy", 50, 20000) : Csv(dir, "wide.csv", 50, 20000, 1, (_, _) => "0");
        string v2 = Csv(dir, "b.csv", 50, 3, 2);
        if (format == "npy") v2 = Npy(dir, "b.npy", Random(150, 2), 50, 3);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = Fit("--model", "cca", "--view1", v1, "--view2", v2, "--ridge", "0");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        AssertRefused(r, "ridge 0", "needs more samples than columns", "view 1 has 20000 columns");
        Assert.True(allocated < 100_000_000, $"allocated {allocated} bytes before refusing");
    }

    /// <summary>
    /// Issue 11 §4: the same 50 × 20,000 fit with the default ridge needs about 22.4 GB (estimate: the D × D
    /// statistics, D = 20,003, plus about 6 d₁² float64 of CCA and PCA blocks; 15.8 GB were measured); with 1 GiB available (MUCMM_MEMORY_LIMIT) it is refused
    /// before any statistics exist, and the one line gives the estimate and what is available.
    /// </summary>
    [Fact]
    public void WideFitRefusedWithMemoryEstimate()
    {
        string dir = Dir();
        string v1 = SparseNpy(dir, "wide.npy", 50, 20000);
        string v2 = Npy(dir, "b.npy", Random(150, 2), 50, 3);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = WithMemoryLimit("1G", () => Fit("--model", "cca", "--view1", v1, "--view2", v2));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        AssertRefused(r, "the linear fit needs about 22.4 GB of memory", "view widths 20000 and 3", "about 1.1 GB is available");
        Assert.True(allocated < 100_000_000, $"allocated {allocated} bytes before refusing");
    }

    /// <summary>
    /// Without any limit, a view far wider than any machine allows (10 × 1,000,000: 7 × D² float64 is 56 TB)
    /// is refused with the estimate, in the linear fit and in the statistics every other consumer builds.
    /// </summary>
    [Fact]
    public void HopelesslyWideViewRefused()
    {
        string dir = Dir();
        string v1 = SparseNpy(dir, "huge.npy", 10, 1_000_000);
        string v2 = Npy(dir, "b.npy", Random(30, 3), 10, 3);
        AssertRefused(Fit("--model", "cca", "--view1", v1, "--view2", v2), "needs about 56 TB of memory");
        var e = Assert.Throws<MucmmUserException>(() => new Mucmm.Numerics.CovarianceAccumulator([1_000_000, 3]));
        Assert.Contains("the covariance statistics needs about 40 TB", e.Message);
    }

    /// <summary>A deep fit whose rows, parameters and batches exceed the memory available is refused with the estimate.</summary>
    [Fact]
    public void DeepFitRefusedWithMemoryEstimate()
    {
        string dir = Dir();
        string v1 = Npy(dir, "a.npy", Random(120 * 6, 4), 120, 6);
        string v2 = Npy(dir, "b.npy", Random(120 * 5, 5), 120, 5);
        var r = WithMemoryLimit("1M", () => Fit("--model", "deep", "--view1", v1, "--view2", v2, "--batch-size", "40",
            "--common-dim", "2", "--individual-dim", "2", "--quiet"));
        AssertRefused(r, "the deep fit needs about", "MB of memory", "is available");
    }

    /// <summary>
    /// Issue 11 §4: CSV lines have a length cap. A view that is a link to /dev/zero (no line break, ever)
    /// is refused after reading at most 16 Mi characters: one line naming the file, exit 2.
    /// </summary>
    [Fact]
    public void EndlessCsvLineRefused()
    {
        if (!File.Exists("/dev/zero")) return;
        string dir = Dir();
        string zero = Path.Combine(dir, "zero.csv");
        File.CreateSymbolicLink(zero, "/dev/zero");
        string v2 = Csv(dir, "b.csv", 20, 3, 1);
        AssertRefused(Fit("--model", "cca", "--view1", zero, "--view2", v2), zero, "line 1 is longer than");
        AssertRefused(Fit("--model", "cca", "--view1", v2, "--view2", zero), zero, "line 1 is longer than");
    }

    /// <summary>The line reader still splits \n, \r\n and \r line breaks and keeps a last line without one.</summary>
    [Fact]
    public void CsvLineBreaksStillParse()
    {
        var m = CsvMatrixFile.Read(new MemoryStream(Encoding.UTF8.GetBytes("a,b\r\n1,2\r3,4\n\n5,6")), "mem.csv");
        Assert.Equal(3, m.Rows);
        Assert.Equal(new[] { 1.0, 2, 3, 4, 5, 6 }, m.Data);
    }

    /// <summary>
    /// Issue 11 §6: 2- and 3-column views failed with the default k = 10. Without --common-dim the fit uses
    /// k = min(10, d₁, d₂) = 2 (and r = what is left, 0 here) and says so in one line; the oracle is the
    /// saved model's dims. An explicit impossible value stays an error naming the property.
    /// </summary>
    [Theory]
    [InlineData("cca", "0")]
    [InlineData("linear", "1e-3")]
    public void NarrowViewsGetFittingDefaults(string model, string ridge)
    {
        string dir = Dir();
        string v1 = Csv(dir, "a.csv", 60, 2, 1), v2 = Csv(dir, "b.csv", 60, 3, 2);
        string outDir = Path.Combine(Dir(), "run");
        var r = CliHarness.Run("fit", "--model", model, "--view1", v1, "--view2", v2, "--ridge", ridge, "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var note = Assert.Single(r.ErrorLines);
        Assert.Contains("using k = 2 = min(10, view widths 2 and 3)", note);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model", "config.json")))!;
        Assert.Equal(2, config["common_dim"]!.GetValue<int>());
        Assert.Equal(0, config["individual_dims"]![0]!.GetValue<int>());

        AssertRefused(Fit("--model", model, "--view1", v1, "--view2", v2, "--ridge", ridge, "--common-dim", "10"),
            "common dim k = 10 is not possible", "min(d1, d2) = 2");
    }

    /// <summary>The individual default is lowered to what the views leave after k (here 7 − 2 and 4 − 2 = 2).</summary>
    [Fact]
    public void IndividualDefaultFitsTheViews()
    {
        string dir = Dir();
        string v1 = Csv(dir, "a.csv", 80, 7, 1), v2 = Csv(dir, "b.csv", 80, 4, 2);
        string outDir = Path.Combine(Dir(), "run");
        var r = CliHarness.Run("fit", "--view1", v1, "--view2", v2, "--common-dim", "2", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("using r = 2", Assert.Single(r.ErrorLines));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model", "config.json")))!;
        Assert.Equal("[2,2]", config["individual_dims"]!.ToJsonString());
    }

    /// <summary>Issue 11 §6: a view with 0 columns names the file (was "view widths must be positive"), streamed or read into memory.</summary>
    [Theory]
    [InlineData("npy")]
    [InlineData("csv")]
    public void ZeroColumnsNameTheFile(string other)
    {
        string dir = Dir();
        string empty = Npy(dir, "empty.npy", [], 50, 0);
        string v2 = other == "npy" ? Npy(dir, "b.npy", Random(150, 1), 50, 3) : Csv(dir, "b.csv", 50, 3, 1);
        AssertRefused(Fit("--view1", empty, "--view2", v2), empty, "0 columns");
    }

    /// <summary>Issue 11 §6: a 1-D array is reported as 1-D needing (n, d) (was a common-dim problem); a 0-d array as 0-d (was "has 1 rows").</summary>
    [Theory]
    [InlineData("npy")]
    [InlineData("csv")]
    public void OneAndZeroDimensionalArraysNamed(string other)
    {
        string dir = Dir();
        string v2 = other == "npy" ? Npy(dir, "b.npy", Random(150, 1), 50, 3) : Csv(dir, "b.csv", 50, 3, 1);
        string oneD = Npy(dir, "one.npy", Random(50, 2), 50);
        AssertRefused(Fit("--view1", oneD, "--view2", v2), oneD, "is a 1-D array of shape (50,)", "needs a 2-D (n, d) array");
        string zeroD = Npy(dir, "zero.npy", [3.0]);
        AssertRefused(Fit("--view1", v2, "--view2", zeroD), zeroD, "is a 0-d array");
    }

    /// <summary>
    /// Issue 11 §6: a value of 1e300 said "use a ridge > 0" although the ridge was set. It is refused when
    /// read, naming the file, row and column and saying the value is too large (CSV, and .npy streamed or
    /// read into memory).
    /// </summary>
    [Theory]
    [InlineData("csv")]
    [InlineData("npy")]
    [InlineData("npy-in-memory")]
    public void HugeValuesAreTooLarge(string format)
    {
        string dir = Dir();
        string bad = format == "csv"
            ? Csv(dir, "a.csv", 40, 3, 1, (i, c) => i == 7 && c == 1 ? "1e300" : ((i * 3 + c) % 5).ToString(CultureInfo.InvariantCulture))
            : Npy(dir, "a.npy", Random(120, 1).Select((v, i) => i == 7 * 3 + 1 ? 1e300 : v).ToArray(), 40, 3);
        string v2 = format == "npy" ? Npy(dir, "b.npy", Random(120, 2), 40, 3) : Csv(dir, "b.csv", 40, 3, 2);
        string line = AssertRefused(Fit("--view1", bad, "--view2", v2, "--ridge", "1e-3"), bad, "too large");
        Assert.Contains(format == "csv" ? "data row 8" : "row 7, column 1", line);
        Assert.DoesNotContain("ridge", line);
    }

    /// <summary>NaN and infinity name the file, the row and the column (CSV, streamed .npy, in-memory .npy).</summary>
    [Theory]
    [InlineData("csv", "NaN", "line 5 (data row 4), column 'c2' is NaN")]
    [InlineData("csv", "-Infinity", "line 5 (data row 4), column 'c2' is infinite")]
    [InlineData("npy", "NaN", "NaN at row 3, column 2")]
    [InlineData("npy-in-memory", "Infinity", "an infinite value at row 3, column 2")]
    public void NonFiniteValuesNamed(string format, string value, string where)
    {
        string dir = Dir();
        double v = double.Parse(value, CultureInfo.InvariantCulture);
        string bad = format == "csv"
            ? Csv(dir, "a.csv", 40, 3, 1, (i, c) => i == 3 && c == 2 ? value : "0.5")
            : Npy(dir, "a.npy", Random(120, 1).Select((x, i) => i == 3 * 3 + 2 ? v : x).ToArray(), 40, 3);
        string v2 = format == "npy" ? Npy(dir, "b.npy", Random(120, 2), 40, 3) : Csv(dir, "b.csv", 40, 3, 2);
        AssertRefused(Fit("--view1", bad, "--view2", v2), bad, where);
    }

    /// <summary>
    /// Issue 11 §6: the same file given as both views (also through a link, and streamed), or two files with
    /// identical values, is not an error but deserves a warning: every canonical correlation is 1. The
    /// fit succeeds (oracle: its first training correlation is 1 within 1e-6).
    /// </summary>
    [Theory]
    [InlineData("csv", "same")]
    [InlineData("npy", "same")]
    [InlineData("csv", "link")]
    [InlineData("csv", "copy")]
    public void IdenticalViewsWarn(string format, string how)
    {
        string dir = Dir();
        string a = format == "csv" ? Csv(dir, "a.csv", 60, 4, 1) : Npy(dir, "a.npy", Random(240, 1), 60, 4);
        string b = a;
        if (how == "link") File.CreateSymbolicLink(b = Path.Combine(dir, "link.csv"), a);
        if (how == "copy") File.Copy(a, b = Path.Combine(dir, "copy.csv"));
        string outDir = Path.Combine(Dir(), "run");
        var r = CliHarness.Run("fit", "--model", "cca", "--view1", a, "--view2", b, "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var warning = Assert.Single(r.ErrorLines, l => l.Contains("warning"));
        Assert.Contains("every canonical correlation will be 1", warning);
        var fit = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "fit.json")))!;
        Assert.Equal(1.0, fit["canonical_correlations"]![0]!.GetValue<double>(), 1e-6);
    }

    /// <summary>
    /// Issue 11 §6: a 3-D .npy of images (n, 8, 8) keeps its per-sample shape, so --encoder cnn works with
    /// file data; the saved model records the shapes [8, 8] and a CNN encoder (oracle: config.json). A
    /// 4-D (n, 1, 8, 8) view keeps [1, 8, 8] and also feeds the CNN.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImageNpyFeedsTheCnn(bool channelAxis)
    {
        string dir = Dir();
        int[] imageShape = channelAxis ? [120, 1, 8, 8] : [120, 8, 8];
        // Two image views sharing 2 latent factors: pixel (i, p) = Σⱼ zᵢⱼ baseⱼ(p) + noise, the bases mirrored in view 2.
        double[] z = Random(120 * 2, 1), bases = Random(2 * 64, 2), noise1 = Random(120 * 64, 3), noise2 = Random(120 * 64, 4);
        double Pixel(int i, int p, double[] noise) => z[2 * i] * bases[p] + z[2 * i + 1] * bases[64 + p] + 0.3 * noise[i * 64 + p];
        string images = Npy(dir, "imgs.npy", Enumerable.Range(0, 120 * 64).Select(j => Pixel(j / 64, j % 64, noise1)).ToArray(), imageShape);
        string images2 = Npy(dir, "imgs2.npy", Enumerable.Range(0, 120 * 64).Select(j => Pixel(j / 64, 63 - j % 64, noise2)).ToArray(), imageShape);
        string other = Npy(dir, "b.npy", Random(120 * 5, 2), 120, 5);
        string outDir = Path.Combine(Dir(), "run");
        var r = CliHarness.Run("fit", "--model", "deep", "--encoder", "cnn", "--view1", images, "--view2", images2,
            "--common-dim", "2", "--individual-dim", "2", "--epochs", "1", "--batch-size", "40", "--quiet", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model", "config.json")))!;
        Assert.Equal("cnn", config["encoder"]!.GetValue<string>());
        string shape = channelAxis ? "[1,8,8]" : "[8,8]";
        Assert.Equal($"[{shape},{shape}]", config["sample_shapes"]!.ToJsonString());

        // A vector view with the CNN is refused, naming the shape.
        AssertRefused(Fit("--model", "deep", "--encoder", "cnn", "--view1", images, "--view2", other, "--batch-size", "40",
            "--common-dim", "2", "--individual-dim", "2", "--quiet"), "CNN encoder needs 2-D samples", "[5]");
    }

    /// <summary>The view of an (n, H, W) .npy is an image view with sample shape [H, W]; flattening keeps the rows (linear models see d = H·W).</summary>
    [Fact]
    public void NpySampleShapeKeptInTheView()
    {
        string dir = Dir();
        string images = Npy(dir, "imgs.npy", Random(10 * 12, 1), 10, 3, 4);
        string vectors = Npy(dir, "b.npy", Random(10 * 5, 2), 10, 5);
        var data = PairedFiles.Load([images, vectors], seed: 0);
        Assert.Equal(new[] { 3, 4 }, data.Views[0].SampleShape);
        Assert.Equal(ViewKind.Image, data.Views[0].Kind);
        Assert.Equal(12, data.Views[0].Cols);
        Assert.Equal(new[] { 5 }, data.Views[1].SampleShape);
        var flat = data.Views[0].Flatten();
        Assert.Equal(new[] { 12 }, flat.SampleShape);
        Assert.Same(data.Views[0].Data, flat.Data);
    }
}

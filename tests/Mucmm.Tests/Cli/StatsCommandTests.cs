using System.IO.Compression;
using System.Text.Json.Nodes;
using Mucmm.Data.Readers;
using Mucmm.Linear;
using Mucmm.Numerics;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Cli;

/// <summary><c>mucmm stats</c>, <c>mucmm stats --merge</c> and <c>mucmm fit --stats</c> (issue 16, docs/statistics.md).</summary>
public class StatsCommandTests
{
    private static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", "stats", .. parts]);

    /// <summary>
    /// Done-when of issue 16: three shards computed separately — two by <c>mucmm stats</c>, the third written
    /// by plain NumPy running the block of docs/statistics.md (run here by /usr/bin/python3 when it has NumPy,
    /// else its committed output Fixtures/stats/shard3/stats.npz) — fitted with <c>fit --stats</c> (three
    /// files) and after <c>stats --merge</c>, give the fit on all rows in one pass (<c>fit --split all</c> on
    /// the concatenated files). Oracle: the one-pass fit; tolerance 1e-10 absolute on the canonical and
    /// regularized canonical correlations, 1e-8 relative on the common and individual variates of all rows
    /// (<see cref="LinearModel.Forward"/> of both saved models).
    /// </summary>
    [Fact]
    public void ThreeShardsMergedAndFittedEqualTheOnePassFit()
    {
        string root = TestPaths.NewTempDir();
        string s1 = Path.Combine(root, "shard1"), s2 = Path.Combine(root, "shard2"), s3 = Path.Combine(root, "shard3");
        StatsTestData.WriteShard(s1, 400, 1);
        StatsTestData.WriteShard(s2, 250, 2);
        Directory.CreateDirectory(s3);
        foreach (var f in new[] { "view1.npy", "view2.npy" }) File.Copy(Fixture("shard3", f), Path.Combine(s3, f));
        if (StatsTestData.PythonHas("numpy"))
        {
            var (code, output) = StatsTestData.RunPython(
                [Fixture("run_doc_numpy.py"), Path.Combine(TestPaths.RepoRoot, "docs", "statistics.md")], s3, TimeSpan.FromMinutes(2));
            Assert.True(code == 0, output);
        }
        else
        {
            File.Copy(Fixture("shard3", "stats.npz"), Path.Combine(s3, "stats.npz"));
        }

        foreach (var s in new[] { s1, s2 })
        {
            var r = CliHarness.Run("stats", "--view1", Path.Combine(s, "view1.npy"), "--view2", Path.Combine(s, "view2.npy"),
                "--out", Path.Combine(s, "stats.npz"), "--quiet");
            Assert.True(r.ExitCode == 0, r.Stderr);
        }
        string[] shardStats = [Path.Combine(s1, "stats.npz"), Path.Combine(s2, "stats.npz"), Path.Combine(s3, "stats.npz")];
        string all = Path.Combine(root, "all");
        StatsTestData.Concatenate([s1, s2, s3], all);

        string onePass = Path.Combine(root, "fit-rows"), fromStats = Path.Combine(root, "fit-stats"), fromMerged = Path.Combine(root, "fit-merged");
        string[] common = ["--model", "linear", "--common-dim", "2", "--individual-dim", "1"];
        var fit = CliHarness.Run(["fit", .. common, "--view1", Path.Combine(all, "view1.npy"), "--view2", Path.Combine(all, "view2.npy"),
            "--split", "all", "--out", onePass]);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        fit = CliHarness.Run(["fit", .. common, "--stats", shardStats[0], "--stats", shardStats[1], "--stats", shardStats[2], "--out", fromStats]);
        Assert.True(fit.ExitCode == 0, fit.Stderr);
        string merged = Path.Combine(root, "merged.npz");
        var m = CliHarness.Run(["stats", "--merge", .. shardStats, "--out", merged]);
        Assert.True(m.ExitCode == 0, m.Stderr);
        fit = CliHarness.Run(["fit", .. common, "--stats", merged, "--out", fromMerged]);
        Assert.True(fit.ExitCode == 0, fit.Stderr);

        var rows = File.ReadAllText(Path.Combine(onePass, "fit.json"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(fromStats, "fit.json")))!;
        Assert.Equal(950, json["n_samples"]!.GetValue<long>());
        Assert.Equal("statistics", json["fitted_from"]!.GetValue<string>());
        Assert.Equal("all", json["split"]!.GetValue<string>());
        var recorded = json["statistics"]!.AsArray();
        Assert.Equal(new long[] { 400, 250, 300 }, recorded.Select(x => x!["n"]!.GetValue<long>()));
        Assert.Equal(shardStats.Select(Path.GetFullPath), recorded.Select(x => x!["file"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(shardStats[2]))),
            recorded[2]!["sha256"]!.GetValue<string>());

        foreach (var dir in new[] { fromStats, fromMerged })
            foreach (var key in new[] { "canonical_correlations", "regularized_canonical_correlations" })
            {
                var want = StatsTestData.Numbers(onePass, key);
                var got = StatsTestData.Numbers(dir, key);
                Assert.Equal(want.Length, got.Length);
                Assert.True(want.Zip(got).All(p => Math.Abs(p.First - p.Second) <= 1e-10),
                    $"{dir} {key}: {string.Join(", ", got)} vs {string.Join(", ", want)}");
            }

        using var scope = NewDisposeScope();
        var x = new[] { "view1.npy", "view2.npy" }.Select(f => NpyFile.Read(Path.Combine(all, f)))
            .Select(a => LinearAlgebra.FromArray(a.Data, a.Shape[0], a.Shape[1])).ToArray();
        var expected = LinearModel.Load(Path.Combine(onePass, "model")).Forward(x);
        var actual = LinearModel.Load(Path.Combine(fromStats, "model")).Forward(x);
        for (int v = 0; v < 2; v++)
            foreach (var (e, a) in new[] { (expected.Common[v], actual.Common[v]), (expected.Individual[v], actual.Individual[v]) })
                Assert.True((e - a).abs().max().item<double>() <= 1e-8 * Math.Max(1, e.abs().max().item<double>()), $"view {v + 1} variates differ");
    }

    /// <summary>
    /// The file round trip is exact for M = 3 views (all six blocks comoment_a_b, a ≤ b): n, means and the
    /// whole co-moment read back bit for bit. Oracle: the written <see cref="CovarianceStats"/> (equality).
    /// The members are what NumPy expects: n.npy, mean_1..3.npy, comoment_a_b.npy, meta.npy, stored.
    /// </summary>
    [Fact]
    public void ThreeViewsRoundTripExactly()
    {
        string root = TestPaths.NewTempDir();
        var rng = new Random(5);
        var views = new[] { 3, 2, 4 }.Select((d, m) => V($"v{m}", 50, d, Enumerable.Range(0, 50 * d).Select(_ => rng.NextDouble() * 10 - 3).ToArray())).ToArray();
        var stats = CovarianceStats.FromViews(views);
        string path = Path.Combine(root, "s.npz");
        StatisticsFile.Write(path, stats, "{\"views\": [\"a\", \"b\", \"c\"]}");
        var back = StatisticsFile.Read(path);
        Assert.Equal(stats.Count, back.Stats.Count);
        Assert.Equal(stats.Dims, back.Stats.Dims);
        Assert.True(stats.Means.SequenceEqual(back.Stats.Means));
        Assert.True(stats.CoMoment.SequenceEqual(back.Stats.CoMoment));
        Assert.Equal("{\"views\": [\"a\", \"b\", \"c\"]}", back.Meta);
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(new[] { "n.npy", "mean_1.npy", "mean_2.npy", "mean_3.npy", "comoment_1_1.npy", "comoment_1_2.npy", "comoment_1_3.npy",
            "comoment_2_2.npy", "comoment_2_3.npy", "comoment_3_3.npy", "meta.npy" }, zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
    }

    /// <summary>
    /// <c>mucmm stats</c> on three views writes the statistics of <see cref="CovarianceStats.FromViews"/> of the
    /// same rows. Oracle: FromViews (in memory, the library's reference path); tolerance 1e-12 relative
    /// (both are float64 chunked sums; the files hold float64).
    /// </summary>
    [Fact]
    public void StatsOfThreeViewFilesMatchTheInMemoryStatistics()
    {
        string root = TestPaths.NewTempDir();
        var rng = new Random(9);
        var widths = new[] { 4, 3, 2 };
        var data = widths.Select(d => Enumerable.Range(0, 3000 * d).Select(_ => rng.NextDouble() + 0.5).ToArray()).ToArray();
        for (int m = 0; m < 3; m++) NpyFile.Write(Path.Combine(root, $"v{m + 1}.npy"), data[m], 3000, widths[m], NpyDType.Float64);
        string outFile = Path.Combine(root, "s.npz");
        var r = CliHarness.Run("stats", "--view1", Path.Combine(root, "v1.npy"), "--view2", Path.Combine(root, "v2.npy"),
            "--view3", Path.Combine(root, "v3.npy"), "--out", outFile, "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("n = 3000", r.Stdout);
        var got = StatisticsFile.Read(outFile).Stats;
        var want = CovarianceStats.FromViews(widths.Select((d, m) => V($"v{m}", 3000, d, data[m])).ToArray());
        Assert.Equal(want.Dims, got.Dims);
        Assert.Equal(3000, got.Count);
        double scale = want.CoMoment.ToArray().Max(Math.Abs);
        Assert.True(want.CoMoment.ToArray().Zip(got.CoMoment.ToArray()).All(p => Math.Abs(p.First - p.Second) <= 1e-12 * scale));
        Assert.True(want.Means.ToArray().Zip(got.Means.ToArray()).All(p => Math.Abs(p.First - p.Second) <= 1e-12));

        // The output exists now: refused without --force, replaced with it.
        r = CliHarness.Run("stats", "--view1", Path.Combine(root, "v1.npy"), "--view2", Path.Combine(root, "v2.npy"), "--out", outFile, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--force", r.Stderr);
        r = CliHarness.Run("stats", "--view1", Path.Combine(root, "v1.npy"), "--view2", Path.Combine(root, "v2.npy"), "--out", outFile, "--quiet", "--force");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(new[] { 4, 3 }, StatisticsFile.Read(outFile).Stats.Dims);
    }

    /// <summary>
    /// Every check of a statistics file is one line on standard error naming the file and the problem,
    /// exit 2 (docs/statistics.md lists them): widths that disagree between shards, a missing block, a
    /// negative diagonal, a non-symmetric block, n ≤ 1, NaN, not a zip, float32, n missing.
    /// </summary>
    [Theory]
    [InlineData("widths", "disagree")]
    [InlineData("missing-block", "'comoment_1_2' is missing")]
    [InlineData("negative", "negative diagonal")]
    [InlineData("asymmetric", "not symmetric")]
    [InlineData("one-row", "at least 2")]
    [InlineData("zero-rows", "'n' is 0")]
    [InlineData("nan", "holds NaN at [1]")]
    [InlineData("not-zip", "not a zip archive")]
    [InlineData("float32", "float64")]
    [InlineData("no-n", "'n'")]
    public void BadStatisticsAreOneLineErrors(string defect, string message)
    {
        string root = TestPaths.NewTempDir();
        string good = Path.Combine(root, "good.npz"), bad = Path.Combine(root, "bad.npz");
        var rng = new Random(3);
        var views = new[] { 3, 2 }.Select((d, m) => V($"v{m}", 20, d, Enumerable.Range(0, 20 * d).Select(_ => rng.NextDouble()).ToArray())).ToArray();
        StatisticsFile.Write(good, CovarianceStats.FromViews(views));
        File.Copy(good, bad);
        string[] files = [bad];
        switch (defect)
        {
            case "widths":
                var other = new[] { 3, 3 }.Select((d, m) => V($"w{m}", 20, d, new double[20 * d].Select(_ => rng.NextDouble()).ToArray())).ToArray();
                StatisticsFile.Write(bad, CovarianceStats.FromViews(other));
                files = [good, bad];
                break;
            case "missing-block": Edit(bad, zip => zip.GetEntry("comoment_1_2.npy")!.Delete()); break;
            case "negative": Replace(bad, "comoment_1_1", [3, 3], [1, 0, 0, 0, -2, 0, 0, 0, 1]); break;
            case "asymmetric": Replace(bad, "comoment_2_2", [2, 2], [1, 0.5, 0.2, 1]); break;
            case "one-row": StatisticsFile.Write(bad, CovarianceStats.FromViews(views.Select(v => V(v.Name, 1, v.Cols, v.Row(0).ToArray())).ToArray())); break;
            case "zero-rows": StatisticsFile.Write(bad, CovarianceStats.Empty([3, 2])); break;
            case "nan": Replace(bad, "mean_2", [2], [0.5, double.NaN]); break;
            case "not-zip": File.WriteAllText(bad, "n,mean\n3,1\n"); break;
            case "float32": Replace(bad, "mean_1", [3], [1, 2, 3], NpyDType.Float32); break;
            case "no-n": Edit(bad, zip => zip.GetEntry("n.npy")!.Delete()); break;
        }
        var r = CliHarness.Run(["fit", "--model", "cca", .. files.SelectMany(f => new[] { "--stats", f }), "--out", Path.Combine(root, "fit")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains(message, r.Stderr);
        if (defect != "one-row") Assert.Contains("bad.npz", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "fit")));
    }

    /// <summary>
    /// A run fitted from statistics keeps no rows: <c>evaluate</c> without data says so in one line (exit 2);
    /// with <c>--view1/--view2</c> it works. And <c>fit --stats</c> refuses data options and deep models.
    /// </summary>
    [Fact]
    public void AFitFromStatisticsNeedsDataToBeEvaluated()
    {
        string root = TestPaths.NewTempDir();
        string shard = Path.Combine(root, "shard");
        StatsTestData.WriteShard(shard, 300, 4);
        string s = Path.Combine(root, "s.npz"), run = Path.Combine(root, "run");
        string v1 = Path.Combine(shard, "view1.npy"), v2 = Path.Combine(shard, "view2.npy");
        Assert.Equal(0, CliHarness.Run("stats", "--view1", v1, "--view2", v2, "--out", s, "--quiet").ExitCode);
        var r = CliHarness.Run("fit", "--model", "cca", "--common-dim", "2", "--stats", s, "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);

        r = CliHarness.Run("evaluate", "--model", run, "--out", Path.Combine(root, "eval"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains("fitted from statistics", r.Stderr);
        Assert.Contains("--view1", r.Stderr);
        r = CliHarness.Run("evaluate", "--model", run, "--view1", v1, "--view2", v2, "--out", Path.Combine(root, "eval"));
        Assert.True(r.ExitCode == 0, r.Stderr);

        foreach (var args in new[]
        {
            new[] { "--model", "cca", "--view1", v1, "--view2", v2 },
            ["--model", "deep"],
            ["--model", "linear", "--permutations", "10"],
            ["--model", "cca", "--split", "test"],
        })
        {
            r = CliHarness.Run(["fit", .. args, "--stats", s, "--out", Path.Combine(root, "refused")]);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.ErrorLines);
        }
    }

    /// <summary>
    /// What <c>np.savez_compressed</c> and a transposed array give: deflated members, and a co-moment block
    /// saved in Fortran order (<c>'fortran_order': True</c>, column-major data) — read as the same statistics.
    /// Oracle: the statistics written (equality; the members' values are copied, not recomputed).
    /// </summary>
    [Fact]
    public void DeflatedAndFortranOrderMembersAreRead()
    {
        string root = TestPaths.NewTempDir();
        var rng = new Random(8);
        var views = new[] { 3, 2 }.Select((d, m) => V($"v{m}", 30, d, Enumerable.Range(0, 30 * d).Select(_ => rng.NextDouble()).ToArray())).ToArray();
        var stats = CovarianceStats.FromViews(views);
        string stored = Path.Combine(root, "stored.npz"), deflated = Path.Combine(root, "deflated.npz");
        StatisticsFile.Write(stored, stats);
        using (var from = ZipFile.OpenRead(stored))
        using (var to = ZipFile.Open(deflated, ZipArchiveMode.Create))
            foreach (var e in from.Entries)
            {
                using var target = to.CreateEntry(e.FullName, CompressionLevel.Optimal).Open();
                if (e.FullName != "comoment_1_2.npy")
                {
                    using var source = e.Open();
                    source.CopyTo(target);
                    continue;
                }
                // 3 × 2 block, column-major, with a hand-written NumPy 1.0 header.
                string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }";
                int total = (10 + dict.Length + 1 + 63) / 64 * 64;
                var header = new byte[total];
                new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(header, 0);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(total - 10));
                System.Text.Encoding.ASCII.GetBytes(dict.PadRight(total - 11) + "\n").CopyTo(header, 10);
                target.Write(header);
                var c = stats.CoMoment.ToArray();
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 3; i++) target.Write(BitConverter.GetBytes(c[i * 5 + 3 + j]));
            }
        using (var check = ZipFile.OpenRead(deflated))
            Assert.All(check.Entries, e => Assert.True(e.CompressedLength < e.Length, e.FullName));
        var back = StatisticsFile.Read(deflated).Stats;
        Assert.Equal(stats.Count, back.Count);
        Assert.True(stats.Means.SequenceEqual(back.Means));
        Assert.True(stats.CoMoment.SequenceEqual(back.CoMoment));
    }

    private static Mucmm.Data.View V(string name, int rows, int cols, double[] data)
    {
        Assert.Equal(rows * cols, data.Length);
        return new Mucmm.Data.View(name, Mucmm.Data.ViewKind.Vector, [cols], data);
    }

    private static void Edit(string path, Action<ZipArchive> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        edit(zip);
    }

    private static void Replace(string path, string member, int[] shape, double[] values, NpyDType dtype = NpyDType.Float64) =>
        Edit(path, zip =>
        {
            zip.GetEntry(member + ".npy")!.Delete();
            using var s = zip.CreateEntry(member + ".npy").Open();
            NpyFile.Write(s, values, shape, dtype);
        });
}

using Xunit;

namespace Mucmm.Tests.Cli;

public class DemoCommandTests
{
    /// <summary>
    /// The README's first command in its short form: the run folder holds model/, fit.json, train.csv,
    /// metrics.json, commands.txt and report.html, and the printed table names the probes. Slow (deep fit of
    /// 8 epochs on 8,000 pairs): about 20 s on 2 idle cores.
    /// Oracle (the dataset's ground truth): the digit is shared by both views and the rotation belongs to
    /// view 1 only, so even the quick model must predict the digit better from common than from view-1
    /// individual variates (measured 0.89 vs 0.22) and the rotation better from view-1 individual than from
    /// common variates (0.54 vs 0.02). Regression guard: a quick run once kept its warm-up (common-only)
    /// state, whose individual variates predicted the digit at 0.84.
    /// </summary>
    [Fact]
    public void Quick_demo_writes_a_complete_run_folder()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "demo");
        var r = CliHarness.Run("demo", "--quick", "--out", dir, "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        foreach (string f in new[] { "fit.json", "train.csv", "metrics.json", "commands.txt", "report.html", "model/config.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Contains("digit (accuracy)", r.Stdout);
        Assert.Contains("report: " + Path.Combine(dir, "report.html"), r.Stdout);
        Assert.DoesNotContain(".tmp-", File.ReadAllText(Path.Combine(dir, "report.html")));

        var probes = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!["probes"]!;
        double Probe(string target, string part) => probes[target]![part]!.GetValue<double>();
        Assert.True(Probe("digit", "common") > Probe("digit", "individual1") + 0.3,
            $"digit: common {Probe("digit", "common")}, individual1 {Probe("digit", "individual1")}");
        Assert.True(Probe("rotation", "individual1") > Probe("rotation", "common") + 0.2,
            $"rotation: common {Probe("rotation", "common")}, individual1 {Probe("rotation", "individual1")}");
    }

    [Fact]
    public void Existing_output_folder_is_refused_without_force()
    {
        string dir = TestPaths.NewTempDir();
        var r = CliHarness.Run("demo", "--quick", "--out", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("already exists", r.Stderr);
    }

    [Fact]
    public void Bad_threads_and_unknown_device_are_user_errors()
    {
        string root = TestPaths.NewTempDir();
        var r1 = CliHarness.Run("demo", "--quick", "--threads", "0", "--out", Path.Combine(root, "d"));
        Assert.Equal(2, r1.ExitCode);
        Assert.Contains("--threads", r1.Stderr);
        var r2 = CliHarness.Run("demo", "--device", "tpu", "--out", Path.Combine(root, "d"));
        Assert.Equal(2, r2.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }
}

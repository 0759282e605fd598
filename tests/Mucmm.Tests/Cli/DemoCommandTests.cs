using Xunit;

namespace Mucmm.Tests.Cli;

public class DemoCommandTests
{
    /// <summary>
    /// The README's first command in its short form: the run folder holds model/, fit.json, train.csv,
    /// metrics.json, commands.txt and report.html, and the printed table names the probes. Slow (deep fit of
    /// 3 epochs on 8,000 pairs): about a minute on 2 idle cores.
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

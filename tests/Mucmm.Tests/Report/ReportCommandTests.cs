using System.Text.RegularExpressions;
using Mucmm.Report;
using Mucmm.Tests.Cli;
using SkiaSharp;
using Xunit;

namespace Mucmm.Tests.Report;

public class ReportCommandTests
{
    private static string FitRun(string root)
    {
        string run = Path.Combine(root, "run");
        var r = CliHarness.Run("fit", "--model", "linear", "--dataset", "synthetic", "--samples", "1200",
            "--common-dim", "3", "--individual-dim", "3", "--seed", "2", "--out", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return run;
    }

    /// <summary>
    /// The page has every section of issue 6 (by id, in order), no external resource, and every embedded image
    /// decodes as a PNG with SkiaSharp (an independent decoder from the ScottPlot/Skia encoders that wrote them).
    /// metrics.json is computed when missing.
    /// </summary>
    [Fact]
    public void Report_has_every_section_and_every_image_decodes()
    {
        string root = TestPaths.NewTempDir();
        string run = FitRun(root);
        var r = CliHarness.Run("report", "--run", run, "--samples", "1200", "--samples-per-selection", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(Path.Combine(run, "metrics.json")));
        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        int last = -1;
        foreach (string id in ReportBuilder.SectionIds)
        {
            int at = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
            Assert.True(at > last, $"section {id} missing or out of order");
            last = at;
        }
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        var images = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"");
        // spectrum, variance, 3 histograms, 3 scores × top/bottom sample figures, 2 views × atlas
        Assert.True(images.Count >= 13, $"{images.Count} images");
        // The atlas: k = r = 3 variates per view, all within the 3 shown open, so nothing is collapsed.
        Assert.Contains("Atlas of single variates", html);
        Assert.DoesNotContain("more variates of view", html);
        foreach (Match m in images)
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 100 && bitmap.Height > 50);
        }
        Assert.Contains("mucmm fit --model linear --dataset synthetic", html);
        Assert.Contains("mucmm report --run", html);
    }

    [Fact]
    public void Existing_report_without_force_and_a_folder_that_is_not_a_run_are_user_errors()
    {
        string root = TestPaths.NewTempDir();
        var notRun = CliHarness.Run("report", "--run", root);
        Assert.Equal(2, notRun.ExitCode);
        Assert.Contains("not a run folder", notRun.Stderr);

        string run = FitRun(root);
        File.WriteAllText(Path.Combine(run, "report.html"), "old");
        var exists = CliHarness.Run("report", "--run", run, "--samples", "1200");
        Assert.Equal(2, exists.ExitCode);
        Assert.Contains("--force", exists.Stderr);
        Assert.Equal("old", File.ReadAllText(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void Data_that_does_not_fit_the_run_is_a_user_error()
    {
        string root = TestPaths.NewTempDir();
        string run = FitRun(root);
        var r = CliHarness.Run("report", "--run", run, "--dataset", "noisy-mnist");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("784", r.Stderr);
        Assert.False(File.Exists(Path.Combine(run, "report.html")));
    }
}

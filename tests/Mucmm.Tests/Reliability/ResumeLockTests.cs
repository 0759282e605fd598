using System.Diagnostics;
using Mucmm.Data.Readers;
using Mucmm.Tests.Cli;
using Xunit;

namespace Mucmm.Tests.Reliability;

/// <summary>
/// Issue 11, section 3 (resumes and concurrent runs; docs/reliability.md §3): a deep fit's checkpoint records its
/// options and the fingerprint of its data, and a <c>--resume</c> that differs is refused naming the option; two
/// fits into the same <c>--out</c> cannot share the checkpoint folder: the second refuses at once.
/// </summary>
public class ResumeLockTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Two paired 600 × 8 .npy files (equal widths, so swapping them changes only the values).</summary>
    private static (string A, string B) Files(string root)
    {
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(600, 8, 8, seed: 11);
        string a = Path.Combine(root, "a.npy"), b = Path.Combine(root, "b.npy");
        NpyFile.Write(a, x.Data, x.Rows, x.Cols, NpyDType.Float64);
        NpyFile.Write(b, y.Data, y.Rows, y.Cols, NpyDType.Float64);
        return (a, b);
    }

    /// <summary>A small deep fit (by default 1,000 epochs of ≈ 0.1 s: it runs until killed).</summary>
    private static string[] Fit(string a, string b, string outDir, int commonDim = 2, int epochs = 1000, params string[] extra) =>
    [
        "fit", "--model", "deep", "--view1", a, "--view2", b, "--common-dim", $"{commonDim}", "--individual-dim", "2", "--epochs", $"{epochs}",
        "--batch-size", "100", "--patience", "0", "--quiet", "--threads", "1", "--out", outDir, .. extra,
    ];

    /// <summary>Starts the fit as a child process and waits until its first checkpoint is complete.</summary>
    private static ChildCli StartAndWaitForCheckpoint(string[] args, string outDir)
    {
        var child = CliHarness.Start(args);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(outDir + ".checkpoint", "checkpoint", "state.json")))
        {
            Assert.False(child.HasExited, $"the fit ended before its first checkpoint; output:\n{child.Output}");
            Assert.True(clock.Elapsed < Timeout, $"no checkpoint after {Timeout.TotalSeconds:F0} s; output:\n{child.Output}");
            Thread.Sleep(20);
        }
        return child;
    }

    /// <summary>
    /// The reproductions: after a kill, <c>--resume</c> with another <c>--lr</c> or the views swapped continued
    /// silently (fit.json then lied) and another <c>--common-dim</c> crashed. Each is now exit 2, one line naming
    /// the option (or the data), and the checkpoint is left as it was. Resuming with the interrupted run's options
    /// works (here with fewer epochs, which the constant schedule allows: the run ends at once) — also showing that
    /// the killed process's lock does not block.
    /// </summary>
    [Fact]
    public void Resume_with_other_options_or_data_is_refused_naming_them()
    {
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "run");
        var (a, b) = Files(root);
        using (var child = StartAndWaitForCheckpoint(Fit(a, b, outDir), outDir)) child.Kill();
        string state = Path.Combine(outDir + ".checkpoint", "checkpoint", "state.json");
        string before = File.ReadAllText(state);

        foreach (var (args, needle) in new (string[], string)[]
        {
            (Fit(a, b, outDir, extra: ["--resume", "--lr", "0.01"]), "--lr is 0.01 now but was 0.003"),
            (Fit(b, a, outDir, extra: ["--resume"]), "the data differ"),
            (Fit(a, b, outDir, commonDim: 3, extra: ["--resume"]), "--common-dim is 3 now but was 2"),
        })
        {
            var r = CliHarness.Run(args);
            Assert.True(r.ExitCode == 2, $"{needle}: exit {r.ExitCode}; {r.Stderr}");
            // The first refused run may also say that it removed the killed child's temporary output folder.
            Assert.Single(r.ErrorLines, l => !l.Contains("cleaned up", StringComparison.Ordinal));
            Assert.Contains(needle, r.Stderr);
            Assert.Contains("--resume", r.Stderr);
            Assert.Equal(before, File.ReadAllText(state));
            Assert.False(Directory.Exists(outDir));
        }

        var done = CliHarness.Run(Fit(a, b, outDir, epochs: 1, extra: ["--resume"]));
        Assert.True(done.ExitCode == 0, done.Stderr);
        Assert.True(File.Exists(Path.Combine(outDir, "fit.json")));
        Assert.False(Directory.Exists(outDir + ".checkpoint"));
    }

    /// <summary>
    /// A refused resume names the command-line option of the setting that differs: every setting of the deep
    /// option records (leaves of their JSON form, the paths <see cref="Mucmm.Deep.DeepTrainer.ResumeDifference"/>
    /// reports) maps (as a property, <see cref="Mucmm.Deep.SettingDifference.Property"/>) to a "--" option through <see cref="Mucmm.Cli.OptionNames.FlagOf"/>, except the settings
    /// no option sets (listed here), so a new option cannot be reported by its property path only.
    /// </summary>
    [Fact]
    public void Every_resume_setting_names_its_option()
    {
        string[] noOption =
        [
            "model.encoder_hidden", "model.cnn_features", "model.head_hidden", "model.decoder_hidden",
            "training.objective.ridge", "training.objective.common_from_correlation_only",
        ];
        static IEnumerable<string> Leaves(System.Text.Json.Nodes.JsonNode? node, string path) => node is System.Text.Json.Nodes.JsonObject o
            ? o.SelectMany(p => Leaves(p.Value, $"{path}.{p.Key}"))
            : [path];
        var settings = Leaves(SettingsJson.ToNode(new Mucmm.Deep.DeepModelOptions()), "model")
            .Concat(Leaves(SettingsJson.ToNode(new Mucmm.Deep.DeepTrainingOptions()), "training")).ToArray();
        Assert.Contains("training.learning_rate", settings);
        foreach (string setting in settings.Except(noOption))
            Assert.True(Mucmm.Cli.OptionNames.FlagOf(new Mucmm.Deep.SettingDifference(setting, "").Property).StartsWith("--", StringComparison.Ordinal),
                $"{setting} has no command-line option in OptionNames.Flags");
    }

    /// <summary>
    /// Two deep fits into the same --out shared one checkpoint folder and one died with an IOException. While a
    /// fit runs (a child process), a second one into the same --out — with or without --resume — refuses at once
    /// (exit 2, one line) and touches nothing; the first keeps running. Once the first is killed, its lock is gone
    /// with it (an OS file lock), so the next fit is not blocked.
    /// </summary>
    [Fact]
    public void A_second_fit_into_the_same_out_refuses_at_once()
    {
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "run");
        var (a, b) = Files(root);
        using (var first = StartAndWaitForCheckpoint(Fit(a, b, outDir), outDir))
        {
            foreach (var args in new[] { Fit(a, b, outDir), Fit(a, b, outDir, extra: ["--resume"]) })
            {
                var r = CliHarness.Run(args);
                Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}; {r.Stderr}");
                Assert.Single(r.ErrorLines);
                Assert.Contains("another fit is running", r.Stderr);
                Assert.Contains(outDir + ".checkpoint", r.Stderr);
            }
            Assert.False(first.HasExited, $"the first fit must keep running; output:\n{first.Output}");
            Assert.False(Directory.Exists(outDir));
            first.Kill();
        }
        var next = CliHarness.Run(Fit(a, b, outDir, epochs: 1, extra: ["--resume"]));
        Assert.True(next.ExitCode == 0, next.Stderr);
    }
}

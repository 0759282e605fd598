using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mucmm.Cli;
using Mucmm.Data;
using Mucmm.Data.Readers;
using Mucmm.Tests.Cli;
using Xunit;

namespace Mucmm.Tests.Reliability;

/// <summary>
/// Issue 11, sections 1, 4 (report target) and 5 (docs/reliability.md): <c>--force</c> never destroys what the command
/// did not write, in-place file writes refuse a folder in the way and leave no temporary file, and interrupted or
/// killed runs leave nothing behind. Every refusal is one line on stderr, exit 2, and leaves the file tree unchanged
/// (compared by a snapshot of every path and its SHA-256). Data: two 60 × 3 .npy views, fitted with linear CCA (k = 1).
/// </summary>
public class OutputSafetyTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);

    // ---------- section 1: --force never destroys what the command did not write ----------

    /// <summary>Reproduction: <c>cd sb; mucmm fit --view1 good1.npy --view2 good2.npy --out . --force</c> deleted the whole current folder.</summary>
    [Fact]
    public void Out_dot_with_force_from_the_folder_holding_the_inputs_is_refused()
    {
        string sandbox = Sandbox();
        File.WriteAllText(Path.Combine(sandbox, "notes.txt"), "my thesis notes");
        var before = Snapshot(sandbox);
        var r = RunIn(sandbox, "fit", "--model", "cca", "--view1", "good1.npy", "--view2", "good2.npy", "--common-dim", "1", "--out", ".", "--force");
        AssertRefused(r, "current folder");
        Assert.Equal(before, Snapshot(sandbox));
    }

    /// <summary>
    /// The current folder is refused even when mucmm wrote it (it carries the marker), and so is every ancestor of it,
    /// the root folder and the home folder.
    /// </summary>
    [Fact]
    public void Current_folder_its_ancestors_root_and_home_are_never_replaced()
    {
        string root = TestPaths.NewTempDir(), inputs = Sandbox();
        string run = Path.Combine(root, "run");
        Fit(inputs, run).AssertOk();
        string sub = Path.Combine(run, "sub");
        Directory.CreateDirectory(sub);
        var before = Snapshot(root);
        string[] fit = ["fit", "--model", "cca", "--view1", Path.Combine(inputs, "good1.npy"), "--view2", Path.Combine(inputs, "good2.npy"), "--common-dim", "1", "--force", "--out"];

        AssertRefused(RunIn(run, [.. fit, "."]), "current folder");
        AssertRefused(RunIn(sub, [.. fit, ".."]), "contains the current folder");
        AssertRefused(RunIn(sub, [.. fit, run]), "contains the current folder");
        AssertRefused(CliHarness.Run([.. fit, "/"]), "root folder");
        Assert.Equal(before, Snapshot(root));

        // Through a symbolic link: the link is resolved before the comparison.
        if (!OperatingSystem.IsWindows())
        {
            string link = Path.Combine(TestPaths.NewTempDir(), "link");
            Directory.CreateSymbolicLink(link, run);
            AssertRefused(RunIn(run, [.. fit, link]), "current folder");
            AssertRefused(RunIn(sub, [.. fit, link]), "contains the current folder");
            Assert.Equal(before, Snapshot(root));
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0 && Directory.Exists(home))
        {
            var r = CliHarness.Run([.. fit, home]);
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.ErrorLines);
            Assert.True(r.Stderr.Contains("home folder", StringComparison.Ordinal) || r.Stderr.Contains("current folder", StringComparison.Ordinal), r.Stderr);
        }
    }

    /// <summary>Reproduction: <c>mucmm fit --view1 d/good1.npy --view2 d/good2.npy --out d --force</c> deleted the input files; also when d carries the marker.</summary>
    [Fact]
    public void Out_folder_holding_the_inputs_is_refused_even_when_mucmm_wrote_it()
    {
        string root = TestPaths.NewTempDir(), d = Path.Combine(root, "d");
        // d is a transform output (it carries the marker), and the next command reads its files.
        Fit(Sandbox(), Path.Combine(root, "run")).AssertOk();
        CliHarness.Run("transform", "--model", Path.Combine(root, "run"), "--view1", Path.Combine(Sandbox(), "good1.npy"),
            "--view2", Path.Combine(Sandbox(), "good2.npy"), "--out", d).AssertOk();
        Assert.True(OutputFolder.IsMarked(d));
        var before = Snapshot(root);
        var r = CliHarness.Run("fit", "--model", "cca", "--view1", Path.Combine(d, "common1.npy"), "--view2", Path.Combine(d, "common2.npy"),
            "--common-dim", "1", "--out", d, "--force");
        AssertRefused(r, "an input of this command");
        Assert.Contains("common1.npy", r.Stderr);
        Assert.Equal(before, Snapshot(root));

        string plain = Sandbox();
        before = Snapshot(plain);
        r = CliHarness.Run("fit", "--model", "cca", "--view1", Path.Combine(plain, "good1.npy"), "--view2", Path.Combine(plain, "good2.npy"),
            "--common-dim", "1", "--out", plain, "--force");
        AssertRefused(r, "an input of this command");
        Assert.Equal(before, Snapshot(plain));
    }

    /// <summary>Reproduction: <c>mucmm transform --model X --view1 … --out X --force</c> destroyed the model it was reading (also via X/model).</summary>
    [Fact]
    public void Transform_into_the_model_it_reads_is_refused()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox(), x = Path.Combine(root, "X");
        Fit(data, x).AssertOk();
        var before = Snapshot(root);
        string[] views = ["--view1", Path.Combine(data, "good1.npy"), "--view2", Path.Combine(data, "good2.npy")];
        AssertRefused(CliHarness.Run(["transform", "--model", x, .. views, "--out", x, "--force"]), "is an input of this command");
        AssertRefused(CliHarness.Run(["transform", "--model", Path.Combine(x, "model"), .. views, "--out", x, "--force"]), "an input of this command");
        // Inside the model folder: replacing X/model (an existing folder inside the input X) is refused too.
        AssertRefused(CliHarness.Run(["transform", "--model", x, .. views, "--out", Path.Combine(x, "model"), "--force"]), "");
        Assert.Equal(before, Snapshot(root));
        Assert.Equal(0, CliHarness.Run(["transform", "--model", x, .. views, "--out", Path.Combine(root, "variates")]).ExitCode);
    }

    /// <summary>
    /// Reproduction: <c>--force</c> replaced any existing folder, even one no mucmm command wrote (or an older mucmm
    /// wrote, without the marker): refused, the message says so and that it must be removed by hand.
    /// </summary>
    [Fact]
    public void Force_on_a_folder_mucmm_did_not_write_is_refused()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox(), mine = Path.Combine(root, "thesis");
        Directory.CreateDirectory(Path.Combine(mine, "chapters"));
        File.WriteAllText(Path.Combine(mine, "chapters", "one.tex"), "\\chapter{One}");
        var before = Snapshot(root);
        var r = Fit(data, mine, "--force");
        AssertRefused(r, "not written by mucmm");
        Assert.Contains("remove it by hand", r.Stderr);
        Assert.Equal(before, Snapshot(root));

        // Without --force the existing folder is refused as before.
        AssertRefused(Fit(data, mine), "--force");
        Assert.Equal(before, Snapshot(root));
    }

    /// <summary>A forced replace of a genuine output folder (it carries the marker, holds no input) still works; the marker records the command.</summary>
    [Fact]
    public void Forced_replace_of_a_marked_output_folder_works()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox(), run = Path.Combine(root, "run");
        Fit(data, run).AssertOk();
        File.WriteAllText(Path.Combine(run, "stale.txt"), "from before");
        Fit(data, run, "--force").AssertOk();
        Assert.False(File.Exists(Path.Combine(run, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(run, "fit.json")));
        var marker = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, OutputFolder.MarkerFile)))!;
        Assert.Equal("mucmm", marker["tool"]!.GetValue<string>());
        Assert.Equal("fit", marker["command"]!.GetValue<string>());
        Assert.Equal(["run"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    /// <summary>
    /// The inputs are every value of the parse result that names an existing path, without a per-command list: also
    /// the path after <c>torchscript:</c> in <c>--encoder</c>, and the images an image manifest lists (outside its folder
    /// too); the <c>--out</c> value itself is not an input.
    /// </summary>
    [Fact]
    public void Inputs_are_collected_from_every_option_including_encoder_paths_and_manifest_entries()
    {
        string root = TestPaths.NewTempDir();
        string images = Path.Combine(root, "images"), manifests = Path.Combine(root, "manifests");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(manifests);
        File.WriteAllText(Path.Combine(images, "a.png"), "");
        File.WriteAllText(Path.Combine(images, "b.png"), "");
        string manifest = Path.Combine(manifests, "pairs.csv");
        File.WriteAllText(manifest, "view1,view2,digit\n../images/a.png,../images/b.png,3\n");
        string encoder = Path.Combine(root, "enc.pt");
        File.WriteAllText(encoder, "");
        string outDir = Path.Combine(root, "out");
        Directory.CreateDirectory(outDir);

        var manifestOption = new Option<string>("--manifest");
        var encoderOption = new Option<string>("--encoder");
        var output = new OutputOptions();
        var command = new Command("x") { manifestOption, encoderOption };
        output.AddTo(command);
        var parse = new RootCommand { command }.Parse(["x", "--manifest", manifest, "--encoder", "torchscript:" + encoder, "--out", outDir]);
        var inputs = CommandInputs.Of(parse, output.Out);
        Assert.Contains(Path.GetFullPath(manifest), inputs);
        Assert.Contains(Path.GetFullPath(encoder), inputs);
        Assert.Contains(Path.Combine(images, "a.png"), inputs);
        Assert.Contains(Path.Combine(images, "b.png"), inputs);
        Assert.DoesNotContain(outDir, inputs);

        // At the command line: a folder holding the TorchScript file named in --encoder is refused before any work.
        string data = Sandbox();
        var r = CliHarness.Run("fit", "--model", "deep", "--view1", Path.Combine(data, "good1.npy"), "--view2", Path.Combine(data, "good2.npy"),
            "--encoder", "torchscript:" + encoder, "--out", root, "--force");
        AssertRefused(r, "enc.pt");
    }

    /// <summary>Library level: <see cref="OutputFolder.Create"/> refuses a target that is, contains or (with force) lies inside an input.</summary>
    [Fact]
    public void Library_refuses_targets_that_would_destroy_an_input()
    {
        string root = TestPaths.NewTempDir();
        string marked = Path.Combine(root, "marked");
        OutputFolder.Write(marked, false, f => File.WriteAllText(f.File("data.npy"), "x"));
        string input = Path.Combine(marked, "data.npy");
        var before = Snapshot(root);

        Assert.Contains("an input", Assert.Throws<MucmmUserException>(() => OutputFolder.Create(marked, true, [input])).Message);
        Assert.Contains("is an input", Assert.Throws<MucmmUserException>(() => OutputFolder.Create(marked, true, [marked])).Message);
        string inner = Path.Combine(marked, "inner");
        OutputFolder.Write(inner, false, f => File.WriteAllText(f.File("y"), "y"));
        before = Snapshot(root);
        Assert.Contains("is inside", Assert.Throws<MucmmUserException>(() => OutputFolder.Create(inner, true, [marked])).Message);
        Assert.Equal(before, Snapshot(root));

        // A new folder inside an input folder is fine (nothing is replaced); so is a marked folder beside the inputs.
        OutputFolder.Write(Path.Combine(marked, "new"), false, [marked], f => File.WriteAllText(f.File("z"), "z"));
        OutputFolder.Write(inner, true, [input], f => File.WriteAllText(f.File("z"), "z"));
        Assert.True(File.Exists(Path.Combine(inner, "z")));
    }

    /// <summary><c>score --out DIR --force</c> never replaces a folder holding one of its own inputs.</summary>
    [Fact]
    public void Score_out_onto_an_input_folder_is_refused()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox(), run = Path.Combine(root, "run");
        Fit(data, run).AssertOk();
        var before = Snapshot(data);
        var r = CliHarness.Run("score", "--run", run, "--view1", Path.Combine(data, "good1.npy"), "--view2", Path.Combine(data, "good2.npy"),
            "--out", data, "--force");
        AssertRefused(r, "an input of this command");
        Assert.Equal(before, Snapshot(data));
    }

    // ---------- section 4: a report whose target is a folder ----------

    /// <summary>
    /// Reproduction: a report whose target path (DIR/report.html) is a folder crashed (exit 1) and left
    /// <c>report.html.tmp-PID</c>. Now: one line naming it, exit 2, before any work, nothing written. The same for
    /// a missing metrics.json whose path is a folder; <c>score --out</c> names a folder now, and a <c>.csv</c> name is refused.
    /// </summary>
    [Fact]
    public void Report_and_score_targets_that_are_folders_are_refused_and_leave_no_temporary_file()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox(), run = Path.Combine(root, "run");
        Fit(data, run).AssertOk();
        string[] views = ["--view1", Path.Combine(data, "good1.npy"), "--view2", Path.Combine(data, "good2.npy")];
        Directory.CreateDirectory(Path.Combine(run, "report.html"));
        var before = Snapshot(root);
        var r = CliHarness.Run(["report", "--run", run, .. views]);
        AssertRefused(r, "report.html: is a folder");
        Assert.Equal(before, Snapshot(root));
        r = CliHarness.Run(["report", "--run", run, .. views, "--force"]);
        AssertRefused(r, "report.html: is a folder");
        Assert.Equal(before, Snapshot(root));

        Directory.Delete(Path.Combine(run, "report.html"));
        Directory.CreateDirectory(Path.Combine(run, "metrics.json"));
        before = Snapshot(root);
        AssertRefused(CliHarness.Run(["report", "--run", run, .. views]), "metrics.json: is a folder");
        Assert.Equal(before, Snapshot(root));

        string folder = Path.Combine(root, "scores.csv");
        Directory.CreateDirectory(folder);
        before = Snapshot(root);
        AssertRefused(CliHarness.Run(["score", "--run", run, .. views, "--out", folder, "--force"]), "not a .csv file");
        Assert.Equal(before, Snapshot(root));
    }

    /// <summary>
    /// Library level (<see cref="AtomicFile"/>, the one home of in-place writes): a writer that fails leaves neither the
    /// target nor a temporary file; a folder that appears in the target's place during the write is refused and the
    /// temporary file removed.
    /// </summary>
    [Fact]
    public void Atomic_file_writes_leave_nothing_on_failure()
    {
        string root = TestPaths.NewTempDir(), target = Path.Combine(root, "out.txt");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(Directory.GetFileSystemEntries(root));

        var ex = Assert.Throws<MucmmUserException>(() => AtomicFile.Write(target, temp =>
        {
            File.WriteAllText(temp, "whole");
            Directory.CreateDirectory(target);
        }));
        Assert.Contains("is a folder", ex.Message);
        Assert.Equal(["out.txt"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));

        Directory.Delete(target);
        AtomicFile.WriteAllText(target, "done");
        Assert.Equal("done", File.ReadAllText(target));
        Assert.Equal(["out.txt"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    // ---------- section 5: leave nothing behind ----------

    /// <summary>
    /// The next run into the same parent removes the temporaries (<c>.NAME.tmp-PID-GUID</c>, folders and files, with
    /// suffixes) of processes that are gone, and names them on stderr; a live process's temporaries, a deep fit's
    /// resumable <c>OUT.checkpoint</c> and unrelated hidden files are kept. A stale <c>….old</c> (the previous output
    /// moved aside by a commit killed between its two renames) is put back when its target is missing.
    /// </summary>
    [Fact]
    public void Stale_temporaries_of_gone_processes_are_removed_and_live_ones_kept()
    {
        string root = TestPaths.NewTempDir(), data = Sandbox();
        int dead = DeadPid(), live = Environment.ProcessId;
        string Temp(string name, int pid, string suffix = "") => Path.Combine(root, $".{name}.tmp-{pid}-{Guid.NewGuid():N}{suffix}");
        string staleFolder = Temp("export", dead), staleFile = Temp("scores.csv", dead), staleDemo = Temp("demo", dead, ".checkpoint");
        string staleOld = Temp("previous", dead, ".old"), liveFolder = Temp("export", live), liveFile = Temp("scores.csv", live);
        foreach (string dir in new[] { staleFolder, staleDemo, staleOld, liveFolder })
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "big.npy"), new byte[1000]);
        }
        File.WriteAllText(staleFile, "half");
        File.WriteAllText(liveFile, "half");
        string checkpoint = Path.Combine(root, "deep.checkpoint", "checkpoint");
        Directory.CreateDirectory(checkpoint);
        File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{}");
        File.WriteAllText(Path.Combine(root, ".notes.tmp"), "mine");

        var r = Fit(data, Path.Combine(root, "run"));
        r.AssertOk();
        foreach (string gone in new[] { staleFolder, staleFile, staleDemo })
        {
            Assert.False(Path.Exists(gone), $"{gone} of the gone process {dead} was not removed");
            Assert.Contains(gone, r.Stderr);
        }
        Assert.False(Path.Exists(staleOld));
        Assert.True(File.Exists(Path.Combine(root, "previous", "big.npy")), "the stale .old folder must be put back as 'previous'");
        foreach (string kept in new[] { liveFolder, liveFile, Path.Combine(checkpoint, "state.json"), Path.Combine(root, ".notes.tmp") })
            Assert.True(Path.Exists(kept), $"{kept} must be kept");
        Assert.DoesNotContain(liveFolder, r.Stderr);

        // The library call behind it, on files written in place.
        string staleInPlace = Temp("report.html", dead);
        File.WriteAllText(staleInPlace, "half");
        AtomicFile.WriteAllText(Path.Combine(root, "report.html"), "<html/>");
        Assert.False(File.Exists(staleInPlace));
        Assert.True(File.Exists(liveFile));
    }

    /// <summary>
    /// SIGTERM and SIGINT to a real <c>mucmm fit --model deep</c> process while it trains: the process ends (exit
    /// 128 + signal), says so in one line, and leaves no temporary folder, no output folder and no work folder
    /// without a resumable checkpoint. Linux/macOS only (POSIX signals).
    /// </summary>
    [Theory]
    [InlineData(15)]
    [InlineData(2)]
    public void Interrupted_run_leaves_no_temporary_folder(int signal)
    {
        if (OperatingSystem.IsWindows()) return;
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "deep");
        using var child = CliHarness.Start("fit", "--model", "deep", "--dataset", "synthetic", "--samples", "2000", "--common-dim", "2",
            "--individual-dim", "2", "--epochs", "200", "--batch-size", "100", "--threads", "1", "--quiet", "--out", outDir);
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(root, ".deep.tmp-*").Any())
        {
            Assert.False(child.HasExited, $"the run ended before it opened its output folder; output:\n{child.Output}");
            Assert.True(clock.Elapsed < ChildTimeout, $"no temporary output folder after {ChildTimeout.TotalSeconds:F0} s; output:\n{child.Output}");
            Thread.Sleep(20);
        }
        Thread.Sleep(500);   // into the work
        Assert.Equal(0, Kill(child.Id, signal));
        int code = child.Wait(ChildTimeout);
        Assert.True(code == 128 + signal, $"exit code {code}; output:\n{child.Output}");
        Assert.Contains("interrupted", child.Output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root, ".*"));
        Assert.False(Directory.Exists(outDir));
        string work = outDir + ".checkpoint";
        if (Directory.Exists(work))
            Assert.True(Mucmm.Deep.DeepTrainer.HasCheckpoint(work),
                $"{work} was left without a resumable checkpoint: {string.Join(", ", Directory.GetFileSystemEntries(work))}");
    }

    /// <summary>
    /// Reproduction: a diverged run (<c>--lr 1e10</c>) said its checkpoint "is kept in …" but left an empty folder. It
    /// diverges in its first epoch, before any checkpoint: the message names no checkpoint and nothing is left.
    /// </summary>
    [Fact]
    public void Diverged_run_does_not_claim_a_checkpoint_it_has_not_written()
    {
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "div");
        var r = CliHarness.Run("fit", "--model", "deep", "--dataset", "synthetic", "--samples", "600", "--epochs", "2", "--batch-size", "100",
            "--threads", "1", "--quiet", "--lr", "1e10", "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.Contains("diverged", r.Stderr);
        Assert.DoesNotContain("kept in", r.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    // ---------- helpers ----------

    /// <summary>A fresh folder holding good1.npy and good2.npy (60 × 3 each, two shared directions).</summary>
    private static string Sandbox()
    {
        string dir = TestPaths.NewTempDir();
        var (x, y) = Linear.CanonicalCorrelationTests.RandomPair(60, 3, 3, seed: 11);
        NpyFile.Write(Path.Combine(dir, "good1.npy"), x.Data, 60, 3);
        NpyFile.Write(Path.Combine(dir, "good2.npy"), y.Data, 60, 3);
        return dir;
    }

    private static CliResult Fit(string data, string outDir, params string[] extra) =>
        CliHarness.Run(["fit", "--model", "cca", "--view1", Path.Combine(data, "good1.npy"), "--view2", Path.Combine(data, "good2.npy"),
            "--common-dim", "1", "--out", outDir, .. extra]);

    /// <summary>Runs <c>mucmm ARGS</c> in-process with <paramref name="cwd"/> as the current folder, restored afterwards (tests run sequentially).</summary>
    private static CliResult RunIn(string cwd, params string[] args)
    {
        string old = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(cwd);
        try
        {
            return CliHarness.Run(args);
        }
        finally
        {
            Directory.SetCurrentDirectory(old);
        }
    }

    private static void AssertRefused(CliResult r, string why)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}; stderr: {r.Stderr}");
        Assert.Single(r.ErrorLines);
        Assert.Contains(why, r.Stderr);
    }

    /// <summary>Every path under <paramref name="root"/> (relative) with the SHA-256 of its content ("dir" for folders).</summary>
    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(root, path)] = Directory.Exists(path) ? "dir" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
        return result;
    }

    /// <summary>The id of a process that has exited (a finished child).</summary>
    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd" : "true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

internal static class CliResultAssertions
{
    public static void AssertOk(this CliResult r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}; stderr: {r.Stderr}");
}

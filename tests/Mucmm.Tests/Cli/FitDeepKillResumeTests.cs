using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace Mucmm.Tests.Cli;

public class FitDeepKillResumeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);

    /// <summary>
    /// A small deep fit (MLP encoders, 3 pretraining + 10 main epochs of ≈ 0.3 s) run as a child process, with a checkpoint
    /// after every epoch (<c>--checkpoint-seconds 0</c>), so that the kills below can land at chosen epochs.
    /// </summary>
    private static string[] Fit(string outDir, params string[] extra) =>
    [
        "fit", "--model", "deep", "--dataset", "synthetic", "--samples", "2000", "--common-dim", "2", "--individual-dim", "2",
        "--pretrain", "3", "--epochs", "10", "--batch-size", "100", "--patience", "0", "--threads", "1", "--checkpoint-seconds", "0", "--out", outDir, .. extra,
    ];

    /// <summary>
    /// Issue 4: "killing a training run and resuming it gives the same final model as an uninterrupted run
    /// with the same seed", at the command line. Oracle: determinism — an uninterrupted child run of
    /// <c>mucmm fit --model deep</c>. A second child run of the same command is killed outright
    /// (SIGKILL of the process tree) once its checkpoint holds a completed pretraining epoch; resumed with
    /// <c>--resume</c> and killed again once the checkpoint holds main-phase epoch 2; then resumed to the end.
    /// The final model must equal the reference bit for bit (weights.safetensors, alignment.json,
    /// config.json), as must fit.json's canonical correlations and train.csv (all columns but the timing).
    /// Each killed run must have left no output folder (the atomic <see cref="Mucmm.Data.OutputFolder"/>);
    /// the kills land at arbitrary points, also inside a checkpoint write, which the atomic checkpoint must
    /// survive. The resumed runs must say they resumed, from at least the epoch seen before the kill.
    /// </summary>
    [Fact]
    public void KilledRunResumesToTheSameModelAsAnUninterruptedRun()
    {
        string root = TestPaths.NewTempDir();
        string reference = Path.Combine(root, "reference"), killed = Path.Combine(root, "killed");
        using (var run = CliHarness.Start(Fit(reference, "--quiet")))
            Assert.True(run.Wait(Timeout) == 0, run.Output);

        var first = RunAndKill(Fit(killed), killed, ("pretrain", 1));
        var second = RunAndKill(Fit(killed, "--resume"), killed, ("train", 2));
        AssertResumedFrom(second.Output, first.Seen);
        string finalOutput;
        using (var run = CliHarness.Start(Fit(killed, "--resume")))
        {
            Assert.True(run.Wait(Timeout) == 0, run.Output);
            finalOutput = run.Output;
        }
        AssertResumedFrom(finalOutput, second.Seen);
        Console.WriteLine($"killed after {first.Seen} and after {second.Seen}; resumed: {Regex.Match(second.Output, "resuming after [a-z]+ epoch [0-9]+").Value}, {Regex.Match(finalOutput, "resuming after [a-z]+ epoch [0-9]+").Value}");

        foreach (string file in new[] { "weights.safetensors", "alignment.json", "config.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, "model", file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(killed, "model", file))),
                $"model/{file} differs between the uninterrupted run and the run killed at {first.Seen} and {second.Seen}");
        Assert.Equal(Correlations(reference), Correlations(killed));
        Assert.Equal(WithoutTiming(reference), WithoutTiming(killed));
        Assert.Equal(1 + 3 + 10, File.ReadAllLines(Path.Combine(killed, "train.csv")).Length);
        Assert.False(Directory.Exists(killed + ".checkpoint"), "the checkpoint folder must be removed after a successful run");
    }

    /// <summary>
    /// A run killed before its first checkpoint leaves <c>OUT.checkpoint/</c> with no complete checkpoint
    /// (at most a half-written <c>checkpoint.tmp/</c>): there is nothing to resume, so the same command without
    /// <c>--resume</c> must simply start again there (it was refused, and <c>--resume</c> was refused too, so
    /// the user had to delete the folder), while <c>--resume</c> says there is no checkpoint. Once a complete
    /// checkpoint exists, a run without <c>--resume</c> is refused with a message pointing to it.
    /// </summary>
    [Fact]
    public void RunKilledBeforeItsFirstCheckpointStartsAgain()
    {
        string root = TestPaths.NewTempDir(), outDir = Path.Combine(root, "run");
        string[] fit = ["fit", "--model", "deep", "--dataset", "synthetic", "--samples", "600", "--common-dim", "2", "--individual-dim", "2",
            "--epochs", "2", "--batch-size", "100", "--quiet", "--out", outDir];
        string tmp = Path.Combine(outDir + ".checkpoint", "checkpoint.tmp");
        Directory.CreateDirectory(tmp);
        File.WriteAllBytes(Path.Combine(tmp, "network.bin"), new byte[100]);

        var r = CliHarness.Run([.. fit, "--resume"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no checkpoint found", r.Stderr);
        r = CliHarness.Run(fit);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, "train.csv")).Length);

        string other = Path.Combine(root, "other");
        Directory.CreateDirectory(Path.Combine(other + ".checkpoint", "checkpoint"));
        File.WriteAllText(Path.Combine(other + ".checkpoint", "checkpoint", "state.json"), "{}");
        r = CliHarness.Run([.. fit[..^1], other]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("add --resume", r.Stderr);
    }

    /// <summary>What a killed run showed: the last checkpoint seen before the kill and the process output.</summary>
    private sealed record Killed((string Phase, int Epoch) Seen, string Output);

    /// <summary>
    /// Starts <c>mucmm ARGS</c>, waits until <c>OUT.checkpoint/checkpoint/state.json</c> records at least
    /// <paramref name="target"/>, kills the process tree and checks that no output folder was left.
    /// </summary>
    private static Killed RunAndKill(string[] args, string outDir, (string Phase, int Epoch) target)
    {
        string state = Path.Combine(outDir + ".checkpoint", "checkpoint", "state.json");
        using var run = CliHarness.Start(args);
        var clock = Stopwatch.StartNew();
        (string Phase, int Epoch)? seen = null;
        while (seen is null || Progress(seen.Value) < Progress(target))
        {
            Assert.False(run.HasExited,
                $"the run ended before its checkpoint reached {target} (last seen: {seen?.ToString() ?? "none"}), so it could not be killed there; output:\n{run.Output}");
            Assert.True(clock.Elapsed < Timeout, $"no checkpoint with {target} after {Timeout.TotalSeconds:F0} s (last seen: {seen?.ToString() ?? "none"}); output:\n{run.Output}");
            Thread.Sleep(5);
            seen = ReadState(state) ?? seen;
        }
        run.Kill();
        Assert.False(Directory.Exists(outDir), $"the run killed after {seen} left an output folder {outDir}");
        return new Killed(seen.Value, run.Output);
    }

    /// <summary>Pretraining epochs come before main-phase epochs.</summary>
    private static int Progress((string Phase, int Epoch) s) => (s.Phase == "train" ? 1_000 : 0) + s.Epoch;

    /// <summary>The (phase, epoch) of a checkpoint's state.json; null while it is being swapped in.</summary>
    private static (string, int)? ReadState(string path)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path))!;
            return (node["Phase"]!.GetValue<string>(), node["Epoch"]!.GetValue<int>());
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void AssertResumedFrom(string output, (string Phase, int Epoch) killedAt)
    {
        var match = Regex.Match(output, @"resuming after (pretrain|train) epoch (\d+)");
        Assert.True(match.Success, $"a resumed run must report where it resumes; output:\n{output}");
        var from = (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Progress(from) >= Progress(killedAt), $"resumed after {from}, but the checkpoint already held {killedAt} before the kill");
    }

    private static double[] Correlations(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "fit.json")))!["canonical_correlations"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();

    private static string[] WithoutTiming(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "train.csv")).Select(l => l[..l.LastIndexOf(',')]).ToArray();
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using Mucmm.Data.Readers;

namespace Mucmm.Tests.Cli;

/// <summary>Paired shards for the statistics tests, and the Debian Python they may call.</summary>
public static class StatsTestData
{
    /// <summary>Debian's Python (the reference tools' interpreter; not the pyenv one on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>
    /// Writes <paramref name="folder"/>/view1.npy (rows × 6) and view2.npy (rows × 4), float64: a 3-dim
    /// shared latent plus noise, seeded, with a per-shard mean shift so that merging has to move means.
    /// Returns the two row-major matrices.
    /// </summary>
    public static (double[] View1, double[] View2) WriteShard(string folder, int rows, int seed)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var a = Enumerable.Range(0, 3 * 6).Select(_ => Normal()).ToArray();
        var b = Enumerable.Range(0, 3 * 4).Select(_ => Normal()).ToArray();
        var x1 = new double[rows * 6];
        var x2 = new double[rows * 4];
        for (int i = 0; i < rows; i++)
        {
            var z = new[] { Normal(), Normal(), Normal() };
            for (int j = 0; j < 6; j++) x1[i * 6 + j] = z[0] * a[j] + z[1] * a[6 + j] + z[2] * a[12 + j] + 0.8 * Normal() + seed % 5;
            for (int j = 0; j < 4; j++) x2[i * 4 + j] = z[0] * b[j] + z[1] * b[4 + j] + z[2] * b[8 + j] + Normal() - seed % 3;
        }
        NpyFile.Write(Path.Combine(folder, "view1.npy"), x1, rows, 6, NpyDType.Float64);
        NpyFile.Write(Path.Combine(folder, "view2.npy"), x2, rows, 4, NpyDType.Float64);
        return (x1, x2);
    }

    /// <summary>Writes the rows of all <paramref name="shards"/> (folders with view1.npy, view2.npy) one after another into <paramref name="folder"/>.</summary>
    public static void Concatenate(IReadOnlyList<string> shards, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var view in new[] { "view1.npy", "view2.npy" })
        {
            var parts = shards.Select(s => NpyFile.Read(Path.Combine(s, view))).ToArray();
            int cols = parts[0].Shape[1];
            var all = parts.SelectMany(p => p.Data.ToArray()).ToArray();
            NpyFile.Write(Path.Combine(folder, view), all, all.Length / cols, cols, NpyDType.Float64);
        }
    }

    /// <summary>Whether Debian's Python can import <paramref name="module"/>.</summary>
    public static bool PythonHas(string module)
    {
        if (!File.Exists(Python)) return false;
        var (code, _) = RunPython(["-c", $"import {module}"], Directory.GetCurrentDirectory(), TimeSpan.FromSeconds(60));
        return code == 0;
    }

    /// <summary>Runs Debian's Python; returns its exit code and its standard output and error (interleaved by line).</summary>
    public static (int ExitCode, string Output) RunPython(IReadOnlyList<string> args, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Python)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        var output = new System.Text.StringBuilder();
        using var p = new Process { StartInfo = info };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, output + $"\n(killed after {timeout.TotalSeconds} s)");
        }
        p.WaitForExit();
        return (p.ExitCode, output.ToString());
    }

    /// <summary>A number array of a fit.json.</summary>
    public static double[] Numbers(string fitDir, string key) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(fitDir, "fit.json")))![key]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
}

using System.Diagnostics;
using System.Reflection;

namespace Mucmm.Tests.Cli;

/// <summary>What one in-process run of the <c>mucmm</c> command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// Runs the real <c>mucmm</c> entry point (Program.cs, with its <c>CliRunner</c> exit-code mapping)
/// in-process with captured standard output and error. Tests run sequentially, so swapping
/// <see cref="Console"/>'s writers is safe.
/// </summary>
public static class CliHarness
{
    private static readonly MethodInfo EntryPoint =
        typeof(Mucmm.Cli.CliRunner).Assembly.EntryPoint
        ?? throw new InvalidOperationException("Mucmm.Cli has no entry point");

    /// <summary>
    /// The built CLI assembly (Mucmm.Cli.dll with its runtimeconfig and deps files), copied next to the test
    /// assembly because the test project references the CLI project.
    /// </summary>
    public static string CliDll => typeof(Mucmm.Cli.CliRunner).Assembly.Location;

    /// <summary>
    /// Starts <c>dotnet Mucmm.Cli.dll ARGS</c> as a child process (a real process that can be killed) with
    /// standard output and error collected asynchronously; see <see cref="ChildCli"/>.
    /// </summary>
    public static ChildCli Start(params string[] args) => new(args);

    /// <summary>Runs <c>mucmm ARGS</c> and returns the exit code and captured output.</summary>
    public static CliResult Run(params string[] args)
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            object? code = EntryPoint.Invoke(null, [args]);
            return new CliResult((int)code!, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}

/// <summary>A <c>mucmm</c> child process (<see cref="CliHarness.Start"/>): wait for it, or kill it hard.</summary>
public sealed class ChildCli : IDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder output = new();

    internal ChildCli(string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliHarness.CliDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The process id (e.g. to send it a signal).</summary>
    public int Id => process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Standard output and error so far, interleaved by line.</summary>
    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    /// <summary>Waits for the exit (failing the test with the output after <paramref name="timeout"/>) and returns the exit code.</summary>
    public int Wait(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"mucmm did not finish within {timeout.TotalSeconds:F0} s; output:\n{Output}");
        }
        process.WaitForExit();   // flushes the asynchronous output readers
        return process.ExitCode;
    }

    /// <summary>Kills the process and its children outright (SIGKILL on Linux) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    /// <summary>The dotnet host running this test (DOTNET_HOST_PATH, set by the dotnet CLI), else the current process when it is dotnet, else "dotnet" on the PATH.</summary>
    internal static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}

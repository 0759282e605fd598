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

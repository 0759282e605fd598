using Xunit;

namespace Mucmm.Tests.Cli;

/// <summary>The program calls itself <c>mucmm</c>, as the tool command does, not after its assembly (Mucmm.Cli).</summary>
public sealed class ProgramNameTests
{
    /// <summary>Root and command help show <c>mucmm</c> in the usage line and nowhere the assembly name.</summary>
    [Fact]
    public void HelpShowsTheProgramAsMucmm()
    {
        var root = CliHarness.Run("--help");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Usage:\n  mucmm [command] [options]", root.Stdout.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Mucmm.Cli", root.Stdout);

        var fit = CliHarness.Run("fit", "--help");
        Assert.Equal(0, fit.ExitCode);
        Assert.Contains("mucmm fit [options]", fit.Stdout);
        Assert.DoesNotContain("Mucmm.Cli", fit.Stdout);
    }

    /// <summary>
    /// <c>--version</c> still works on the explicitly named root command: it prints the CLI assembly's
    /// informational (package) version. Run as a child process, because in-process the entry assembly
    /// whose version is printed is the test host.
    /// </summary>
    [Fact]
    public void VersionPrintsThePackageVersion()
    {
        using var child = CliHarness.Start("--version");
        Assert.Equal(0, child.Wait(TimeSpan.FromMinutes(2)));
        string expected = typeof(Mucmm.Cli.CliRunner).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal(expected, child.Output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", expected);
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using Mucmm;

namespace Mucmm.Cli;

/// <summary>Exit codes: 0 ok, 1 internal error, 2 user error (bad input, bad option).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int UserError = 2;
}

/// <summary>Runs the command tree and maps exceptions to one-line messages and exit codes.</summary>
public static class CliRunner
{
    /// <summary>
    /// <c>--threads N</c>, accepted by every command (a recursive root option): the number of CPU threads
    /// torch uses (<c>torch.set_num_threads</c>), applied before the command runs.
    /// </summary>
    public static Option<int?> CreateThreadsOption() => new("--threads")
    {
        Description = "CPU threads torch uses (torch.set_num_threads); default: torch's choice (all cores).",
        HelpName = "N",
        Recursive = true,
    };

    /// <summary>The program's name in help and messages, whatever the assembly or the tool shim is called.</summary>
    public const string ProgramName = "mucmm";

    /// <summary>
    /// The root command, named <see cref="ProgramName"/>. <see cref="RootCommand"/> takes its name from the
    /// entry assembly (<c>Mucmm.Cli</c>; the assembly cannot be called <c>mucmm</c>, which collides with the
    /// library project <c>Mucmm</c> in NuGet restore), so the root is a plain command with the options a
    /// <see cref="RootCommand"/> would add: <c>--help</c> and <c>--version</c>.
    /// </summary>
    public static Command CreateRoot(string description) => new(ProgramName, description)
    {
        new HelpOption(),
        new VersionOption(),
    };

    public static int Run(Command root, string[] args)
    {
        var threads = root.Options.OfType<Option<int?>>().FirstOrDefault(o => o.Name == "--threads");
        if (threads is null)
        {
            threads = CreateThreadsOption();
            root.Options.Add(threads);
        }
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine($"mucmm: {e.Message}");
            Console.Error.WriteLine("Run 'mucmm --help' (or 'mucmm COMMAND --help') for usage.");
            return ExitCodes.UserError;
        }
        // Interrupted: the unfinished output is removed (Interruption, TemporaryPaths).
        using var interruption = Interruption.Install();
        try
        {
            if (parse.GetValue(threads) is { } n)
            {
                if (n < 1) throw new MucmmUserException($"--threads must be at least 1, got {n}");
                TorchSharp.torch.set_num_threads(n);
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception) when (Interruption.Signal != 0)
        {
            // The signal handler removed the unfinished output and the runtime is ending the process with the signal's
            // code; whatever failed here failed because of that (e.g. a checkpoint refused to recreate its folder).
            // Give the runtime time to end the process itself, then exit with the same code.
            Thread.Sleep(TimeSpan.FromSeconds(10));
            return 128 + Interruption.Signal;
        }
        catch (Exception ex) when (Unwrap(ex) is MucmmUserException user)
        {
            // The library names properties (DeepTrainingOptions.LearningRate); the command line shows its flags (--lr).
            Console.Error.WriteLine($"mucmm: error: {OptionNames.ToFlags(user.Message)}");
            return ExitCodes.UserError;
        }
        catch (Exception ex)
        {
            var inner = Unwrap(ex);
            Console.Error.WriteLine($"mucmm: internal error: {inner.GetType().Name}: {inner.Message.ReplaceLineEndings(" ")}");
            if (Environment.GetEnvironmentVariable("MUCMM_DEBUG") == "1") Console.Error.WriteLine(inner);
            return ExitCodes.InternalError;
        }
    }

    private static Exception Unwrap(Exception ex)
    {
        while ((ex is AggregateException || ex is System.Reflection.TargetInvocationException) && ex.InnerException is not null)
            ex = ex.InnerException;
        return ex;
    }
}

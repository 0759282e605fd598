using System.CommandLine;
using Mucmm.Data;

namespace Mucmm.Cli;

/// <summary>
/// The shared output options <c>--out DIR</c> (required) and <c>--force</c>, and the atomic
/// <see cref="OutputFolder"/> they open: files are written to a temporary sibling folder that
/// is renamed to DIR when complete; an existing DIR is refused unless <c>--force</c>, and <c>--force</c> replaces
/// only a folder mucmm wrote (its marker file) that holds none of the command's inputs.
/// </summary>
public sealed class OutputOptions
{
    /// <summary>Creates the options; <paramref name="what"/> describes the folder's content for the help text.</summary>
    public OutputOptions(string what = "the results")
    {
        Out = new Option<string>("--out")
        {
            Description = $"Output folder for {what}; written completely or not at all.",
            HelpName = "DIR",
            Required = true,
        };
        Force = new Option<bool>("--force") { Description = "Replace the output folder if it exists and mucmm wrote it (never a folder holding the command's inputs)." };
    }

    /// <summary><c>--out DIR</c>.</summary>
    public Option<string> Out { get; }

    /// <summary><c>--force</c>.</summary>
    public Option<bool> Force { get; }

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Out);
        command.Options.Add(Force);
    }

    /// <summary>
    /// Checks the target and opens the temporary folder (<see cref="Open(ParseResult, Option{string}, Option{bool})"/>).
    /// Call this before long work so the user learns early.
    /// </summary>
    public OutputFolder Open(ParseResult parse) => Open(parse, Out, Force);

    /// <summary>
    /// Opens the <see cref="OutputFolder"/> named by <paramref name="output"/>, with <paramref name="force"/>, the
    /// command's inputs (<see cref="CommandInputs"/>: every other value naming an existing file or folder) and the
    /// command's name for the marker. Throws <see cref="MucmmUserException"/> when the target exists without
    /// <c>--force</c>, was not written by mucmm, or would destroy an input, the current folder or an ancestor of it.
    /// Says on standard error which stale temporary folders of gone processes it removed.
    /// </summary>
    public static OutputFolder Open(ParseResult parse, Option<string> output, Option<bool> force)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var folder = OutputFolder.Create(parse.GetValue(output)!, parse.GetValue(force), CommandInputs.Of(parse, output), parse.CommandResult.Command.Name);
        foreach (string stale in folder.StaleRemoved)
            Console.Error.WriteLine($"mucmm: cleaned up {stale}, left by an interrupted mucmm process that is gone");
        return folder;
    }
}

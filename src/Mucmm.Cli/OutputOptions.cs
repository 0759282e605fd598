using System.CommandLine;
using Mucmm.Data;

namespace Mucmm.Cli;

/// <summary>
/// The shared output options <c>--out DIR</c> (required) and <c>--force</c>, and the atomic
/// <see cref="OutputFolder"/> they open: files are written to a temporary sibling folder that
/// is renamed to DIR when complete; an existing DIR is refused unless <c>--force</c>.
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
        Force = new Option<bool>("--force") { Description = "Replace the output folder if it exists." };
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
    /// Checks the target (throws <see cref="MucmmUserException"/> when it exists without <c>--force</c>)
    /// and opens the temporary folder. Call this before long work so the user learns early.
    /// </summary>
    public OutputFolder Open(ParseResult parse) => OutputFolder.Create(parse.GetValue(Out)!, parse.GetValue(Force));
}

using System.CommandLine;
using TorchSharp;

namespace Mucmm.Cli;

/// <summary>
/// The shared run-time options <c>--device cpu|cuda</c> and <c>--quiet</c> — the one place they are built, parsed
/// and checked, with the same accepted values in every command (<c>fit</c>, <c>demo</c>, <c>evaluate</c>, <c>report</c>,
/// <c>score</c>, <c>explain</c>, <c>compare</c>; <c>stats</c> takes <c>--quiet</c> only). Commands create one instance, add it
/// with <see cref="AddTo"/> and call <see cref="Apply"/> first thing in their action. (<c>--threads N</c> is a root
/// option every command accepts: <see cref="CliRunner"/>.)
/// </summary>
public sealed class RuntimeOptions
{
    /// <summary>Values of <c>--device</c>.</summary>
    public static readonly string[] Devices = ["cpu", "cuda"];

    /// <summary>Creates the options.</summary>
    public RuntimeOptions()
    {
        Device = new Option<string>("--device")
        {
            Description = "Where tensors live: cpu (default) or cuda (needs a CUDA build of TorchSharp and a GPU).",
            HelpName = "DEVICE",
            DefaultValueFactory = _ => "cpu",
        };
        Device.AcceptOnlyFromAmong(Devices);
        Quiet = new Option<bool>("--quiet") { Description = "Print only errors and the final result lines (no progress)." };
    }

    /// <summary><c>--device</c>.</summary>
    public Option<string> Device { get; }

    /// <summary><c>--quiet</c>.</summary>
    public Option<bool> Quiet { get; }

    /// <summary>Adds the options to <paramref name="command"/> (without <c>--device</c> for commands that run no model).</summary>
    public void AddTo(Command command, bool withDevice = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (withDevice) command.Options.Add(Device);
        command.Options.Add(Quiet);
    }

    /// <summary>
    /// Checks the options: throws <see cref="MucmmUserException"/> for cuda on a machine without it.
    /// </summary>
    public void Apply(ParseResult parse)
    {
        if (DeviceOf(parse) == "cuda" && !torch.cuda.is_available())
            throw new MucmmUserException("--device cuda: CUDA is not available in this build or on this machine; use --device cpu");
    }

    /// <summary>The value of <c>--device</c>.</summary>
    public string DeviceOf(ParseResult parse) => parse.GetValue(Device) ?? "cpu";

    /// <summary>Whether <c>--quiet</c> was given.</summary>
    public bool IsQuiet(ParseResult parse) => parse.GetValue(Quiet);

    /// <summary>A writer for progress lines: standard error, or nothing with <c>--quiet</c>.</summary>
    public TextWriter Progress(ParseResult parse) => IsQuiet(parse) ? TextWriter.Null : Console.Error;
}

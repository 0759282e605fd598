using System.CommandLine;

namespace Mucmm.Cli;

/// <summary>
/// <c>--model DIR</c> for commands that use a fitted model: accepts the fit folder (holding
/// <c>model/</c>) or the model folder itself, and loads it with <see cref="ModelStore.Load"/>.
/// </summary>
public sealed class ModelOption
{
    /// <summary>Creates the option.</summary>
    public ModelOption()
    {
        Option = new Option<string>("--model")
        {
            Description = "Folder of a fitted model (the folder written by 'mucmm fit', or its model/ folder).",
            HelpName = "DIR",
            Required = true,
        };
    }

    /// <summary>The option itself.</summary>
    public Option<string> Option { get; }

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public void AddTo(Command command) => command.Options.Add(Option);

    /// <summary>Loads the model named on the command line.</summary>
    public IMultiviewModel Load(ParseResult parse)
    {
        string dir = parse.GetValue(Option)!;
        if (!File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, "model", "config.json")))
            dir = Path.Combine(dir, "model");
        return ModelStore.Load(dir);
    }
}

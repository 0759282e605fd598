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

    /// <summary>
    /// The run folder the model belongs to (the folder named, or the one above its model/ folder, holding
    /// fit.json), or null for a model folder outside a run.
    /// </summary>
    public Mucmm.Report.RunFolder? RunOf(ParseResult parse) => Mucmm.Report.RunFolder.Find(parse.GetValue(Option)!);

    /// <summary>The model folder named on the command line (its model/ folder when a run folder is named).</summary>
    public string ModelPath(ParseResult parse)
    {
        string dir = parse.GetValue(Option)!;
        if (!File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, "model", "config.json")))
            dir = Path.Combine(dir, "model");
        return dir;
    }

    /// <summary>Loads the model named on the command line.</summary>
    public IMultiviewModel Load(ParseResult parse)
    {
        return ModelStore.Load(ModelPath(parse));
    }
}

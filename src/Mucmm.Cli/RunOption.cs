using System.CommandLine;
using Mucmm.Report;

namespace Mucmm.Cli;

/// <summary>
/// <c>--run DIR</c> for every command that uses a fitted run (<c>transform</c>, <c>score</c>, <c>explain</c>,
/// <c>evaluate</c>, <c>report</c>): the run folder written by <c>mucmm fit --out DIR</c>, its <c>model/</c> folder, or
/// (except for <c>report</c>) a model folder outside a run. <c>--model DIR</c> is kept as an alias (in <c>fit</c>,
/// <c>--model</c> is the model kind).
/// </summary>
public sealed class RunOption
{
    /// <summary>Creates the option; <paramref name="description"/> replaces the default help text.</summary>
    public RunOption(string? description = null)
    {
        Option = new Option<string>("--run", "--model")
        {
            Description = description ?? "The run folder written by 'mucmm fit --out DIR' (or its model/ folder, or a model folder outside a run). Alias: --model.",
            HelpName = "DIR",
            Required = true,
        };
    }

    /// <summary>The option itself.</summary>
    public Option<string> Option { get; }

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public void AddTo(Command command) => command.Options.Add(Option);

    /// <summary>The folder named on the command line.</summary>
    public string PathOf(ParseResult parse) => parse.GetValue(Option)!;

    /// <summary>
    /// The run folder the model belongs to (the folder named, or the one above its model/ folder, holding
    /// fit.json), or null for a model folder outside a run.
    /// </summary>
    public RunFolder? RunOf(ParseResult parse) => RunFolder.Find(PathOf(parse));

    /// <summary>The model folder named on the command line (its model/ folder when a run folder is named).</summary>
    public string ModelPath(ParseResult parse)
    {
        string dir = PathOf(parse);
        if (!File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, RunFolder.ModelFolder, "config.json")))
            dir = Path.Combine(dir, RunFolder.ModelFolder);
        return dir;
    }

    /// <summary>Loads the model named on the command line.</summary>
    public IMultiviewModel Load(ParseResult parse) => ModelStore.Load(ModelPath(parse));
}

using System.CommandLine;

namespace Mucmm.Cli;

<<<<<<< HEAD
/// <summary><c>--model DIR</c> for commands that read a fitted model: the model folder or the fit/run folder holding <c>model/</c>.</summary>
public static class ModelOption
{
    /// <summary>Creates the required option.</summary>
    public static Option<string> Create() => new("--model")
    {
        Description = "A fitted model: the run folder written by 'mucmm fit' (holding model/) or the model/ folder itself.",
        HelpName = "DIR",
        Required = true,
    };

    /// <summary>The model folder that <paramref name="path"/> names (a run folder resolves to its <c>model/</c>).</summary>
    public static string Resolve(string path)
    {
        if (!Directory.Exists(path)) throw new MucmmUserException(path, "no such folder");
        if (!File.Exists(Path.Combine(path, "config.json")) && File.Exists(Path.Combine(path, "model", "config.json")))
            return Path.Combine(path, "model");
        return path;
    }

    /// <summary>Loads the model named by <paramref name="path"/> (see <see cref="Resolve"/>).</summary>
    public static IMultiviewModel Load(string path) => ModelStore.Load(Resolve(path));
=======
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
>>>>>>> explain
}

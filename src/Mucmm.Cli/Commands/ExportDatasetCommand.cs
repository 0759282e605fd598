using System.CommandLine;

namespace Mucmm.Cli.Commands;

/// <summary><c>mucmm export-dataset NAME --out DIR</c>.</summary>
public static class ExportDatasetCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Dataset name (see 'mucmm datasets')." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var cmd = new Command("export-dataset", "Write a built-in dataset as view1.npy, view2.npy and meta.csv.");
        cmd.Arguments.Add(name);
        cmd.Options.Add(outDir);
        cmd.SetAction(parse =>
        {
            Console.Error.WriteLine($"export-dataset: not yet implemented ({parse.GetValue(name)})");
            return ExitCodes.UserError;
        });
        return cmd;
    }
}

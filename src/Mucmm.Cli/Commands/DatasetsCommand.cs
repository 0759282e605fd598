using System.CommandLine;

namespace Mucmm.Cli.Commands;

/// <summary><c>mucmm datasets</c>: lists the built-in datasets.</summary>
public static class DatasetsCommand
{
    public static Command Create()
    {
        var cmd = new Command("datasets", "List the built-in datasets: views and shapes, labels and factors, where the data comes from.");
        cmd.SetAction(_ =>
        {
            Console.WriteLine("(datasets: not yet implemented)");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

using System.CommandLine;
using Mucmm.Data;
using Mucmm.Data.Datasets;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm export-dataset --dataset NAME --out DIR [--fsdd DIR] [--seed S] [--samples N] [--force]</c>; the name may
/// also be given as the first argument (<c>mucmm export-dataset NAME --out DIR</c>), as before <c>--dataset</c> existed.
/// </summary>
public static class ExportDatasetCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("name")
        {
            Description = "Dataset name (see 'mucmm datasets'); the same as --dataset NAME.", HelpName = "NAME",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var dataset = new Option<string?>("--dataset") { Description = "Built-in dataset to write (see 'mucmm datasets').", HelpName = "NAME" };
        var fsdd = DataOptions.CreateFsddOption();
        var seed = DataOptions.CreateSeedOption();
        var samples = DataOptions.CreateSamplesOption();
        var output = new OutputOptions("view1.npy, view2.npy and meta.csv");
        var cmd = new Command("export-dataset",
            "Write a built-in dataset for NumPy: view1.npy and view2.npy (float32, rows = samples, each sample flattened " +
            "row-major) and meta.csv (index,split, then one column per label, factor and id, e.g. digit,rotation,partner).\n\n" +
            "Examples:\n" +
            "  mucmm export-dataset --dataset noisy-mnist --out noisy\n" +
            "  mucmm export-dataset --dataset av-digits --fsdd ../shared/data/fsdd --out avd --seed 1\n" +
            "  mucmm export-dataset --dataset synthetic --samples 20000 --out syn\n" +
            "  python3 -c \"import numpy as np; print(np.load('noisy/view1.npy').shape)\"");
        cmd.Arguments.Add(name);
        cmd.Options.Add(dataset);
        cmd.Options.Add(fsdd);
        cmd.Options.Add(seed);
        cmd.Options.Add(samples);
        output.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            string? named = parse.GetValue(dataset), positional = parse.GetValue(name);
            if (named is not null && positional is not null && named != positional)
                throw new MucmmUserException($"give the dataset once: --dataset {named} or {positional}, not both");
            string chosen = DatasetCatalog.Describe(named ?? positional
                ?? throw new MucmmUserException("no dataset: give --dataset NAME (see 'mucmm datasets')")).Name;
            using var folder = output.Open(parse);
            var data = DatasetCatalog.Load(chosen, new DatasetOptions { Seed = parse.GetValue(seed), FsddDir = parse.GetValue(fsdd), Samples = parse.GetValue(samples) });
            DatasetExport.Write(data, folder);
            folder.Commit();
            int train = data.RowsOf(Split.Train).Length, val = data.RowsOf(Split.Validation).Length, test = data.RowsOf(Split.Test).Length;
            Console.Out.WriteLine($"{data.Name}: {data.Count} rows (train {train}, validation {val}, test {test}) written to {folder.Target}");
            for (int m = 0; m < data.Views.Count; m++)
                Console.Out.WriteLine($"  {DatasetExport.ViewFileName(m)}  {data.Views[m].Name}  {data.Count} × {data.Views[m].Cols} ({string.Join("×", data.Views[m].SampleShape)} per sample)");
            Console.Out.WriteLine($"  {DatasetExport.MetaFileName}  index,split,{string.Join(",", DatasetExport.MetaColumns(data).Select(c => c.Header))}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

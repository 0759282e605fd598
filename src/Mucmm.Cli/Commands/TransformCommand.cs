using System.CommandLine;
using Mucmm.Data;
using Mucmm.Data.Readers;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm transform --run DIR (data options) [--split S] --out DIR [--force] [--device D] [--quiet]</c>: writes
/// <c>common{m}.npy</c> and <c>individual{m}.npy</c> (float32, rows = samples in the dataset's index
/// order, restricted to the split) for any saved model.
/// </summary>
public static class TransformCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var runOption = new RunOption();
        var data = new DataOptions(defaultSplit: "all");
        var runtime = new RuntimeOptions();
        var output = new OutputOptions("common{m}.npy and individual{m}.npy for every view m (common1.npy, common2.npy, individual1.npy, individual2.npy for two views)");
        var cmd = new Command("transform",
            "Compute the standardized common and individual variates of every sample (float32 .npy, dataset index order).\n" +
            DataOptions.HelpText + "\n" + ScoreCommand.RunDataHelp + "\n" +
            "Example:\n  mucmm transform --run runs/lin --dataset synthetic --split test --out runs/lin-test");
        runOption.AddTo(cmd);
        data.AddTo(cmd);
        output.AddTo(cmd);
        runtime.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            runtime.Apply(parse);
            var fitted = runOption.Load(parse);
            var run = runOption.RunOf(parse);
            using var folder = output.Open(parse);
            var all = data.LoadForRun(parse, run, allowOtherData: data.SplitOf(parse) is null);
            var dataset = data.SplitOf(parse) is { } split ? all.Subset(split) : all;
            Write(fitted, dataset, folder);
            folder.Commit();
            Console.WriteLine($"transform: {dataset.Count} samples → {folder.Target}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Writes the variates of every row of <paramref name="dataset"/> into <paramref name="folder"/>.</summary>
    public static void Write(IMultiviewModel model, PairedDataset dataset, OutputFolder folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(folder);
        ModelInputs.Check(model, dataset.Views);

        int views = model.ViewCount, n = dataset.Count;
        var writers = new List<NpyWriter>();
        try
        {
            for (int m = 0; m < views; m++)
                writers.Add(NpyWriter.Create(folder.File($"common{m + 1}.npy"), new long[] { n, model.CommonDim }));
            for (int m = 0; m < views; m++)
                writers.Add(NpyWriter.Create(folder.File($"individual{m + 1}.npy"), new long[] { n, model.IndividualDims[m] }));
            ForwardBatches.ForEach(model, dataset.Views, (_, output) =>
            {
                for (int m = 0; m < views; m++)
                {
                    writers[m].WriteRows(Values(output.Common[m]));
                    writers[views + m].WriteRows(Values(output.Individual[m]));
                }
            });
            foreach (var w in writers) w.Complete();
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
    }

    private static double[] Values(Tensor t) => t.numel() == 0 ? [] : t.to(float64, CPU).contiguous().data<double>().ToArray();
}

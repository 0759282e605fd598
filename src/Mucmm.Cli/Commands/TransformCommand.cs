using System.CommandLine;
using Mucmm.Data;
using Mucmm.Data.Readers;
using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm transform --model DIR (data options) [--split S] --out DIR [--force]</c>: writes
/// <c>common{m}.npy</c> and <c>individual{m}.npy</c> (float32, rows = samples in the dataset's index
/// order, restricted to the split) for any saved model.
/// </summary>
public static class TransformCommand
{
    /// <summary>Rows passed through the model at a time.</summary>
    public const int ChunkRows = 4096;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new ModelOption();
        var data = new DataOptions(defaultSplit: "all");
        var output = new OutputOptions("common{m}.npy and individual{m}.npy for every view m (common1.npy, common2.npy, individual1.npy, individual2.npy for two views)");
        var cmd = new Command("transform",
            "Compute the standardized common and individual variates of every sample (float32 .npy, dataset index order).\n" +
            DataOptions.HelpText + "\n" + ScoreCommand.RunDataHelp + "\n" +
            "Example:\n  mucmm transform --model runs/lin --dataset synthetic --split test --out runs/lin-test");
        model.AddTo(cmd);
        data.AddTo(cmd);
        output.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var fitted = model.Load(parse);
            var run = model.RunOf(parse);
            using var folder = output.Open(parse);
            var all = data.LoadForRun(parse, run, allowOtherData: data.SplitOf(parse) is null);
            var dataset = EncoderOptions.ForModel(model.ModelPath(parse), data.SplitOf(parse) is { } split ? all.Subset(split) : all);
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
        if (dataset.Views.Count != model.ViewCount)
            throw new MucmmUserException($"the model takes {model.ViewCount} views, the data has {dataset.Views.Count}");
        for (int m = 0; m < model.ViewCount; m++)
            if (dataset.Views[m].Cols != model.InputDims[m])
                throw new MucmmUserException(
                    $"view {m + 1} ('{dataset.Views[m].Name}') has {dataset.Views[m].Cols} columns but the model was fitted on {model.InputDims[m]}");

        int views = model.ViewCount, n = dataset.Count;
        var writers = new List<NpyWriter>();
        try
        {
            for (int m = 0; m < views; m++)
                writers.Add(NpyWriter.Create(folder.File($"common{m + 1}.npy"), new long[] { n, model.CommonDim }));
            for (int m = 0; m < views; m++)
                writers.Add(NpyWriter.Create(folder.File($"individual{m + 1}.npy"), new long[] { n, model.IndividualDims[m] }));
            using var _ = no_grad();
            for (int start = 0; start < n; start += ChunkRows)
            {
                using var scope = NewDisposeScope();
                int rows = Math.Min(ChunkRows, n - start);
                var inputs = dataset.Views.Select(v =>
                    torch.tensor(v.Data.AsSpan(start * v.Cols, rows * v.Cols).ToArray(), new long[] { rows, v.Cols }, dtype: float64)).ToArray();
                var output = model.Forward(inputs);
                for (int m = 0; m < views; m++)
                {
                    writers[m].WriteRows(Values(output.Common[m]));
                    writers[views + m].WriteRows(Values(output.Individual[m]));
                }
            }
            foreach (var w in writers) w.Complete();
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
    }

    private static double[] Values(Tensor t) => t.numel() == 0 ? [] : t.to(float64, CPU).contiguous().data<double>().ToArray();
}

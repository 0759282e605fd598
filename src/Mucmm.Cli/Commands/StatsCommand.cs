using System.CommandLine;
using System.Text.Json.Nodes;
using Mucmm.Data.Readers;
using Mucmm.Numerics;
using Spectre.Console;

namespace Mucmm.Cli.Commands;

/// <summary>
/// <c>mucmm stats --view1 F --view2 F [--view3 F …] --out S.npz</c>: the sufficient statistics of paired
/// matrix files (streamed, bounded memory) as a statistics file; <c>mucmm stats --merge S1.npz S2.npz …
/// --out S.npz</c>: their exact merge. The format and its checks live in <see cref="StatisticsFile"/>
/// (docs/statistics.md); <c>mucmm fit --stats</c> fits from such files.
/// </summary>
public static class StatsCommand
{
    /// <summary>Most views <c>--view1 … --viewN</c> accepted.</summary>
    public const int MaxViews = 9;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var views = Enumerable.Range(1, MaxViews).Select(m => new Option<string?>($"--view{m}")
        {
            Description = m switch
            {
                1 => "View 1 matrix file (.npy is streamed; .csv), rows = samples.",
                2 => "View 2 matrix file, row i paired with row i of --view1.",
                _ => $"View {m} (optional; --view3 … --view{MaxViews} for more than 2 views).",
            },
            HelpName = "FILE",
            Hidden = m > 3,
        }).ToArray();
        var merge = new Option<string[]>("--merge")
        {
            Description = "Merge statistics files of disjoint rows of the same views (exact, float64) instead of reading data.",
            HelpName = "S.npz",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "The statistics file to write (.npz; written completely or not at all).",
            HelpName = "S.npz",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var runtime = new RuntimeOptions();

        var cmd = new Command("stats",
            "Write the sufficient statistics of paired views (n, means, co-moments) as a NumPy .npz file, or merge such files; " +
            "'mucmm fit --stats' fits linear/cca from them (docs/statistics.md: the format, NumPy and Dask recipes).\n" +
            "Examples:\n" +
            "  mucmm stats --view1 shard1/img.npy --view2 shard1/txt.npy --out s1.npz\n" +
            "  mucmm stats --merge s1.npz s2.npz s3.npz --out all.npz\n" +
            "  mucmm fit --model cca --stats all.npz --out runs/cca");
        foreach (var v in views) cmd.Options.Add(v);
        cmd.Options.Add(merge);
        cmd.Options.Add(output);
        cmd.Options.Add(force);
        runtime.AddTo(cmd, withDevice: false);

        cmd.SetAction(parse =>
        {
            string target = parse.GetValue(output)!;
            var files = views.Select(v => parse.GetValue(v)).ToArray();
            string[] shards = parse.GetValue(merge) ?? [];
            int given = Array.FindLastIndex(files, f => f is not null) + 1;
            if (shards.Length > 0 && given > 0)
                throw new MucmmUserException("give either --view1 FILE --view2 FILE … or --merge S1.npz S2.npz …, not both");
            if (shards.Length == 0 && given == 0)
                throw new MucmmUserException("no input: give --view1 FILE --view2 FILE (data) or --merge S1.npz S2.npz … (statistics files)");
            if (shards.Length == 0)
            {
                if (given < 2) throw new MucmmUserException("statistics need at least two views: give --view1 FILE --view2 FILE");
                int gap = Array.IndexOf(files, null);
                if (gap >= 0 && gap < given) throw new MucmmUserException($"--view{given} is given but --view{gap + 1} is not; number the views without gaps");
            }
            if (!target.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
                throw new MucmmUserException(target, "a statistics file is a NumPy .npz archive: name it *.npz");
            if (File.Exists(target) && !parse.GetValue(force))
                throw new MucmmUserException(target, "exists; add --force to replace it");
            if (Directory.Exists(target)) throw new MucmmUserException(target, "is a folder");

            CovarianceStats stats;
            JsonObject meta;
            if (shards.Length > 0)
            {
                var merged = StatisticsFile.Merge(shards);
                stats = merged.Stats;
                meta = new JsonObject
                {
                    ["written_by"] = "mucmm stats --merge",
                    ["merged_from"] = new JsonArray(merged.Sources.Select(s => (JsonNode)new JsonObject
                    {
                        ["file"] = Path.GetFileName(s.Path), ["sha256"] = s.Sha256, ["n"] = s.Count,
                    }).ToArray()),
                };
            }
            else
            {
                var paths = files.Take(given).Select(f => f!).ToArray();
                stats = FromFilesWithProgress(paths, runtime.IsQuiet(parse));
                if (stats.Count == 0) throw new MucmmUserException(paths[0], "has no rows");
                meta = new JsonObject
                {
                    ["written_by"] = "mucmm stats",
                    ["views"] = new JsonArray(paths.Select(p => (JsonNode)Path.GetFileNameWithoutExtension(p)).ToArray()),
                    ["sources"] = new JsonArray(paths.Select(p => (JsonNode)Path.GetFullPath(p)).ToArray()),
                };
            }
            StatisticsFile.Write(target, stats, meta.ToJsonString());
            Console.WriteLine($"stats: wrote {target} (n = {stats.Count} rows; view widths {string.Join(" + ", stats.Dims)})");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    // Streams the files into statistics with a progress bar of the rows read (none when quiet).
    private static CovarianceStats FromFilesWithProgress(IReadOnlyList<string> paths, bool quiet)
    {
        if (quiet) return CovarianceStats.FromFiles(paths);
        long rows;
        using (var first = MatrixFile.OpenRows(paths[0])) rows = first.Rows;
        CovarianceStats result = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("stats", maxValue: Math.Max(1, rows));
                result = CovarianceStats.FromFiles(paths, progress: new Reporter(r => task.Value = r));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

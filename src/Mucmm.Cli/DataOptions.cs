using System.CommandLine;
using Mucmm.Data;
using Mucmm.Data.Datasets;
using Mucmm.Report;

namespace Mucmm.Cli;

/// <summary>
/// The shared data options — the one place they are built and resolved:
/// <c>--dataset NAME [--fsdd DIR]</c> or <c>--view1 FILE --view2 FILE</c>, <c>--seed S</c>,
/// <c>--split train|validation|test|all</c>. Commands create one instance, add it with
/// <c>AddTo</c> and call <see cref="Load"/> (or <c>LoadAll</c>) in their action.
/// </summary>
/// <remarks>
/// Built-in datasets come with their fixed-seed split; user files (<c>.npy</c> or <c>.csv</c>,
/// rows = samples) get a fixed-seed random 80/10/10 split from <c>--seed</c>. <c>--seed</c> also
/// seeds the command's own random draws (initialization, permutations) where it has any.
/// </remarks>
public sealed class DataOptions
{
    /// <summary>Default of <c>--seed</c>.</summary>
    public const int DefaultSeed = 0;

    /// <summary>Most view files one command line names (<c>--view1</c> … <c>--view8</c>).</summary>
    public const int MaxViews = 8;

    /// <summary>The values <c>--split</c> accepts.</summary>
    public static readonly string[] SplitNames = ["train", "validation", "test", "all"];

    /// <summary>Help text to append to a command's description.</summary>
    public const string HelpText =
        "Data: --dataset NAME (see 'mucmm datasets'; av-digits also needs --fsdd DIR) or --view1 FILE --view2 FILE [--view3 FILE …] " +
        "(.npy or .csv with a header line, rows = paired samples; split 80/10/10 at random from --seed).";

    /// <summary>Creates the options; <paramref name="defaultSplit"/> is the command's default for <c>--split</c>.</summary>
    public DataOptions(string defaultSplit = "all")
    {
        if (!SplitNames.Contains(defaultSplit)) throw new ArgumentException($"unknown split '{defaultSplit}'", nameof(defaultSplit));
        Dataset = new Option<string?>("--dataset")
        {
            Description = $"Built-in dataset: {string.Join(", ", DatasetCatalog.Names)}.",
            HelpName = "NAME",
        };
        Fsdd = CreateFsddOption();
        View1 = new Option<string?>("--view1") { Description = "View 1 matrix file (.npy or .csv), rows = samples.", HelpName = "FILE" };
        View2 = new Option<string?>("--view2") { Description = "View 2 matrix file, row i paired with row i of --view1.", HelpName = "FILE" };
        MoreViews = Enumerable.Range(3, MaxViews - 2).Select(m => new Option<string?>($"--view{m}")
        {
            Description = m == 3 ? "View 3 matrix file (optional: every model takes any number of views; --view4 … --view8 likewise)." : $"View {m} matrix file (optional).",
            HelpName = "FILE",
            Hidden = m > 3,
        }).ToArray();
        Seed = CreateSeedOption();
        Samples = CreateSamplesOption();
        Split = new Option<string>("--split")
        {
            Description = "Rows to use: train, validation, test or all.",
            HelpName = "SPLIT",
            DefaultValueFactory = _ => defaultSplit,
        };
        Split.AcceptOnlyFromAmong(SplitNames);
    }

    /// <summary><c>--dataset NAME</c>.</summary>
    public Option<string?> Dataset { get; }

    /// <summary><c>--fsdd DIR</c>.</summary>
    public Option<string?> Fsdd { get; }

    /// <summary><c>--view1 FILE</c>.</summary>
    public Option<string?> View1 { get; }

    /// <summary><c>--view2 FILE</c>.</summary>
    public Option<string?> View2 { get; }

    /// <summary><c>--view3 FILE</c> … <c>--view8 FILE</c> (views beyond two; --view4 and later hidden in help).</summary>
    public IReadOnlyList<Option<string?>> MoreViews { get; }

    /// <summary>The view files named (<c>--view1</c>, <c>--view2</c>, then <c>--view3</c> … in order), empty when none.</summary>
    /// <exception cref="MucmmUserException">A view is named without every view before it.</exception>
    public IReadOnlyList<string> FilesOf(ParseResult parse)
    {
        var given = new[] { View1, View2 }.Concat(MoreViews).Select(o => parse.GetValue(o)).ToArray();
        int last = Array.FindLastIndex(given, f => f is not null);
        for (int m = 0; m < last; m++)
            if (given[m] is null)
                throw new MucmmUserException($"--view{last + 1} needs --view{m + 1} FILE as well");
        return given.Take(last + 1).Select(f => f!).ToArray();
    }

    /// <summary><c>--seed S</c>.</summary>
    public Option<int> Seed { get; }

    /// <summary><c>--split train|validation|test|all</c>.</summary>
    public Option<string> Split { get; }

    /// <summary><c>--samples N</c> (synthetic datasets only).</summary>
    public Option<int?> Samples { get; }

    /// <summary><c>--fsdd DIR</c> on its own (for commands that name the dataset otherwise, e.g. <c>export-dataset</c>).</summary>
    public static Option<string?> CreateFsddOption() => new("--fsdd")
    {
        Description = "Folder of the Free Spoken Digit Dataset (recordings/{digit}_{speaker}_{index}.wav); needed by av-digits.",
        HelpName = "DIR",
    };

    /// <summary><c>--samples N</c> on its own: number of rows of the synthetic datasets.</summary>
    public static Option<int?> CreateSamplesOption() => new("--samples")
    {
        Description = "Number of samples of synthetic and synthetic-nonlinear (default 10,000).",
        HelpName = "N",
    };

    /// <summary><c>--seed S</c> on its own.</summary>
    public static Option<int> CreateSeedOption() => new("--seed")
    {
        Description = "Seed of every random draw: split, dataset generation, the command's own randomness.",
        HelpName = "S",
        DefaultValueFactory = _ => DefaultSeed,
    };

    /// <summary>Adds all data options to <paramref name="command"/>.</summary>
    public void AddTo(Command command) => AddTo(command, withSplit: true);

    /// <summary>
    /// Adds the data options to <paramref name="command"/>; without <c>--split</c> when
    /// <paramref name="withSplit"/> is false (commands that use every split, e.g. <c>evaluate</c>).
    /// </summary>
    public void AddTo(Command command, bool withSplit)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { Dataset, Fsdd, View1, View2 }.Concat(MoreViews).Concat([Seed, Split, Samples]))
            if (withSplit || option != Split) command.Options.Add(option);
    }

    /// <summary>Whether the command line names data (<c>--dataset</c>, <c>--view1</c> or <c>--view2</c>).</summary>
    public bool IsGiven(ParseResult parse) =>
        parse.GetValue(Dataset) is not null || parse.GetValue(View1) is not null || parse.GetValue(View2) is not null
        || MoreViews.Any(o => parse.GetValue(o) is not null);

    /// <summary>Prints a one-line warning on standard error ("mucmm: warning: …").</summary>
    public static void Warn(string message) => Console.Error.WriteLine($"mucmm: warning: {message}");

    /// <summary>The value of <c>--seed</c>.</summary>
    public int SeedOf(ParseResult parse) => parse.GetValue(Seed);

    /// <summary>The value of <c>--seed</c> when given, else the seed of <paramref name="run"/> (when there is one).</summary>
    public int SeedFor(ParseResult parse, RunFolder? run) =>
        run is not null && parse.GetResult(Seed) is null or { Implicit: true } ? run.Seed : SeedOf(parse);

    /// <summary>The chosen split, or null for <c>all</c>.</summary>
    public Split? SplitOf(ParseResult parse) => parse.GetValue(Split) switch
    {
        "train" => Data.Split.Train,
        "validation" => Data.Split.Validation,
        "test" => Data.Split.Test,
        _ => null,
    };

    /// <summary>The dataset restricted to <c>--split</c> (rows in the dataset's index order).</summary>
    public PairedDataset Load(ParseResult parse)
    {
        var all = LoadAll(parse);
        return SplitOf(parse) is { } split ? all.Subset(split) : all;
    }

    /// <summary>
    /// The whole dataset (every split) named by the options. Throws <see cref="MucmmUserException"/>
    /// when neither or both of <c>--dataset</c> and <c>--view1/--view2</c> are given, a file is bad,
    /// the files' row counts differ or a value is not finite (the message names the file).
    /// </summary>
    public PairedDataset LoadAll(ParseResult parse) => SourceOf(parse).Load(Warn);

    /// <summary>
    /// How to build the data the options name (<see cref="DataSource"/>): <c>--dataset</c> with <c>--seed</c>,
    /// <c>--samples</c> and <c>--fsdd</c>, or <c>--view1/--view2</c> with <c>--seed</c>. Options the data do not
    /// use (<c>--samples</c> or <c>--fsdd</c> with files, or with a dataset that has no use for them) are errors.
    /// </summary>
    public DataSource SourceOf(ParseResult parse)
    {
        string? name = parse.GetValue(Dataset), v1 = parse.GetValue(View1), v2 = parse.GetValue(View2);
        bool files = v1 is not null || v2 is not null || MoreViews.Any(o => parse.GetValue(o) is not null);
        if (name is not null && files)
            throw new MucmmUserException("give either --dataset NAME or --view1 FILE --view2 FILE, not both");
        if (name is not null)
            return DataSource.ForDataset(name, SeedOf(parse), SamplesOf(parse), parse.GetValue(Fsdd));
        if (!files)
            throw new MucmmUserException("no data: give --dataset NAME (see 'mucmm datasets') or --view1 FILE --view2 FILE");
        var paths = FilesOf(parse);
        if (paths.Count < 2) throw new MucmmUserException("--view1 needs --view2 FILE as well");
        RejectDatasetOptionsForFiles(parse);
        return DataSource.ForFiles(paths, SeedOf(parse));
    }

    /// <summary>
    /// The data for a command that uses a fitted run (<c>evaluate</c>, <c>report</c>, <c>score</c>, <c>transform</c>,
    /// <c>explain</c>). Without a run (a model folder outside a run), the data the options name. With a run, by
    /// default exactly the run's data and split (its recorded <see cref="DataSource"/>); options given on the
    /// command line replace the recorded ones (other data named with <c>--dataset</c>/<c>--view1</c> keep the run's
    /// seed unless <c>--seed</c> is given). The data must then match the run's fingerprint, else a
    /// <see cref="MucmmUserException"/> names the run and the difference — unless
    /// <paramref name="allowOtherData"/> and data are named explicitly (applying a model to new samples, where no
    /// split of the run is involved).
    /// </summary>
    public PairedDataset LoadForRun(ParseResult parse, RunFolder? run, bool allowOtherData = false)
    {
        if (run is null) return LoadAll(parse);
        string? name = parse.GetValue(Dataset);
        bool named = IsGiven(parse);
        bool seedGiven = parse.GetResult(Seed) is { Implicit: false };
        var recorded = run.Source;
        DataSource source;
        if (named)
        {
            var given = SourceOf(parse);
            int seed = seedGiven ? given.Seed : run.Seed;
            bool sameDataset = name is not null && recorded?.Dataset == given.Dataset;
            source = given.Dataset is not null
                ? DataSource.ForDataset(given.Dataset, seed, SamplesOf(parse) ?? (sameDataset ? recorded!.Samples : null),
                    parse.GetValue(Fsdd) ?? (sameDataset ? recorded!.Fsdd : null))
                : given with { Seed = seed };
        }
        else
        {
            source = recorded ?? throw run.NoRecordedData();
            if (source.Files is not null)
            {
                RejectDatasetOptionsForFiles(parse);
                if (seedGiven) source = source with { Seed = SeedOf(parse) };
            }
            else source = DataSource.ForDataset(source.Dataset!, seedGiven ? SeedOf(parse) : source.Seed,
                SamplesOf(parse) ?? source.Samples, parse.GetValue(Fsdd) ?? source.Fsdd);
        }
        var data = source.Load(Warn);
        if (allowOtherData && named) return data;
        run.CheckData(data);
        return data;
    }

    private int? SamplesOf(ParseResult parse) => parse.GetResult(Samples) is null ? null : parse.GetValue(Samples);

    private void RejectDatasetOptionsForFiles(ParseResult parse)
    {
        if (SamplesOf(parse) is not null) throw new MucmmUserException("--samples applies to the synthetic datasets only, not to data files");
        if (parse.GetValue(Fsdd) is not null) throw new MucmmUserException("--fsdd applies to av-digits only, not to data files");
    }
}

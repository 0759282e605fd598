using Mucmm.Data.Datasets;

namespace Mucmm.Data;

/// <summary>
/// How to build a run's data again: a built-in dataset (name, seed, number of synthetic samples, FSDD folder)
/// or user files (absolute paths, seed of their split). <c>fit</c> records it in <c>fit.json</c>; every command
/// that takes a run loads it by default (<see cref="Load"/>), so the data and split are the fit's.
/// </summary>
public sealed record DataSource
{
    /// <summary>Built-in dataset name (null for files).</summary>
    public string? Dataset { get; init; }

    /// <summary>Absolute paths of the view files (null for a built-in dataset).</summary>
    public IReadOnlyList<string>? Files { get; init; }

    /// <summary>Seed of the split and of every random draw of the dataset.</summary>
    public int Seed { get; init; }

    /// <summary>Rows of <c>synthetic</c>/<c>synthetic-nonlinear</c> (null for other data).</summary>
    public int? Samples { get; init; }

    /// <summary>Absolute path of the Free Spoken Digit Dataset folder (av-digits only).</summary>
    public string? Fsdd { get; init; }

    /// <summary>The name shown to users: the dataset, or the file names joined by " + ".</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Name => Dataset ?? string.Join(" + ", Files ?? []);

    /// <summary>
    /// A built-in dataset: the name is checked and made canonical, the sample count of the synthetic datasets
    /// made explicit (their default when null), paths made absolute. Options the dataset does not use are
    /// user errors: <paramref name="samples"/> for datasets other than the synthetic ones,
    /// <paramref name="fsdd"/> for datasets other than av-digits.
    /// </summary>
    public static DataSource ForDataset(string name, int seed, int? samples = null, string? fsdd = null)
    {
        var d = DatasetCatalog.Describe(name);
        bool synthetic = d.Name is SyntheticDataset.Name or SyntheticDataset.NonlinearName;
        if (samples is not null && !synthetic)
            throw new MucmmUserException($"DataSource.Samples applies to the synthetic datasets only, not to '{d.Name}' (it has a fixed size)");
        if (fsdd is not null && !d.NeedsFsdd)
            throw new MucmmUserException($"DataSource.Fsdd applies to {string.Join(", ", DatasetCatalog.All.Where(x => x.NeedsFsdd).Select(x => x.Name))} only, not to '{d.Name}'");
        return new DataSource
        {
            Dataset = d.Name,
            Seed = seed,
            Samples = synthetic ? samples ?? new SyntheticOptions().Samples : null,
            Fsdd = fsdd is null ? null : Path.GetFullPath(fsdd),
        };
    }

    /// <summary>User files, one per view (paths made absolute), split 80/10/10 from <paramref name="seed"/>.</summary>
    public static DataSource ForFiles(IReadOnlyList<string> files, int seed)
    {
        ArgumentNullException.ThrowIfNull(files);
        return new DataSource { Files = files.Select(Path.GetFullPath).ToArray(), Seed = seed };
    }

    /// <summary>Loads the whole dataset (every split). Errors are <see cref="MucmmUserException"/>s naming the file or option.</summary>
    /// <param name="warn">Receives warnings about the data (e.g. the same file given as two views); null ignores them.</param>
    public PairedDataset Load(Action<string>? warn = null)
    {
        if (Dataset is not null)
            return DatasetCatalog.Load(Dataset, new DatasetOptions { Seed = Seed, FsddDir = Fsdd, Samples = Samples });
        if (Files is { Count: > 0 } files) return PairedFiles.Load(files, Seed, warn);
        throw new MucmmUserException("no data: the data source names neither a dataset nor files");
    }
}

using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;

namespace Mucmm.Data;

/// <summary>
/// User data: one matrix file per view (<c>.npy</c> or <c>.csv</c> via <see cref="MatrixFile"/>, rows = paired samples), read into a <see cref="PairedDataset"/>
/// named "files" with views "view1", "view2", … and a fixed-seed random 80/10/10 split
/// (<see cref="DatasetSplits.Random"/>).
/// </summary>
public static class PairedFiles
{
    /// <summary>Dataset name given to user files.</summary>
    public const string Name = "files";

    /// <summary>
    /// Reads the files and checks them: each is a readable matrix, all have the same number of
    /// rows and only finite values. Every error is a <see cref="MucmmUserException"/> naming the file.
    /// </summary>
    public static PairedDataset Load(IReadOnlyList<string> paths, int seed)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count < 2) throw new MucmmUserException($"need at least 2 view files, got {paths.Count}");
        var views = new View[paths.Count];
        for (int m = 0; m < paths.Count; m++)
        {
            views[m] = ReadView(paths[m], $"view{m + 1}");
            views[m].EnsureFinite(paths[m]);
            if (views[m].Rows != views[0].Rows)
                throw new MucmmUserException(paths[m],
                    $"has {views[m].Rows} rows but {paths[0]} has {views[0].Rows}; the views must be paired row by row");
        }
        int n = views[0].Rows;
        if (n < 3) throw new MucmmUserException(paths[0], $"has {n} rows; need at least 3 paired samples");
        return new PairedDataset(Name, views, DatasetSplits.Random(n, seed),
            description: "user files: " + string.Join(" + ", paths.Select(Path.GetFileName)));
    }

    private static View ReadView(string path, string name)
    {
        var m = MatrixFile.Read(path);
        if (m.Rows == 0 || m.Cols == 0)
            throw new MucmmUserException(path, $"expected a matrix with rows = samples, got {m.Rows} × {m.Cols}");
        return new View(name, ViewKind.Vector, [m.Cols], m.Data);
    }
}

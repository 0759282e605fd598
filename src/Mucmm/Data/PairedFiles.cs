using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;

namespace Mucmm.Data;

/// <summary>
/// User data: one matrix file per view (<c>.npy</c> or <c>.csv</c> via <see cref="MatrixFile"/>, rows = paired samples), read into a <see cref="PairedDataset"/>
/// named "files" with views "view1", "view2", … and a fixed-seed random 80/10/10 split
/// (<see cref="DatasetSplits.Random"/>).
/// </summary>
/// <remarks>
/// A <c>.npy</c> view of shape (n, s₁, s₂, …) keeps its per-sample shape [s₁, s₂, …] in
/// <see cref="View.SampleShape"/> (rows are stored flattened): (n, 28, 28) images give views of kind
/// <see cref="ViewKind.Image"/> that the CNN encoder can read; (n, C, H, W) arrays keep [C, H, W] (the CNN reads the C
/// planes as its input channels), and are image views too for C = 1 (grey) and C = 3 (RGB), drawn as pictures and shifted by
/// <c>--augment-shift</c>.
/// A CSV file (or a 2-D <c>.npy</c>) gives plain vectors. A <c>.txt</c> file (one sample per line) or a CSV text
/// column <c>FILE.csv#COLUMN</c> gives a text view (<see cref="ViewKind.Text"/>, read by <see cref="TextFile"/>). 0-d and 1-d arrays and arrays without
/// columns are refused, naming the file.
/// </remarks>
public static class PairedFiles
{
    /// <summary>Dataset name given to user files.</summary>
    public const string Name = "files";

    /// <summary>
    /// Reads the files and checks them: each is a readable matrix (rows = samples), all have the same
    /// number of rows and only finite values of sane magnitude. Every error is a
    /// <see cref="MucmmUserException"/> naming the file. <paramref name="warn"/> (when given) receives
    /// one-line warnings: the same file given twice, or two views with identical values (every
    /// canonical correlation is then 1).
    /// </summary>
    public static PairedDataset Load(IReadOnlyList<string> paths, int seed, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count < 2) throw new MucmmUserException($"need at least 2 view files, got {paths.Count}");
        WarnSameFiles(paths, warn);
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
        if (warn is not null)
        {
            for (int a = 0; a < views.Length; a++)
                for (int b = a + 1; b < views.Length; b++)
                    if (!SameFile(paths[a], paths[b]) && SameValues(views[a], views[b]))
                        warn($"{paths[a]} and {paths[b]} hold identical values: every canonical correlation will be 1");
        }
        return new PairedDataset(Name, views, DatasetSplits.Random(n, seed),
            description: "user files: " + string.Join(" + ", paths.Select(Path.GetFileName)));
    }

    /// <summary>
    /// Opens a view file for streaming (<see cref="MatrixFile.OpenRows"/>) after the same shape checks as
    /// <see cref="Load"/> (no 0-d or 1-d array, no array without columns).
    /// </summary>
    public static IRowChunkReader OpenRows(string path)
    {
        var reader = MatrixFile.OpenRows(path);
        try
        {
            var shape = reader is NpyChunkReader npy ? npy.Header.Shape : [reader.Rows, reader.Cols];
            CheckShape(path, shape);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Warns (through <paramref name="warn"/>) when two of <paramref name="paths"/> name the same file
    /// (also through links): every canonical correlation of a view with itself is 1.
    /// </summary>
    public static void WarnSameFiles(IReadOnlyList<string> paths, Action<string>? warn)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (warn is null) return;
        for (int a = 0; a < paths.Count; a++)
            for (int b = a + 1; b < paths.Count; b++)
                if (SameFile(paths[a], paths[b]))
                    warn($"{paths[a]} is given as view {a + 1} and view {b + 1}: every canonical correlation will be 1");
    }

    /// <summary>
    /// Checks the stored shape of a view file: at least 2 dimensions (rows = samples, then the sample's
    /// shape), every sample dimension positive. Throws <see cref="MucmmUserException"/> naming the file.
    /// </summary>
    public static void CheckShape(string path, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        string text = shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        if (shape.Count == 0)
            throw new MucmmUserException(path, "is a 0-d array (a single number); a view needs a 2-D (n, d) array with one row per sample");
        if (shape.Count == 1)
            throw new MucmmUserException(path,
                $"is a 1-D array of shape {text}; a view needs a 2-D (n, d) array with one row per sample (for one feature, save it as shape ({shape[0]}, 1))");
        if (shape.Skip(1).Any(s => s == 0))
            throw new MucmmUserException(path, $"has shape {text}: 0 columns (no features per sample)");
        if (shape[0] == 0)
            throw new MucmmUserException(path, $"has shape {text}: no rows (samples)");
    }

    private static View ReadView(string path, string name)
    {
        if (TextFile.IsTextView(path)) return View.FromTexts(name, TextFile.ReadTexts(path));
        var m = MatrixFile.Read(path);
        CheckShape(path, m.Shape.Select(s => (long)s).ToArray());
        int[] sample = m.Shape.Skip(1).ToArray();
        var kind = sample is [_, _] or [1 or 3, _, _] ? ViewKind.Image : ViewKind.Vector;
        return new View(name, kind, sample, m.Data);
    }

    // Text views compare their texts (their numeric data is only a placeholder).
    private static bool SameValues(View a, View b) =>
        a.Texts is not null || b.Texts is not null
            ? a.Texts is not null && b.Texts is not null && a.Texts.SequenceEqual(b.Texts, StringComparer.Ordinal)
            : a.Cols == b.Cols && a.Data.AsSpan().SequenceEqual(b.Data);

    private static bool SameFile(string a, string b)
    {
        try
        {
            return string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }

        static string Resolve(string p)
        {
            var info = new FileInfo(p);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            return Path.GetFullPath(target.FullName);
        }
    }
}

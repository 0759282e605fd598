namespace Mucmm.Data;

/// <summary>Which part of a fixed-seed split a sample belongs to.</summary>
public enum Split
{
    /// <summary>Used to fit models.</summary>
    Train,
    /// <summary>Used to choose hyperparameters and for early stopping.</summary>
    Validation,
    /// <summary>Held out; used only to report.</summary>
    Test,
}

/// <summary>
/// M ≥ 2 paired views with the same number of rows: row i of every view is one sample.
/// Optional integer labels (e.g. "digit", "speaker") and continuous factors (e.g. "rotation")
/// per row, a split per row, and the row's index in the full dataset (the order
/// <c>export-dataset</c> writes). Optionally, names for label codes (e.g. speaker names) and
/// integer row identifiers that say where a row comes from (e.g. the partner image of
/// <c>noisy-mnist</c>) — identifiers are exported with the labels but are not targets to predict — and
/// text notes per row (e.g. an emoji's name), exported likewise.
/// </summary>
public sealed class PairedDataset
{
    /// <summary>Creates a dataset and checks that it is consistent (throws <see cref="MucmmUserException"/>).</summary>
    public PairedDataset(
        string name,
        IReadOnlyList<View> views,
        Split[] splits,
        IReadOnlyDictionary<string, int[]>? labels = null,
        IReadOnlyDictionary<string, double[]>? factors = null,
        int[]? indices = null,
        string? description = null,
        IReadOnlyDictionary<string, string[]>? labelNames = null,
        IReadOnlyDictionary<string, int[]>? ids = null,
        IReadOnlyDictionary<string, string[]>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(splits);
        if (views.Count < 2)
            throw new MucmmUserException($"dataset '{name}' needs at least 2 views, got {views.Count}");
        int n = views[0].Rows;
        for (int m = 1; m < views.Count; m++)
        {
            if (views[m].Rows != n)
                throw new MucmmUserException(
                    $"views are not paired: view '{views[0].Name}' has {n} rows but view '{views[m].Name}' has {views[m].Rows}");
        }
        if (splits.Length != n) throw new ArgumentException($"splits has {splits.Length} entries, expected {n}");
        labels ??= new Dictionary<string, int[]>();
        factors ??= new Dictionary<string, double[]>();
        foreach (var (key, v) in labels)
            if (v.Length != n) throw new ArgumentException($"label '{key}' has {v.Length} entries, expected {n}");
        foreach (var (key, v) in factors)
            if (v.Length != n) throw new ArgumentException($"factor '{key}' has {v.Length} entries, expected {n}");
        labelNames ??= new Dictionary<string, string[]>();
        foreach (var key in labelNames.Keys)
            if (!labels.ContainsKey(key)) throw new ArgumentException($"label names given for '{key}', which is not a label");
        ids ??= new Dictionary<string, int[]>();
        foreach (var (key, v) in ids)
            if (v.Length != n) throw new ArgumentException($"id '{key}' has {v.Length} entries, expected {n}");
        notes ??= new Dictionary<string, string[]>();
        foreach (var (key, v) in notes)
            if (v.Length != n) throw new ArgumentException($"note '{key}' has {v.Length} entries, expected {n}");
        indices ??= Enumerable.Range(0, n).ToArray();
        if (indices.Length != n) throw new ArgumentException($"indices has {indices.Length} entries, expected {n}");

        Name = name;
        Views = views;
        Splits = splits;
        Labels = labels;
        Factors = factors;
        Indices = indices;
        Description = description ?? name;
        LabelNames = labelNames;
        Ids = ids;
        Notes = notes;
    }

    /// <summary>Dataset name, e.g. "noisy-mnist".</summary>
    public string Name { get; }

    /// <summary>One-line description of what the views are and where the data comes from.</summary>
    public string Description { get; }

    /// <summary>The paired views (at least two).</summary>
    public IReadOnlyList<View> Views { get; }

    /// <summary>Number of samples (rows of every view).</summary>
    public int Count => Views[0].Rows;

    /// <summary>Split of each row.</summary>
    public Split[] Splits { get; }

    /// <summary>Integer labels per row, by name (may be empty).</summary>
    public IReadOnlyDictionary<string, int[]> Labels { get; }

    /// <summary>Continuous factors per row, by name (may be empty).</summary>
    public IReadOnlyDictionary<string, double[]> Factors { get; }

    /// <summary>
    /// Names of label codes, by label (may be empty): <c>LabelNames["speaker"][Labels["speaker"][i]]</c>
    /// is the speaker name of row i.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> LabelNames { get; }

    /// <summary>
    /// Integer identifiers per row that say where the row comes from (e.g. "partner": the MNIST
    /// image of view 2 in <c>noisy-mnist</c>); exported with the labels, never a target to predict.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> Ids { get; }

    /// <summary>
    /// Text per row that says what the row is (e.g. "name": an emoji's Unicode name); exported in <c>meta.csv</c>
    /// after the ids, never a target to predict (may be empty).
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Notes { get; }

    /// <summary>Index of each row in the full dataset (0..n-1 for a full dataset).</summary>
    public int[] Indices { get; }

    /// <summary>Rows (positions in this dataset) that belong to <paramref name="split"/>, ascending.</summary>
    public int[] RowsOf(Split split)
    {
        var rows = new List<int>();
        for (int i = 0; i < Splits.Length; i++)
            if (Splits[i] == split) rows.Add(i);
        return rows.ToArray();
    }

    /// <summary>A new dataset with the given rows of this one, in the given order (labels, factors and indices follow).</summary>
    public PairedDataset Select(IReadOnlyList<int> rows)
    {
        T[] Pick<T>(T[] a)
        {
            var r = new T[rows.Count];
            for (int i = 0; i < r.Length; i++) r[i] = a[rows[i]];
            return r;
        }
        return new PairedDataset(
            Name,
            Views.Select(v => v.Select(rows)).ToArray(),
            Pick(Splits),
            Labels.ToDictionary(kv => kv.Key, kv => Pick(kv.Value)),
            Factors.ToDictionary(kv => kv.Key, kv => Pick(kv.Value)),
            Pick(Indices),
            Description,
            LabelNames,
            Ids.ToDictionary(kv => kv.Key, kv => Pick(kv.Value)),
            Notes.ToDictionary(kv => kv.Key, kv => Pick(kv.Value)));
    }

    /// <summary>
    /// The same dataset (rows, split, labels, factors, indices) with other views, one per view of this one with the same
    /// number of rows — e.g. each view replaced by a pretrained encoder's features (<c>ViewEncoders.Encode</c>).
    /// </summary>
    public PairedDataset WithViews(IReadOnlyList<View> views)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != Views.Count) throw new ArgumentException($"need {Views.Count} views, got {views.Count}", nameof(views));
        return new PairedDataset(Name, views, Splits, Labels, Factors, Indices, Description, LabelNames, Ids, Notes);
    }

    /// <summary>The rows of one split, as a dataset (this dataset itself when every row is in <paramref name="split"/>).</summary>
    public PairedDataset Subset(Split split) => Array.TrueForAll(Splits, s => s == split) ? this : Select(RowsOf(split));

    /// <summary>
    /// The same rows (views, labels, factors, indices) with every row assigned to <paramref name="split"/>: e.g.
    /// <c>data.Subset(Split.Test).AsSplit(Split.Train)</c> to fit a model on the test rows, since every fit uses the
    /// train split of the dataset it is given (<see cref="IMultiviewEstimator{TModel}"/>).
    /// </summary>
    public PairedDataset AsSplit(Split split) =>
        Array.TrueForAll(Splits, s => s == split) ? this
        : new PairedDataset(Name, Views, Enumerable.Repeat(split, Count).ToArray(), Labels, Factors, Indices, Description, LabelNames, Ids, Notes);

    /// <summary>Throws <see cref="MucmmUserException"/> when any view holds NaN or infinite values.</summary>
    public void EnsureFinite()
    {
        foreach (var v in Views) v.EnsureFinite();
    }

    /// <summary>A fixed-seed permutation of 0..n-1 (Fisher–Yates with <see cref="Random"/>(seed)).</summary>
    public static int[] Permutation(int n, int seed)
    {
        var rng = new Random(seed);
        int[] p = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}

namespace Mucmm.Data.Datasets;

/// <summary>
/// The one home of the split rule: a fixed-seed random assignment of rows by fractions
/// (<see cref="ByFractions"/>), and the 80 % train / 10 % validation / 10 % test split of the built-in datasets and
/// of user files (<see cref="Random"/>). An image manifest keeps its own fractions (<see cref="Readers.ImageManifestOptions"/>).
/// </summary>
public static class DatasetSplits
{
    /// <summary>Fraction of rows in the validation split.</summary>
    public const double ValidationFraction = 0.1;

    /// <summary>Fraction of rows in the test split.</summary>
    public const double TestFraction = 0.1;

    /// <summary>
    /// A fixed-seed random 80/10/10 split of n rows (the seed is turned into the split's own
    /// stream, so it does not correlate with the data's other random draws). 10,000 rows give
    /// exactly 8,000 / 1,000 / 1,000.
    /// </summary>
    public static Split[] Random(int n, int seed) =>
        ByFractions(n, Seeds.Derive(seed, Seeds.Stream.Split), ValidationFraction, TestFraction);

    /// <summary>
    /// A fixed-seed random split of n rows: round(n · <paramref name="test"/>) rows to test, round(n ·
    /// <paramref name="validation"/>) to validation, the rest to train, in the order of
    /// <see cref="PairedDataset.Permutation"/>(n, <paramref name="seed"/>). Same seed → same split, on every machine.
    /// </summary>
    public static Split[] ByFractions(int n, int seed, double validation, double test)
    {
        if (validation < 0 || test < 0 || validation + test >= 1)
            throw new MucmmUserException($"split fractions must be ≥ 0 and sum to less than 1, got validation {validation} and test {test}");
        int[] perm = PairedDataset.Permutation(n, seed);
        int nTest = (int)Math.Round(n * test), nVal = (int)Math.Round(n * validation);
        var splits = new Split[n];
        for (int i = 0; i < n; i++)
            splits[perm[i]] = i < nTest ? Split.Test : i < nTest + nVal ? Split.Validation : Split.Train;
        return splits;
    }

    /// <summary>The lower-case name used in files and options: "train", "validation", "test".</summary>
    public static string ToName(this Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        Split.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };
}

namespace Mucmm.Data.Datasets;

/// <summary>The split rule shared by the built-in datasets: 80 % train, 10 % validation, 10 % test.</summary>
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
        PairedDataset.RandomSplit(n, Seeds.Derive(seed, Seeds.Stream.Split), ValidationFraction, TestFraction);

    /// <summary>The lower-case name used in files and options: "train", "validation", "test".</summary>
    public static string ToName(this Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        Split.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };
}

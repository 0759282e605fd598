namespace Mucmm.Data.Datasets;

/// <summary>
/// <c>split-mnist</c> (Andrew, Arora, Bilmes and Livescu 2013, "Deep canonical correlation
/// analysis"): view 1 ("left") is the left half (28 rows × columns 0–13) and view 2 ("right") the
/// right half (columns 14–27) of each of the 10,000 embedded MNIST digits. Label "digit". Split:
/// 8,000 / 1,000 / 1,000 at random from the seed. Row i is embedded image i.
/// </summary>
public static class SplitMnistDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "split-mnist";

    /// <summary>Width of each half in pixels.</summary>
    public const int HalfWidth = MnistDigits.Width / 2;

    /// <summary>Builds the dataset for <paramref name="seed"/> (the seed only moves the split).</summary>
    public static PairedDataset Create(int seed = 0)
    {
        var mnist = MnistDigits.Embedded;
        int n = mnist.Count, h = MnistDigits.Height, half = HalfWidth;
        var left = new double[n * h * half];
        var right = new double[n * h * half];
        for (int i = 0; i < n; i++)
        {
            var img = mnist.Image(i);
            for (int r = 0; r < h; r++)
            {
                img.Slice(r * MnistDigits.Width, half).CopyTo(left.AsSpan((i * h + r) * half, half));
                img.Slice(r * MnistDigits.Width + half, half).CopyTo(right.AsSpan((i * h + r) * half, half));
            }
        }
        return new PairedDataset(
            Name,
            [
                new View("left", ViewKind.Image, [h, half], left),
                new View("right", ViewKind.Image, [h, half], right),
            ],
            DatasetSplits.Random(n, seed),
            labels: new Dictionary<string, int[]> { ["digit"] = (int[])mnist.Labels.Clone() },
            description: "left and right halves (28×14) of MNIST digits");
    }
}

namespace Mucmm.Data.Datasets;

/// <summary>
/// <c>located-mnist</c>: a dataset whose shared and view-specific content sit in known places, so
/// that attribution maps can be scored against ground truth (localization).
/// </summary>
/// <remarks>
/// Row i is embedded MNIST image i (digit y_i). View 1 ("pair", 28 × 56): the left half
/// (columns 0–27) is image i, the right half (columns 28–55) is image j_i ≠ i of digit c_i, where
/// c_i ~ U{0, …, 9} is drawn independently of y_i and j_i uniformly among the images of digit c_i in
/// the same split as i (excluding i itself). View 2 ("noisy", 28 × 28): image i plus independent
/// U[0, 1] noise per pixel, clipped to [0, 1]. Labels "digit" (y_i) and "right_digit" (c_i); id
/// "right" (j_i). Split: 8,000 / 1,000 / 1,000 at random. Everything the views share therefore
/// lives in the left half of view 1 (region "shared") and what view 1 has of its own in the right
/// half (region "own"): see <see cref="Regions"/>. All draws come from streams derived from the seed.
/// </remarks>
public static class LocatedMnistDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "located-mnist";

    /// <summary>Width of view 1 in pixels (two MNIST images side by side).</summary>
    public const int PairWidth = 2 * MnistDigits.Width;

    /// <summary>Shape of a view-1 sample: [28, 56].</summary>
    public static int[] PairShape => [MnistDigits.Height, PairWidth];

    /// <summary>
    /// The regions of view 1: "shared" (the left half, columns 0–27) and "own" (the right half,
    /// columns 28–55), as masks over the 28 × 56 pixels flattened row-major.
    /// </summary>
    public static IReadOnlyDictionary<string, bool[]> Regions { get; } = BuildRegions();

    /// <summary>
    /// The deep-fit settings of this dataset (<see cref="DatasetDescriptor.DeepDefaults"/>): k = 30 common variates and
    /// 30 epochs; r stays the global 20. Chosen on seeds 7 and 8, which are not reported (docs/explain.md, "Deep defaults of
    /// located-mnist"): first among (k, r) = (20, 10), (30, 10), (20, 20) and image shifts at 10 epochs — view 2 is the
    /// same image as view 1's left half, so its ten most correlated directions are style (ink, slant) more than class,
    /// and k = 10 leaves the digit at 0.80 from the common variates; then among k = 20, 24 and 30 at 20 epochs on seed 7,
    /// k = 24 against k = 30 on seed 8, and 20 against 30 epochs on seeds 7 and 8, each by a rule written before the
    /// fits: longer fits share the last common pairs, and a "common" pair that is not shared lets view-1 content of its
    /// own (the right digit) into the common part.
    /// </summary>
    public static DeepDefaults DeepDefaults { get; } = new() { CommonDim = 30, Epochs = 30 };

    /// <summary>Builds the dataset for <paramref name="seed"/>.</summary>
    public static PairedDataset Create(int seed = 0)
    {
        var mnist = MnistDigits.Embedded;
        int n = mnist.Count, p = MnistDigits.Pixels, h = MnistDigits.Height, w = MnistDigits.Width;
        Split[] splits = DatasetSplits.Random(n, seed);

        // Pools of candidate right images: images of each (split, digit), ascending.
        var pools = new Dictionary<(Split, int), List<int>>();
        for (int i = 0; i < n; i++)
        {
            var key = (splits[i], mnist.Labels[i]);
            if (!pools.TryGetValue(key, out var list)) pools[key] = list = new List<int>();
            list.Add(i);
        }

        var digitRng = Seeds.Rng(seed, Seeds.Stream.RightDigit);
        var partnerRng = Seeds.Rng(seed, Seeds.Stream.Partner);
        var noiseRng = Seeds.Rng(seed, Seeds.Stream.Noise);
        var rightDigit = new int[n];
        var right = new int[n];
        var view1 = new double[n * 2 * p];
        var view2 = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            int c = rightDigit[i] = digitRng.Next(10);
            if (!pools.TryGetValue((splits[i], c), out var pool) || pool.Count < (c == mnist.Labels[i] ? 2 : 1))
                throw new InvalidOperationException($"located-mnist: too few images of digit {c} in the {splits[i].ToName()} split");
            int j;
            if (c == mnist.Labels[i])
            {
                int self = pool.BinarySearch(i);
                int pick = partnerRng.Next(pool.Count - 1);
                if (pick >= self) pick++; // uniform over the pool without i
                j = pool[pick];
            }
            else
            {
                j = pool[partnerRng.Next(pool.Count)];
            }
            right[i] = j;

            var left = mnist.Image(i);
            var other = mnist.Image(j);
            var dst = view1.AsSpan(i * 2 * p, 2 * p);
            for (int r = 0; r < h; r++)
            {
                left.Slice(r * w, w).CopyTo(dst.Slice(r * 2 * w, w));
                other.Slice(r * w, w).CopyTo(dst.Slice(r * 2 * w + w, w));
            }
            var noisy = view2.AsSpan(i * p, p);
            for (int q = 0; q < p; q++) noisy[q] = Math.Min(1.0, left[q] + noiseRng.NextDouble());
        }

        return new PairedDataset(
            Name,
            [
                new View("pair", ViewKind.Image, PairShape, view1),
                new View("noisy", ViewKind.Image, [h, w], view2),
            ],
            splits,
            labels: new Dictionary<string, int[]>
            {
                ["digit"] = (int[])mnist.Labels.Clone(),
                ["right_digit"] = rightDigit,
            },
            description: "view 1: an MNIST digit (left) beside a digit of an independent random class (right); view 2: the left digit + U[0,1] noise",
            ids: new Dictionary<string, int[]> { ["right"] = right });
    }

    private static Dictionary<string, bool[]> BuildRegions()
    {
        int h = MnistDigits.Height, w = MnistDigits.Width;
        var shared = new bool[h * PairWidth];
        var own = new bool[h * PairWidth];
        for (int r = 0; r < h; r++)
            for (int col = 0; col < PairWidth; col++)
            {
                if (col < w) shared[r * PairWidth + col] = true;
                else own[r * PairWidth + col] = true;
            }
        return new Dictionary<string, bool[]> { ["shared"] = shared, ["own"] = own };
    }
}

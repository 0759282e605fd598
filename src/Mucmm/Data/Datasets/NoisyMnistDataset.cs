namespace Mucmm.Data.Datasets;

/// <summary>
/// <c>noisy-mnist</c> (Wang, Arora, Livescu and Bilmes 2015, "On deep multi-view representation
/// learning") built from the 10,000 embedded MNIST digits.
/// </summary>
/// <remarks>
/// Row i is embedded image i. View 1 ("rotated"): image i rotated by θ_i ~ U[−45°, 45°] about its
/// centre, bilinear (<see cref="ImageOps.Rotate"/>; positive θ = counter-clockwise as displayed).
/// View 2 ("noisy"): a different image j ≠ i of the same digit from the same split, chosen
/// uniformly, plus independent U[0, 1] noise per pixel, clipped to [0, 1]. Label "digit"; factor
/// "rotation" (θ_i in degrees); id "partner" (j, the embedded index of view 2's image). Split:
/// 8,000 / 1,000 / 1,000 at random; since partners come from the same split, no image appears in
/// two splits. All draws come from streams derived from the seed.
/// </remarks>
public static class NoisyMnistDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "noisy-mnist";

    /// <summary>Largest rotation in degrees: θ ~ U[−MaxRotation, MaxRotation].</summary>
    public const double MaxRotation = 45.0;

    /// <summary>Builds the dataset for <paramref name="seed"/>.</summary>
    public static PairedDataset Create(int seed = 0)
    {
        var mnist = MnistDigits.Embedded;
        int n = mnist.Count, p = MnistDigits.Pixels;
        Split[] splits = DatasetSplits.Random(n, seed);

        var rotRng = Seeds.Rng(seed, Seeds.Stream.Rotation);
        var rotation = new double[n];
        var view1 = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            rotation[i] = rotRng.NextUniform(-MaxRotation, MaxRotation);
            ImageOps.Rotate(mnist.Image(i), view1.AsSpan(i * p, p), MnistDigits.Height, MnistDigits.Width, rotation[i]);
        }

        // Pools of candidate partners: images of each (split, digit), ascending.
        var pools = new Dictionary<(Split, int), List<int>>();
        for (int i = 0; i < n; i++)
        {
            var key = (splits[i], mnist.Labels[i]);
            if (!pools.TryGetValue(key, out var list)) pools[key] = list = new List<int>();
            list.Add(i);
        }
        var partnerRng = Seeds.Rng(seed, Seeds.Stream.Partner);
        var noiseRng = Seeds.Rng(seed, Seeds.Stream.Noise);
        var partner = new int[n];
        var view2 = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            var pool = pools[(splits[i], mnist.Labels[i])];
            if (pool.Count < 2)
                throw new InvalidOperationException($"noisy-mnist: digit {mnist.Labels[i]} has a single image in the {splits[i].ToName()} split");
            int self = pool.BinarySearch(i);
            int pick = partnerRng.Next(pool.Count - 1);
            if (pick >= self) pick++; // uniform over the pool without i
            int j = partner[i] = pool[pick];
            var src = mnist.Image(j);
            var dst = view2.AsSpan(i * p, p);
            for (int q = 0; q < p; q++) dst[q] = Math.Min(1.0, src[q] + noiseRng.NextDouble());
        }

        return new PairedDataset(
            Name,
            [
                new View("rotated", ViewKind.Image, [MnistDigits.Height, MnistDigits.Width], view1),
                new View("noisy", ViewKind.Image, [MnistDigits.Height, MnistDigits.Width], view2),
            ],
            splits,
            labels: new Dictionary<string, int[]> { ["digit"] = (int[])mnist.Labels.Clone() },
            factors: new Dictionary<string, double[]> { ["rotation"] = rotation },
            description: "view 1: MNIST digit rotated by U[-45°,45°]; view 2: another image of the same digit + U[0,1] noise",
            ids: new Dictionary<string, int[]> { ["partner"] = partner });
    }
}

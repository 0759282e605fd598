using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// The seeded random streams of training: each epoch's batches and the image-shift augmentation offsets.
/// Every stream is seeded by (seed, epoch, salt), so a resumed run draws exactly what an uninterrupted one does.
/// </summary>
/// <param name="seed">The run's seed.</param>
/// <param name="batchSize">Rows per batch B.</param>
/// <param name="augmentShift">Largest image shift in pixels (0: none).</param>
/// <param name="shiftShapes">Per view: the sample shape ([H, W] or [C, H, W]) of image views that are shifted while training, null otherwise.</param>
internal sealed class BatchSchedule(int seed, int batchSize, int augmentShift, IReadOnlyList<int[]?> shiftShapes)
{
    /// <summary>Salt of the main phase's batch order.</summary>
    public const int TrainSalt = 0;

    /// <summary>Salt of the pretraining phase's batch order.</summary>
    public const int PretrainSalt = 17;

    /// <summary>Batches per epoch for <paramref name="n"/> rows: ⌊n / B⌋, at least 1.</summary>
    public int BatchesPerEpoch(int n) => Math.Max(1, n / batchSize);

    /// <summary>Rows of each batch of an epoch: a permutation seeded by (seed, epoch, salt) split into ⌊n/B⌋ nearly equal parts.</summary>
    public int[][] BatchRows(int n, int epoch, int salt)
    {
        int[] perm = PairedDataset.Permutation(n, StreamSeed(epoch, salt));
        int batches = BatchesPerEpoch(n);
        var result = new int[batches][];
        for (int b = 0; b < batches; b++)
        {
            int s = (int)((long)n * b / batches), e = (int)((long)n * (b + 1) / batches);
            result[b] = perm[s..e];
        }
        return result;
    }

    /// <summary>
    /// Random-translation augmentation of image views (DeepTrainingOptions.AugmentShift), offsets drawn from
    /// a generator seeded by (seed, epoch, batch, view). The decoder then reconstructs the shifted image the
    /// encoder saw. Other views, frozen encoders and evaluation are untouched.
    /// </summary>
    public Tensor Augment(Tensor x, int view, bool encoderTrains, int epoch, int batch)
    {
        var shape = shiftShapes.Count > view ? shiftShapes[view] : null;
        if (shape is null || !encoderTrains) return x;
        var random = new Random(StreamSeed(epoch, unchecked(batch * 31 + view * 17 + 5)));
        return ImageShift.ApplyRandom(x, shape, augmentShift, random);
    }

    /// <summary>
    /// <paramref name="x"/> plus Gaussian noise of standard deviation <paramref name="scale"/> (DeepTrainingOptions.FeatureNoise
    /// times the view's feature scale), drawn from a generator seeded by (seed, epoch, batch, view); <paramref name="x"/>
    /// itself when the scale is 0.
    /// </summary>
    public Tensor Noise(Tensor x, int view, double scale, int epoch, int batch)
    {
        if (scale == 0) return x;
        using var generator = new Generator(unchecked((ulong)(uint)StreamSeed(epoch, unchecked(batch * 31 + view * 17 + 11))));
        return x + randn(x.shape, dtype: x.dtype, device: x.device, generator: generator) * scale;
    }

    /// <summary>The seed of one random stream of an epoch (batch order, augmentation offsets), from (seed, epoch, salt).</summary>
    private int StreamSeed(int epoch, int salt) => unchecked(seed * 1_000_003 + epoch * 7_919 + salt);
}

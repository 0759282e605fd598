namespace Mucmm.Data.Datasets;

/// <summary>
/// Deterministic random streams for the built-in datasets: one user seed gives independent,
/// reproducible streams (split, rotation, partner, noise, …) on every machine and .NET version.
/// </summary>
internal static class Seeds
{
    /// <summary>Stream numbers, so that no two uses of one seed share a generator.</summary>
    internal enum Stream
    {
        Split = 1,
        Mixing = 2,
        Latents = 3,
        Rotation = 4,
        Partner = 5,
        Noise = 6,
        Pairing = 7,
        RightDigit = 8,
    }

    /// <summary>
    /// A seed for <paramref name="stream"/> derived from <paramref name="seed"/> by the SplitMix64
    /// finalizer (Steele et al. 2014), so nearby user seeds give unrelated streams.
    /// </summary>
    internal static int Derive(int seed, Stream stream)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>
    /// A generator for <paramref name="stream"/>. <see cref="Random"/> with an explicit seed uses
    /// the same documented algorithm on every platform, so the sequence is reproducible.
    /// </summary>
    internal static Random Rng(int seed, Stream stream) => new(Derive(seed, stream));

    /// <summary>A standard normal draw (Box–Muller, one of the pair; deterministic for the generator).</summary>
    internal static double NextGaussian(this Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]: log is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A uniform draw in [lo, hi).</summary>
    internal static double NextUniform(this Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mucmm.Data;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// Frozen encoder features on disk, so that a pretrained network runs once per input: entries are keyed by a
/// SHA-256 of the encoder's identity (its files' hashes and preprocessing), the input's sample shape and its content
/// (<see cref="ViewEncoders.KeyOf"/>). Location: <see cref="DefaultDirectory"/> (<c>$MUCMM_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/mucmm/features</c>, else <c>~/.cache/mucmm/features</c>).
/// </summary>
/// <remarks>
/// An entry <c>KEY.features</c> holds the magic <c>MUCMMFT1</c>, rows and columns (int64 little-endian), the float64
/// features (row-major, little-endian) and the SHA-256 of everything before it. It is written to a temporary file and
/// renamed (<see cref="AtomicFile"/>), so a reader never sees half an entry; an entry of the wrong size, header or hash
/// (a damaged disk, a truncated copy) is deleted and recomputed, never trusted. Features are stored in float64, so a
/// cached entry equals the features computed now exactly. The cache is safe to delete at any time.
/// </remarks>
public sealed class FeatureCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string EnvironmentVariable = "MUCMM_CACHE";

    /// <summary>File extension of an entry.</summary>
    public const string Extension = ".features";

    private static ReadOnlySpan<byte> Magic => "MUCMMFT1"u8;
    private const int HeaderBytes = 24, HashBytes = 32;

    /// <summary>A cache in <paramref name="directory"/> (created when the first entry is written).</summary>
    public FeatureCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The cache at <see cref="DefaultDirectory"/>.</summary>
    public static FeatureCache Default => new(DefaultDirectory);

    /// <summary><c>$MUCMM_CACHE</c> when set, else <c>$XDG_CACHE_HOME/mucmm/features</c>, else <c>~/.cache/mucmm/features</c>.</summary>
    public static string DefaultDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir) return dir;
            string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "mucmm", "features");
        }
    }

    /// <summary>The cache folder.</summary>
    public string Directory { get; }

    /// <summary>The file of entry <paramref name="key"/>.</summary>
    public string PathOf(string key) => Path.Combine(Directory, key + Extension);

    /// <summary>
    /// The features of entry <paramref name="key"/> when it exists, is intact and has <paramref name="rows"/> ×
    /// <paramref name="cols"/> values; null otherwise (a damaged entry is deleted).
    /// </summary>
    public double[]? TryRead(string key, int rows, int cols)
    {
        string path = PathOf(key);
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        long expected = HeaderBytes + 8L * rows * cols + HashBytes;
        bool intact = bytes.Length == expected
            && bytes.AsSpan(0, 8).SequenceEqual(Magic)
            && BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)) == rows
            && BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16)) == cols
            && SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashBytes)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashBytes));
        if (!intact)
        {
            TemporaryPaths.TryDelete(path);
            return null;
        }
        var values = new double[(long)rows * cols];
        MemoryMarshal.Cast<byte, double>(bytes.AsSpan(HeaderBytes, values.Length * 8)).CopyTo(values);
        return values;
    }

    /// <summary>Writes entry <paramref name="key"/> atomically (replacing an existing one).</summary>
    public void Write(string key, double[] features, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the feature cache assumes a little-endian machine");
        if (features.LongLength != (long)rows * cols) throw new ArgumentException("features must hold rows × cols values", nameof(features));
        System.IO.Directory.CreateDirectory(Directory);
        var bytes = new byte[HeaderBytes + 8L * features.Length + HashBytes];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), cols);
        MemoryMarshal.AsBytes(features.AsSpan()).CopyTo(bytes.AsSpan(HeaderBytes));
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashBytes), bytes.AsSpan(bytes.Length - HashBytes));
        AtomicFile.Write(PathOf(key), temp => File.WriteAllBytes(temp, bytes));
    }

    /// <summary>
    /// The cached features of <paramref name="key"/>, or <paramref name="compute"/>() written to the cache and returned.
    /// <paramref name="hit"/> says which. A cache folder that cannot be written only costs the next run a recomputation.
    /// </summary>
    public double[] GetOrCompute(string key, int rows, int cols, Func<double[]> compute, out bool hit)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (TryRead(key, rows, cols) is { } cached)
        {
            hit = true;
            return cached;
        }
        hit = false;
        var features = compute();
        try
        {
            Write(key, features, rows, cols);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MucmmUserException)
        {
            // Not cached; the features are still right.
        }
        return features;
    }
}

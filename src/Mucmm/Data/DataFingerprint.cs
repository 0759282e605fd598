using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mucmm.Data.Readers;

namespace Mucmm.Data;

/// <summary>
/// What identifies the data a model was fitted on: the row count, the width of every view, the split sizes
/// and a SHA-256 content hash of every value and of the split of every row. Recorded in <c>fit.json</c>, in
/// <c>metrics.json</c> and in a deep fit's checkpoint; compared by every command that takes a run.
/// </summary>
/// <remarks>
/// The hash is SHA-256 over: the text "mucmm-data-1", the row count and view widths (int64 little-endian),
/// one byte per row with its split (0 train, 1 validation, 2 test), then the SHA-256 of each view's float64
/// values (little-endian, rows in dataset order; for a text view, of its texts: <see cref="ViewHash"/>). Per-view hashes let a streamed fit hash each file while it
/// reads it (<see cref="HashingReader"/>) and give the same result as a dataset in memory.
/// </remarks>
/// <param name="Rows">Rows of the whole dataset (every split).</param>
/// <param name="Widths">Values per sample of each view.</param>
/// <param name="Train">Rows in the train split.</param>
/// <param name="Validation">Rows in the validation split.</param>
/// <param name="Test">Rows in the test split.</param>
/// <param name="Sha256">The content hash (lower-case hex).</param>
public sealed record DataFingerprint(int Rows, IReadOnlyList<int> Widths, int Train, int Validation, int Test, string Sha256)
{
    // Datasets are not changed once built: a dataset's fingerprint is computed once (one SHA-256 pass, ≈ 0.7 s
    // for noisy-mnist's 125 MB on the 2-core test machine) however many checks a command makes.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PairedDataset, DataFingerprint> Cache = new();

    /// <summary>The fingerprint of a whole dataset (every split, rows in dataset order).</summary>
    public static DataFingerprint Of(PairedDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Cache.GetValue(data, d =>
        {
            var viewHashes = d.Views.Select(ViewHash).ToArray();
            return Of(d.Count, d.Views.Select(v => v.Cols).ToArray(), d.Splits, viewHashes);
        });
    }

    /// <summary>
    /// The SHA-256 of one view's content: of its float64 values (little-endian, row-major), or for a text view
    /// (<see cref="View.Texts"/>) of the text "mucmm-texts-1" followed by each text as its UTF-8 byte count (int64
    /// little-endian) and bytes — so the fingerprint, and every cache keyed by it, covers the texts themselves.
    /// </summary>
    public static byte[] ViewHash(View view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Texts is null) return SHA256.HashData(MemoryMarshal.AsBytes(view.Data.AsSpan()));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("mucmm-texts-1"u8);
        Span<byte> number = stackalloc byte[8];
        foreach (var text in view.Texts)
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteInt64LittleEndian(number, bytes.Length);
            hash.AppendData(number);
            hash.AppendData(bytes);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>The fingerprint from its parts: row count, widths, the split of every row and the SHA-256 of each view's values.</summary>
    public static DataFingerprint Of(int rows, IReadOnlyList<int> widths, IReadOnlyList<Split> splits, IReadOnlyList<byte[]> viewHashes)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(viewHashes);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("data fingerprints assume a little-endian machine");
        if (splits.Count != rows || viewHashes.Count != widths.Count) throw new ArgumentException("one split per row and one hash per view are needed");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("mucmm-data-1"u8);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(number, rows);
        hash.AppendData(number);
        foreach (int w in widths)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, w);
            hash.AppendData(number);
        }
        var splitBytes = new byte[rows];
        int[] counts = new int[3];
        for (int i = 0; i < rows; i++)
        {
            splitBytes[i] = (byte)splits[i];
            counts[(int)splits[i]]++;
        }
        hash.AppendData(splitBytes);
        foreach (var h in viewHashes) hash.AppendData(h);
        return new DataFingerprint(rows, widths.ToArray(), counts[0], counts[1], counts[2], Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>
    /// How <paramref name="current"/> (the data given now) differs from this fingerprint (the data the model was
    /// fitted on), in words, e.g. "data has 10000 rows, the model was fitted on 600"; null when they are equal.
    /// </summary>
    public string? DifferenceFrom(DataFingerprint current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.Widths.Count != Widths.Count) return $"data has {current.Widths.Count} views, the model was fitted on {Widths.Count}";
        for (int m = 0; m < Widths.Count; m++)
            if (current.Widths[m] != Widths[m])
                return $"view {m + 1} of the data has {current.Widths[m]} values per sample, the model was fitted on {Widths[m]}";
        if (current.Rows != Rows) return $"data has {current.Rows} rows, the model was fitted on {Rows}";
        if ((current.Train, current.Validation, current.Test) != (Train, Validation, Test))
            return $"the data's split has {current.Train}/{current.Validation}/{current.Test} train/validation/test rows, the fit's had {Train}/{Validation}/{Test}";
        if (current.Sha256 != Sha256)
            return $"the data's values or split differ from those the model was fitted on (content hash {current.Sha256[..12]}…, fitted {Sha256[..12]}…; another seed, file or dataset?)";
        return null;
    }

    /// <summary>
    /// An <see cref="IRowChunkReader"/> that hashes every value it returns (SHA-256 of the float64 values, as
    /// <see cref="Of(PairedDataset)"/> hashes a view), so a streamed fit gets the fingerprint in the same pass.
    /// </summary>
    public sealed class HashingReader(IRowChunkReader inner) : IRowChunkReader
    {
        private IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        /// <inheritdoc/>
        public string Source => inner.Source;

        /// <inheritdoc/>
        public long Rows => inner.Rows;

        /// <inheritdoc/>
        public int Cols => inner.Cols;

        /// <inheritdoc/>
        public long RowsRead => inner.RowsRead;

        /// <inheritdoc/>
        public int ReadRows(Span<double> buffer)
        {
            int rows = inner.ReadRows(buffer);
            hash.AppendData(MemoryMarshal.AsBytes(buffer[..(rows * Cols)]));
            return rows;
        }

        /// <inheritdoc/>
        public void Reset()
        {
            inner.Reset();
            hash.Dispose();
            hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        /// <summary>The SHA-256 of every value read; valid once every row has been read.</summary>
        public byte[] Hash()
        {
            if (RowsRead != Rows) throw new InvalidOperationException($"{Source}: {RowsRead} of {Rows} rows read");
            return hash.GetCurrentHash();
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            hash.Dispose();
            inner.Dispose();
        }
    }
}

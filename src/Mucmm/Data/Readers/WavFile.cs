using System.Buffers.Binary;

namespace Mucmm.Data.Readers;

/// <summary>Mono audio read from a WAV file.</summary>
/// <param name="Samples">Samples scaled to [-1, 1): 16-bit s ↦ s / 32768, 8-bit unsigned u ↦ (u − 128) / 128.</param>
/// <param name="SampleRate">Samples per second (Hz).</param>
/// <param name="BitsPerSample">Bit depth stored in the file (8 or 16).</param>
public sealed record WavAudio(double[] Samples, int SampleRate, int BitsPerSample)
{
    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// Reader of RIFF/WAVE files holding mono integer PCM: format tag 1 (or WAVE_FORMAT_EXTENSIBLE
/// with the PCM sub-format), 1 channel, 8-bit unsigned or 16-bit signed little-endian samples.
/// Chunks other than <c>fmt </c> and <c>data</c> (e.g. <c>LIST</c>) are skipped.
/// </summary>
public static class WavFile
{
    private const int PcmTag = 1;
    private const int ExtensibleTag = 0xFFFE;

    /// <summary>Reads a mono PCM WAV file.</summary>
    /// <exception cref="MucmmUserException">
    /// Missing file, not RIFF/WAVE, missing or truncated chunks, a non-PCM format (tag named),
    /// more than one channel, a bit depth other than 8 or 16.
    /// </exception>
    public static WavAudio Read(string path)
    {
        using var stream = ReaderIO.OpenRead(path, 1 << 14);
        return Read(stream, path);
    }

    /// <summary>Reads a mono PCM WAV from a stream; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">As <see cref="Read(string)"/>.</exception>
    public static WavAudio Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlySpan<byte> b = ReaderIO.ReadAll(stream, source);
        if (b.Length < 12 || !b[..4].SequenceEqual("RIFF"u8) || !b[8..12].SequenceEqual("WAVE"u8))
            throw new MucmmUserException(source, "not a WAV file (expected a RIFF header with form type WAVE)");

        int pos = 12;
        int? rate = null, bits = null;
        while (pos + 8 <= b.Length)
        {
            string id = System.Text.Encoding.ASCII.GetString(b.Slice(pos, 4));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b[(pos + 4)..]);
            int body = pos + 8;
            long available = b.Length - body;
            if (size > available)
                throw new MucmmUserException(source, $"truncated '{id.TrimEnd()}' chunk: it declares {size} bytes, the file has {available} after its header");
            var chunk = b.Slice(body, (int)size);
            if (id == "fmt ")
            {
                (rate, bits) = ParseFormat(chunk, source);
            }
            else if (id == "data")
            {
                if (rate is null || bits is null)
                    throw new MucmmUserException(source, "the 'data' chunk comes before the 'fmt ' chunk");
                return new WavAudio(Decode(chunk, bits.Value, source), rate.Value, bits.Value);
            }
            pos = body + (int)size + (int)(size & 1); // chunks are padded to an even size
        }
        if (pos < b.Length)
            throw new MucmmUserException(source, $"truncated chunk header at byte {pos}: {b.Length - pos} bytes left, a chunk header needs 8");
        throw new MucmmUserException(source, rate is null ? "no 'fmt ' chunk (not a valid WAV file)" : "no 'data' chunk (no audio samples)");
    }

    /// <summary>Writes a mono 16-bit PCM WAV (samples clipped to [-1, 1] and rounded to s·32767); for tests and tools.</summary>
    public static void WriteMono16(string path, ReadOnlySpan<double> samples, int sampleRate)
    {
        int dataBytes = samples.Length * 2;
        var b = new byte[44 + dataBytes];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(36 + dataBytes));
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), PcmTag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), (uint)(sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), 16);
        "data"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), (uint)dataBytes);
        for (int i = 0; i < samples.Length; i++)
        {
            double s = Math.Clamp(samples[i], -1, 1);
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44 + 2 * i), (short)Math.Round(s * 32767));
        }
        using var stream = ReaderIO.CreateWrite(path);
        stream.Write(b);
    }

    private static (int Rate, int Bits) ParseFormat(ReadOnlySpan<byte> f, string source)
    {
        if (f.Length < 16)
            throw new MucmmUserException(source, $"the 'fmt ' chunk has {f.Length} bytes, expected at least 16");
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
        long rate = BinaryPrimitives.ReadUInt32LittleEndian(f[4..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
        int effectiveTag = tag;
        if (tag == ExtensibleTag && f.Length >= 26)
            effectiveTag = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]); // first 2 bytes of the SubFormat GUID
        if (effectiveTag != PcmTag)
        {
            string name = TagName(effectiveTag);
            string via = tag == ExtensibleTag ? " inside WAVE_FORMAT_EXTENSIBLE" : "";
            throw new MucmmUserException(source, $"not PCM audio: format tag {effectiveTag} (0x{effectiveTag:X4}, {name}){via}; only integer PCM (tag 1) is supported");
        }
        if (channels != 1)
            throw new MucmmUserException(source, $"{channels} channels, expected mono (1 channel); convert with e.g. `sox in.wav -c 1 out.wav`");
        if (bits != 8 && bits != 16)
            throw new MucmmUserException(source, $"{bits}-bit samples; only 8-bit unsigned and 16-bit signed PCM are supported");
        if (rate <= 0 || rate > int.MaxValue)
            throw new MucmmUserException(source, $"invalid sample rate {rate} Hz");
        return ((int)rate, bits);
    }

    private static double[] Decode(ReadOnlySpan<byte> data, int bits, string source)
    {
        if (bits == 8)
        {
            var s = new double[data.Length];
            for (int i = 0; i < s.Length; i++) s[i] = (data[i] - 128) / 128.0;
            return s;
        }
        if ((data.Length & 1) != 0)
            throw new MucmmUserException(source, $"the 'data' chunk has {data.Length} bytes, not a whole number of 16-bit samples");
        var x = new double[data.Length / 2];
        for (int i = 0; i < x.Length; i++) x[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]) / 32768.0;
        return x;
    }

    private static string TagName(int tag) => tag switch
    {
        2 => "Microsoft ADPCM",
        3 => "IEEE float",
        6 => "A-law",
        7 => "µ-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x50 => "MPEG",
        0x55 => "MPEG layer 3",
        ExtensibleTag => "WAVE_FORMAT_EXTENSIBLE",
        _ => "unknown",
    };
}

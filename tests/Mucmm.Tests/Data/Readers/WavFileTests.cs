using System.Buffers.Binary;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class WavFileTests
{
    private static string Recordings => Path.Combine(TestPaths.Fsdd, "recordings");

    /// <summary>
    /// Oracle: FSDD's published content (README of ../shared/data: 3,000 mono 8 kHz recordings,
    /// 6 speakers × 10 digits × 50); every file must read as 16-bit 8 kHz mono.
    /// </summary>
    [FsddFact]
    public void Read_EveryFsddRecording_Is8kHzMono()
    {
        string[] files = Directory.GetFiles(Recordings, "*.wav");
        Assert.Equal(3000, files.Length);
        var speakers = new HashSet<string>();
        foreach (string f in files)
        {
            var a = WavFile.Read(f);
            Assert.Equal(8000, a.SampleRate);
            Assert.Equal(16, a.BitsPerSample);
            Assert.NotEmpty(a.Samples);
            speakers.Add(Path.GetFileNameWithoutExtension(f).Split('_')[1]);
        }
        Assert.Equal(6, speakers.Count);
    }

    /// <summary>
    /// Oracle: the bytes of fsdd/recordings/0_george_0.wav seen with xxd: data chunk of 0x12a0 =
    /// 4768 bytes (2384 samples), first samples 0xfa2f = -1489 and 0xfc3e = -962 (int16 LE), / 32768; exact.
    /// </summary>
    [FsddFact]
    public void Read_KnownFsddFile_MatchesItsBytes()
    {
        var a = WavFile.Read(Path.Combine(Recordings, "0_george_0.wav"));
        Assert.Equal(2384, a.Samples.Length);
        Assert.Equal(-1489 / 32768.0, a.Samples[0]);
        Assert.Equal(-962 / 32768.0, a.Samples[1]);
        Assert.Equal(2384 / 8000.0, a.DurationSeconds);
    }

    /// <summary>Oracle: 16-bit quantization round(s·32767)/32768 of the written samples; exact.</summary>
    [Fact]
    public void WriteMono16_ThenRead_RoundTrips()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "t.wav");
        double[] x = [0, 0.5, -0.5, 1, -1, 0.123];
        WavFile.WriteMono16(path, x, 16000);
        var a = WavFile.Read(path);
        Assert.Equal(16000, a.SampleRate);
        Assert.Equal(x.Select(s => Math.Round(s * 32767) / 32768), a.Samples);
    }

    /// <summary>Oracle: 8-bit unsigned PCM maps u ↦ (u − 128)/128, so 0, 128, 255 ↦ −1, 0, 127/128; exact. An odd data size is padded.</summary>
    [Fact]
    public void Read_8BitUnsigned_IsCentred()
    {
        string path = Write(Build(1, 1, 8000, 8, [0, 128, 255]));
        var a = WavFile.Read(path);
        Assert.Equal([-1, 0, 127 / 128.0], a.Samples);
        Assert.Equal(8, a.BitsPerSample);
    }

    /// <summary>Oracle: WAVE_FORMAT_EXTENSIBLE whose SubFormat GUID starts with 0x0001 is integer PCM; samples as written; exact.</summary>
    [Fact]
    public void Read_ExtensiblePcm_IsAccepted()
    {
        byte[] data = new byte[4];
        BinaryPrimitives.WriteInt16LittleEndian(data, 16384);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2), -32768);
        var a = WavFile.Read(Write(Build(0xFFFE, 1, 8000, 16, data, subFormat: 1)));
        Assert.Equal([0.5, -1], a.Samples);
    }

    [Fact]
    public void Read_NotRiff_IsRejected()
    {
        string path = Write("OggS and then some bytes"u8.ToArray());
        ReaderAssert.UserError(() => WavFile.Read(path), path, "not a WAV file");
    }

    [Fact]
    public void Read_IeeeFloat_NamesTheFormatTag()
    {
        string path = Write(Build(3, 1, 8000, 32, new byte[8]));
        ReaderAssert.UserError(() => WavFile.Read(path), path, "not PCM audio: format tag 3 (0x0003, IEEE float)");
    }

    [Fact]
    public void Read_ExtensibleFloat_NamesTheSubFormat()
    {
        string path = Write(Build(0xFFFE, 1, 8000, 32, new byte[8], subFormat: 3));
        ReaderAssert.UserError(() => WavFile.Read(path), path, "format tag 3", "IEEE float", "inside WAVE_FORMAT_EXTENSIBLE");
    }

    [Fact]
    public void Read_Stereo_SaysExpectedMono()
    {
        string path = Write(Build(1, 2, 8000, 16, new byte[8]));
        ReaderAssert.UserError(() => WavFile.Read(path), path, "2 channels, expected mono");
    }

    [Fact]
    public void Read_24Bit_IsRejected()
    {
        string path = Write(Build(1, 1, 8000, 24, new byte[6]));
        ReaderAssert.UserError(() => WavFile.Read(path), path, "24-bit samples");
    }

    [Fact]
    public void Read_TruncatedDataChunk_IsRejected()
    {
        byte[] full = Build(1, 1, 8000, 16, new byte[100]);
        string path = Write(full[..^10]);
        ReaderAssert.UserError(() => WavFile.Read(path), path, "truncated 'data' chunk: it declares 100 bytes, the file has 90");
    }

    [Fact]
    public void Read_TruncatedFmtChunk_IsRejected()
    {
        byte[] full = Build(1, 1, 8000, 16, new byte[10]);
        string path = Write(full[..30]);
        ReaderAssert.UserError(() => WavFile.Read(path), path, "truncated 'fmt' chunk");
    }

    [Fact]
    public void Read_NoDataChunk_IsRejected()
    {
        byte[] full = Build(1, 1, 8000, 16, []);
        string path = Write(full[..36]);
        ReaderAssert.UserError(() => WavFile.Read(path), path, "no 'data' chunk");
    }

    private static string Write(byte[] bytes)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "x.wav");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A RIFF/WAVE file with a 'fmt ' chunk (40 bytes with a SubFormat when given) and a 'data' chunk (padded to even size).</summary>
    private static byte[] Build(int tag, int channels, int rate, int bits, byte[] data, int? subFormat = null)
    {
        int fmtSize = subFormat is null ? 16 : 40;
        int pad = data.Length & 1;
        var b = new byte[12 + 8 + fmtSize + 8 + data.Length + pad];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(b.Length - 8));
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), (ushort)tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), (uint)rate);
        int align = channels * Math.Max(1, bits / 8);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), (ushort)bits);
        if (subFormat is int sf)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(36), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(38), (ushort)bits);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(44), (ushort)sf);
        }
        int d = 20 + fmtSize;
        "data"u8.CopyTo(b.AsSpan(d));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(d + 4), (uint)data.Length);
        data.CopyTo(b, d + 8);
        return b;
    }
}

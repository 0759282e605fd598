using System.Buffers.Binary;
using System.IO.Compression;

namespace Mucmm.Data.Readers;

/// <summary>An IDX array of unsigned bytes: its dimensions (outermost first) and its values in row-major order.</summary>
/// <param name="Shape">Dimensions, e.g. [10000, 28, 28] for images or [10000] for labels.</param>
/// <param name="Data">Row-major values, length = product of <paramref name="Shape"/>.</param>
public sealed record IdxArray(int[] Shape, byte[] Data);

/// <summary>MNIST-style images read from an idx3 file.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Height">Image height in pixels (28 for MNIST).</param>
/// <param name="Width">Image width in pixels (28 for MNIST).</param>
/// <param name="Pixels">Row-major pixels, image after image, 0 (background) to 255; length Count × Height × Width.</param>
public sealed record IdxImages(int Count, int Height, int Width, byte[] Pixels)
{
    /// <summary>The pixels of image <paramref name="index"/>, row-major.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Height * Width, Height * Width);
}

/// <summary>
/// Reader of the IDX format of MNIST (LeCun et al.): a big-endian header
/// <c>00 00 TT NN</c> (type code TT, NN dimensions), NN big-endian int32 dimensions, then the values.
/// Only unsigned bytes (type code 0x08, what MNIST uses) are supported. Files may be raw or gzip
/// compressed; gzip is detected by its magic bytes <c>1f 8b</c>, not by the file name.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX file (raw or gzip). Errors name the file and the problem.</summary>
    /// <exception cref="MucmmUserException">Missing file, wrong magic, unsupported type code, truncated or oversized data.</exception>
    public static IdxArray Read(string path)
    {
        using var stream = ReaderIO.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads an IDX array from a stream (raw or gzip), e.g. an embedded resource;
    /// <paramref name="source"/> names it in error messages.
    /// </summary>
    /// <exception cref="MucmmUserException">Wrong magic, unsupported type code, truncated or oversized data.</exception>
    public static IdxArray Read(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        byte[] bytes = ReaderIO.ReadAll(stream, source);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            bytes = Gunzip(bytes, source);
        return Parse(bytes, source);
    }

    /// <summary>Reads an idx3 image file (3 dimensions: count, height, width).</summary>
    /// <exception cref="MucmmUserException">Any <see cref="Read(string)"/> error, or not 3 dimensions.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = ReaderIO.OpenRead(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an idx3 image array from a stream; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">Any <see cref="Read(Stream, string)"/> error, or not 3 dimensions.</exception>
    public static IdxImages ReadImages(Stream stream, string source)
    {
        var a = Read(stream, source);
        if (a.Shape.Length != 3)
            throw new MucmmUserException(source, $"expected an idx3 image file (3 dimensions), found {a.Shape.Length} dimension(s) [{string.Join(", ", a.Shape)}]");
        return new IdxImages(a.Shape[0], a.Shape[1], a.Shape[2], a.Data);
    }

    /// <summary>Reads an idx1 label file (1 dimension) and returns the labels.</summary>
    /// <exception cref="MucmmUserException">Any <see cref="Read(string)"/> error, or not 1 dimension.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = ReaderIO.OpenRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads an idx1 label array from a stream; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">Any <see cref="Read(Stream, string)"/> error, or not 1 dimension.</exception>
    public static byte[] ReadLabels(Stream stream, string source)
    {
        var a = Read(stream, source);
        if (a.Shape.Length != 1)
            throw new MucmmUserException(source, $"expected an idx1 label file (1 dimension), found {a.Shape.Length} dimensions [{string.Join(", ", a.Shape)}]");
        return a.Data;
    }

    /// <summary>Writes an unsigned-byte IDX file (raw, not compressed); used by tests and tools.</summary>
    public static void Write(string path, int[] shape, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException("dimensions must be non-negative", nameof(shape));
            count *= d;
        }
        if (count != data.Length) throw new ArgumentException($"data has {data.Length} values, shape needs {count}", nameof(data));
        if (shape.Length > 255) throw new ArgumentException("at most 255 dimensions", nameof(shape));
        using var stream = ReaderIO.CreateWrite(path);
        Span<byte> header = stackalloc byte[4];
        header[0] = 0; header[1] = 0; header[2] = UnsignedByte; header[3] = (byte)shape.Length;
        stream.Write(header);
        foreach (int d in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(header, d);
            stream.Write(header);
        }
        stream.Write(data);
    }

    private static byte[] Gunzip(byte[] compressed, string source)
    {
        try
        {
            using var gz = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            return ReaderIO.ReadAll(gz, source);
        }
        catch (InvalidDataException e)
        {
            throw new MucmmUserException(source, "corrupt or truncated gzip data: " + e.Message);
        }
    }

    private static IdxArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 4)
            throw new MucmmUserException(source, $"truncated IDX header: the file has {bytes.Length} bytes, the magic number alone needs 4");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new MucmmUserException(source, $"not an IDX file: wrong magic number 0x{Convert.ToHexString(bytes, 0, 4)} (expected 0x0000TTNN)");
        byte type = bytes[2];
        int ndims = bytes[3];
        if (type != UnsignedByte)
            throw new MucmmUserException(source, $"unsupported IDX data type code 0x{type:X2} ({TypeName(type)}); only 0x08 (unsigned byte) is supported");
        if (ndims == 0)
            throw new MucmmUserException(source, "IDX header declares 0 dimensions");
        int headerBytes = 4 + 4 * ndims;
        if (bytes.Length < headerBytes)
            throw new MucmmUserException(source, $"truncated IDX header: {ndims} dimensions need {headerBytes} header bytes, the file has {bytes.Length}");
        var shape = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (shape[i] < 0) throw new MucmmUserException(source, $"IDX dimension {i} is negative ({shape[i]})");
            count *= shape[i];
            if (count > Array.MaxLength) throw new MucmmUserException(source, $"IDX dimensions [{string.Join(", ", shape.Take(i + 1))}...] describe more than {Array.MaxLength} values");
        }
        long have = bytes.Length - headerBytes;
        if (have < count)
            throw new MucmmUserException(source, $"truncated IDX data: shape [{string.Join(", ", shape)}] needs {count} bytes after the header, found {have}");
        if (have > count)
            throw new MucmmUserException(source, $"IDX data is longer than its shape [{string.Join(", ", shape)}] says: {have - count} extra bytes after the {count} values");
        return new IdxArray(shape, bytes.AsSpan(headerBytes).ToArray());
    }

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };
}

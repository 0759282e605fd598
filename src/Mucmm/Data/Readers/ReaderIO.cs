namespace Mucmm.Data.Readers;

/// <summary>
/// File-access helpers shared by the readers: opening files with user-facing errors and reading
/// exact byte counts with a "truncated" error naming the file.
/// </summary>
internal static class ReaderIO
{
    /// <summary>Opens <paramref name="path"/> for reading; a missing or unreadable file is a <see cref="MucmmUserException"/>.</summary>
    public static FileStream OpenRead(string path, int bufferSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }
        catch (FileNotFoundException) { throw new MucmmUserException(path, "file not found"); }
        catch (DirectoryNotFoundException) { throw new MucmmUserException(path, "file not found (no such directory)"); }
        catch (UnauthorizedAccessException) { throw new MucmmUserException(path, "cannot read the file (permission denied or a directory)"); }
        catch (IOException e) { throw new MucmmUserException(path, "cannot open the file: " + e.Message); }
    }

    /// <summary>Creates (or overwrites) <paramref name="path"/> for writing, with a user-facing error.</summary>
    public static FileStream CreateWrite(string path, int bufferSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize);
        }
        catch (DirectoryNotFoundException) { throw new MucmmUserException(path, "cannot create the file (no such directory)"); }
        catch (UnauthorizedAccessException) { throw new MucmmUserException(path, "cannot create the file (permission denied)"); }
        catch (IOException e) { throw new MucmmUserException(path, "cannot create the file: " + e.Message); }
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from <paramref name="stream"/>; when the stream ends first,
    /// throws <see cref="MucmmUserException"/> "truncated while reading {what}: expected N bytes, found M".
    /// </summary>
    public static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        int got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
            throw new MucmmUserException(source, $"truncated while reading {what}: expected {buffer.Length} bytes, found {got}");
    }

    /// <summary>Largest file <see cref="ReadAll"/> reads whole (1 GiB): WAV recordings and IDX files are far smaller.</summary>
    public const long MaxWholeFileBytes = 1L << 30;

    /// <summary>Largest small text file (config.json, alignment.json, state files) <see cref="ReadAllText"/> reads: 64 MiB.</summary>
    public const long MaxTextFileBytes = 64L << 20;

    /// <summary>
    /// Reads the rest of the stream into memory, at most <paramref name="maxBytes"/> bytes: a longer
    /// stream (a huge file, or a device such as /dev/zero that never ends) is a
    /// <see cref="MucmmUserException"/> naming <paramref name="source"/>, raised after reading at most the cap.
    /// </summary>
    public static byte[] ReadAll(Stream stream, string source, long maxBytes = MaxWholeFileBytes)
    {
        int capacity = stream.CanSeek ? (int)Math.Min(Math.Max(stream.Length - stream.Position, 0), Math.Min(maxBytes, Array.MaxLength)) : 0;
        using var ms = new MemoryStream(capacity);
        var buffer = new byte[1 << 16];
        int got;
        while ((got = stream.Read(buffer)) > 0)
        {
            if (ms.Length + got > maxBytes)
                throw new MucmmUserException(source, $"the file is larger than {MemoryBudget.Format(maxBytes)}, more than this reader accepts (is it the right file?)");
            ms.Write(buffer, 0, got);
        }
        return ms.Length == ms.Capacity ? ms.GetBuffer() : ms.ToArray();
    }

    /// <summary>
    /// Reads a whole UTF-8 text file of at most <paramref name="maxBytes"/> bytes; a missing, unreadable or
    /// longer file is a <see cref="MucmmUserException"/> naming it.
    /// </summary>
    public static string ReadAllText(string path, long maxBytes = MaxTextFileBytes)
    {
        using var stream = OpenRead(path);
        byte[] bytes = ReadAll(stream, path, maxBytes);
        return new System.Text.UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF');
    }
}

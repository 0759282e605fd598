namespace Mucmm.Data;

/// <summary>
/// Writes one file atomically, in place (e.g. <c>report.html</c> into a run folder, <c>score --out FILE</c>): the
/// content goes to a temporary sibling (<c>.NAME.tmp-PID-GUID</c>, see <see cref="TemporaryPaths"/>) that is renamed
/// over the target when complete. The temporary file is deleted when writing fails and when the process is
/// interrupted, so a failure leaves neither a half-written target nor a temporary file.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Checks that <paramref name="target"/> can be written: throws <see cref="MucmmUserException"/> naming it when it
    /// is a folder, when its folder does not exist, when it exists and <paramref name="overwrite"/> is false, or when it
    /// is (or, for a folder, contains) one of <paramref name="inputs"/>, the current folder, the root or home folder.
    /// Call it before long work so the user learns early; <see cref="Write"/> checks again.
    /// </summary>
    public static void Check(string target, bool overwrite, IEnumerable<string>? inputs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        string full = Path.GetFullPath(target);
        if (Directory.Exists(full))
            throw new MucmmUserException(target, "is a folder, not a file; name a file to write (or remove the folder)");
        if (Path.GetDirectoryName(full) is { } parent && !Directory.Exists(parent))
            throw new MucmmUserException(target, $"the folder {parent} does not exist");
        if (OutputPaths.ProtectedReason(OutputPaths.Canonical(full), OutputPaths.CanonicalInputs(inputs), "file") is { } reason)
            throw new MucmmUserException(target, reason);
        if (File.Exists(full) && !overwrite)
            throw new MucmmUserException(target, "exists; replace it with AtomicFile.Check(overwrite)");
    }

    /// <summary>
    /// Writes <paramref name="target"/> by calling <paramref name="write"/> with the temporary path, then renaming it over
    /// the target. Throws as <see cref="Check"/> does; deletes the temporary file when <paramref name="write"/> or the
    /// rename fails (the exception propagates; an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>
    /// becomes a <see cref="MucmmUserException"/> naming the target).
    /// </summary>
    public static void Write(string target, Action<string> write, bool overwrite = true, IEnumerable<string>? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        Check(target, overwrite, inputs);
        string full = Path.GetFullPath(target);
        TemporaryPaths.RemoveStale(Path.GetDirectoryName(full)!);
        string temp = TemporaryPaths.For(full);
        using var registration = TemporaryPaths.Track(temp);
        try
        {
            write(temp);
            lock (TemporaryPaths.Gate)
            {
                if (Directory.Exists(full))
                    throw new MucmmUserException(target, "is a folder, not a file; name a file to write (or remove the folder)");
                File.Move(temp, full, overwrite);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MucmmUserException(target, $"cannot write the file: {ex.Message}");
        }
        finally
        {
            if (File.Exists(temp)) TemporaryPaths.TryDelete(temp);
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="target"/> atomically, replacing it when it exists.</summary>
    public static void WriteAllText(string target, string text) => Write(target, temp => File.WriteAllText(temp, text));
}

namespace Mucmm.Data;

/// <summary>
/// An output folder that is never left half-written: files are written into a temporary sibling
/// folder (<c>.NAME.tmp-…</c> next to the target, so the final rename stays on one file system),
/// and <see cref="Commit"/> renames it to the target once everything is written. Disposing an
/// uncommitted folder deletes the temporary folder, so a failure leaves nothing behind.
/// </summary>
/// <remarks>
/// An existing target is refused (a <see cref="MucmmUserException"/> naming it, at
/// <see cref="Create"/> — before any work is done — and again at <see cref="Commit"/>) unless
/// <c>force</c> is set; with <c>force</c> the old folder is replaced only once the new one is
/// complete. A process killed outright (SIGKILL) can leave a hidden <c>.NAME.tmp-…</c> folder,
/// never a half-written target.
/// <code>
/// using (var folder = OutputFolder.Create(outDir, force))
/// {
///     NpyFile.Write(folder.File("view1.npy"), …);
///     folder.Commit();
/// }
/// </code>
/// </remarks>
public sealed class OutputFolder : IDisposable
{
    private readonly bool _force;
    private bool _committed;
    private bool _disposed;

    private OutputFolder(string target, string temp, bool force)
    {
        Target = target;
        TempPath = temp;
        _force = force;
    }

    /// <summary>The final folder (absolute path).</summary>
    public string Target { get; }

    /// <summary>The temporary folder that receives the files until <see cref="Commit"/>.</summary>
    public string TempPath { get; }

    /// <summary>Whether <see cref="Commit"/> has completed.</summary>
    public bool IsCommitted => _committed;

    /// <summary>
    /// Checks the target and creates the temporary folder (and the target's parent folders).
    /// Throws <see cref="MucmmUserException"/> when the target exists and <paramref name="force"/>
    /// is false, or when the target is an existing file.
    /// </summary>
    public static OutputFolder Create(string target, bool force = false)
    {
        if (string.IsNullOrWhiteSpace(target)) throw new MucmmUserException("the output folder name is empty");
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        CheckTarget(target, full, force);
        string parent = Path.GetDirectoryName(full)
            ?? throw new MucmmUserException(target, "cannot write into the root folder itself; name a subfolder");
        string temp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MucmmUserException(target, $"cannot create the output folder: {ex.Message}");
        }
        return new OutputFolder(full, temp, force);
    }

    /// <summary>
    /// Runs <paramref name="write"/> with the temporary folder's path and commits when it returns;
    /// when it throws, the temporary folder is deleted and the exception propagates.
    /// </summary>
    public static void Write(string target, bool force, Action<OutputFolder> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var folder = Create(target, force);
        write(folder);
        folder.Commit();
    }

    /// <summary>The path of <paramref name="fileName"/> inside the temporary folder (where to write it now).</summary>
    public string File(string fileName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) throw new InvalidOperationException("the output folder is already committed");
        return Path.Combine(TempPath, fileName);
    }

    /// <summary>
    /// Renames the temporary folder to the target. With force, an existing target is first moved
    /// aside and deleted after the rename succeeded.
    /// </summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        CheckTarget(Target, Target, _force);
        string? aside = null;
        if (Directory.Exists(Target))
        {
            aside = TempPath + ".old";
            Directory.Move(Target, aside);
        }
        try
        {
            Directory.Move(TempPath, Target);
        }
        catch
        {
            if (aside is not null) Directory.Move(aside, Target);
            throw;
        }
        _committed = true;
        if (aside is not null) TryDelete(aside);
    }

    /// <summary>Deletes the temporary folder unless <see cref="Commit"/> completed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_committed) TryDelete(TempPath);
    }

    private static void CheckTarget(string shown, string full, bool force)
    {
        if (System.IO.File.Exists(full))
            throw new MucmmUserException(shown, "exists and is a file, not a folder; choose another --out");
        if (Directory.Exists(full) && !force)
            throw new MucmmUserException(shown, "the output folder already exists; choose another --out or add --force to replace it");
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

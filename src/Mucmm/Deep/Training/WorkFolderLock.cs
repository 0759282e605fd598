namespace Mucmm.Deep;

/// <summary>
/// An exclusive lock on a deep fit's work folder (checkpoint and train.csv): a file <c>lock</c> in the folder,
/// opened with <see cref="FileShare.None"/> for as long as the fit runs. A second fit into the same folder
/// fails at once with a <see cref="MucmmUserException"/>. The operating system drops the lock when the process
/// ends, however it ends, so a killed run never blocks the next one.
/// </summary>
public sealed class WorkFolderLock : IDisposable
{
    /// <summary>Name of the lock file.</summary>
    public const string FileName = "lock";

    private readonly FileStream stream;

    private WorkFolderLock(string directory, FileStream stream)
    {
        Directory = directory;
        this.stream = stream;
    }

    /// <summary>The locked folder.</summary>
    public string Directory { get; }

    /// <summary>Creates <paramref name="directory"/> when needed and locks it; throws <see cref="MucmmUserException"/> when another process holds the lock.</summary>
    public static WorkFolderLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        System.IO.Directory.CreateDirectory(directory);
        try
        {
            var stream = new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new WorkFolderLock(directory, stream);
        }
        catch (IOException)
        {
            throw new MucmmUserException(directory, "another fit is running into the same output folder (its checkpoint folder is locked); wait for it to finish or write elsewhere");
        }
    }

    /// <summary>Deletes the folder's content, releases the lock and removes the folder (the end of a successful fit).</summary>
    public void DeleteFolderAndRelease()
    {
        var self = new DirectoryInfo(Directory);
        foreach (var entry in self.EnumerateFileSystemInfos())
        {
            if (entry.Name == FileName) continue;
            if (entry is DirectoryInfo d) d.Delete(recursive: true);
            else entry.Delete();
        }
        Dispose();
        try
        {
            File.Delete(Path.Combine(Directory, FileName));
            System.IO.Directory.Delete(Directory);
        }
        catch (IOException)
        {
            // Another fit took the folder in the meantime: it is theirs now.
        }
    }

    /// <summary>Releases the lock (the lock file stays; the next fit reuses it).</summary>
    public void Dispose() => stream.Dispose();
}

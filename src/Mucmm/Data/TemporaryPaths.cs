using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mucmm.Data;

/// <summary>
/// The one home of the tool's temporary files and folders: their name (<c>.NAME.tmp-PID-GUID</c> beside the
/// target, so the final rename stays on one file system), the registry of those this process is writing now
/// (removed by <see cref="DeleteAll"/>, which the command line calls on SIGINT/SIGTERM), and the removal of
/// stale ones left by processes that are gone (<see cref="RemoveStale"/>).
/// </summary>
/// <remarks>
/// Names derived from a temporary name by a suffix (<c>.NAME.tmp-PID-GUID.old</c>, <c>….checkpoint</c>) belong to
/// the same process and are treated the same way. Nothing else is ever touched: a deep fit's resumable
/// checkpoint folder (<c>OUT.checkpoint</c>) and its <c>checkpoint.tmp</c>/<c>checkpoint.old</c> do not match.
/// </remarks>
public static partial class TemporaryPaths
{
    private static readonly ConcurrentDictionary<long, Tracked> Live = new();
    private static long _next;

    /// <summary>
    /// Held while a temporary becomes final (a commit's renames) and while <see cref="DeleteAll"/> runs, so an
    /// interruption never lands between the renames of a commit.
    /// </summary>
    internal static object Gate { get; } = new();

    /// <summary>Set by <see cref="DeleteAll"/>: the process is being interrupted and must create nothing more.</summary>
    private static volatile bool _interrupted;

    /// <summary>
    /// Runs <paramref name="step"/> (a step that creates or renames files or folders, e.g. a checkpoint's temporary folder
    /// or its renames) under <see cref="Gate"/>, unless the process is being interrupted: then it throws
    /// <see cref="OperationCanceledException"/>. So <see cref="DeleteAll"/>, which removes an unfinished work folder, cannot
    /// be undone by a step that recreates it afterwards, nor land between the renames of one step.
    /// </summary>
    public static void UnlessInterrupted(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        lock (Gate)
        {
            if (_interrupted) throw new OperationCanceledException("the process is being interrupted");
            step();
        }
    }

    /// <summary>A new temporary path for <paramref name="finalPath"/>: <c>.NAME.tmp-PID-GUID</c> in the same folder.</summary>
    public static string For(string finalPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(finalPath);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(finalPath));
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException("the root folder has no temporary sibling", nameof(finalPath));
        return Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");
    }

    /// <summary>
    /// Registers <paramref name="path"/> (a file or folder this process is writing) for deletion by
    /// <see cref="DeleteAll"/>; disposing the result unregisters it. With <paramref name="deleteIf"/>, the path
    /// is deleted only when it returns true at that moment (e.g. a work folder that holds no resumable checkpoint yet).
    /// </summary>
    public static IDisposable Track(string path, Func<bool>? deleteIf = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long id = Interlocked.Increment(ref _next);
        Live[id] = new Tracked(Path.GetFullPath(path), deleteIf);
        return new Registration(id);
    }

    /// <summary>
    /// Registers a work folder (e.g. a deep fit's checkpoint folder): deleted on interruption and when the result is
    /// disposed, unless <paramref name="keep"/> returns true at that moment (it holds something worth keeping, such
    /// as a resumable checkpoint). Dispose it when the work ends, also when it failed.
    /// </summary>
    public static IDisposable TrackWork(string path, Func<bool> keep)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(keep);
        long id = Interlocked.Increment(ref _next);
        string full = Path.GetFullPath(path);
        Live[id] = new Tracked(full, () => !keep());
        return new Registration(id, () =>
        {
            bool keepIt;
            try { keepIt = keep(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { keepIt = true; }
            if (!keepIt) TryDelete(full);
        });
    }

    /// <summary>
    /// Deletes every registered temporary of this process (best effort) and returns how many were deleted.
    /// Called when the process is interrupted; the work writing into them is about to be stopped.
    /// </summary>
    public static int DeleteAll()
    {
        lock (Gate)
        {
            _interrupted = true;
            int deleted = 0;
            foreach (var (id, t) in Live.ToArray())
            {
                bool wanted;
                try { wanted = t.DeleteIf?.Invoke() ?? true; }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { wanted = false; }
                if (wanted && TryDelete(t.Path)) deleted++;
                Live.TryRemove(id, out _);
            }
            return deleted;
        }
    }

    /// <summary>
    /// Removes from <paramref name="folder"/> the temporaries (<c>.NAME.tmp-PID-GUID</c>, with any suffix) whose
    /// process PID is no longer running, and returns what was removed. A live process's temporaries are never
    /// touched. A stale <c>….old</c> folder is the previous target moved aside by a commit that was interrupted
    /// between its two renames: when the target NAME is missing, it is put back as NAME instead of deleted.
    /// Errors are ignored (best effort): this never makes a command fail.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string folder)
    {
        var removed = new List<string>();
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) return removed;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(folder, ".*.tmp-*").ToArray(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return removed; }
        foreach (string entry in entries)
        {
            var m = TempName().Match(Path.GetFileName(entry));
            if (!m.Success || !int.TryParse(m.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (IsAlive(pid)) continue;
            try
            {
                string target = Path.Combine(folder, m.Groups["name"].Value);
                if (m.Groups["suffix"].Value == ".old" && Directory.Exists(entry) && !Path.Exists(target))
                {
                    Directory.Move(entry, target);
                    removed.Add(entry);
                }
                else if (TryDelete(entry))
                {
                    removed.Add(entry);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort.
            }
        }
        return removed;
    }

    /// <summary>Whether a process with id <paramref name="pid"/> is running (this process counts as running).</summary>
    internal static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (pid <= 0) return false;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;   // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return true;    // exists but not ours to inspect: leave it alone
        }
    }

    /// <summary>Deletes a file or folder (recursively; a symbolic link itself, not its target) if it exists; false when it could not be deleted.</summary>
    public static bool TryDelete(string path)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var info = new FileInfo(path);
                if (info.Exists || info.LinkTarget is not null) info.Delete();
                else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else return true;
                return true;
            }
            catch (DirectoryNotFoundException)
            {
                return true;
            }
            catch (IOException)
            {
                // A writer still adding files ("directory not empty"): try again.
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }
        return !Path.Exists(path);
    }

    /// <summary>.NAME.tmp-PID-GUID, optionally followed by a suffix such as .old or .checkpoint.</summary>
    [GeneratedRegex(@"^\.(?<name>.+)\.tmp-(?<pid>[0-9]{1,10})-[0-9a-f]{32}(?<suffix>\..+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();

    private sealed record Tracked(string Path, Func<bool>? DeleteIf);

    private sealed class Registration(long id, Action? onDispose = null) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            bool wasLive = Live.TryRemove(id, out _);
            if (wasLive) onDispose?.Invoke();
        }
    }
}

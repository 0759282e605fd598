using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mucmm.Data;

/// <summary>
/// An output folder that is never left half-written and never replaces what the tool did not write: files are
/// written into a temporary sibling folder (<c>.NAME.tmp-PID-GUID</c> next to the target, so the final rename
/// stays on one file system, see <see cref="TemporaryPaths"/>), and <see cref="Commit"/> renames it to the target
/// once everything is written. Disposing an uncommitted folder deletes the temporary folder, so a failure leaves
/// nothing behind.
/// </summary>
/// <remarks>
/// <para>Every folder written this way carries the marker file <see cref="MarkerFile"/> (a small JSON: tool, version,
/// command, time). An existing target is refused (a <see cref="MucmmUserException"/> naming it, at
/// <see cref="Create"/> — before any work is done — and again at <see cref="Commit"/>) unless <c>force</c> is set;
/// with <c>force</c> it is replaced, once the new folder is complete, only when it carries the marker. Never, force
/// or not: the root or home folder, the current folder or an ancestor of it, a folder that is or contains one of
/// the command's <c>inputs</c>, or (with force) an existing folder inside an input.</para>
/// <para>The temporary folder is registered with <see cref="TemporaryPaths"/>, so an interrupted process (SIGINT,
/// SIGTERM: the command line calls <see cref="TemporaryPaths.DeleteAll"/>) removes it; a process killed outright
/// (SIGKILL, out of memory) can leave it, and the next <see cref="Create"/> in the same parent folder removes
/// it once that process is gone. Never a half-written target.</para>
/// <code>
/// using (var folder = OutputFolder.Create(outDir, force, inputs: [view1Path, view2Path], command: "export"))
/// {
///     NpyFile.Write(folder.File("view1.npy"), …);
///     folder.Commit();
/// }
/// </code>
/// </remarks>
public sealed class OutputFolder : IDisposable
{
    /// <summary>The marker file every output folder carries: proof that the tool wrote the folder (so <c>force</c> may replace it).</summary>
    public const string MarkerFile = ".mucmm-output";

    private readonly bool _force;
    private readonly string[] _inputs;
    private readonly IDisposable _registration;
    private bool _committed;
    private bool _disposed;

    private OutputFolder(string target, string temp, bool force, string[] inputs, IReadOnlyList<string> staleRemoved)
    {
        Target = target;
        TempPath = temp;
        _force = force;
        _inputs = inputs;
        StaleRemoved = staleRemoved;
        _registration = TemporaryPaths.Track(temp);
    }

    /// <summary>The final folder (absolute path).</summary>
    public string Target { get; }

    /// <summary>The temporary folder that receives the files until <see cref="Commit"/>.</summary>
    public string TempPath { get; }

    /// <summary>Whether <see cref="Commit"/> has completed.</summary>
    public bool IsCommitted => _committed;

    /// <summary>Temporaries of processes that are gone, removed from the target's parent folder by <see cref="Create"/>.</summary>
    public IReadOnlyList<string> StaleRemoved { get; }

    /// <summary>
    /// Checks the target and creates the temporary folder (and the target's parent folders), with the marker file in it.
    /// Throws <see cref="MucmmUserException"/> when the target is a file; when it exists and <paramref name="force"/> is
    /// false; when it exists without the marker (<paramref name="force"/> replaces only folders the tool wrote); when it
    /// is the root or home folder, the current folder or an ancestor of it; when it is or contains one of
    /// <paramref name="inputs"/> (files and folders the command reads); or when, with <paramref name="force"/>, it lies
    /// inside one of them. <paramref name="command"/> (e.g. "fit") is recorded in the marker.
    /// </summary>
    public static OutputFolder Create(string target, bool force = false, IEnumerable<string>? inputs = null, string? command = null)
    {
        if (string.IsNullOrWhiteSpace(target)) throw new MucmmUserException("the output folder name is empty");
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        string[] canonicalInputs = OutputPaths.CanonicalInputs(inputs);
        CheckTarget(target, full, force, canonicalInputs);
        string parent = Path.GetDirectoryName(full)
            ?? throw new MucmmUserException(target, "cannot write into the root folder itself; name a subfolder");
        var stale = TemporaryPaths.RemoveStale(parent);
        string temp = TemporaryPaths.For(full);
        try
        {
            Directory.CreateDirectory(temp);
            System.IO.File.WriteAllText(Path.Combine(temp, MarkerFile), Marker(command));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TemporaryPaths.TryDelete(temp);
            throw new MucmmUserException(target, $"cannot create the output folder: {ex.Message}");
        }
        return new OutputFolder(full, temp, force, canonicalInputs, stale);
    }

    /// <summary>
    /// Runs <paramref name="write"/> with the temporary folder's path and commits when it returns;
    /// when it throws, the temporary folder is deleted and the exception propagates.
    /// </summary>
    public static void Write(string target, bool force, Action<OutputFolder> write) => Write(target, force, null, write);

    /// <summary>As <see cref="Write(string, bool, Action{OutputFolder})"/>, refusing a target that would destroy one of <paramref name="inputs"/>.</summary>
    public static void Write(string target, bool force, IEnumerable<string>? inputs, Action<OutputFolder> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var folder = Create(target, force, inputs);
        write(folder);
        folder.Commit();
    }

    /// <summary>Whether <paramref name="folder"/> carries the marker file of a folder the tool wrote.</summary>
    public static bool IsMarked(string folder) => System.IO.File.Exists(Path.Combine(folder, MarkerFile));

    /// <summary>The path of <paramref name="fileName"/> inside the temporary folder (where to write it now).</summary>
    public string File(string fileName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) throw new InvalidOperationException("the output folder is already committed");
        return Path.Combine(TempPath, fileName);
    }

    /// <summary>
    /// Renames the temporary folder to the target. With force, an existing (marked) target is first moved
    /// aside and deleted after the rename succeeded. An interruption cannot land between the renames.
    /// </summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        CheckTarget(Target, Target, _force, _inputs);
        string? aside = null;
        lock (TemporaryPaths.Gate)
        {
            if (!Directory.Exists(TempPath))
                throw new MucmmUserException(Target, $"the temporary folder {TempPath} disappeared before the output was complete");
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
            _registration.Dispose();
        }
        if (aside is not null) TemporaryPaths.TryDelete(aside);
    }

    /// <summary>Deletes the temporary folder unless <see cref="Commit"/> completed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_committed) TemporaryPaths.TryDelete(TempPath);
        _registration.Dispose();
    }

    private static void CheckTarget(string shown, string full, bool force, string[] inputs)
    {
        if (System.IO.File.Exists(full))
            throw new MucmmUserException(shown, "exists and is a file, not a folder; choose another output folder");
        string canonical = OutputPaths.Canonical(full);
        if (OutputPaths.ProtectedReason(canonical, inputs, "folder") is { } reason)
            throw new MucmmUserException(shown, reason);
        if (!Directory.Exists(full)) return;
        if (!force)
            throw new MucmmUserException(shown, "the output folder already exists; choose another or replace it with OutputFolder.Create(force)");
        if (!IsMarked(full))
            throw new MucmmUserException(shown,
                $"exists and was not written by mucmm (it has no {MarkerFile} marker, or an older mucmm version wrote it): " +
                "OutputFolder.Create(force) replaces only folders mucmm wrote; remove it by hand or choose another output folder");
        foreach (string input in inputs)
            if (OutputPaths.IsSameOrInside(canonical, input))
                throw new MucmmUserException(shown, $"is inside {input}, an input of this command; OutputFolder.Create(force) does not replace part of an input; choose another output folder");
    }

    private static string Marker(string? command)
    {
        var assembly = typeof(OutputFolder).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "?";
        var marker = new JsonObject
        {
            ["tool"] = "mucmm",
            ["version"] = version,
            ["command"] = command,
            ["written_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        return marker.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}

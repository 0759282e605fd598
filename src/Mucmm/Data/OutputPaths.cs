namespace Mucmm.Data;

/// <summary>
/// Path checks shared by <see cref="OutputFolder"/> and <see cref="AtomicFile"/>: canonical paths (symbolic links
/// resolved) and "is the same as or inside" tests, so that an output never replaces the current folder, an
/// ancestor of it, the root or home folder, or an input of the command.
/// </summary>
internal static class OutputPaths
{
    private static readonly StringComparison Comparison =
        OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// The absolute path of <paramref name="path"/> with every symbolic link among its existing components
    /// resolved and no trailing separator.
    /// </summary>
    public static string Canonical(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        for (int depth = 0; depth < 40; depth++)
        {
            string? resolved = ResolveFirstLink(full);
            if (resolved is null) return full;
            full = resolved;
        }
        return full;
    }

    /// <summary>Whether <paramref name="inner"/> is <paramref name="outer"/> or lies inside it (both canonical).</summary>
    public static bool IsSameOrInside(string inner, string outer)
    {
        if (string.Equals(inner, outer, Comparison)) return true;
        string prefix = outer.EndsWith(Path.DirectorySeparatorChar) ? outer : outer + Path.DirectorySeparatorChar;
        return inner.StartsWith(prefix, Comparison);
    }

    /// <summary>Whether two canonical paths are the same.</summary>
    public static bool Same(string a, string b) => string.Equals(a, b, Comparison);

    /// <summary>The canonical home folder, or null when unknown.</summary>
    public static string? Home()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) || !Directory.Exists(home) ? null : Canonical(home);
    }

    /// <summary>
    /// Why writing (or, with force, replacing) <paramref name="canonical"/> would destroy something the command did
    /// not write — it is the root or home folder, the current folder or one of its ancestors, or it is or
    /// contains one of <paramref name="inputs"/> (canonical) — or null when none applies.
    /// </summary>
    public static string? ProtectedReason(string canonical, IReadOnlyList<string> inputs, string kind)
    {
        if (Path.GetDirectoryName(canonical) is null)
            return $"is the root folder; name a new {kind} inside it";
        string cwd = Canonical(Directory.GetCurrentDirectory());
        if (Same(canonical, cwd))
            return $"is the current folder; the output must be a new {kind} (or one mucmm wrote), never the folder you work in";
        if (IsSameOrInside(cwd, canonical))
            return $"contains the current folder ({cwd}); the output must be a new {kind} (or one mucmm wrote)";
        if (Home() is { } home && IsSameOrInside(home, canonical))
            return Same(home, canonical) ? $"is your home folder; name a new {kind} inside it" : $"contains your home folder ({home})";
        foreach (string input in inputs)
        {
            if (Same(input, canonical))
                return $"is an input of this command; choose another output {kind}";
            if (IsSameOrInside(input, canonical))
                return $"contains {input}, an input of this command; choose an output {kind} that holds none of the command's inputs";
        }
        return null;
    }

    /// <summary>The canonical forms of the existing paths among <paramref name="inputs"/>.</summary>
    public static string[] CanonicalInputs(IEnumerable<string>? inputs) =>
        inputs is null ? [] : inputs.Where(p => !string.IsNullOrWhiteSpace(p) && Path.Exists(p)).Select(Canonical).Distinct().ToArray();

    /// <summary>The path with its first (outermost) symbolic link resolved, or null when it has none.</summary>
    private static string? ResolveFirstLink(string full)
    {
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        string[] parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            current = Path.Combine(current, parts[i]);
            FileSystemInfo info = new FileInfo(current);
            string? link;
            try
            {
                link = info.LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (link is null) continue;
            string target = Path.IsPathRooted(link) ? link : Path.Combine(Path.GetDirectoryName(current) ?? root, link);
            string rest = string.Join(Path.DirectorySeparatorChar, parts[(i + 1)..]);
            string resolved = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rest.Length == 0 ? target : Path.Combine(target, rest)));
            return Same(resolved, full) ? null : resolved;
        }
        return null;
    }
}

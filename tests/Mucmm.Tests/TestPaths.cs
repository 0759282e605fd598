namespace Mucmm.Tests;

/// <summary>Locates the repository and the shared data folder from the test binary.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding Mucmm.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>../shared/data</c> next to the repository (CI lays it there).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>The FSDD folder (recordings/ and speakers.csv).</summary>
    public static string Fsdd => Path.Combine(SharedData, "fsdd");

    /// <summary>A fresh temporary folder, deleted by the OS eventually.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mucmm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mucmm.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (Mucmm.slnx) not found above " + AppContext.BaseDirectory);
    }
}

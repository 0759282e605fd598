namespace Mucmm.Tests;

/// <summary>Locates the repository and the external test data from the test binary.</summary>
/// <remarks>
/// External data (the spoken digits, the MNIST source files, the emoji drawings) is not part of the
/// repository. Each folder is found where it is: the environment variable (<c>MUCMM_FSDD</c>,
/// <c>MUCMM_MNIST</c>, <c>MUCMM_EMOJI</c>) when set, else <c>../shared/data/NAME</c> beside the
/// repository (where CI lays it). Tests that need one use <see cref="FsddFactAttribute"/> and its
/// siblings: they are reported as skipped, with the reason, when the folder is absent — unless
/// <c>MUCMM_REQUIRE_DATA=1</c> (set by <c>.ci/run</c>), where they run and fail instead.
/// </remarks>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding Mucmm.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>../shared/data</c> next to the repository (CI lays it there).</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>The FSDD folder (recordings/ and speakers.csv): <c>MUCMM_FSDD</c> or <c>../shared/data/fsdd</c>.</summary>
    public static string Fsdd => DataFolder("MUCMM_FSDD", "fsdd");

    /// <summary>The MNIST source files (IDX, gzip): <c>MUCMM_MNIST</c> or <c>../shared/data/mnist-10k</c>.</summary>
    public static string Mnist => DataFolder("MUCMM_MNIST", "mnist-10k");

    /// <summary>The emoji drawings and names: <c>MUCMM_EMOJI</c> or <c>../shared/data/emoji</c>.</summary>
    public static string Emoji => DataFolder("MUCMM_EMOJI", "emoji");

    /// <summary>Whether tests that need external data must run (and fail) where the data is absent.</summary>
    public static bool DataRequired => Environment.GetEnvironmentVariable("MUCMM_REQUIRE_DATA") == "1";

    /// <summary>
    /// The skip reason of a test that needs <paramref name="folder"/> (checked by the presence of
    /// <paramref name="probe"/> inside it), or null when the test must run.
    /// </summary>
    public static string? SkipUnless(string folder, string probe, string what, string variable)
    {
        if (DataRequired || Path.Exists(Path.Combine(folder, probe))) return null;
        return $"needs {what} at {folder} (set {variable} or lay ../shared/data beside the repository)";
    }

    /// <summary>A fresh temporary folder, deleted by the OS eventually.</summary>
    public static string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mucmm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string DataFolder(string variable, string name)
    {
        string? fromEnv = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(fromEnv) ? Path.Combine(SharedData, name) : Path.GetFullPath(fromEnv);
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mucmm.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (Mucmm.slnx) not found above " + AppContext.BaseDirectory);
    }
}

namespace Mucmm;

/// <summary>
/// An error caused by the user's input (a file, an option, a shape), as opposed to a bug.
/// The command line prints <see cref="Exception.Message"/> as one line and exits with code 2.
/// </summary>
/// <remarks>
/// The message is always one line. When the problem is in a file, the message starts with the
/// file's path: <c>"data/x.npy: unsupported dtype '&lt;i4' (expected float32 or float64)"</c>.
/// </remarks>
public sealed class MucmmUserException : Exception
{
    /// <summary>Creates an error about <paramref name="file"/> (or about no file when null).</summary>
    public MucmmUserException(string? file, string problem)
        : base(Format(file, problem))
    {
        File = file;
        Problem = problem;
    }

    /// <summary>Creates an error that is not about a file (an option, a shape mismatch, …).</summary>
    public MucmmUserException(string problem) : this(null, problem) { }

    /// <summary>The file the problem is in, or null.</summary>
    public string? File { get; }

    /// <summary>The problem, without the file name.</summary>
    public string Problem { get; }

    private static string Format(string? file, string problem)
    {
        string oneLine = problem.ReplaceLineEndings(" ");
        return file is null ? oneLine : $"{file}: {oneLine}";
    }
}

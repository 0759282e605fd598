namespace Mucmm.Data.Readers;

/// <summary>
/// Reads a numeric matrix (rows = samples) from a <c>.npy</c> or <c>.csv</c> file, chosen by the
/// file extension (case-insensitive) — what <c>--view1 FILE --view2 FILE</c> accept.
/// A <c>.npy</c> array of shape (n, d1, d2, …) gives n rows of d1·d2·… columns and keeps its full shape in
/// <see cref="MatrixData.Shape"/>; a 1-D array gives one column (views refuse it: <see cref="PairedFiles"/>).
/// </summary>
public static class MatrixFile
{
    /// <summary>The extensions <see cref="Read"/> accepts.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".npy", ".csv"];

    /// <summary>Reads the whole file into memory (see <see cref="NpyFile.Read(string)"/> and <see cref="CsvMatrixFile.Read(string)"/>).</summary>
    /// <exception cref="MucmmUserException">Unsupported extension, or any error of the format's reader.</exception>
    public static MatrixData Read(string path)
    {
        switch (KindOf(path))
        {
            case ".npy":
                var a = NpyFile.Read(path);
                return new MatrixData(path, a.Data, a.Rows, a.Cols) { Shape = a.Shape };
            default:
                return CsvMatrixFile.Read(path);
        }
    }

    /// <summary>
    /// Opens the file for chunked reading: <c>.npy</c> files are streamed from disk with bounded
    /// memory; <c>.csv</c> files are parsed into memory first and then served in chunks.
    /// </summary>
    /// <exception cref="MucmmUserException">Unsupported extension, or any error of the format's reader.</exception>
    public static IRowChunkReader OpenRows(string path) => KindOf(path) switch
    {
        ".npy" => NpyChunkReader.Open(path),
        _ => new InMemoryRowChunkReader(CsvMatrixFile.Read(path)),
    };

    private static string KindOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".npy" or ".csv") return ext;
        string what = ext.Length == 0 ? "no file extension" : $"unsupported file type '{ext}'";
        throw new MucmmUserException(path, $"{what}; expected a .npy (NumPy float32/float64) or .csv (header line, numeric columns) file");
    }
}

namespace Mucmm.Data;

/// <summary>How a view's samples should be drawn (pictures, maps).</summary>
public enum ViewKind
{
    /// <summary>A plain feature vector.</summary>
    Vector,
    /// <summary>A grey image; <see cref="View.SampleShape"/> is [height, width].</summary>
    Image,
    /// <summary>A (log-mel) spectrogram; <see cref="View.SampleShape"/> is [mel bands, frames], low band first.</summary>
    Spectrogram,
}

/// <summary>
/// One modality of a paired dataset: <see cref="Rows"/> samples, each a flattened vector of
/// <see cref="Cols"/> float64 values, stored row-major in <see cref="Data"/>.
/// </summary>
public sealed class View
{
    /// <summary>Creates a view; <paramref name="data"/> is row-major, length rows × prod(sampleShape).</summary>
    public View(string name, ViewKind kind, int[] sampleShape, double[] data)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(data);
        int cols = 1;
        foreach (int s in sampleShape)
        {
            if (s <= 0) throw new ArgumentException("sample shape entries must be positive", nameof(sampleShape));
            cols *= s;
        }
        if (data.Length % cols != 0)
            throw new ArgumentException($"data length {data.Length} is not a multiple of {cols}", nameof(data));
        Name = name;
        Kind = kind;
        SampleShape = (int[])sampleShape.Clone();
        Cols = cols;
        Rows = data.Length / cols;
        Data = data;
    }

    /// <summary>Short name shown in tables and file names, e.g. "image" or "audio".</summary>
    public string Name { get; }

    /// <summary>How samples are drawn.</summary>
    public ViewKind Kind { get; }

    /// <summary>Shape of one sample before flattening, e.g. [28, 28].</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Number of samples.</summary>
    public int Rows { get; }

    /// <summary>Number of values per sample (product of <see cref="SampleShape"/>).</summary>
    public int Cols { get; }

    /// <summary>Row-major values, length <see cref="Rows"/> × <see cref="Cols"/>.</summary>
    public double[] Data { get; }

    /// <summary>The values of sample <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>A new view with the given rows, in the given order.</summary>
    public View Select(IReadOnlyList<int> rows)
    {
        var data = new double[rows.Count * Cols];
        for (int i = 0; i < rows.Count; i++)
            Row(rows[i]).CopyTo(data.AsSpan(i * Cols, Cols));
        return new View(Name, Kind, SampleShape.ToArray(), data);
    }

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> naming <paramref name="source"/> (or the view) and the
    /// first row and column holding NaN or an infinity.
    /// </summary>
    public void EnsureFinite(string? source = null)
    {
        for (int i = 0; i < Data.Length; i++)
        {
            if (!double.IsFinite(Data[i]))
            {
                string what = double.IsNaN(Data[i]) ? "NaN" : "an infinite value";
                throw new MucmmUserException(source ?? $"view '{Name}'",
                    $"{what} at row {i / Cols}, column {i % Cols}");
            }
        }
    }
}

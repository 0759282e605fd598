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
    /// <summary>One text per sample (<see cref="View.Texts"/>); a text encoder (minilm) turns it into features.</summary>
    Text,
}

/// <summary>
/// One modality of a paired dataset: <see cref="Rows"/> samples, each of shape <see cref="SampleShape"/>
/// (e.g. [28, 28] for images, [C, H, W] for a (n, C, H, W) <c>.npy</c> file, [d] for plain vectors) and
/// stored flattened, <see cref="Cols"/> = prod(<see cref="SampleShape"/>) float64 values per row,
/// row-major in <see cref="Data"/>. Linear models use the flattened rows; deep encoders (CNN, ONNX)
/// use <see cref="SampleShape"/> to restore each sample's shape.
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

    /// <summary>
    /// A text view: one text per sample, in <see cref="Texts"/>. Its numeric <see cref="Data"/> is a placeholder
    /// (sample shape [1], the row's position) until a text encoder turns the texts into features.
    /// </summary>
    public static View FromTexts(string name, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var data = new double[texts.Count];
        for (int i = 0; i < data.Length; i++) data[i] = i;
        return new View(name, ViewKind.Text, [1], data) { Texts = texts.ToArray() };
    }

    /// <summary>The texts of a <see cref="ViewKind.Text"/> view (one per row); null for numeric views.</summary>
    public IReadOnlyList<string>? Texts { get; private init; }

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
        return new View(Name, Kind, SampleShape.ToArray(), data) { Texts = Texts is null ? null : rows.Select(r => Texts[r]).ToArray() };
    }

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> when this is a text view: its numeric <see cref="Data"/> is a placeholder,
    /// so a model must take its encoder's features instead (a text encoder, e.g. <c>minilm</c>). Called wherever
    /// values are used as numbers (statistics, training, applying a model).
    /// </summary>
    public void EnsureNumeric()
    {
        if (Kind == ViewKind.Text)
            throw new MucmmUserException($"view '{Name}' is a text view: models take its features from a text encoder (minilm), not the texts themselves");
    }

    /// <summary>
    /// Largest magnitude a data value may have: 1e100. Squares and sums of squares of larger values
    /// overflow float64 (1.8e308) in covariances, so a fit would fail with a misleading message; no
    /// real measurement is that large (it is usually a corrupt file or a missing-value code).
    /// </summary>
    public const double MaxMagnitude = 1e100;

    /// <summary>Why a value above <see cref="MaxMagnitude"/> is refused (for messages).</summary>
    public const string TooLargeReason =
        "the value is too large (|x| > 1e100): products of such values overflow float64; rescale the data or fix the file";

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> naming <paramref name="source"/> (or the view) and the
    /// first row and column holding NaN, an infinity or a value larger than <see cref="MaxMagnitude"/>.
    /// </summary>
    public void EnsureFinite(string? source = null)
    {
        int i = Readers.FloatSpans.FirstAbove(Data, MaxMagnitude);
        if (i >= 0) ThrowNotFinite(Data[i], i / Cols, i % Cols, source);
    }

    /// <summary>
    /// As <see cref="EnsureFinite(string?)"/> for the rows <paramref name="rows"/> only, numbered in messages by their
    /// position in that list (as in <c>Select(rows).EnsureFinite()</c>, without the copy).
    /// </summary>
    internal void EnsureFinite(IReadOnlyList<int> rows, string? source = null)
    {
        for (int r = 0; r < rows.Count; r++)
        {
            var row = Row(rows[r]);
            int j = Readers.FloatSpans.FirstAbove(row, MaxMagnitude);
            if (j >= 0) ThrowNotFinite(row[j], r, j, source);
        }
    }

    private void ThrowNotFinite(double v, int row, int column, string? source)
    {
        string what = double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "an infinite value"
            : $"the value {v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}";
        string why = double.IsFinite(v) ? ": " + TooLargeReason : "";
        throw new MucmmUserException(source ?? $"view '{Name}'", $"{what} at row {row}, column {column}{why}");
    }

    /// <summary>
    /// The same rows as plain feature vectors: kind <see cref="ViewKind.Vector"/>, sample shape [<see cref="Cols"/>]
    /// (the data is shared, not copied). Linear models see every view this way. A text view has no such rows
    /// (<see cref="EnsureNumeric"/>).
    /// </summary>
    public View Flatten()
    {
        EnsureNumeric();
        return SampleShape.Count == 1 && Kind == ViewKind.Vector ? this : new View(Name, ViewKind.Vector, [Cols], Data);
    }
}

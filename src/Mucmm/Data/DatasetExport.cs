using System.Globalization;
using System.Text;
using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;

namespace Mucmm.Data;

/// <summary>
/// Writes a <see cref="PairedDataset"/> for NumPy users: <c>view1.npy</c>, <c>view2.npy</c>, …
/// (float32, rows = samples, each sample flattened row-major; images with channels keep their shape,
/// (rows, C, H, W)), text views as <c>view{m}.txt</c> (UTF-8, one text per line), and <c>meta.csv</c>.
/// </summary>
/// <remarks>
/// <c>meta.csv</c> has one line per row, in the dataset's order: <c>index,split,</c> then each label
/// (followed by <c>LABEL_name</c> when the label has names, e.g. <c>speaker,speaker_name</c>), each
/// factor, each id and each note — e.g. <c>index,split,digit,rotation,partner</c> for <c>noisy-mnist</c>.
/// Split values are <c>train</c>, <c>validation</c>, <c>test</c>; numbers use the invariant culture,
/// factors the shortest round-trip form.
/// </remarks>
public static class DatasetExport
{
    /// <summary>File name of numeric view <paramref name="view"/> (0-based): "view1.npy", "view2.npy", ….</summary>
    public static string ViewFileName(int view) => $"view{view + 1}.npy";

    /// <summary>File name of view <paramref name="view"/> (0-based) of <paramref name="dataset"/>: "view{m}.txt" for a text view, else <see cref="ViewFileName(int)"/>.</summary>
    public static string ViewFileName(PairedDataset dataset, int view)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Views[view].Kind == ViewKind.Text ? $"view{view + 1}.txt" : ViewFileName(view);
    }

    /// <summary>File name of the per-row metadata.</summary>
    public const string MetaFileName = "meta.csv";

    /// <summary>Writes every view and <c>meta.csv</c> into <paramref name="folder"/> (not yet committed).</summary>
    public static void Write(PairedDataset dataset, OutputFolder folder)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(folder);
        for (int m = 0; m < dataset.Views.Count; m++)
        {
            var view = dataset.Views[m];
            string path = folder.File(ViewFileName(dataset, m));
            if (view.Texts is { } texts) WriteTexts(texts, path);
            else if (view.SampleShape.Count == 3) NpyFile.Write(path, view.Data, [view.Rows, .. view.SampleShape], NpyDType.Float32);
            else NpyFile.Write(path, view.Data, view.Rows, view.Cols, NpyDType.Float32);
        }
        WriteMeta(dataset, folder.File(MetaFileName));
    }

    /// <summary>Writes one text per line (UTF-8 without BOM, "\n" after every line); line breaks inside a text become spaces.</summary>
    public static void WriteTexts(IReadOnlyList<string> texts, string path)
    {
        ArgumentNullException.ThrowIfNull(texts);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        foreach (string t in texts) writer.WriteLine(t.ReplaceLineEndings(" "));
    }

    /// <summary>
    /// The label, label-name, factor, id and note columns of <c>meta.csv</c> (without index and split),
    /// as header and formatted values per row — for other writers that append them (e.g. scores).
    /// </summary>
    public static IReadOnlyList<(string Header, string[] Values)> MetaColumns(PairedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var columns = new List<(string, string[])>();
        foreach (var (name, values) in dataset.Labels)
        {
            columns.Add((name, values.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray()));
            if (dataset.LabelNames.TryGetValue(name, out var names))
                columns.Add((name + "_name", values.Select(v => v >= 0 && v < names.Length ? names[v] : "").ToArray()));
        }
        foreach (var (name, values) in dataset.Factors)
            columns.Add((name, values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray()));
        foreach (var (name, values) in dataset.Ids)
            columns.Add((name, values.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray()));
        foreach (var (name, values) in dataset.Notes)
            columns.Add((name, values));
        return columns;
    }

    /// <summary>Writes <c>meta.csv</c> for <paramref name="dataset"/> to <paramref name="path"/>.</summary>
    public static void WriteMeta(PairedDataset dataset, string path)
    {
        var columns = MetaColumns(dataset);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(",", new[] { "index", "split" }.Concat(columns.Select(c => Quote(c.Header)))));
        var line = new StringBuilder();
        for (int i = 0; i < dataset.Count; i++)
        {
            line.Clear();
            line.Append(dataset.Indices[i].ToString(CultureInfo.InvariantCulture)).Append(',').Append(dataset.Splits[i].ToName());
            foreach (var (_, values) in columns) line.Append(',').Append(Quote(values[i]));
            writer.WriteLine(line);
        }
    }

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}

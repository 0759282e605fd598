using System.Globalization;
using SkiaSharp;

namespace Mucmm.Data.Readers;

/// <summary>An image size in pixels.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <inheritdoc />
    public override string ToString() => $"{Width}×{Height}";
}

/// <summary>A grey image with values in [0, 1], row-major (row 0 at the top).</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">Row-major grey values in [0, 1], length Width × Height.</param>
public sealed record GrayImage(int Width, int Height, double[] Pixels)
{
    /// <summary>The image's size.</summary>
    public ImageSize Size => new(Width, Height);
}

/// <summary>Options of <see cref="ImageManifest.Load"/>.</summary>
public sealed record ImageManifestOptions
{
    /// <summary>
    /// When set, every image is resized (bilinear, SkiaSharp) to this size; otherwise all images of a
    /// view must share one size. Default: null.
    /// </summary>
    public ImageSize? Resize { get; init; }

    /// <summary>Seed of the train/validation/test split (<see cref="Datasets.DatasetSplits.ByFractions"/>). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of rows in the validation split. Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Fraction of rows in the test split. Default 0.2 (an image manifest's split, 70/10/20, is older than the 80/10/10 of <see cref="Datasets.DatasetSplits.Random"/> and kept so that its runs stay reproducible).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Dataset name; default: the manifest's file name without extension.</summary>
    public string? Name { get; init; }
}

/// <summary>
/// Loads a paired image dataset from a manifest CSV with the header <c>view1,view2[,extra…]</c>:
/// each line names a pair of PNG or JPEG files (paths relative to the manifest's folder, or
/// absolute). Images are decoded with SkiaSharp and converted to grey [0, 1] with the Rec. 601 luma
/// (0.299 R + 0.587 G + 0.114 B) / 255 of the unpremultiplied colours (alpha is ignored).
/// </summary>
/// <remarks>
/// Extra columns become per-row annotations: a column of integers becomes a label, a column of
/// other numbers a continuous factor, and a column of text a label whose codes 0, 1, … follow the
/// ordinal sort order of the distinct texts.
/// </remarks>
public static class ImageManifest
{
    /// <summary>Loads the manifest and its images as a two-view <see cref="PairedDataset"/> (views "view1" and "view2", kind Image, sample shape [height, width]).</summary>
    /// <exception cref="MucmmUserException">
    /// Missing manifest, wrong header, ragged rows, empty cells, missing or undecodable images,
    /// images of a view with different sizes (without <see cref="ImageManifestOptions.Resize"/>) — each naming the file.
    /// </exception>
    public static PairedDataset Load(string manifestPath, ImageManifestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        options ??= new ImageManifestOptions();
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath)) ?? ".";
        var (header, rows) = ReadManifest(manifestPath);

        var views = new View[2];
        for (int v = 0; v < 2; v++)
        {
            ImageSize? size = options.Resize;
            string? first = null;
            double[]? data = null;
            for (int i = 0; i < rows.Count; i++)
            {
                var (line, cells) = rows[i];
                string rel = cells[v];
                string path = Path.IsPathRooted(rel) ? rel : Path.Combine(baseDir, rel);
                if (!File.Exists(path))
                    throw new MucmmUserException(manifestPath, $"line {line}, column '{header[v]}': image '{rel}' not found ({path})");
                var img = LoadGray(path, options.Resize);
                if (size is null) size = img.Size;
                if (img.Size != size)
                    throw new MucmmUserException(path,
                        $"{img.Size} pixels, but {header[v]}'s first image ({first}) is {size}; all images of a view must share one size, or set a resize option");
                first ??= path;
                data ??= new double[rows.Count * img.Pixels.Length];
                img.Pixels.CopyTo(data, i * img.Pixels.Length);
            }
            views[v] = new View(header[v], ViewKind.Image, [size!.Value.Height, size.Value.Width], data!);
        }

        var labels = new Dictionary<string, int[]>();
        var factors = new Dictionary<string, double[]>();
        for (int c = 2; c < header.Length; c++)
            ParseAnnotation(manifestPath, header[c], rows.Select(r => (r.Line, r.Cells[c])).ToList(), labels, factors);

        string name = options.Name ?? Path.GetFileNameWithoutExtension(manifestPath);
        var splits = Datasets.DatasetSplits.ByFractions(rows.Count, options.Seed, options.ValidationFraction, options.TestFraction);
        return new PairedDataset(name, views, splits, labels, factors, description: $"image pairs listed in {manifestPath}");
    }

    /// <summary>Decodes a PNG or JPEG file to grey [0, 1] (Rec. 601 luma), optionally resized (bilinear).</summary>
    /// <exception cref="MucmmUserException">Missing, undecodable or truncated image (names the file).</exception>
    public static GrayImage LoadGray(string path, ImageSize? resize = null)
    {
        using var stream = ReaderIO.OpenRead(path);
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
            throw new MucmmUserException(path, $"cannot decode the image ({result}); expected a PNG or JPEG file");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var r = codec.GetPixels(info, bitmap.GetPixels());
        if (r != SKCodecResult.Success)
            throw new MucmmUserException(path, r == SKCodecResult.IncompleteInput ? "truncated image data" : $"cannot decode the image ({r})");
        SKBitmap source = bitmap;
        SKBitmap? resized = null;
        try
        {
            if (resize is ImageSize s && (s.Width != info.Width || s.Height != info.Height))
            {
                if (s.Width <= 0 || s.Height <= 0) throw new MucmmUserException($"resize size {s} must be positive");
                resized = bitmap.Resize(info.WithSize(s.Width, s.Height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
                    ?? throw new MucmmUserException(path, $"cannot resize the image to {s}");
                source = resized;
            }
            int w = source.Width, h = source.Height;
            ReadOnlySpan<byte> px = source.GetPixelSpan();
            var gray = new double[w * h];
            int stride = source.RowBytes;
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int o = y * stride + 4 * x;
                    gray[y * w + x] = (0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2]) / 255.0;
                }
            }
            return new GrayImage(w, h, gray);
        }
        finally
        {
            resized?.Dispose();
        }
    }

    private static (string[] Header, List<(int Line, string[] Cells)> Rows) ReadManifest(string manifestPath)
    {
        using var stream = ReaderIO.OpenRead(manifestPath);
        using var reader = new LineReader(new StreamReader(stream), manifestPath);
        var fields = new List<string>();
        string[]? header = null;
        var rows = new List<(int, string[])>();
        string? line;
        int lineNo = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            CsvLine.Split(line, fields, manifestPath, lineNo);
            if (header is null)
            {
                header = fields.ToArray();
                if (header.Length < 2 || header[0] != "view1" || header[1] != "view2")
                    throw new MucmmUserException(manifestPath, $"the header must start with 'view1,view2' (then optional label columns), found '{CsvMatrixFile.Shorten(line)}'");
                continue;
            }
            if (fields.Count != header.Length)
                throw new MucmmUserException(manifestPath, $"line {lineNo} has {fields.Count} fields, the header has {header.Length}");
            for (int c = 0; c < fields.Count; c++)
                if (fields[c].Length == 0)
                    throw new MucmmUserException(manifestPath, $"line {lineNo}, column '{header[c]}' is empty");
            rows.Add((lineNo, fields.ToArray()));
        }
        if (header is null) throw new MucmmUserException(manifestPath, "the manifest is empty (expected a header 'view1,view2' and one line per image pair)");
        if (rows.Count == 0) throw new MucmmUserException(manifestPath, "no image pairs (only a header line)");
        return (header, rows);
    }

    private static void ParseAnnotation(string manifestPath, string name, List<(int Line, string Cell)> cells,
        Dictionary<string, int[]> labels, Dictionary<string, double[]> factors)
    {
        if (labels.ContainsKey(name) || factors.ContainsKey(name) || name is "view1" or "view2")
            throw new MucmmUserException(manifestPath, $"column '{name}' appears twice in the header");
        var inv = CultureInfo.InvariantCulture;
        if (cells.All(c => int.TryParse(c.Cell, NumberStyles.Integer, inv, out _)))
        {
            labels[name] = cells.Select(c => int.Parse(c.Cell, NumberStyles.Integer, inv)).ToArray();
            return;
        }
        if (cells.All(c => double.TryParse(c.Cell, NumberStyles.Float, inv, out _)))
        {
            var values = cells.Select(c => double.Parse(c.Cell, NumberStyles.Float, inv)).ToArray();
            int bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
                throw new MucmmUserException(manifestPath, $"line {cells[bad].Line}, column '{name}' is not finite ('{cells[bad].Cell}')");
            factors[name] = values;
            return;
        }
        var codes = cells.Select(c => c.Cell).Distinct().Order(StringComparer.Ordinal)
            .Select((text, code) => (text, code)).ToDictionary(p => p.text, p => p.code, StringComparer.Ordinal);
        labels[name] = cells.Select(c => codes[c.Cell]).ToArray();
    }
}

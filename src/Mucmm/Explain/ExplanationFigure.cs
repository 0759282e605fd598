using System.Globalization;
using Mucmm.Data;
using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>How attribution maps are coloured.</summary>
public enum MapStyle
{
    /// <summary>Diverging colours centred on zero (blue negative, red positive) with a colour bar.</summary>
    Signed,
    /// <summary>|map| in hot colours laid over the grey input, with a colour bar.</summary>
    Magnitude,
}

/// <summary>Options of <see cref="ExplanationFigure"/>; defaults in the initializers.</summary>
public sealed record FigureOptions
{
    /// <summary>Colouring of the maps.</summary>
    public MapStyle Style { get; init; } = MapStyle.Signed;

    /// <summary>Approximate height in pixels of an image or spectrogram panel.</summary>
    public int PanelHeight { get; init; } = 112;

    /// <summary>Colour limits come from this percentile of |map| of each panel (100 = the maximum), so one extreme pixel does not wash out the rest.</summary>
    public double ClipPercentile { get; init; } = 99.5;

    /// <summary>Optional title drawn above the figure.</summary>
    public string? Title { get; init; }
}

/// <summary>
/// Pictures of gradient maps (SkiaSharp PNG): one row per sample with, for each view, the input and
/// the maps of every score that depends on that view — with the standard scores (common,
/// individual1, individual2) the row reads: input 1, common map, individual map, input 2, common map,
/// individual map. Panels are drawn from <see cref="View.Kind"/> and <see cref="View.SampleShape"/>:
/// images as pictures (RGB images, [3, H, W], in colour; their maps summed over the three channels (|values| in the magnitude style), one value
/// per pixel, and laid over the image's luma in the magnitude style), spectrograms with time (frames) to the right and mel bands upwards (low
/// frequencies at the bottom) with axes, vectors as strips.
/// </summary>
public static partial class ExplanationFigure
{
    private const int Pad = 8, LabelWidth = 118, HeaderHeight = 34, BarWidth = 10, BarLabelWidth = 46;

    /// <summary>
    /// Renders the figure. <paramref name="inputs"/> holds the explained samples (one <see cref="View"/>
    /// per model view, same rows as every result in <paramref name="maps"/>); <paramref name="rowLabels"/>
    /// (one per row, may contain a line break) are drawn at the left.
    /// </summary>
    public static SKBitmap Render(
        IReadOnlyList<View> inputs, IReadOnlyList<AttributionResult> maps, IReadOnlyList<string> rowLabels, FigureOptions? options = null)
    {
        options ??= new FigureOptions();
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(maps);
        int rows = inputs.Count > 0 ? inputs[0].Rows : 0;
        if (rows == 0) throw new MucmmUserException("nothing to draw: no samples selected");
        foreach (var r in maps)
        {
            if (r.Rows != rows || r.Maps.Count != inputs.Count)
                throw new ArgumentException("every attribution result must cover the same samples and views as the inputs");
        }
        if (rowLabels.Count != rows) throw new ArgumentException($"{rowLabels.Count} row labels for {rows} rows");

        // Columns: per view, the input and the maps of the scores that depend on it.
        var columns = new List<(int view, AttributionResult? map)>();
        for (int m = 0; m < inputs.Count; m++)
        {
            columns.Add((m, null));
            foreach (var r in maps) if (r.Score.DependsOn(m + 1)) columns.Add((m, r));
        }
        var geometry = inputs.Select(v => PanelGeometry.For(v, options.PanelHeight)).ToArray();
        using var text = new TextPainter();
        (string head, string sub) Titles((int view, AttributionResult? map) c) => c.map is null
            ? ($"view {c.view + 1}: {inputs[c.view].Name}", KindText(inputs[c.view]))
            : ($"{c.map.Score.Name} → x{c.view + 1}", AttributionOptions.MethodName(c.map.Method));
        int ColumnWidth((int view, AttributionResult? map) c)
        {
            var (head, sub) = Titles(c);
            int panel = geometry[c.view].OuterWidth + (c.map is null ? 0 : BarWidth + 4 + BarLabelWidth);
            int title = (int)Math.Ceiling(Math.Max(text.Measure(head, 12, bold: true), text.Measure(sub, 10)));
            return Math.Max(panel, title) + Pad + 4;
        }
        int rowHeight = geometry.Max(g => g.OuterHeight) + Pad;
        int titleHeight = options.Title is null ? 0 : 26;
        int width = LabelWidth + columns.Sum(ColumnWidth) + Pad;
        int height = titleHeight + HeaderHeight + rows * rowHeight + Pad;

        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        if (options.Title is not null) text.Draw(canvas, options.Title, Pad, 18, 15, bold: true);

        int x = LabelWidth;
        foreach (var c in columns)
        {
            var (head, sub) = Titles(c);
            text.Draw(canvas, head, x, titleHeight + 14, 12, bold: true);
            text.Draw(canvas, sub, x, titleHeight + 28, 10, color: new SKColor(90, 90, 90));
            x += ColumnWidth(c);
        }

        for (int i = 0; i < rows; i++)
        {
            int y = titleHeight + HeaderHeight + i * rowHeight;
            var lines = rowLabels[i].Split('\n');
            for (int l = 0; l < lines.Length; l++)
                text.Draw(canvas, lines[l], Pad, y + 14 + 14 * l, l == 0 ? 12 : 10, bold: l == 0);
            x = LabelWidth;
            foreach (var c in columns)
            {
                var view = inputs[c.view];
                var g = geometry[c.view];
                var values = view.Row(i).ToArray();
                if (c.map is null)
                {
                    DrawInput(canvas, g, x, y, values);
                }
                else
                {
                    var map = g.PerPixel(c.map.Map(c.view, i).ToArray(), luma: false, absolute: options.Style == MapStyle.Magnitude);
                    double limit = Percentile(map.Select(Math.Abs).ToArray(), options.ClipPercentile);
                    DrawMap(canvas, g, x, y, values, map, limit, options.Style);
                    DrawColourBar(canvas, text, x + g.OuterWidth + 4, y + g.Top, g.Height, limit, options.Style);
                }
                DrawAxes(canvas, text, g, x, y);
                x += ColumnWidth(c);
            }
        }
        return bitmap;
    }

    /// <summary>
    /// A compact grid of many samples for one view and one score: each tile is the map of
    /// <paramref name="map"/> on view <paramref name="view"/> (1-based) drawn over the input (magnitude
    /// style) or beside nothing (signed style), <paramref name="columns"/> tiles per row, labelled.
    /// </summary>
    public static SKBitmap RenderGrid(
        View inputs, AttributionResult map, int view, IReadOnlyList<string> tileLabels, int columns = 8, FigureOptions? options = null)
    {
        options ??= new FigureOptions();
        if (map.Rows != inputs.Rows || tileLabels.Count != inputs.Rows)
            throw new ArgumentException("the map, the inputs and the labels must cover the same samples");
        if (view < 1 || view > map.Maps.Count) throw new MucmmUserException($"view {view} does not exist");
        if (columns < 1) throw new MucmmUserException($"grid columns must be ≥ 1, got {columns}");
        int n = inputs.Rows;
        columns = Math.Min(columns, n);
        int gridRows = (n + columns - 1) / columns;
        var g = PanelGeometry.For(inputs, options.PanelHeight);
        int tileW = g.OuterWidth + Pad, tileH = g.OuterHeight + 16 + Pad;
        int titleHeight = 30;
        var bitmap = new SKBitmap(Math.Max(Pad + columns * tileW, 640), titleHeight + gridRows * tileH + Pad, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var text = new TextPainter();
        text.Draw(canvas, options.Title ?? $"{map.Score.Name} → x{view} ({AttributionOptions.MethodName(map.Method)}, {(options.Style == MapStyle.Signed ? "blue < 0 < red" : "|map| over the input")}; each tile scaled to its own maximum)", Pad, 19, 13, bold: true);
        for (int i = 0; i < n; i++)
        {
            int x = Pad + i % columns * tileW, y = titleHeight + i / columns * tileH;
            text.Draw(canvas, tileLabels[i], x, y + 11, 10);
            var values = inputs.Row(i).ToArray();
            var m = g.PerPixel(map.Map(view - 1, i).ToArray(), luma: false, absolute: options.Style == MapStyle.Magnitude);
            double limit = Percentile(m.Select(Math.Abs).ToArray(), options.ClipPercentile);
            DrawMap(canvas, g, x, y + 16, values, m, limit, options.Style);
            DrawAxes(canvas, text, g, x, y + 16);
        }
        return bitmap;
    }

    /// <summary>Encodes <paramref name="bitmap"/> as PNG and writes it to <paramref name="path"/>.</summary>
    public static void SavePng(SKBitmap bitmap, string path)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    /// <summary>The value at percentile <paramref name="p"/> (0–100, linear interpolation) of <paramref name="values"/>; 0 for none.</summary>
    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return 0;
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return 0;
        double pos = Math.Clamp(p, 0, 100) / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static string KindText(View v) => v.Kind switch
    {
        ViewKind.Image => $"image {string.Join("×", v.SampleShape)}",
        ViewKind.Spectrogram => $"spectrogram {v.SampleShape[0]} mel × {v.SampleShape[1]} frames",
        _ => $"vector, {v.Cols} values",
    };

    private static void DrawInput(SKCanvas canvas, PanelGeometry g, int x, int y, double[] values)
    {
        double lo = values.Min(), hi = values.Max();
        using var bmp = g.Channels == 3 ? g.RasterRgb(values, lo, hi) : g.Raster(values, v => Colormaps.Grey(v, lo, hi));
        g.Blit(canvas, bmp, x, y);
    }

    private static void DrawMap(SKCanvas canvas, PanelGeometry g, int x, int y, double[] input, double[] map, double limit, MapStyle style)
    {
        SKBitmap bmp;
        input = g.PerPixel(input, luma: true);
        map = g.PerPixel(map, luma: false);
        if (style == MapStyle.Signed)
        {
            bmp = g.Raster(map, v => Colormaps.Signed(v, limit));
        }
        else
        {
            double lo = input.Min(), hi = input.Max();
            var pairs = Enumerable.Range(0, map.Length).Select(j => (input[j], map[j])).ToArray();
            // The input is dimmed so that the hot colours stand out on bright strokes too.
            bmp = g.Raster(pairs, p => Colormaps.Overlay(Colormaps.Grey(p.Item1, lo, hi, 0.45), Math.Abs(p.Item2), limit));
        }
        using (bmp) g.Blit(canvas, bmp, x, y);
    }

    private static void DrawColourBar(SKCanvas canvas, TextPainter text, int x, int y, int height, double limit, MapStyle style)
    {
        using var paint = new SKPaint { IsAntialias = false };
        for (int j = 0; j < height; j++)
        {
            double t = 1 - j / (double)Math.Max(1, height - 1);   // top = +limit
            paint.Color = style == MapStyle.Signed
                ? Colormaps.Signed((2 * t - 1) * limit, limit)
                : Colormaps.Overlay(new SKColor(128, 128, 128), t * limit, limit);
            canvas.DrawRect(x, y + j, BarWidth, 1, paint);
        }
        using var frame = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(120, 120, 120), StrokeWidth = 1 };
        canvas.DrawRect(x - 0.5f, y - 0.5f, BarWidth + 1, height + 1, frame);
        string hiText = style == MapStyle.Signed ? "+" + Format(limit) : Format(limit);
        string loText = style == MapStyle.Signed ? "−" + Format(limit) : "0";
        text.Draw(canvas, hiText, x + BarWidth + 3, y + 8, 9);
        if (style == MapStyle.Signed) text.Draw(canvas, "0", x + BarWidth + 3, y + height / 2 + 4, 9);
        text.Draw(canvas, loText, x + BarWidth + 3, y + height, 9);
    }

    private static void DrawAxes(SKCanvas canvas, TextPainter text, PanelGeometry g, int x, int y)
    {
        if (g.Kind != ViewKind.Spectrogram) return;
        using var line = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(60, 60, 60), StrokeWidth = 1 };
        float left = x + g.Left - 0.5f, bottom = y + g.Top + g.Height + 0.5f;
        canvas.DrawLine(left, y + g.Top, left, bottom, line);
        canvas.DrawLine(left, bottom, x + g.Left + g.Width, bottom, line);
        // Mel axis: band 0 (low frequencies) at the bottom.
        foreach (int band in new[] { 0, g.Rows / 2, g.Rows - 1 })
        {
            float ty = y + g.Top + g.Height - (band + 0.5f) * g.Height / g.Rows;
            canvas.DrawLine(left - 3, ty, left, ty, line);
            text.DrawRight(canvas, band.ToString(CultureInfo.InvariantCulture), left - 4, ty + 4, 9);
        }
        foreach (int frame in new[] { 0, g.Cols / 2, g.Cols - 1 })
        {
            float tx = x + g.Left + (frame + 0.5f) * g.Width / g.Cols;
            canvas.DrawLine(tx, bottom, tx, bottom + 3, line);
            text.Draw(canvas, frame.ToString(CultureInfo.InvariantCulture), tx - 3, bottom + 12, 9);
        }
        text.Draw(canvas, "time (frames) →", x + g.Left + g.Width / 2 - 30, bottom + 23, 9);
        text.DrawVertical(canvas, "mel band →", x + 9, y + g.Top + g.Height / 2 + 24, 9);
    }

    private static string Format(double v) =>
        v == 0 ? "0" : Math.Abs(v) >= 0.01 && Math.Abs(v) < 1000
            ? v.ToString("0.###", CultureInfo.InvariantCulture)
            : v.ToString("0.0e+0", CultureInfo.InvariantCulture);

    /// <summary>Where and how large a view's sample is drawn.</summary>
    private sealed class PanelGeometry
    {
        public ViewKind Kind { get; private init; }
        public int Channels { get; private init; } = 1;   // 3 for RGB images [3, H, W]
        public int Rows { get; private init; }     // raster rows (image height, mel bands, 1 for vectors)
        public int Cols { get; private init; }     // raster columns (image width, frames, vector length)
        public int Width { get; private init; }    // drawn size of the raster
        public int Height { get; private init; }
        public int Left { get; private init; }     // offset of the raster inside the panel (room for axes)
        public int Top { get; private init; }
        public int OuterWidth => Left + Width;
        public int OuterHeight => Top + Height + (Kind == ViewKind.Spectrogram ? 26 : 0);

        public static PanelGeometry For(View v, int panelHeight)
        {
            var shape = v.SampleShape;
            int channels = v.Kind == ViewKind.Image && shape.Count == 3 && shape[0] is 1 or 3 ? shape[0] : 1;
            if (channels > 1 || v.Kind == ViewKind.Image && shape.Count == 3 && shape[0] == 1) shape = [shape[1], shape[2]];
            if (v.Kind is ViewKind.Image or ViewKind.Spectrogram && shape.Count == 2)
            {
                int rows = shape[0], cols = shape[1];
                bool spec = v.Kind == ViewKind.Spectrogram;
                double scale = Math.Max(1.0, panelHeight / (double)rows);
                int height = (int)Math.Round(rows * Math.Round(scale));
                int width = (int)Math.Round(cols * Math.Round(scale));
                if (spec)
                {
                    // Spectrograms: wide panels (time), at least as wide as tall.
                    width = Math.Max(width, height);
                    width = (int)Math.Ceiling(width / (double)cols) * cols;
                }
                return new PanelGeometry
                {
                    Kind = v.Kind, Channels = channels, Rows = rows, Cols = cols, Width = width, Height = height,
                    Left = spec ? 34 : 0, Top = 0,
                };
            }
            return new PanelGeometry { Kind = ViewKind.Vector, Rows = 1, Cols = v.Cols, Width = 2 * panelHeight, Height = 28, Left = 0, Top = 0 };
        }

        /// <summary>
        /// One value per raster pixel: RGB samples (3 planes of Rows × Cols) become their luma (0.299 R + 0.587 G +
        /// 0.114 B, for inputs) or the sum over the channels (for maps; of the channels' |values| when
        /// <paramref name="absolute"/>, for magnitude maps, so channels of opposite sign do not cancel); anything else is returned as it is.
        /// </summary>
        public double[] PerPixel(double[] values, bool luma, bool absolute = false)
        {
            int plane = Rows * Cols;
            if (Channels == 1 || values.Length != Channels * plane) return values;
            var result = new double[plane];
            for (int p = 0; p < plane; p++)
                result[p] = luma
                    ? 0.299 * values[p] + 0.587 * values[plane + p] + 0.114 * values[2 * plane + p]
                    : absolute ? Math.Abs(values[p]) + Math.Abs(values[plane + p]) + Math.Abs(values[2 * plane + p])
                    : values[p] + values[plane + p] + values[2 * plane + p];
            return result;
        }

        /// <summary>A colour raster of an RGB sample (3 planes of Rows × Cols), each channel mapped linearly from [lo, hi] to 0–255.</summary>
        public SKBitmap RasterRgb(double[] values, double lo, double hi)
        {
            int plane = Rows * Cols;
            double scale = hi > lo ? 255.0 / (hi - lo) : 0;
            byte Level(double v) => (byte)Math.Clamp(Math.Round((v - lo) * scale), 0, 255);
            var bmp = new SKBitmap(Cols, Rows, SKColorType.Rgba8888, SKAlphaType.Premul);
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Cols; c++)
                {
                    int p = r * Cols + c;
                    bmp.SetPixel(c, r, new SKColor(Level(values[p]), Level(values[plane + p]), Level(values[2 * plane + p])));
                }
            return bmp;
        }

        /// <summary>A raster of Rows × Cols pixels (vectors: one row, binned to Width when longer).</summary>
        public SKBitmap Raster<T>(IReadOnlyList<T> values, Func<T, SKColor> color)
        {
            if (Kind == ViewKind.Vector)
            {
                int w = Math.Min(Cols, Width);
                var strip = new SKBitmap(w, 1, SKColorType.Rgba8888, SKAlphaType.Premul);
                for (int px = 0; px < w; px++)
                {
                    // Bin [px·d/w, (px+1)·d/w): show the element of largest magnitude colour-wise via the middle element.
                    int j = (int)((px + 0.5) * Cols / w);
                    strip.SetPixel(px, 0, color(values[j]));
                }
                return strip;
            }
            var bmp = new SKBitmap(Cols, Rows, SKColorType.Rgba8888, SKAlphaType.Premul);
            for (int r = 0; r < Rows; r++)
            {
                // Spectrograms: row r of the data is mel band r; band 0 goes to the bottom.
                int py = Kind == ViewKind.Spectrogram ? Rows - 1 - r : r;
                for (int c = 0; c < Cols; c++) bmp.SetPixel(c, py, color(values[r * Cols + c]));
            }
            return bmp;
        }

        public void Blit(SKCanvas canvas, SKBitmap raster, int x, int y)
        {
            using var image = SKImage.FromBitmap(raster);
            canvas.DrawImage(image, new SKRect(x + Left, y + Top, x + Left + Width, y + Top + Height),
                new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
            using var frame = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(200, 200, 200), StrokeWidth = 1 };
            canvas.DrawRect(x + Left - 0.5f, y + Top - 0.5f, Width + 1, Height + 1, frame);
        }
    }
}

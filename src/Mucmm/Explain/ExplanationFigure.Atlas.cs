using Mucmm.Data;
using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>The atlas picture of one view (<see cref="Atlas"/>): patterns and extreme test samples per variate.</summary>
public static partial class ExplanationFigure
{
    /// <summary>
    /// The atlas of one view: a row per variate in <paramref name="entries"/> (all of view
    /// <paramref name="testInputs"/>' view), showing its pattern (signed colours, scaled to its own
    /// maximum; an RGB pattern in colour, mid-grey = 0, each channel scaled by the pattern's maximum |value|) and then the test inputs where it is highest and lowest, with their values.
    /// </summary>
    public static SKBitmap RenderAtlas(View testInputs, IReadOnlyList<AtlasEntry> entries, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(testInputs);
        ArgumentNullException.ThrowIfNull(entries);
        options ??= new FigureOptions { PanelHeight = 56 };
        if (entries.Count == 0) throw new MucmmUserException("nothing to draw: the atlas has no variates");
        int extremes = entries.Max(e => Math.Max(e.Highest.Length, e.Lowest.Length));
        var g = PanelGeometry.For(testInputs, options.PanelHeight);
        int tileW = g.OuterWidth + 4, gap = 14, labelW = 96, tileH = g.OuterHeight + 14 + Pad;
        int patternW = g.OuterWidth + BarWidth + 4 + BarLabelWidth;
        int width = labelW + patternW + gap + 2 * extremes * tileW + gap + Pad;
        int titleHeight = 44;
        var bitmap = new SKBitmap(width, titleHeight + entries.Count * tileH + Pad, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var text = new TextPainter();
        text.Draw(canvas, options.Title ?? (g.Channels == 3
            ? $"atlas of view '{testInputs.Name}': each variate's pattern (input regressed on it; in colour, grey = 0), its highest and lowest test samples"
            : $"atlas of view '{testInputs.Name}': pattern of each variate (regression of the input on it; blue < 0 < red), then the test samples with its highest and lowest values"), Pad, 18, 13, bold: true);
        text.Draw(canvas, "pattern", labelW, titleHeight - 6, 10, bold: true);
        text.Draw(canvas, "highest →", labelW + patternW + gap, titleHeight - 6, 10, bold: true);
        text.Draw(canvas, "lowest →", labelW + patternW + gap + extremes * tileW + gap, titleHeight - 6, 10, bold: true);
        for (int e = 0; e < entries.Count; e++)
        {
            var entry = entries[e];
            int y = titleHeight + e * tileH;
            text.Draw(canvas, entry.Name, Pad, y + 26, 11, bold: true);
            if (g.Channels == 3 && entry.Pattern.Length == 3 * g.Rows * g.Cols)
            {
                // An RGB pattern in colour: each channel from −max|a| (0) through 0 (mid-grey) to +max|a| (255).
                double max = entry.Pattern.Max(Math.Abs);
                using (var rgb = g.RasterRgb(entry.Pattern, -Math.Max(max, 1e-300), Math.Max(max, 1e-300))) g.Blit(canvas, rgb, labelW, y + 14);
                text.Draw(canvas, "±" + Format(max), labelW + g.OuterWidth + 4, y + 14 + g.Top + g.Height / 2 + 4, 9);
            }
            else
            {
                var pattern = g.PerPixel(entry.Pattern, luma: false);
                double limit = pattern.Max(Math.Abs);
                DrawMap(canvas, g, labelW, y + 14, new double[pattern.Length], pattern, limit > 0 ? limit : 1, MapStyle.Signed);
                DrawColourBar(canvas, text, labelW + g.OuterWidth + 4, y + 14 + g.Top, g.Height, limit, MapStyle.Signed);
            }
            int x = labelW + patternW + gap;
            foreach (var (rows, offset) in new[] { (entry.Highest, 0), (entry.Lowest, extremes * tileW + gap) })
            {
                for (int j = 0; j < rows.Length; j++)
                {
                    int tx = x + offset + j * tileW;
                    text.Draw(canvas, Format(entry.Values[rows[j]]), tx, y + 10, 9);
                    DrawInput(canvas, g, tx, y + 14, testInputs.Row(rows[j]).ToArray());
                }
            }
        }
        return bitmap;
    }
}

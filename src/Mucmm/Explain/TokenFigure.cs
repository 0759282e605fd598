using System.Globalization;
using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>
/// Draws per-token attributions as the text with each word piece on a background coloured by its attribution
/// (blue &lt; 0 &lt; red, <see cref="Colormaps.Signed"/>, the limit the largest |attribution| of the row), one row per
/// sample, [CLS]/[SEP] shown in grey brackets; for each sample both the gradient × embedding and the Integrated
/// Gradients line. Also the token atlas of a text view (<see cref="RenderAtlas"/>).
/// </summary>
public static class TokenFigure
{
    private const int Width = 1100, Pad = 10, LineHeight = 24;
    private const float FontSize = 14;

    /// <summary>The picture of <paramref name="rows"/> (one per sample, with the row's <paramref name="labels"/>) under <paramref name="title"/>.</summary>
    public static SKBitmap Render(IReadOnlyList<TokenAttribution> rows, IReadOnlyList<string> labels, string title)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        using var text = new TextPainter();
        // Lay out first to know the height.
        var blocks = rows.Select(r => (Gxe: Layout(r, text), Ig: Layout(r, text))).ToArray();
        int height = Pad + LineHeight + rows.Count * LineHeight + blocks.Sum(b => (b.Gxe.Lines + b.Ig.Lines) * LineHeight) + rows.Count * Pad + Pad;
        var bitmap = new SKBitmap(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        text.Draw(canvas, title, Pad, Pad + FontSize, FontSize, bold: true);
        float y = Pad + LineHeight;
        using var fill = new SKPaint { IsAntialias = false };
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            text.Draw(canvas, labels[i] + $"   S = {r.Score.ToString("0.###", CultureInfo.InvariantCulture)}, S(0) = {r.BaselineScore.ToString("0.###", CultureInfo.InvariantCulture)}", Pad, y + FontSize, FontSize - 1, bold: true);
            y += LineHeight;
            foreach (var (name, values) in new[] { ("grad × emb", r.GradientTimesEmbedding), ("IG", r.IntegratedGradients) })
            {
                double limit = values.Length == 0 ? 0 : values.Max(Math.Abs);
                text.Draw(canvas, name, Pad, y + FontSize, FontSize - 2, color: new SKColor(90, 90, 90));
                float x = Pad + 80;
                for (int t = 0; t < r.Tokens.Length; t++)
                {
                    string token = Shown(r.Tokens[t]);
                    float w = text.Measure(token, FontSize) + 6;
                    if (x + w > Width - Pad)
                    {
                        x = Pad + 80;
                        y += LineHeight;
                    }
                    fill.Color = Colormaps.Signed(values[t], limit);
                    canvas.DrawRect(x, y + 2, w, LineHeight - 4, fill);
                    bool special = r.Tokens[t] is "[CLS]" or "[SEP]";
                    bool dark = limit > 0 && Math.Abs(values[t]) > 0.6 * limit;    // white text on the dark ends of the colour map
                    text.Draw(canvas, token, x + 3, y + FontSize + 1, FontSize,
                        color: dark ? SKColors.White : special ? new SKColor(120, 120, 120) : null);
                    x += w + 2;
                }
                y += LineHeight;
            }
            y += Pad;
        }
        return bitmap;
    }

    /// <summary>Words drawn per variate in <see cref="RenderAtlas"/> (the first of <see cref="AtlasEntry.Tokens"/>).</summary>
    public const int AtlasWordsShown = 16;

    /// <summary>
    /// The token atlas of one text view: per variate in <paramref name="entries"/> (each with <see cref="AtlasEntry.Tokens"/>),
    /// its words ranked by |weight| on a background coloured by the weight (red: more frequent where the variate is high,
    /// blue: where it is low; limit the variate's largest |weight|), then the test texts (<paramref name="testTexts"/>,
    /// indexed like <see cref="AtlasEntry.Values"/>) with its highest values (left) and lowest values (right).
    /// </summary>
    public static SKBitmap RenderAtlas(IReadOnlyList<AtlasEntry> entries, IReadOnlyList<string> testTexts, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(testTexts);
        if (entries.Count == 0) throw new MucmmUserException("nothing to draw: the atlas has no variates");
        if (entries.Any(e => e.Tokens is null)) throw new ArgumentException("every entry needs its token pattern (a text view's atlas)", nameof(entries));
        const int labelW = 110, rowH = 18;
        const float small = 12;
        float x0 = Pad + labelW, column = (Width - Pad - x0) / 2;
        using var text = new TextPainter();
        var words = entries.Select(e => e.Tokens!.Take(AtlasWordsShown).ToArray()).ToArray();
        int Height(int e) => ChipLines(words[e].Select(t => t.Token), x0, text) * LineHeight + rowH
                             + Math.Max(entries[e].Highest.Length, entries[e].Lowest.Length) * rowH + Pad;
        int height = Pad + LineHeight + Enumerable.Range(0, entries.Count).Sum(Height) + Pad;
        var bitmap = new SKBitmap(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        text.Draw(canvas, title ?? "token atlas: words going with each variate (red: where it is high, blue: low); test texts at its extremes",
            Pad, Pad + FontSize, FontSize - 1, bold: true);
        float y = Pad + LineHeight;
        using var fill = new SKPaint { IsAntialias = false };
        var grey = new SKColor(90, 90, 90);
        for (int e = 0; e < entries.Count; e++)
        {
            var entry = entries[e];
            text.Draw(canvas, entry.Name, Pad, y + FontSize + 1, FontSize - 1, bold: true);
            double limit = words[e].Length == 0 ? 0 : words[e].Max(t => Math.Abs(t.Weight));
            float x = x0;
            foreach (var t in words[e])
            {
                float w = text.Measure(t.Token, FontSize) + 6;
                if (x + w > Width - Pad && x > x0)
                {
                    x = x0;
                    y += LineHeight;
                }
                fill.Color = Colormaps.Signed(t.Weight, limit);
                canvas.DrawRect(x, y + 2, w, LineHeight - 4, fill);
                bool dark = limit > 0 && Math.Abs(t.Weight) > 0.6 * limit;
                text.Draw(canvas, t.Token, x + 3, y + FontSize + 1, FontSize, color: dark ? SKColors.White : null);
                x += w + 2;
            }
            if (words[e].Length == 0) text.Draw(canvas, "(no word in at least two training texts varies)", x0, y + FontSize + 1, small, color: grey);
            y += LineHeight;
            text.Draw(canvas, "highest", x0, y + small, small - 1, bold: true, color: grey);
            text.Draw(canvas, "lowest", x0 + column, y + small, small - 1, bold: true, color: grey);
            y += rowH;
            for (int j = 0; j < Math.Max(entry.Highest.Length, entry.Lowest.Length); j++)
            {
                foreach (var (rows, left) in new[] { (entry.Highest, x0), (entry.Lowest, x0 + column) })
                {
                    if (j >= rows.Length) continue;
                    string value = entry.Values[rows[j]].ToString("+0.00;−0.00", CultureInfo.InvariantCulture);
                    text.Draw(canvas, value, left, y + small, small - 1, color: grey);
                    text.Draw(canvas, Fit(testTexts[rows[j]], column - 52, small, text), left + 44, y + small, small);
                }
                y += rowH;
            }
            y += Pad;
        }
        return bitmap;
    }

    // Lines the chips of `tokens` take from x0 to the right border.
    private static int ChipLines(IEnumerable<string> tokens, float x0, TextPainter text)
    {
        int lines = 1;
        float x = x0;
        foreach (var token in tokens)
        {
            float w = text.Measure(token, FontSize) + 6;
            if (x + w > Width - Pad && x > x0)
            {
                lines++;
                x = x0;
            }
            x += w + 2;
        }
        return lines;
    }

    // `s` shortened with an ellipsis to fit `width` pixels.
    private static string Fit(string s, float width, float size, TextPainter text)
    {
        s = s.ReplaceLineEndings(" ");
        if (text.Measure(s, size) <= width) return s;
        int lo = 0, hi = s.Length;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (text.Measure(s[..mid] + "…", size) <= width) lo = mid;
            else hi = mid - 1;
        }
        return s[..lo] + "…";
    }

    // A word piece as shown: "##s" joins the previous piece, so it is drawn as "·s".
    private static string Shown(string token) => token.StartsWith("##", StringComparison.Ordinal) ? "·" + token[2..] : token;

    private static (int Lines, int Unused) Layout(TokenAttribution r, TextPainter text)
    {
        int lines = 1;
        float x = Pad + 80;
        foreach (var token in r.Tokens)
        {
            float w = text.Measure(Shown(token), FontSize) + 6;
            if (x + w > Width - Pad)
            {
                lines++;
                x = Pad + 80;
            }
            x += w + 2;
        }
        return (lines, 0);
    }
}

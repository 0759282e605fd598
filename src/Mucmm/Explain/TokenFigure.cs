using System.Globalization;
using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>
/// Draws per-token attributions as the text with each word piece on a background coloured by its attribution
/// (blue &lt; 0 &lt; red, <see cref="Colormaps.Signed"/>, the limit the largest |attribution| of the row), one row per
/// sample, [CLS]/[SEP] shown in grey brackets; for each sample both the gradient × embedding and the Integrated
/// Gradients line.
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

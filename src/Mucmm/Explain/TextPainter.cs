using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>
/// Draws labels with a real font. SkiaSharp's dependency-free Linux build has no font manager, so
/// the default typeface can be empty: then common system fonts are tried by path (DejaVu Sans,
/// Liberation Sans, …). When none exists, text is skipped and the pictures are still drawn.
/// </summary>
internal sealed class TextPainter : IDisposable
{
    private static readonly Lazy<(SKTypeface? regular, SKTypeface? bold)> Faces = new(Resolve);

    private static readonly string[] RegularPaths =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    private static readonly string[] BoldPaths =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
        "C:\\Windows\\Fonts\\arialbd.ttf",
    ];

    private readonly SKPaint _paint = new() { IsAntialias = true };

    /// <summary>Whether labels can be drawn on this machine.</summary>
    public static bool HasFont => Faces.Value.regular is not null;

    public void Draw(SKCanvas canvas, string text, float x, float y, float size, bool bold = false, SKColor? color = null)
    {
        var face = bold ? Faces.Value.bold ?? Faces.Value.regular : Faces.Value.regular;
        if (face is null || string.IsNullOrEmpty(text)) return;
        using var font = new SKFont(face, size);
        _paint.Color = color ?? new SKColor(20, 20, 20);
        canvas.DrawText(text, x, y, SKTextAlign.Left, font, _paint);
    }

    /// <summary>Text rotated 90° counter-clockwise, reading upwards from (x, y).</summary>
    public void DrawVertical(SKCanvas canvas, string text, float x, float y, float size)
    {
        canvas.Save();
        canvas.RotateDegrees(-90, x, y);
        Draw(canvas, text, x, y, size);
        canvas.Restore();
    }

    public void Dispose() => _paint.Dispose();

    private static (SKTypeface?, SKTypeface?) Resolve()
    {
        static SKTypeface? Usable(SKTypeface? t) => t is not null && t.GlyphCount > 0 ? t : null;
        var regular = Usable(SKTypeface.Default) ?? Usable(SKTypeface.FromFamilyName("DejaVu Sans"));
        SKTypeface? bold = regular is null ? null : Usable(SKTypeface.FromFamilyName(regular.FamilyName, SKFontStyle.Bold));
        regular ??= RegularPaths.Where(File.Exists).Select(p => Usable(SKTypeface.FromFile(p))).FirstOrDefault(t => t is not null);
        bold ??= BoldPaths.Where(File.Exists).Select(p => Usable(SKTypeface.FromFile(p))).FirstOrDefault(t => t is not null);
        return (regular, bold ?? regular);
    }
}

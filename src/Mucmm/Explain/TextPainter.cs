using SkiaSharp;

namespace Mucmm.Explain;

/// <summary>
/// Draws labels with a real font: common sans-serif system fonts by path (DejaVu Sans, Liberation
/// Sans, Arial), else Skia's default typeface (SkiaSharp's dependency-free Linux build has no font
/// manager, so that one can be empty). When no font exists, text is skipped and the pictures are
/// still drawn.
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

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="size"/> (0 without a font).</summary>
    public float Measure(string text, float size, bool bold = false)
    {
        var face = bold ? Faces.Value.bold ?? Faces.Value.regular : Faces.Value.regular;
        if (face is null || string.IsNullOrEmpty(text)) return 0;
        using var font = new SKFont(face, size);
        return font.MeasureText(text);
    }

    /// <summary>Draws <paramref name="text"/> so that it ends at <paramref name="right"/>.</summary>
    public void DrawRight(SKCanvas canvas, string text, float right, float y, float size)
        => Draw(canvas, text, right - Measure(text, size), y, size);

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
        // A sans-serif system font first (clearer at small sizes), then whatever Skia offers.
        var regular = RegularPaths.Where(File.Exists).Select(p => Usable(SKTypeface.FromFile(p))).FirstOrDefault(t => t is not null);
        var bold = BoldPaths.Where(File.Exists).Select(p => Usable(SKTypeface.FromFile(p))).FirstOrDefault(t => t is not null);
        regular ??= Usable(SKTypeface.Default);
        if (bold is null && regular is not null) bold = Usable(SKTypeface.FromFamilyName(regular.FamilyName, SKFontStyle.Bold));
        return (regular, bold ?? regular);
    }
}

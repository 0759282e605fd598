using Mucmm.Data;
using Mucmm.Explain;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mucmm.Tests.Explain;

public class ExplanationFigureTests
{
    /// <summary>
    /// Oracle: the colour-map definitions. Zero is the near-white centre of the diverging map, ±limit its
    /// dark red / dark blue ends (ColorBrewer RdBu), values beyond the limit clip, and the map is
    /// symmetric (the red and blue channels swap roles).
    /// </summary>
    [Fact]
    public void DivergingMapIsCentredOnZero()
    {
        Assert.Equal(new SKColor(247, 247, 247), Colormaps.Signed(0, 3));
        Assert.Equal(new SKColor(103, 0, 31), Colormaps.Signed(3, 3));
        Assert.Equal(new SKColor(5, 48, 97), Colormaps.Signed(-3, 3));
        Assert.Equal(Colormaps.Signed(5, 3), Colormaps.Signed(3, 3));
        var pos = Colormaps.Signed(1, 3);
        var neg = Colormaps.Signed(-1, 3);
        Assert.True(pos.Red > pos.Blue && neg.Blue > neg.Red);
        Assert.Equal(new SKColor(128, 128, 128), Colormaps.Overlay(new SKColor(128, 128, 128), 0, 1));
    }

    /// <summary>
    /// Oracle: the drawing convention for spectrograms (METHOD/issue: low frequencies at the bottom).
    /// Mel band 0 is black, band 1 mid-grey, the other bands white: in the PNG the black band must lie
    /// directly below the grey one. The PNG decodes to the bitmap's size.
    /// </summary>
    [Fact]
    public void SpectrogramsAreDrawnWithLowBandsAtTheBottom()
    {
        int mels = 8, frames = 12;
        var data = new double[mels * frames];
        for (int b = 0; b < mels; b++)
            for (int f = 0; f < frames; f++)
                data[b * frames + f] = b == 0 ? 0.0 : b == 1 ? 0.5 : 1.0;
        var audio = new View("audio", ViewKind.Spectrogram, [mels, frames], data);
        var image = new View("image", ViewKind.Image, [4, 4], Enumerable.Range(0, 16).Select(i => i / 15.0).ToArray());
        using var bitmap = ExplanationFigure.Render([audio, image], [], ["#0"]);
        string path = Path.Combine(TestPaths.NewTempDir(), "f.png");
        ExplanationFigure.SavePng(bitmap, path);
        using var decoded = SKBitmap.Decode(path);
        Assert.Equal(bitmap.Width, decoded.Width);
        Assert.Equal(bitmap.Height, decoded.Height);

        int blackTop = int.MaxValue, blackBottom = -1, greyTop = int.MaxValue, greyBottom = -1;
        // The spectrogram is the first column (after the 118-pixel label column, 34-pixel axis margin, 168 pixels wide).
        for (int y = 0; y < decoded.Height; y++)
        {
            for (int x = 118; x < 118 + 34 + 168; x++)
            {
                var c = decoded.GetPixel(x, y);
                if (c == new SKColor(0, 0, 0)) { blackTop = Math.Min(blackTop, y); blackBottom = Math.Max(blackBottom, y); }
                if (c == new SKColor(128, 128, 128)) { greyTop = Math.Min(greyTop, y); greyBottom = Math.Max(greyBottom, y); }
            }
        }
        Assert.True(blackBottom >= 0 && greyBottom >= 0, "both bands drawn");
        Assert.Equal(greyBottom + 1, blackTop);
    }

    /// <summary>
    /// Oracle: the colour-map definitions. A map that is non-zero on one pixel and 0 elsewhere draws that
    /// pixel in the end colour of its sign (ClipPercentile 100) and the zeros in the white centre colour.
    /// </summary>
    [Fact]
    public void SignedMapsUseTheDivergingColours()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([16, 16], 2, [1, 1], seed: 3);
        var view1 = new View("a", ViewKind.Image, [4, 4], new double[16]);
        var view2 = new View("b", ViewKind.Image, [4, 4], new double[16]);
        // Gradient × input at x = e₀ for the single variate common1:1 is A₁[0, 0]·e₀: one non-zero pixel.
        var x1 = zeros(1, 16, dtype: float64);
        x1[0, 0] = tensor(1.0);
        var score = Score.Parse("common1:1", model);
        var maps = Attributions.Compute(model, score, [x1, zeros(1, 16, dtype: float64)], new AttributionOptions { Method = AttributionMethod.GradientTimesInput });
        double a = model.A[0][0, 0].item<double>();
        using var bitmap = ExplanationFigure.Render([view1, view2], [maps], ["#0"], new FigureOptions { ClipPercentile = 100 });
        var end = a > 0 ? new SKColor(103, 0, 31) : new SKColor(5, 48, 97);
        int endPixels = 0, centre = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c == end) endPixels++;
                if (c == new SKColor(247, 247, 247)) centre++;
            }
        int scale = 112 / 4;   // default panel height 112 for 4 rows
        Assert.True(endPixels >= scale * scale, $"{endPixels} end-colour pixels");   // the pixel (plus the bar's end row)
        Assert.True(centre >= 15 * scale * scale, $"{centre} centre-colour pixels");
    }

    /// <summary>
    /// Oracle: the drawing convention for RGB images ([3, H, W], planes R, G, B): a sample that is white except one pure
    /// red and one pure green pixel draws those pixels in (255, 0, 0) and (0, 255, 0), each scaled up to at least
    /// scale² screen pixels (default panel height 112 for 4 rows: scale 28).
    /// </summary>
    [Fact]
    public void ColourImagesAreDrawnInColour()
    {
        var data = Enumerable.Repeat(1.0, 48).ToArray();
        data[16 + 6] = data[32 + 6] = 0;   // pixel 6 (row 1, column 2): red
        data[0] = data[32] = 0;             // pixel 0: green
        var rgb = new View("google", ViewKind.Image, [3, 4, 4], data);
        var grey = new View("b", ViewKind.Image, [4, 4], new double[16]);
        using var bitmap = ExplanationFigure.Render([rgb, grey], [], ["#0"]);
        int red = 0, green = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c == new SKColor(255, 0, 0)) red++;
                if (c == new SKColor(0, 255, 0)) green++;
            }
        Assert.Equal(28 * 28, red);
        Assert.Equal(28 * 28, green);
    }

    /// <summary>
    /// Oracle: maps of RGB images are summed over the channels, one value per pixel. Gradient × input at x = e_j, j the
    /// green value of pixel 5, is non-zero at that pixel only, so the drawn map has one end-colour pixel (scaled).
    /// </summary>
    [Fact]
    public void MapsOfColourImagesHaveOneValuePerPixel()
    {
        using var scope = NewDisposeScope();
        var model = new FixedModel([48, 16], 2, [1, 1], seed: 3);
        var view1 = new View("a", ViewKind.Image, [3, 4, 4], new double[48]);
        var view2 = new View("b", ViewKind.Image, [4, 4], new double[16]);
        var x1 = zeros(1, 48, dtype: float64);
        x1[0, 16 + 5] = tensor(1.0);
        var score = Score.Parse("common1:1", model);
        var maps = Attributions.Compute(model, score, [x1, zeros(1, 16, dtype: float64)], new AttributionOptions { Method = AttributionMethod.GradientTimesInput });
        Assert.Equal(48, maps.Map(0, 0).Length);
        double a = model.A[0][16 + 5, 0].item<double>();
        using var bitmap = ExplanationFigure.Render([view1, view2], [maps], ["#0"], new FigureOptions { ClipPercentile = 100 });
        var end = a > 0 ? new SKColor(103, 0, 31) : new SKColor(5, 48, 97);
        int endPixels = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) == end) endPixels++;
        Assert.InRange(endPixels, 28 * 28, 28 * 28 + 20);   // the pixel, plus at most the colour bar's end rows (10 wide)
    }
}

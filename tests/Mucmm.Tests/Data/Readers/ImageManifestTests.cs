using Mucmm.Data;
using Mucmm.Data.Readers;
using SkiaSharp;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class ImageManifestTests
{
    /// <summary>Writes a w×h image whose pixel (x, y) has colour f(x, y) as PNG or JPEG.</summary>
    private static void SaveImage(string path, int w, int h, Func<int, int, SKColor> f, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bmp.SetPixel(x, y, f(x, y));
        using var data = bmp.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static SKColor Gray(int v) => new((byte)v, (byte)v, (byte)v);

    /// <summary>Oracle: grey PNG pixels g decode to g/255 (luma weights sum to 1), pure red to 0.299 (Rec. 601); to 1e-12. Rows are top-down.</summary>
    [Fact]
    public void LoadGray_Png_IsExact()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "g.png");
        SaveImage(path, 3, 2, (x, y) => x == 2 && y == 1 ? new SKColor(255, 0, 0) : Gray(10 * x + 100 * y));
        var img = LoadAndCheck(path);
        Assert.Equal((3, 2), (img.Width, img.Height));
        double[] expected = [0, 10 / 255.0, 20 / 255.0, 100 / 255.0, 110 / 255.0, 0.299];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], img.Pixels[i], 12);
    }

    /// <summary>Oracle: a flat grey 128 JPEG (quality 95) decodes to 128/255 within 2/255 (lossy coding of a flat block is near exact).</summary>
    [Fact]
    public void LoadGray_Jpeg_IsClose()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "g.jpg");
        SaveImage(path, 16, 8, (_, _) => Gray(128), SKEncodedImageFormat.Jpeg);
        var img = LoadAndCheck(path);
        Assert.Equal((16, 8), (img.Width, img.Height));
        Assert.All(img.Pixels, v => Assert.InRange(v, 126 / 255.0, 130 / 255.0));
    }

    private static GrayImage LoadAndCheck(string path) => ImageManifest.LoadGray(path);

    /// <summary>
    /// Oracle: the pixels written (image i of view 1 is flat grey 20·i, of view 2 flat 200 − 20·i, exact
    /// in PNG), the annotation columns as written (text labels coded in ordinal order: "ann" 0, "bob" 1),
    /// and the split equal to DatasetSplits.ByFractions(5, seed 7, 0.1, 0.2).
    /// </summary>
    [Fact]
    public void Load_Manifest_BuildsPairedDataset()
    {
        string dir = TestPaths.NewTempDir();
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        var lines = new List<string> { "view1,view2,digit,angle,speaker" };
        string[] speakers = ["bob", "ann", "bob", "ann", "bob"];
        for (int i = 0; i < 5; i++)
        {
            SaveImage(Path.Combine(dir, "a", $"{i}.png"), 4, 3, (_, _) => Gray(20 * i));
            SaveImage(Path.Combine(dir, $"b{i}.png"), 2, 2, (_, _) => Gray(200 - 20 * i));
            lines.Add($"a/{i}.png,\"b{i}.png\",{i % 3},{i * 0.5 - 1},{speakers[i]}");
        }
        string manifest = Path.Combine(dir, "pairs.csv");
        File.WriteAllLines(manifest, lines);

        var ds = ImageManifest.Load(manifest, new ImageManifestOptions { Seed = 7 });
        Assert.Equal("pairs", ds.Name);
        Assert.Equal(5, ds.Count);
        Assert.Equal([3, 4], ds.Views[0].SampleShape);
        Assert.Equal([2, 2], ds.Views[1].SampleShape);
        Assert.Equal(ViewKind.Image, ds.Views[0].Kind);
        for (int i = 0; i < 5; i++)
        {
            Assert.All(ds.Views[0].Row(i).ToArray(), v => Assert.Equal(20 * i / 255.0, v, 12));
            Assert.All(ds.Views[1].Row(i).ToArray(), v => Assert.Equal((200 - 20 * i) / 255.0, v, 12));
        }
        Assert.Equal([0, 1, 2, 0, 1], ds.Labels["digit"]);
        Assert.Equal([1, 0, 1, 0, 1], ds.Labels["speaker"]);
        Assert.Equal([-1, -0.5, 0, 0.5, 1], ds.Factors["angle"]);
        Assert.Equal(Mucmm.Data.Datasets.DatasetSplits.ByFractions(5, 7, 0.1, 0.2), ds.Splits);
    }

    /// <summary>Oracle: bilinear resizing of a flat image is flat (same grey value, to 1e-12).</summary>
    [Fact]
    public void Load_WithResize_AcceptsMixedSizes()
    {
        string dir = TestPaths.NewTempDir();
        SaveImage(Path.Combine(dir, "p.png"), 4, 4, (_, _) => Gray(51));
        SaveImage(Path.Combine(dir, "q.png"), 6, 2, (_, _) => Gray(51));
        string manifest = Path.Combine(dir, "m.csv");
        File.WriteAllLines(manifest, ["view1,view2", "p.png,p.png", "q.png,p.png"]);
        var ds = ImageManifest.Load(manifest, new ImageManifestOptions { Resize = new ImageSize(3, 5) });
        Assert.Equal([5, 3], ds.Views[0].SampleShape);
        Assert.All(ds.Views[0].Data, v => Assert.Equal(0.2, v, 12));
    }

    [Fact]
    public void Load_MissingImage_NamesManifestLineAndImage()
    {
        string dir = TestPaths.NewTempDir();
        SaveImage(Path.Combine(dir, "p.png"), 2, 2, (_, _) => Gray(0));
        string manifest = Path.Combine(dir, "m.csv");
        File.WriteAllLines(manifest, ["view1,view2", "p.png,p.png", "p.png,gone.png"]);
        ReaderAssert.UserError(() => ImageManifest.Load(manifest), manifest, "line 3, column 'view2': image 'gone.png' not found");
    }

    [Fact]
    public void Load_UndecodableImage_NamesTheImage()
    {
        string dir = TestPaths.NewTempDir();
        SaveImage(Path.Combine(dir, "p.png"), 2, 2, (_, _) => Gray(0));
        string bad = Path.Combine(dir, "bad.png");
        File.WriteAllText(bad, "this is not a PNG");
        string manifest = Path.Combine(dir, "m.csv");
        File.WriteAllLines(manifest, ["view1,view2", "p.png,bad.png"]);
        ReaderAssert.UserError(() => ImageManifest.Load(manifest), bad, "cannot decode the image");
    }

    [Fact]
    public void Load_TruncatedImage_NamesTheImage()
    {
        string dir = TestPaths.NewTempDir();
        string p = Path.Combine(dir, "p.png");
        SaveImage(p, 64, 64, (x, y) => Gray((x * y) % 256));
        byte[] b = File.ReadAllBytes(p);
        File.WriteAllBytes(p, b[..(b.Length / 2)]);
        ReaderAssert.UserError(() => ImageManifest.LoadGray(p), p, "truncated image data");
    }

    [Fact]
    public void Load_MixedSizes_NamesTheImageAndSizes()
    {
        string dir = TestPaths.NewTempDir();
        SaveImage(Path.Combine(dir, "p.png"), 4, 4, (_, _) => Gray(0));
        string q = Path.Combine(dir, "q.png");
        SaveImage(q, 5, 4, (_, _) => Gray(0));
        string manifest = Path.Combine(dir, "m.csv");
        File.WriteAllLines(manifest, ["view1,view2", "p.png,p.png", "q.png,p.png"]);
        ReaderAssert.UserError(() => ImageManifest.Load(manifest), q, "5×4 pixels", "is 4×4", "resize");
    }

    [Theory]
    [InlineData("image1,image2\na.png,b.png\n", "the header must start with 'view1,view2'")]
    [InlineData("view1,view2,digit\na.png,b.png\n", "line 2 has 2 fields, the header has 3")]
    [InlineData("view1,view2\n", "no image pairs")]
    public void Load_BadManifest_IsRejected(string text, string expected)
    {
        string manifest = Path.Combine(TestPaths.NewTempDir(), "m.csv");
        File.WriteAllText(manifest, text);
        ReaderAssert.UserError(() => ImageManifest.Load(manifest), manifest, expected);
    }
}

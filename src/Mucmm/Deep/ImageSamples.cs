namespace Mucmm.Deep;

/// <summary>The one reading of a sample shape as images of C planes of H × W: what the CNN encoder and the shift augmentation take.</summary>
public static class ImageSamples
{
    /// <summary>
    /// (C, H, W) of image samples: shape [H, W] is one plane, [C, H, W] is C planes (channels, e.g. 3 for RGB), stored
    /// plane after plane (row-major (C, H, W), as a (n, C, H, W) <c>.npy</c>); null for other shapes.
    /// </summary>
    public static (int C, int H, int W)? Of(IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        return sampleShape switch
        {
            [int h, int w] => (1, h, w),
            [int c, int h, int w] => (c, h, w),
            _ => null,
        };
    }
}

namespace Mucmm.Data.Datasets;

/// <summary>Small grey-image operations used by the MNIST-based datasets (row-major, row 0 at the top).</summary>
public static class ImageOps
{
    /// <summary>
    /// Rotates an image by <paramref name="degrees"/> about its centre ((h−1)/2, (w−1)/2) with
    /// bilinear interpolation; positive angles turn the content counter-clockwise as displayed
    /// (row 0 at the top). Source points outside the image count as 0 (background).
    /// </summary>
    public static void Rotate(ReadOnlySpan<double> source, Span<double> target, int height, int width, double degrees)
    {
        if (source.Length != height * width || target.Length != height * width)
            throw new ArgumentException("source and target must hold height × width values");
        double theta = degrees * Math.PI / 180.0, cos = Math.Cos(theta), sin = Math.Sin(theta);
        double cy = (height - 1) / 2.0, cx = (width - 1) / 2.0;
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                // Display coordinates (x right, y up) of the target pixel, rotated back by −θ.
                double x = c - cx, y = cy - r;
                double xs = cos * x + sin * y, ys = -sin * x + cos * y;
                target[r * width + c] = Bilinear(source, height, width, cy - ys, xs + cx);
            }
        }
    }

    /// <summary>Bilinear sample at fractional (row, col); 0 outside the image.</summary>
    public static double Bilinear(ReadOnlySpan<double> image, int height, int width, double row, double col)
    {
        int r0 = (int)Math.Floor(row), c0 = (int)Math.Floor(col);
        double fr = row - r0, fc = col - c0;
        double v00 = At(image, height, width, r0, c0), v01 = At(image, height, width, r0, c0 + 1);
        double v10 = At(image, height, width, r0 + 1, c0), v11 = At(image, height, width, r0 + 1, c0 + 1);
        return (1 - fr) * ((1 - fc) * v00 + fc * v01) + fr * ((1 - fc) * v10 + fc * v11);
    }

    private static double At(ReadOnlySpan<double> image, int height, int width, int r, int c) =>
        r < 0 || c < 0 || r >= height || c >= width ? 0.0 : image[r * width + c];
}

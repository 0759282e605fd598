namespace Mucmm.Explain;

/// <summary>
/// Gauss–Legendre quadrature on [0, 1]: n nodes integrate polynomials of degree ≤ 2n − 1 exactly.
/// Nodes are the roots of the Legendre polynomial Pₙ found by Newton's method from the
/// Tricomi initial guesses (Numerical Recipes, 3rd ed., section 4.6, <c>gauleg</c>).
/// </summary>
public static class GaussLegendre
{
    /// <summary>Nodes (ascending) and weights (summing to 1) of the n-point rule on [0, 1].</summary>
    public static (double[] nodes, double[] weights) OnUnitInterval(int n)
    {
        if (n < 1) throw new MucmmUserException($"the number of quadrature steps must be ≥ 1, got {n}");
        var x = new double[n];
        var w = new double[n];
        int half = (n + 1) / 2;
        for (int i = 0; i < half; i++)
        {
            double z = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double pp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                double p1 = 1, p2 = 0;
                for (int j = 0; j < n; j++)
                {
                    double p3 = p2;
                    p2 = p1;
                    p1 = ((2.0 * j + 1) * z * p2 - j * p3) / (j + 1);
                }
                pp = n * (z * p1 - p2) / (z * z - 1);
                double z1 = z;
                z = z1 - p1 / pp;
                if (Math.Abs(z - z1) < 1e-15) break;
            }
            // Map [−1, 1] to [0, 1]: node (1 ∓ z)/2, weight halves.
            double weight = 1.0 / ((1 - z * z) * pp * pp);
            x[i] = (1 - z) / 2;
            x[n - 1 - i] = (1 + z) / 2;
            w[i] = weight;
            w[n - 1 - i] = weight;
        }
        return (x, w);
    }
}

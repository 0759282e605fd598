namespace Mucmm.Evaluation;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright 2006, algorithm 7.4/7.5) with a backtracking Armijo
/// line search, for smooth convex objectives of a few thousand parameters. Deterministic: plain
/// managed float64 arithmetic; the objective supplies its value and gradient.
/// </summary>
internal static class Lbfgs
{
    /// <summary>Minimizes <paramref name="objective"/> from <paramref name="start"/>; returns the minimizer and the iteration count.</summary>
    /// <param name="objective">Value and gradient at a point.</param>
    /// <param name="start">Initial point (not modified).</param>
    /// <param name="gradientTolerance">Stop when max |gradient| falls below this.</param>
    /// <param name="maxIterations">Iteration cap.</param>
    /// <param name="memory">Number of correction pairs kept.</param>
    public static (double[] x, int iterations) Minimize(
        Func<double[], (double value, double[] gradient)> objective,
        double[] start, double gradientTolerance, int maxIterations, int memory = 10)
    {
        int p = start.Length;
        var x = (double[])start.Clone();
        var (f, g) = objective(x);
        var sList = new List<double[]>();
        var yList = new List<double[]>();
        var rhoList = new List<double>();
        int it = 0;
        for (; it < maxIterations; it++)
        {
            if (MaxAbs(g) < gradientTolerance) break;

            // Two-loop recursion: d = −H g.
            var q = (double[])g.Clone();
            var alpha = new double[sList.Count];
            for (int i = sList.Count - 1; i >= 0; i--)
            {
                alpha[i] = rhoList[i] * Dot(sList[i], q);
                Axpy(-alpha[i], yList[i], q);
            }
            double gamma = sList.Count > 0
                ? Dot(sList[^1], yList[^1]) / Dot(yList[^1], yList[^1])
                : 1.0 / Math.Max(1.0, Math.Sqrt(Dot(g, g)));
            for (int i = 0; i < p; i++) q[i] *= gamma;
            for (int i = 0; i < sList.Count; i++)
            {
                double beta = rhoList[i] * Dot(yList[i], q);
                Axpy(alpha[i] - beta, sList[i], q);
            }
            var d = q;
            for (int i = 0; i < p; i++) d[i] = -d[i];
            double gd = Dot(g, d);
            if (!(gd < 0))
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                sList.Clear(); yList.Clear(); rhoList.Clear();
                for (int i = 0; i < p; i++) d[i] = -g[i] / Math.Max(1.0, Math.Sqrt(Dot(g, g)));
                gd = Dot(g, d);
            }

            // Backtracking Armijo line search from the full quasi-Newton step.
            double t = 1.0;
            double[] xNew = new double[p];
            double fNew = double.NaN;
            double[] gNew = g;
            bool accepted = false;
            for (int ls = 0; ls < 60; ls++)
            {
                for (int i = 0; i < p; i++) xNew[i] = x[i] + t * d[i];
                (fNew, gNew) = objective(xNew);
                if (double.IsFinite(fNew) && fNew <= f + 1e-4 * t * gd) { accepted = true; break; }
                t *= 0.5;
            }
            if (!accepted) break; // no decrease possible at float64 precision: converged as far as it goes

            var s = new double[p];
            var y = new double[p];
            for (int i = 0; i < p; i++) { s[i] = xNew[i] - x[i]; y[i] = gNew[i] - g[i]; }
            double sy = Dot(s, y);
            if (sy > 1e-300)
            {
                if (sList.Count == memory) { sList.RemoveAt(0); yList.RemoveAt(0); rhoList.RemoveAt(0); }
                sList.Add(s); yList.Add(y); rhoList.Add(1.0 / sy);
            }
            bool stalled = Math.Abs(f - fNew) <= 1e-16 * Math.Max(1.0, Math.Abs(f));
            (x, xNew) = (xNew, x);
            f = fNew;
            g = gNew;
            if (stalled && MaxAbs(g) < Math.Sqrt(gradientTolerance)) { it++; break; }
        }
        return (x, it);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (double v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}

using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Result of the model-randomization test.</summary>
/// <param name="Spearman">Mean over samples and explained views of the Spearman rank correlation of trained vs randomized maps.</param>
/// <param name="SpearmanOfMagnitudes">The same for |map| (the variant Adebayo et al. show most).</param>
/// <param name="PerView">Mean signed Spearman per view (NaN for views the score does not depend on).</param>
public sealed record RandomizationResult(double Spearman, double SpearmanOfMagnitudes, double[] PerView);

/// <summary>Options of the deletion test.</summary>
public sealed record DeletionOptions
{
    /// <summary>Number of deletion steps (fractions 0, 1/Steps, …, 1).</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Seed of the random deletion order.</summary>
    public int Seed { get; init; }
}

/// <summary>Result of the deletion test on one view.</summary>
/// <param name="Fractions">Deleted fraction of the view's inputs at each step (0 … 1).</param>
/// <param name="SalientCurve">Mean score over samples when the most salient inputs are deleted first.</param>
/// <param name="RandomCurve">Mean score over samples when inputs are deleted in random order.</param>
/// <param name="SalientArea">Area under SalientCurve above the floor L = the lowest value of either curve (trapezoid over the fraction).</param>
/// <param name="RandomArea">Area under RandomCurve above the same floor L.</param>
public sealed record DeletionResult(double[] Fractions, double[] SalientCurve, double[] RandomCurve, double SalientArea, double RandomArea)
{
    /// <summary>SalientArea / RandomArea: below 1 when the score falls faster under salient-first deletion.</summary>
    public double AreaRatio => SalientArea / RandomArea;
}

/// <summary>
/// Sanity checks of gradient maps: model randomization (Adebayo et al., "Sanity Checks for
/// Saliency Maps", NeurIPS 2018) and deletion (Samek et al. 2017; Petsiuk et al. 2018, "RISE").
/// </summary>
public static class SanityChecks
{
    /// <summary>
    /// Compares maps of <paramref name="trained"/> with those of <paramref name="randomized"/> (same
    /// architecture, re-initialized heads) for the same score, method and inputs. A faithful map
    /// changes: the rank correlation should be low.
    /// </summary>
    public static RandomizationResult ModelRandomization(
        IMultiviewModel trained, IMultiviewModel randomized, Score score, IReadOnlyList<Tensor> inputs,
        AttributionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(randomized);
        if (randomized.ViewCount != trained.ViewCount || !randomized.InputDims.SequenceEqual(trained.InputDims))
            throw new MucmmUserException("model randomization: the randomized model's views differ from the trained model's");
        var a = Attributions.Compute(trained, score, inputs, options);
        var b = Attributions.Compute(randomized, score, inputs, options);
        var perView = new double[trained.ViewCount];
        double sum = 0, sumAbs = 0;
        int terms = 0;
        for (int m = 0; m < trained.ViewCount; m++)
        {
            if (!score.DependsOn(m + 1)) { perView[m] = double.NaN; continue; }
            double viewSum = 0;
            for (int i = 0; i < a.Rows; i++)
            {
                var ma = a.Map(m, i);
                var mb = b.Map(m, i);
                // A constant map (e.g. all zeros) has no ranking: counted as no agreement (0).
                double rho = NanToZero(Spearman.Correlation(ma, mb));
                double rhoAbs = NanToZero(Spearman.Correlation(Abs(ma), Abs(mb)));
                viewSum += rho;
                sum += rho;
                sumAbs += rhoAbs;
                terms++;
            }
            perView[m] = viewSum / a.Rows;
        }
        return new RandomizationResult(sum / terms, sumAbs / terms, perView);
    }

    /// <summary>
    /// Model-randomization test against <paramref name="trained"/>'s own re-initialized copy
    /// (<see cref="HeadRandomization"/>); throws <see cref="MucmmUserException"/> when the model kind has
    /// no heads to re-initialize.
    /// </summary>
    public static RandomizationResult ModelRandomization(
        IMultiviewModel trained, Score score, IReadOnlyList<Tensor> inputs, AttributionOptions? options = null, int seed = 12345)
    {
        var randomized = HeadRandomization.Randomize(trained, seed);
        try
        {
            return ModelRandomization(trained, randomized, score, inputs, options);
        }
        finally
        {
            if (!ReferenceEquals(randomized, trained)) randomized.Dispose();
        }
    }

    /// <summary>
    /// Deletion test on view <paramref name="view"/> (1-based): replace the view's inputs by the
    /// baseline value (0, or <paramref name="baseline"/>: one (1 × d) tensor) in order of decreasing
    /// attribution, and in a random order, and record the mean score after each step. A faithful map
    /// makes the score fall faster (AreaRatio &lt; 1). Contribution maps (gradient × input, Integrated
    /// Gradients) are ranked as they are; sensitivity maps (gradient, SmoothGrad) by g_j·(x_j − b_j), their
    /// first-order estimate of what deleting input j removes from the score.
    /// </summary>
    public static DeletionResult Deletion(
        IMultiviewModel model, Score score, IReadOnlyList<Tensor> inputs, AttributionResult maps, int view,
        DeletionOptions? options = null, Tensor? baseline = null)
    {
        options ??= new DeletionOptions();
        if (options.Steps < 1) throw new MucmmUserException($"deletion steps must be ≥ 1, got {options.Steps}");
        Attributions.CheckInputs(model, inputs);
        if (view < 1 || view > model.ViewCount)
            throw new MucmmUserException($"deletion test: view {view} does not exist (the model has views 1..{model.ViewCount})");
        int m = view - 1, n = (int)inputs[0].shape[0], d = (int)inputs[m].shape[1], steps = options.Steps;
        if (maps.Rows != n || maps.Maps[m].Length != n * d)
            throw new MucmmUserException("deletion test: the maps do not belong to these inputs");

        var rng = new Random(options.Seed);
        var fractions = Enumerable.Range(0, steps + 1).Select(s => s / (double)steps).ToArray();
        var salient = new double[steps + 1];
        var random = new double[steps + 1];
        using var outer = NewDisposeScope();
        var baseRow = baseline is null ? zeros(d, dtype: float64) : baseline.detach().to(float64).cpu().reshape(d);
        var baseValues = baseRow.data<double>().ToArray();
        for (int i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            var row0 = inputs[m][i].detach().to(float64).cpu().data<double>().ToArray();
            var map = maps.Map(m, i).ToArray();
            if (maps.Method is AttributionMethod.Gradient or AttributionMethod.SmoothGrad)
            {
                // A gradient is a sensitivity, not a contribution: rank by its first-order estimate of
                // the score change when x_j is replaced by the baseline, g_j·(x_j − b_j).
                for (int j = 0; j < d; j++) map[j] *= row0[j] - baseValues[j];
            }
            int[] bySalience = Enumerable.Range(0, d).OrderByDescending(j => map[j]).ThenBy(j => j).ToArray();
            int[] byChance = Data.PairedDataset.Permutation(d, rng.Next());
            foreach (var (order, curve) in new[] { (bySalience, salient), (byChance, random) })
            {
                // One batch of steps + 1 copies of the sample with a growing deleted set.
                var row = row0;
                var batch = new double[(steps + 1) * d];
                for (int s = 0; s <= steps; s++)
                {
                    int deleted = (int)Math.Round(fractions[s] * d);
                    var copy = batch.AsSpan(s * d, d);
                    row.CopyTo(copy);
                    for (int k = 0; k < deleted; k++) copy[order[k]] = baseValues[order[k]];
                }
                var x = inputs.Select((t, v) => v == m
                    ? tensor(batch, new long[] { steps + 1, d }, dtype: float64)
                    : t[i].detach().to(float64).cpu().unsqueeze(0).expand(steps + 1, -1)).ToArray();
                var values = Attributions.Values(model, score, x);
                for (int s = 0; s <= steps; s++) curve[s] += values[s] / n;
            }
        }
        // Both curves start at S(x) and end at S(everything deleted); measured above a common floor,
        // the curve that falls faster has the smaller area, whatever the sign of the scores.
        double floor = Math.Min(salient.Min(), random.Min());
        return new DeletionResult(fractions, salient, random, Area(fractions, salient, floor), Area(fractions, random, floor));
    }

    private static double Area(double[] x, double[] y, double floor)
    {
        double area = 0;
        for (int i = 1; i < x.Length; i++) area += (x[i] - x[i - 1]) * ((y[i] - floor) + (y[i - 1] - floor)) / 2;
        return area;
    }

    private static double NanToZero(double v) => double.IsNaN(v) ? 0 : v;

    private static double[] Abs(ReadOnlySpan<double> a)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = Math.Abs(a[i]);
        return r;
    }
}

/// <summary>Spearman rank correlation with average ranks for ties (as scipy.stats.spearmanr).</summary>
public static class Spearman
{
    /// <summary>Pearson correlation of the average ranks of <paramref name="a"/> and <paramref name="b"/>; NaN when either is constant.</summary>
    public static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Spearman correlation needs equal lengths");
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }

    /// <summary>1-based ranks; tied values share the mean of their ranks.</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        var v = values.ToArray();
        int[] order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        return ranks;
    }
}

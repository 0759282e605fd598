namespace Mucmm.Explain;

/// <summary>
/// How well the maps of one score point at the region where its content is known to be, averaged
/// over the explained samples.
/// </summary>
/// <param name="Score">Score name, e.g. "common".</param>
/// <param name="View">1-based view whose map is scored.</param>
/// <param name="Region">The expected region, e.g. "shared".</param>
/// <param name="MassFraction">Mean over samples of Σ_inside |a| / Σ_all |a| (samples whose map is all zero are skipped).</param>
/// <param name="PointingGame">Fraction of samples whose largest |a| lies inside the region.</param>
/// <param name="RegionFraction">Fraction of the view's inputs inside the region (the mass fraction of a uniform map: chance level).</param>
/// <param name="Samples">Samples with a non-zero map.</param>
public sealed record LocalizationScore(string Score, int View, string Region, double MassFraction, double PointingGame, double RegionFraction, int Samples);

/// <summary>
/// Localization of attribution maps against regions a dataset declares
/// (<see cref="Data.Datasets.ViewDescriptor.Regions"/>): the maps of common scores should lie in a
/// view's "shared" region, the maps of view m's individual score in view m's "own" region.
/// </summary>
public static class Localization
{
    /// <summary>Region expected for the maps of common scores.</summary>
    public const string SharedRegion = "shared";

    /// <summary>Region expected for the maps of a view's own individual score.</summary>
    public const string OwnRegion = "own";

    /// <summary>Σ_inside |a| / Σ |a|; NaN when the map is all zero.</summary>
    public static double MassFraction(ReadOnlySpan<double> map, IReadOnlyList<bool> mask)
    {
        CheckLength(map, mask);
        double inside = 0, total = 0;
        for (int i = 0; i < map.Length; i++)
        {
            double a = Math.Abs(map[i]);
            total += a;
            if (mask[i]) inside += a;
        }
        return total > 0 ? inside / total : double.NaN;
    }

    /// <summary>Whether the first input with the largest |a| lies inside the mask (false for an all-zero map).</summary>
    public static bool PointsInside(ReadOnlySpan<double> map, IReadOnlyList<bool> mask)
    {
        CheckLength(map, mask);
        int best = -1;
        double max = 0;
        for (int i = 0; i < map.Length; i++)
        {
            double a = Math.Abs(map[i]);
            if (a > max) { max = a; best = i; }
        }
        return best >= 0 && mask[best];
    }

    /// <summary>The region a score's map in view <paramref name="view"/> (1-based) should lie in, or null when there is none.</summary>
    public static string? ExpectedRegion(Score score, int view)
    {
        ArgumentNullException.ThrowIfNull(score);
        return score.Kind switch
        {
            ScoreKind.Common or ScoreKind.CommonTerm => SharedRegion,
            ScoreKind.CommonVariate => score.View == view ? SharedRegion : null,
            _ => score.View == view ? OwnRegion : null,
        };
    }

    /// <summary>
    /// Localization of every map in <paramref name="maps"/> whose view declares its expected region;
    /// <paramref name="regions"/>[m] holds the regions of view m + 1 (masks over its flattened inputs).
    /// </summary>
    public static IReadOnlyList<LocalizationScore> Evaluate(
        IReadOnlyList<AttributionResult> maps, IReadOnlyList<IReadOnlyDictionary<string, bool[]>> regions)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(regions);
        var result = new List<LocalizationScore>();
        foreach (var r in maps)
        {
            for (int m = 1; m <= Math.Min(r.Maps.Count, regions.Count); m++)
            {
                string? name = ExpectedRegion(r.Score, m);
                if (name is null || !regions[m - 1].TryGetValue(name, out var mask)) continue;
                var (mass, pointing, used) = Average(Enumerable.Range(0, r.Rows).Select(i => r.Map(m - 1, i).ToArray()).ToArray(), mask);
                double share = mask.Count(b => b) / (double)mask.Length;
                result.Add(new LocalizationScore(r.Score.Name, m, name, mass, pointing, share, used));
            }
        }
        return result;
    }

    /// <summary>
    /// Mean <see cref="MassFraction"/> and fraction of <see cref="PointsInside"/> over the maps of
    /// several samples; all-zero maps are skipped (NaN when every map is zero). Used: maps counted.
    /// </summary>
    public static (double MassFraction, double PointingGame, int Used) Average(IReadOnlyList<double[]> maps, IReadOnlyList<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(maps);
        double mass = 0;
        int used = 0, hits = 0;
        foreach (var map in maps)
        {
            double f = MassFraction(map, mask);
            if (double.IsNaN(f)) continue;
            mass += f;
            used++;
            if (PointsInside(map, mask)) hits++;
        }
        return used > 0 ? (mass / used, hits / (double)used, used) : (double.NaN, double.NaN, 0);
    }

    private static void CheckLength(ReadOnlySpan<double> map, IReadOnlyList<bool> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count != map.Length) throw new MucmmUserException($"a region mask has {mask.Count} entries but the map has {map.Length}");
    }
}

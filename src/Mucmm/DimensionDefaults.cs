namespace Mucmm;

/// <summary>
/// Common and individual dimensions that fit the data when the user did not choose them: the default k
/// (10) cannot exceed the narrowest view, so k = min(default, d₁, d₂, …), and the individual part gets
/// what the views leave after k: r = min(default, minₘ(dₘ − k)) (at least
/// <c>minIndividual</c>). A value the user gave is kept as is (the fit then refuses it, naming the
/// property, when it is impossible).
/// </summary>
public static class DimensionDefaults
{
    /// <summary>The chosen dims and, when a default was lowered, a one-line note saying so (else null).</summary>
    /// <param name="CommonDim">k.</param>
    /// <param name="IndividualDim">r.</param>
    /// <param name="Note">What was lowered and why, or null.</param>
    public sealed record Choice(int CommonDim, int IndividualDim, string? Note);

    /// <summary>Chooses k and r for views of widths <paramref name="widths"/>.</summary>
    /// <param name="widths">Values per sample of each view (dₘ).</param>
    /// <param name="commonDim">k: the user's value, or the model's default.</param>
    /// <param name="commonGiven">Whether the user gave k (then it is kept).</param>
    /// <param name="individualDim">r: the user's value, or the model's default.</param>
    /// <param name="individualGiven">Whether the user gave r (then it is kept).</param>
    /// <param name="minIndividual">Smallest r the model accepts (1 for deep MUCMM, 0 for linear MUCMM).</param>
    /// <param name="hasIndividual">Whether the model has an individual part at all (not for CCA / Deep CCA).</param>
    public static Choice Choose(IReadOnlyList<int> widths, int commonDim, bool commonGiven, int individualDim, bool individualGiven,
        int minIndividual, bool hasIndividual)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count == 0) return new Choice(commonDim, individualDim, null);
        int narrowest = widths.Min();
        int k = commonGiven ? commonDim : Math.Max(1, Math.Min(commonDim, narrowest));
        int left = widths.Min(d => d - k);
        int r = individualGiven || !hasIndividual ? individualDim : Math.Max(minIndividual, Math.Min(individualDim, left));
        var notes = new List<string>();
        string views = string.Join(" and ", widths);
        if (k != commonDim)
            notes.Add($"common dim not given: using k = {k} = min({commonDim}, view widths {views}) instead of the default {commonDim}");
        if (r != individualDim)
            notes.Add($"individual dim not given: using r = {r} (what the views leave after k) instead of the default {individualDim}");
        return new Choice(k, r, notes.Count == 0 ? null : string.Join("; ", notes));
    }
}

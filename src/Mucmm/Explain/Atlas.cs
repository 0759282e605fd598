using Mucmm.Data;
using Mucmm.Evaluation;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>One variate of an <see cref="Atlas"/>: what it shows of its view's input and where it is extreme.</summary>
/// <param name="Name">Score name of the variate, e.g. "common1:3" or "individual1:2".</param>
/// <param name="View">1-based view.</param>
/// <param name="Index">1-based variate index.</param>
/// <param name="Common">Whether it is a common variate (else individual).</param>
/// <param name="Pattern">The regression of the view's input on the standardized variate over the training rows (length d_m).</param>
/// <param name="Highest">Rows of the test set with the highest values, highest first.</param>
/// <param name="Lowest">Rows of the test set with the lowest values, lowest first.</param>
/// <param name="Values">The variate's value on every test row.</param>
public sealed record AtlasEntry(string Name, int View, int Index, bool Common, double[] Pattern, int[] Highest, int[] Lowest, double[] Values)
{
    /// <summary>
    /// For a text view whose texts were given to <see cref="Atlas.Compute"/>: the pattern in token space — the words whose
    /// presence goes with the variate (<see cref="TokenAtlas.Patterns"/>), largest |weight| first; null for other views.
    /// </summary>
    public IReadOnlyList<TokenWeight>? Tokens { get; init; }
}

/// <summary>
/// Maps of single variates, for any model: for each common and individual variate of each view, its
/// <i>pattern</i> — the regression of the view's input on the variate, a = X_cᵀ z / (n − 1) over the
/// training rows, with X_c the centred inputs and z the variate centred and scaled to unit variance
/// (for a linear model the column Σₘₘaᵢ of the patterns ΣₘₘAₘ, up to the variate's scale) — and the
/// test samples where the variate is highest and lowest. For a text view (its model input is its encoder's features)
/// the pattern over the features is kept, and given the texts each variate also gets its pattern over words
/// (<see cref="AtlasEntry.Tokens"/>): the same regression with a bag-of-words indicator as the input.
/// </summary>
public static class Atlas
{
    /// <summary>Test samples shown at each end of a variate.</summary>
    public const int DefaultExtremes = 6;

    /// <summary>
    /// Computes the atlas of every variate of <paramref name="model"/>. The patterns regress the training inputs of
    /// <paramref name="training"/> on the variates, or, when given, <paramref name="patternInputs"/>: other views of the
    /// same training rows (e.g. the raw pixels of a view the model takes as frozen pretrained features, so the pattern is a
    /// picture; the variates still come from <paramref name="training"/>'s views, without running the encoder again).
    /// <paramref name="texts"/>: the texts of the text views, one list per view in dataset order (indexed by
    /// <see cref="PairedDataset.Indices"/>; null for other views), as <see cref="ExplainOptions.Texts"/>; their variates
    /// get token patterns (<see cref="AtlasEntry.Tokens"/>).
    /// </summary>
    public static IReadOnlyList<AtlasEntry> Compute(IMultiviewModel model, PairedDataset training, PairedDataset test, int extremes = DefaultExtremes,
        IReadOnlyList<View>? patternInputs = null, IReadOnlyList<IReadOnlyList<string>?>? texts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        if (training.Count < 2) throw new MucmmUserException("the atlas needs at least 2 training rows");
        if (test.Count == 0) throw new MucmmUserException("the atlas needs test rows");
        if (extremes < 1) throw new MucmmUserException($"the atlas needs at least 1 extreme sample, got {extremes}");
        var regressed = patternInputs ?? training.Views;
        if (regressed.Count != model.ViewCount || regressed.Any(v => v.Rows != training.Count))
            throw new ArgumentException($"pattern inputs must be {model.ViewCount} views of the {training.Count} training rows", nameof(patternInputs));
        using var scope = NewDisposeScope();
        var trainOut = model.Transform(training.Views);
        var testOut = model.Transform(test.Views);
        var entries = new List<AtlasEntry>();
        for (int m = 0; m < model.ViewCount; m++)
        {
            var x = Representations.Slice(regressed[m], 0, training.Count);
            var xc = x - x.mean([0], keepdim: true);
            foreach (bool common in new[] { true, false })
            {
                var z = (common ? trainOut.Common : trainOut.Individual)[m];
                var zt = (common ? testOut.Common : testOut.Individual)[m];
                if (z.shape[1] == 0) continue;
                var patterns = Regress(xc, z);
                var tokens = texts is not null && m < texts.Count && texts[m] is { } all
                    ? TokenAtlas.Patterns(TextsOf(all, training.Indices, m), Columns(z))
                    : null;
                for (int i = 0; i < z.shape[1]; i++)
                {
                    var values = zt[.., i].contiguous().data<double>().ToArray();
                    int count = Math.Min(extremes, values.Length);
                    entries.Add(new AtlasEntry(
                        common ? $"common{m + 1}:{i + 1}" : $"individual{m + 1}:{i + 1}", m + 1, i + 1, common,
                        patterns[.., i].contiguous().data<double>().ToArray(),
                        SampleSelection.Top(values, count), SampleSelection.Bottom(values, count), values) { Tokens = tokens?[i] });
                }
            }
        }
        return entries;
    }

    /// <summary>The texts of <paramref name="indices"/> (dataset indices) out of <paramref name="all"/> (dataset order).</summary>
    internal static string[] TextsOf(IReadOnlyList<string> all, IReadOnlyList<int> indices, int view) =>
        indices.Select(i => i >= 0 && i < all.Count ? all[i]
            : throw new ArgumentException($"view {view + 1}: {all.Count} texts given, but the data has row index {i} (texts must be in dataset order)")).ToArray();

    private static double[][] Columns(Tensor z)
    {
        var zz = z.to(float64).t().contiguous();
        return Enumerable.Range(0, (int)zz.shape[0]).Select(j => zz[j].data<double>().ToArray()).ToArray();
    }

    /// <summary>X_cᵀ z̃ / (n − 1), with z̃ each column of <paramref name="z"/> centred and scaled to unit variance (divisor n − 1; a constant column gives 0).</summary>
    internal static Tensor Regress(Tensor centredInputs, Tensor z)
    {
        var zc = z.to(float64) - z.to(float64).mean([0], keepdim: true);
        var sd = zc.std([0], keepdim: true);
        zc = zc / where(sd > 0, sd, ones_like(sd));
        return centredInputs.t().matmul(zc) / (z.shape[0] - 1);
    }
}

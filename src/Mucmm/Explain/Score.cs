using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>What a <see cref="Score"/> measures.</summary>
public enum ScoreKind
{
    /// <summary>Common score <c>S_c = Σᵢ z^c_{1,i} z^c_{2,i}</c> (mean over view pairs when M &gt; 2); name <c>common</c>.</summary>
    Common,
    /// <summary>Term i of the common score, <c>z^c_{1,i} z^c_{2,i}</c>; name <c>common:i</c>. The terms sum to <see cref="Common"/>.</summary>
    CommonTerm,
    /// <summary>A single common variate <c>z^c_{m,i}</c> of view m; name <c>common{m}:i</c>.</summary>
    CommonVariate,
    /// <summary>Individual score of view m, <c>S_u^m = (1/r_m) Σᵢ (z^u_{m,i})²</c>; name <c>individual{m}</c>.</summary>
    Individual,
    /// <summary>A single individual variate <c>z^u_{m,i}</c> of view m; name <c>individual{m}:i</c>.</summary>
    IndividualVariate,
}

/// <summary>
/// A per-sample scalar computed from a model's standardized variates (docs/method.md §5), defined
/// once for every <see cref="IMultiviewModel"/>. Views and variates are numbered from 1 in names and in
/// <see cref="View"/> / <see cref="Index"/>; 0 means "not applicable".
/// </summary>
/// <remarks>
/// On the training set the mean common score equals Σρᵢ (the variates are standardized and
/// corr(z^c_{1,i}, z^c_{2,i}) = ρᵢ) and the mean individual score equals 1.
/// </remarks>
public sealed partial record Score
{
    private Score(ScoreKind kind, int view, int index)
    {
        Kind = kind;
        View = view;
        Index = index;
    }

    /// <summary>What the score measures.</summary>
    public ScoreKind Kind { get; }

    /// <summary>1-based view for individual scores and single variates; 0 otherwise.</summary>
    public int View { get; }

    /// <summary>1-based variate index for single variates and common terms; 0 otherwise.</summary>
    public int Index { get; }

    /// <summary>The canonical name, as accepted by <see cref="Parse"/> and written in CSV headers.</summary>
    public string Name => Kind switch
    {
        ScoreKind.Common => "common",
        ScoreKind.CommonTerm => $"common:{Index}",
        ScoreKind.CommonVariate => $"common{View}:{Index}",
        ScoreKind.Individual => $"individual{View}",
        _ => $"individual{View}:{Index}",
    };

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>The common score.</summary>
    public static Score Common { get; } = new(ScoreKind.Common, 0, 0);

    /// <summary>The individual score of view <paramref name="view"/> (1-based).</summary>
    public static Score Individual(int view) => new(ScoreKind.Individual, view, 0);

    /// <summary>
    /// The scores every model offers, in CSV column order: <c>common</c>, then <c>individual1</c>,
    /// <c>individual2</c>, … for every view (a view without individual variates has score 0 everywhere;
    /// see <see cref="Evaluate"/>).
    /// </summary>
    public static IReadOnlyList<Score> Standard(int viewCount) =>
        [Common, .. Enumerable.Range(1, viewCount).Select(Individual)];

    /// <summary>
    /// Parses a score name for <paramref name="model"/>: <c>common</c>, <c>common:i</c>,
    /// <c>common{m}:i</c>, <c>individual{m}</c>, <c>individual{m}:i</c> (views and variates from 1).
    /// Throws <see cref="MucmmUserException"/> naming the valid choices when the name is malformed or
    /// refers to a view or variate the model does not have.
    /// </summary>
    public static Score Parse(string name, IMultiviewModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string text = (name ?? "").Trim().ToLowerInvariant();
        var m = NamePattern().Match(text);
        if (!m.Success)
            throw new MucmmUserException($"unknown score '{name}'; {Choices(model)}");
        bool common = m.Groups["part"].Value == "common";
        int? view = m.Groups["view"].Success ? int.Parse(m.Groups["view"].Value) : null;
        int? index = m.Groups["index"].Success ? int.Parse(m.Groups["index"].Value) : null;
        if (view is not null && (view < 1 || view > model.ViewCount))
            throw new MucmmUserException($"score '{name}' refers to view {view}, but the model has views 1..{model.ViewCount}; {Choices(model)}");

        Score score;
        if (common)
        {
            score = (view, index) switch
            {
                (null, null) => Common,
                (null, int i) => new Score(ScoreKind.CommonTerm, 0, i),
                (int v, int i) => new Score(ScoreKind.CommonVariate, v, i),
                _ => throw new MucmmUserException($"score '{name}': a common variate needs an index, e.g. 'common{view}:1'; {Choices(model)}"),
            };
            if (index is not null && (index < 1 || index > model.CommonDim))
                throw new MucmmUserException($"score '{name}': the model has {model.CommonDim} common variates (1..{model.CommonDim})");
        }
        else
        {
            if (view is null)
                throw new MucmmUserException($"score '{name}' must name a view, e.g. 'individual1'; {Choices(model)}");
            int r = model.IndividualDims[view.Value - 1];
            if (r == 0)
                throw new MucmmUserException($"score '{name}': the {model.Kind} model has no individual variates for view {view}");
            score = index is null ? Individual(view.Value) : new Score(ScoreKind.IndividualVariate, view.Value, index.Value);
            if (index is not null && (index < 1 || index > r))
                throw new MucmmUserException($"score '{name}': view {view} has {r} individual variates (1..{r})");
        }
        return score;
    }

    /// <summary>Whether the score changes with the input of view <paramref name="view"/> (1-based).</summary>
    public bool DependsOn(int view) => Kind switch
    {
        ScoreKind.Common or ScoreKind.CommonTerm => true,
        _ => View == view,
    };

    /// <summary>
    /// The score of every row of <paramref name="output"/>: a float64 tensor of shape (n), differentiable
    /// through the model. The individual score of a view without individual variates is 0.
    /// </summary>
    public Tensor Evaluate(MultiviewOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var scope = NewDisposeScope();
        var c = output.Common;
        Tensor result;
        switch (Kind)
        {
            case ScoreKind.Common:
            case ScoreKind.CommonTerm:
            {
                // Mean over the M(M−1)/2 view pairs (one pair for M = 2).
                Tensor? sum = null;
                int pairs = 0;
                for (int a = 0; a < c.Count; a++)
                {
                    for (int b = a + 1; b < c.Count; b++)
                    {
                        var prod = Kind == ScoreKind.Common
                            ? (c[a] * c[b]).sum([1])
                            : c[a][.., Index - 1] * c[b][.., Index - 1];
                        sum = sum is null ? prod : sum + prod;
                        pairs++;
                    }
                }
                result = sum! / pairs;
                break;
            }
            case ScoreKind.CommonVariate:
                result = c[View - 1][.., Index - 1];
                break;
            case ScoreKind.Individual:
            {
                var u = output.Individual[View - 1];
                result = u.shape[1] == 0 ? zeros(u.shape[0], dtype: float64) : u.square().mean([1]);
                break;
            }
            default:
                result = output.Individual[View - 1][.., Index - 1];
                break;
        }
        return result.to(float64).MoveToOuterDisposeScope();
    }

    private static string Choices(IMultiviewModel model)
    {
        var names = new List<string> { "common", $"common:1..{model.CommonDim}" };
        for (int v = 1; v <= model.ViewCount; v++) names.Add($"common{v}:1..{model.CommonDim}");
        for (int v = 1; v <= model.ViewCount; v++)
        {
            int r = model.IndividualDims[v - 1];
            if (r > 0) { names.Add($"individual{v}"); names.Add($"individual{v}:1..{r}"); }
        }
        return "valid scores: " + string.Join(", ", names);
    }

    [GeneratedRegex(@"^(?<part>common|individual)(?<view>\d{1,6})?(:(?<index>\d{1,6}))?$")]
    private static partial Regex NamePattern();
}

using Mucmm.Data;
using Mucmm.Evaluation;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>
/// The training covariance Σ_m of each view's inputs, held as the centred training rows X_m
/// (n × d_m, float64) and applied without forming Σ: Σ_m g = X_mᵀ(X_m g)/(n − 1), O(n d_m) per
/// vector, so wide inputs never need a d × d matrix. Used by <see cref="AttributionMethod.Pattern"/>.
/// </summary>
public sealed class InputCovariance : IDisposable
{
    private readonly Tensor[] _centred;

    private InputCovariance(Tensor[] centred) => _centred = centred;

    /// <summary>Number of training rows n.</summary>
    public int Rows => (int)_centred[0].shape[0];

    /// <summary>Input width d_m of each view.</summary>
    public IReadOnlyList<int> Dims => _centred.Select(t => (int)t.shape[1]).ToArray();

    /// <summary>
    /// From the rows of <paramref name="views"/> (e.g. the training split). At most
    /// <paramref name="maxRows"/> rows are used (an evenly spaced subset when there are more; 0 = all).
    /// </summary>
    public static InputCovariance FromViews(IReadOnlyList<View> views, int maxRows = 0)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count == 0 || views[0].Rows < 2) throw new MucmmUserException("the input covariance needs at least 2 training rows");
        int n = views[0].Rows;
        int[] rows = maxRows > 0 && n > maxRows
            ? Enumerable.Range(0, maxRows).Select(i => (int)((long)i * n / maxRows)).ToArray()
            : Enumerable.Range(0, n).ToArray();
        using var scope = NewDisposeScope();
        var tensors = views.Select(v => Representations.Rows(v, rows)).ToArray();
        return FromTensors(tensors);
    }

    /// <summary>From one (n × d_m) tensor of rows per view (centred here; the tensors are not kept).</summary>
    public static InputCovariance FromTensors(IReadOnlyList<Tensor> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0 || rows[0].dim() != 2 || rows[0].shape[0] < 2)
            throw new MucmmUserException("the input covariance needs at least 2 rows per view");
        var centred = rows.Select(t =>
        {
            if (t.dim() != 2 || t.shape[0] != rows[0].shape[0]) throw new MucmmUserException("the input covariance needs paired (n × d) rows per view");
            var x = t.detach().to(float64).cpu();
            var c = (x - x.mean([0], keepdim: true)).contiguous();
            return c.DetachFromDisposeScope();
        }).ToArray();
        return new InputCovariance(centred);
    }

    /// <summary>Σ_m applied to each row of <paramref name="g"/> (b × d_m): rows of X_mᵀ(X_m gᵀ)/(n − 1).</summary>
    public Tensor Apply(int view, Tensor g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var x = _centred[view];
        return g.to(float64).matmul(x.t()).matmul(x) / (x.shape[0] - 1);
    }

    /// <summary>Σ_m as a dense d_m × d_m matrix (for tests and small inputs).</summary>
    public Tensor Dense(int view)
    {
        var x = _centred[view];
        return x.t().matmul(x) / (x.shape[0] - 1);
    }

    internal void CheckFits(IMultiviewModel model)
    {
        if (_centred.Length != model.ViewCount)
            throw new MucmmUserException($"the input covariance has {_centred.Length} views, the model {model.ViewCount}");
        for (int m = 0; m < _centred.Length; m++)
            if (_centred[m].shape[1] != model.InputDims[m])
                throw new MucmmUserException($"the input covariance of view {m + 1} has width {_centred[m].shape[1]}, the model expects {model.InputDims[m]}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _centred) t.Dispose();
    }
}

using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Feeding dataset views to a model: checks, tensor conversion, batched forward passes.</summary>
public static class Representations
{
    /// <summary>Default number of rows per forward pass.</summary>
    public const int DefaultBatchSize = 1024;

    /// <summary>
    /// Throws <see cref="MucmmUserException"/> unless <paramref name="views"/> fit <paramref name="model"/>:
    /// same number of views, same widths, same row counts.
    /// </summary>
    public static void CheckCompatible(IMultiviewModel model, IReadOnlyList<View> views)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(views);
        if (views.Count != model.ViewCount)
            throw new MucmmUserException($"the {model.Kind} model has {model.ViewCount} views but the data has {views.Count}");
        for (int m = 0; m < views.Count; m++)
        {
            views[m].EnsureNumeric();
            if (views[m].Cols != model.InputDims[m])
                throw new MucmmUserException(
                    $"view {m + 1} ('{views[m].Name}') has {views[m].Cols} values per sample but the model expects {model.InputDims[m]}");
            if (views[m].Rows != views[0].Rows)
                throw new MucmmUserException($"views are not paired: {views[0].Rows} rows vs {views[m].Rows} rows");
        }
    }

    /// <summary>Rows <paramref name="start"/>..start+count−1 of a view as a float64 (count × Cols) CPU tensor.</summary>
    public static Tensor Slice(View view, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(view);
        var data = view.Data.AsSpan(start * view.Cols, count * view.Cols).ToArray();
        return tensor(data, new long[] { count, view.Cols }, dtype: float64);
    }

    /// <summary>The given rows of a view, in order, as a float64 (rows × Cols) CPU tensor.</summary>
    public static Tensor Rows(View view, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(view);
        var data = new double[rows.Count * view.Cols];
        for (int i = 0; i < rows.Count; i++) view.Row(rows[i]).CopyTo(data.AsSpan(i * view.Cols, view.Cols));
        return tensor(data, new long[] { rows.Count, view.Cols }, dtype: float64);
    }

    /// <summary>
    /// The model's variates for every row of <paramref name="views"/>, computed in batches without
    /// gradient: float64 CPU tensors, (n × k) common and (n × r_m) individual per view.
    /// </summary>
    public static MultiviewOutput Compute(IMultiviewModel model, IReadOnlyList<View> views, int batchSize = DefaultBatchSize)
    {
        CheckCompatible(model, views);
        if (batchSize < 1) throw new MucmmUserException($"batch size must be ≥ 1, got {batchSize}");
        int n = views[0].Rows, mCount = views.Count;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var common = Enumerable.Range(0, mCount).Select(_ => new List<Tensor>()).ToArray();
        var individual = Enumerable.Range(0, mCount).Select(_ => new List<Tensor>()).ToArray();
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var inputs = views.Select(v => Slice(v, start, count)).ToArray();
            var output = model.Forward(inputs);
            for (int m = 0; m < mCount; m++)
            {
                common[m].Add(output.Common[m].detach().to(float64).cpu());
                individual[m].Add(output.Individual[m].detach().to(float64).cpu());
            }
        }
        Tensor Cat(List<Tensor> parts, int width) =>
            (parts.Count == 0 ? zeros(0, width, dtype: float64) : cat(parts, 0)).MoveToOuterDisposeScope();
        return new MultiviewOutput(
            common.Select(p => Cat(p, model.CommonDim)).ToArray(),
            individual.Select((p, m) => Cat(p, model.IndividualDims[m])).ToArray());
    }
}

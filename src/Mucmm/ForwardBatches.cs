using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm;

/// <summary>
/// The one home of batched forward passes: how many rows go through a network at a time, and the loops that feed
/// a dataset's views to a model chunk by chunk (<see cref="IMultiviewModel.Transform"/>, scores, evaluation,
/// <c>mucmm transform</c>); the deep trainer's chunks of a tensor (<c>Chunks</c>: validation, cached features,
/// alignment) use the same <see cref="Rows"/>. Chunks bound the activation memory; the results do not depend on the chunk size beyond rounding.
/// </summary>
public static class ForwardBatches
{
    /// <summary>Rows per forward pass, everywhere (a chunk of 2,048 rows of 1,568 float64 inputs is 26 MB).</summary>
    public const int Rows = 2048;

    /// <summary>
    /// Runs <paramref name="model"/> without gradient on consecutive chunks of <paramref name="rows"/> rows of
    /// <paramref name="views"/> (checked with <see cref="ModelInputs.Check(IMultiviewModel, IReadOnlyList{View})"/>) and hands each
    /// chunk's first row and outputs to <paramref name="consume"/>; the outputs are disposed after the call (one
    /// dispose scope per chunk), so memory holds one chunk whatever the number of rows.
    /// </summary>
    public static void ForEach(IMultiviewModel model, IReadOnlyList<View> views, Action<int, MultiviewOutput> consume, int rows = Rows)
    {
        ModelInputs.Check(model, views);
        ArgumentNullException.ThrowIfNull(consume);
        if (rows < 1) throw new MucmmUserException($"rows per forward pass must be ≥ 1, got {rows}");
        int n = views[0].Rows;
        using var _ = no_grad();
        for (int start = 0; start < n; start += rows)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(rows, n - start);
            consume(start, model.Forward(views.Select(v => Evaluation.Representations.Slice(v, start, count)).ToArray()));
        }
    }

    /// <summary>
    /// The model's variates for every row of <paramref name="views"/>, computed in chunks of <paramref name="rows"/>
    /// rows without gradient: float64 CPU tensors, (n × k) common and (n × r_m) individual per view, in the caller's
    /// dispose scope. The home of every model's <see cref="IMultiviewModel.Transform"/>.
    /// </summary>
    public static MultiviewOutput Transform(IMultiviewModel model, IReadOnlyList<View> views, int rows = Rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        int mCount = model.ViewCount;
        var common = Enumerable.Range(0, mCount).Select(_ => new List<Tensor>()).ToArray();
        var individual = Enumerable.Range(0, mCount).Select(_ => new List<Tensor>()).ToArray();
        ForEach(model, views, (_, output) =>
        {
            for (int m = 0; m < mCount; m++)
            {
                common[m].Add(output.Common[m].detach().to(float64).cpu().DetachFromDisposeScope());
                individual[m].Add(output.Individual[m].detach().to(float64).cpu().DetachFromDisposeScope());
            }
        }, rows);
        Tensor Cat(List<Tensor> parts, int width)
        {
            var whole = parts.Count == 0 ? zeros(0, width, dtype: float64) : cat(parts, 0);
            foreach (var p in parts) p.Dispose();
            return whole;
        }
        return new MultiviewOutput(
            common.Select(p => Cat(p, model.CommonDim)).ToArray(),
            individual.Select((p, m) => Cat(p, model.IndividualDims[m])).ToArray());
    }
}

using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Evaluation;

/// <summary>Dataset rows as tensors (the inputs of <see cref="IMultiviewModel.Forward"/>).</summary>
public static class Representations
{
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
}

using Mucmm.Data;
using Mucmm.Evaluation;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Per-sample scores of a dataset under a model.</summary>
public static class Scores
{
    /// <summary>
    /// Evaluates each of <paramref name="scores"/> on every row of <paramref name="views"/>; result[s][i]
    /// is score s of row i. Runs the model once per batch, without gradient.
    /// </summary>
    public static double[][] Compute(
        IMultiviewModel model, IReadOnlyList<View> views, IReadOnlyList<Score> scores,
        int batchSize = Representations.DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var output = Representations.Compute(model, views, batchSize);
        return scores.Select(s => s.Evaluate(output).data<double>().ToArray()).ToArray();
    }
}

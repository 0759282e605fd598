using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>Per-sample scores of a dataset under a model.</summary>
public static class Scores
{
    /// <summary>
    /// Evaluates each of <paramref name="scores"/> on every row of <paramref name="views"/>; result[s][i]
    /// is score s of row i. Runs the model once per chunk of rows, without gradient (<see cref="IMultiviewModel.Transform"/>).
    /// </summary>
    public static double[][] Compute(IMultiviewModel model, IReadOnlyList<View> views, IReadOnlyList<Score> scores)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scores);
        using var scope = NewDisposeScope();
        var output = model.Transform(views);
        return scores.Select(s => s.Evaluate(output).data<double>().ToArray()).ToArray();
    }
}

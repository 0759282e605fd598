using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Mucmm.Linear;

/// <summary>
/// What the closed-form models (<see cref="LinearModel"/>, <see cref="PcaModel"/>) share: the forward pass
/// (xₘ − x̄ₘ)·Wₘ, and the saved folder (<c>config.json</c> + float64 <c>weights.safetensors</c>) written and read.
/// </summary>
internal static class LinearProjection
{
    /// <summary>
    /// (xₘ − x̄ₘ)·Aₘ and (xₘ − x̄ₘ)·Lₘ for every view m, float64 on the input's device (differentiable in the input):
    /// <paramref name="common"/>(m) and <paramref name="individual"/>(m) give Aₘ and Lₘ as new CPU tensors.
    /// </summary>
    public static MultiviewOutput Forward(IReadOnlyList<Tensor> inputs, IReadOnlyList<int> dims, IReadOnlyList<double[]> means,
        Func<int, Tensor> common, Func<int, Tensor> individual)
    {
        ModelInputs.Check(inputs, dims);
        var c = new Tensor[dims.Count];
        var u = new Tensor[dims.Count];
        using var scope = NewDisposeScope();
        for (int m = 0; m < dims.Count; m++)
        {
            var device = inputs[m].device;
            var xc = inputs[m].to_type(float64) - tensor(means[m], dtype: float64, device: device);
            c[m] = xc.matmul(common(m).to(device)).MoveToOuterDisposeScope();
            u[m] = xc.matmul(individual(m).to(device)).MoveToOuterDisposeScope();
        }
        return new MultiviewOutput(c, u);
    }

    /// <summary>Writes <paramref name="config"/> as <c>config.json</c> and <paramref name="weights"/> (created in a dispose scope here) as <see cref="LinearModel.WeightsFile"/> into <paramref name="directory"/>, creating it.</summary>
    public static void Save(string directory, JsonObject config, Func<Dictionary<string, Tensor>> weights)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var scope = NewDisposeScope();
        var tensors = weights();
        using var stream = File.Create(Path.Combine(directory, LinearModel.WeightsFile));
        TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
    }

    /// <summary>
    /// Reads <see cref="LinearModel.WeightsFile"/> of <paramref name="directory"/> and builds the model with <paramref name="build"/>,
    /// which takes float64 tensors by name and shape (<see cref="ModelStore.TakeFloat64"/>: missing, ill-typed or misshapen is a
    /// <see cref="MucmmUserException"/> naming the file); the tensors are disposed afterwards.
    /// </summary>
    public static T Load<T>(string directory, string configPath, Func<Func<string, long[], double[]>, T> build)
    {
        string weightsPath = Path.Combine(directory, LinearModel.WeightsFile);
        var tensors = ModelStore.ReadWeights(weightsPath);
        try
        {
            return build((name, shape) => ModelStore.TakeFloat64(tensors, name, shape, weightsPath, configPath));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}

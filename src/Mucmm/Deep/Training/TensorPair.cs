using Mucmm.Data;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>The views of a dataset as float32 tensors on a device.</summary>
internal sealed class TensorPair : IDisposable
{
    /// <summary>Copies the views of <paramref name="data"/> to <paramref name="device"/> as float32.</summary>
    public TensorPair(PairedDataset data, Device device)
    {
        X = data.Views.Select(v =>
        {
            using var scope = NewDisposeScope();
            return tensor(v.Data, [v.Rows, v.Cols], dtype: float64).to(float32).to(device).DetachFromDisposeScope();
        }).ToArray();
    }

    /// <summary>One (rows × columns) tensor per view.</summary>
    public Tensor[] X { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in X) t.Dispose();
    }
}

/// <summary>Applies a network to the rows of a tensor in chunks of <see cref="ForwardBatches.Rows"/> (bounded activation memory), in the caller's dispose scope.</summary>
internal static class Chunks
{
    /// <summary>Applies <paramref name="f"/> to row chunks of <paramref name="x"/> and concatenates.</summary>
    public static Tensor Map(Tensor x, Func<Tensor, Tensor> f, int chunk = ForwardBatches.Rows)
    {
        var parts = new List<Tensor>();
        for (long s = 0; s < x.shape[0]; s += chunk)
            parts.Add(f(x.narrow(0, s, Math.Min(chunk, x.shape[0] - s))));
        return cat(parts, 0);
    }

    /// <summary>Features, common and individual outputs in chunks.</summary>
    public static ViewOutputs Map(Tensor x, Func<Tensor, ViewOutputs> f, int chunk = ForwardBatches.Rows)
    {
        var parts = new List<ViewOutputs>();
        for (long s = 0; s < x.shape[0]; s += chunk)
            parts.Add(f(x.narrow(0, s, Math.Min(chunk, x.shape[0] - s))));
        return new ViewOutputs(cat(parts.Select(p => p.Features).ToArray(), 0), cat(parts.Select(p => p.Common).ToArray(), 0), cat(parts.Select(p => p.Individual).ToArray(), 0));
    }
}

using System.Runtime.InteropServices;
using Mucmm.Data;
using Mucmm.Data.Readers;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>The views of a dataset, or some of its rows, as float32 tensors on a device.</summary>
internal sealed class TensorPair : IDisposable
{
    /// <summary>Copies the views of <paramref name="data"/> to <paramref name="device"/> as float32.</summary>
    public TensorPair(PairedDataset data, Device device) : this(data, Enumerable.Range(0, data.Count).ToArray(), device)
    {
    }

    /// <summary>
    /// Copies the rows <paramref name="rows"/> (in that order) of the views of <paramref name="data"/> to <paramref name="device"/>
    /// as float32: each value rounded to the nearest float, as <c>tensor(values, float64).to(float32)</c> does, written straight
    /// into the tensor's memory (no float64 copy of the rows, managed or native: fresh memory is page-faulted in, which cost
    /// ≈ 0.5 s of a fit's start on 2 × 10,000 × 512 values).
    /// </summary>
    public TensorPair(PairedDataset data, int[] rows, Device device)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var v in data.Views) v.EnsureNumeric();
        X = data.Views.Select(v =>
        {
            var x = empty([rows.Length, v.Cols], dtype: float32);
            if (rows.Length > 0 && v.Cols > 0)
            {
                var values = MemoryMarshal.Cast<byte, float>(x.bytes);
                for (int i = 0; i < rows.Length; i++) FloatSpans.Narrow(v.Row(rows[i]), values.Slice(i * v.Cols, v.Cols));
            }
            if (device.type == TorchSharp.DeviceType.CPU) return x.DetachFromDisposeScope();
            using (x) return x.to(device).DetachFromDisposeScope();
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

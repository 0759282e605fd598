using Mucmm.Deep;
using static TorchSharp.torch;

namespace Mucmm.Explain;

/// <summary>
/// Copies of a fitted model with re-initialized heads, for the model-randomization sanity check
/// (Adebayo et al. 2018, "cascading randomization" of the top layers): models implementing
/// <see cref="IRandomizableModel"/> do it themselves; deep models are copied (save + load) and every
/// head parameter is redrawn from U(−1/√fan_in, 1/√fan_in) — PyTorch's default initialization of a
/// linear layer — with a seeded generator, keeping the trained encoders and the post-hoc alignment.
/// </summary>
public static class HeadRandomization
{
    /// <summary>Whether <see cref="Randomize"/> supports <paramref name="model"/>.</summary>
    public static bool IsSupported(IMultiviewModel model) => model is IRandomizableModel or DeepMultiviewModel;

    /// <summary>
    /// A copy of <paramref name="model"/> with re-initialized heads. Throws <see cref="MucmmUserException"/>
    /// for a model kind without heads to re-initialize (the closed-form linear models).
    /// </summary>
    public static IMultiviewModel Randomize(IMultiviewModel model, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is IRandomizableModel r) return r.WithRandomizedHeads(seed);
        if (model is not DeepMultiviewModel deep)
            throw new MucmmUserException($"the {model.Kind} model has no trained heads to re-initialize, so the model-randomization test is not available");
        string dir = Path.Combine(Path.GetTempPath(), "mucmm-randomized-" + Guid.NewGuid().ToString("N"));
        try
        {
            deep.Save(dir);
            var copy = DeepMultiviewModel.Load(dir, deep.Device.type == TorchSharp.DeviceType.CUDA ? "cuda" : "cpu");
            using var generator = new Generator((ulong)seed);
            using var _ = no_grad();
            for (int m = 0; m < copy.ViewCount; m++)
            {
                double bound = 1.0;
                foreach (var p in copy.Network[m].HeadParameters())
                {
                    if (p.dim() >= 2) bound = 1.0 / Math.Sqrt(p.shape[1]);
                    using var fresh = (rand(p.shape, dtype: p.dtype, generator: generator) * (2 * bound) - bound).to(p.device);
                    p.copy_(fresh);
                }
            }
            return copy;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

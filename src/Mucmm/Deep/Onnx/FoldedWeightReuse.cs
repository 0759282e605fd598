using static TorchSharp.torch;

namespace Mucmm.Deep.Onnx;

/// <summary>
/// A scope (per thread) inside which the folded convolutions of every <see cref="OnnxModule"/> compute their folded,
/// channels-last weight and bias once and reuse them at later calls, instead of recomputing them at every forward
/// (see <see cref="OnnxModule.ReuseFoldedWeights"/>). An entry is used only under no_grad, when none of its source
/// parameters requires grad, and when the sources are the same tensors as when it was made; otherwise the step
/// computes as outside the scope. The reused values are the very tensors the step would compute, so the outputs are
/// bitwise the same. Entries are disposed when the scope ends.
/// </summary>
internal sealed class FoldedWeightReuse : IDisposable
{
    [ThreadStatic] private static FoldedWeightReuse? current;

    private readonly FoldedWeightReuse? outer;
    private readonly Dictionary<object, (IntPtr[] Sources, Tensor?[] Values)> entries = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    private FoldedWeightReuse(FoldedWeightReuse? outer) => this.outer = outer;

    /// <summary>Opens a scope on this thread (nested scopes are independent; each disposes its own entries).</summary>
    public static IDisposable Begin() => current = new FoldedWeightReuse(current);

    /// <summary>The number of steps whose derived tensors the innermost scope on this thread holds (0 without a scope; for tests).</summary>
    public static int Entries => current?.entries.Count ?? 0;

    /// <summary>
    /// The derived tensors of step <paramref name="key"/> computed from <paramref name="sources"/> by
    /// <paramref name="compute"/>: cached inside a scope when reuse is allowed (see the class comment), else computed
    /// afresh. Call it inside the step's dispose scope and never dispose its result: a fresh result belongs to that
    /// dispose scope, a cached one (detached from it) to the reuse scope. <paramref name="compute"/> must return new
    /// tensors, never a source itself (the reuse scope disposes what it caches).
    /// </summary>
    public static Tensor?[] GetOrCompute(object key, ReadOnlySpan<Tensor?> sources, Func<Tensor?[]> compute)
    {
        var scope = current;
        if (scope is null || is_grad_enabled()) return compute();
        var handles = new IntPtr[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            if (sources[i] is { } s && s.requires_grad) return compute();
            handles[i] = sources[i]?.Handle ?? IntPtr.Zero;
        }
        if (scope.entries.TryGetValue(key, out var entry))
        {
            if (entry.Sources.AsSpan().SequenceEqual(handles)) return entry.Values;
            foreach (var t in entry.Values) t?.Dispose();
            scope.entries.Remove(key);
        }
        var values = compute();
        foreach (var t in values) t?.DetachFromDisposeScope();
        scope.entries[key] = (handles, values);
        return values;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (_, values) in entries.Values)
            foreach (var t in values) t?.Dispose();
        entries.Clear();
        if (ReferenceEquals(current, this)) current = outer;
    }
}

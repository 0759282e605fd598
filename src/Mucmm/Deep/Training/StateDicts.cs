using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>Detached copies of a network's state dictionary (best state, weight average, saved current weights).</summary>
internal static class StateDicts
{
    /// <summary>A detached copy of every tensor of <paramref name="network"/>'s state dictionary (outside any dispose scope).</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module network)
    {
        var d = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        using (no_grad())
            foreach (var (k, v) in network.state_dict())
                d[k] = v.detach().clone().DetachFromDisposeScope();
        return d;
    }

    /// <summary>Disposes every tensor of <paramref name="state"/> (nothing when null).</summary>
    public static void Dispose(Dictionary<string, Tensor>? state)
    {
        if (state is null) return;
        foreach (var t in state.Values) t.Dispose();
    }
}

/// <summary>
/// Exponential moving average of the weights (Polyak averaging) with a decay d, updated after every optimizer
/// step: a ← d·a + (1 − d)·w for floating-point tensors, a copy for the others. When on, validation, the best
/// state and the final model use the averaged weights.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly double decay;

    /// <summary>Starts the average at the network's current weights.</summary>
    public WeightAverage(nn.Module network, double decay)
    {
        this.decay = decay;
        State = StateDicts.Snapshot(network);
    }

    /// <summary>The averaged weights.</summary>
    public Dictionary<string, Tensor> State { get; private set; }

    /// <summary>Replaces the average by <paramref name="state"/> (read from a checkpoint).</summary>
    public void Restore(Dictionary<string, Tensor> state)
    {
        StateDicts.Dispose(State);
        State = state;
    }

    /// <summary>Moves the average towards the network's current weights (after an optimizer step).</summary>
    public void Update(nn.Module network)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (k, v) in network.state_dict())
        {
            var a = State[k];
            if (a.is_floating_point()) a.mul_(decay).add_(v, alpha: 1 - decay);
            else a.copy_(v);
        }
    }

    /// <summary>Runs <paramref name="evaluate"/> with the averaged weights loaded, then puts the trained weights back.</summary>
    public T WithAverage<T>(nn.Module network, Func<T> evaluate)
    {
        var current = StateDicts.Snapshot(network);
        network.load_state_dict(State);
        try
        {
            return evaluate();
        }
        finally
        {
            network.load_state_dict(current);
            StateDicts.Dispose(current);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StateDicts.Dispose(State);
        State = [];
    }
}

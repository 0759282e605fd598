using TorchSharp;
using static TorchSharp.torch;

namespace Mucmm.Deep;

/// <summary>
/// Early stopping on the validation total correlation: keeps the best epoch's weights and stops after
/// <c>patience</c> epochs without an improvement of more than 1e-9 (patience 0: never, and the last epoch is kept).
/// Without validation rows (only allowed with patience 0, <see cref="DeepTrainer.Fit(Data.PairedDataset, string?, bool)"/>)
/// the score is minus the epoch's mean loss.
/// </summary>
/// <remarks>
/// Warm-up epochs (α = β = 0: the correlation and reconstruction terms only, no penalty on the individual
/// part) neither set the best state nor count towards patience: their validation correlation is not comparable
/// with the full objective's, and otherwise a short run keeps a warm-up model whose individual part was never
/// pushed away from the common one.
/// </remarks>
internal sealed class EarlyStopping(int patience, int warmupEpochs) : IDisposable
{
    /// <summary>Best score so far (−∞ before the first scored epoch).</summary>
    public double Best { get; private set; } = double.NegativeInfinity;

    /// <summary>1-based epoch of the best score (0: none yet).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Scored epochs since the best one.</summary>
    public int Wait { get; private set; }

    /// <summary>Weights of the best epoch, or null (always null with patience 0, which keeps the last epoch's weights).</summary>
    public Dictionary<string, Tensor>? BestState { get; private set; }

    /// <summary>Whether patience has run out.</summary>
    public bool Stopped => patience > 0 && Wait >= patience;

    /// <summary>Continues from a checkpoint's counters and best weights.</summary>
    public void Restore(CheckpointState state, Dictionary<string, Tensor>? bestState)
    {
        Best = state.Best;
        BestEpoch = state.BestEpoch;
        Wait = state.Wait;
        StateDicts.Dispose(BestState);
        BestState = bestState;
    }

    /// <summary>Scores 0-based <paramref name="epoch"/> from its metrics; snapshots <paramref name="network"/> when it is the best so far.</summary>
    public void Observe(int epoch, EpochMetrics metrics, nn.Module network)
    {
        double score = double.IsNaN(metrics.ValidationCorrelation) ? -metrics.Terms.Last().Value : metrics.ValidationCorrelation;
        if (epoch < warmupEpochs) return;
        if (score > Best + 1e-9)
        {
            Best = score;
            BestEpoch = epoch + 1;
            Wait = 0;
            StateDicts.Dispose(BestState);
            BestState = patience > 0 ? StateDicts.Snapshot(network) : null;
        }
        else
        {
            Wait++;
        }
    }

    /// <summary>
    /// Loads the weights to keep: with early stopping (patience &gt; 0), the best epoch's; otherwise the last
    /// epoch's, averaged when <paramref name="average"/> is on.
    /// </summary>
    public void LoadFinal(nn.Module network, WeightAverage? average)
    {
        if (BestState is not null && patience > 0) network.load_state_dict(BestState);
        else if (average is not null) network.load_state_dict(average.State);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StateDicts.Dispose(BestState);
        BestState = null;
    }
}

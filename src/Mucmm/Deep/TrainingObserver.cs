namespace Mucmm.Deep;

/// <summary>Metrics of one finished epoch (one row of train.csv).</summary>
/// <param name="Phase">"pretrain" or "train".</param>
/// <param name="Epoch">1-based epoch number within the phase.</param>
/// <param name="Terms">Mean over the epoch's batches of each unweighted objective term, plus "loss", in a fixed order.</param>
/// <param name="ValidationCorrelation">Total canonical correlation Σρ of the common outputs on the validation set (NaN when there is none).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record EpochMetrics(string Phase, int Epoch, IReadOnlyList<KeyValuePair<string, double>> Terms, double ValidationCorrelation, double Seconds);

/// <summary>Receives training progress; the command line draws it (progress bar, ETA), tests and scripts ignore it.</summary>
public interface ITrainingObserver
{
    /// <summary>A phase starts: <paramref name="epochs"/> epochs of <paramref name="batchesPerEpoch"/> batches, resuming after <paramref name="completedEpochs"/>.</summary>
    void PhaseStarted(string phase, int epochs, int batchesPerEpoch, int completedEpochs);

    /// <summary>One batch finished; <paramref name="terms"/> are its unweighted term values and "loss".</summary>
    void BatchFinished(string phase, int epoch, int batch, IReadOnlyList<KeyValuePair<string, double>> terms);

    /// <summary>One epoch finished.</summary>
    void EpochFinished(EpochMetrics metrics);

    /// <summary>A one-line note (early stop, resume, alignment…).</summary>
    void Message(string text);
}

namespace Mucmm.Deep;

/// <summary>Sums of each named term over an epoch's batches, in the order of the first batch.</summary>
internal sealed class TermMeans
{
    private string[]? names;
    private double[]? sums;

    public void Add(IReadOnlyList<KeyValuePair<string, double>> terms)
    {
        names ??= terms.Select(t => t.Key).ToArray();
        sums ??= new double[terms.Count];
        for (int i = 0; i < terms.Count; i++) sums[i] += terms[i].Value;
    }

    public KeyValuePair<string, double>[] Means(int batches) =>
        names!.Select((name, i) => KeyValuePair.Create(name, sums![i] / batches)).ToArray();
}

using System.Globalization;
using Mucmm.Data.Readers;

namespace Mucmm.Data.Datasets;

/// <summary>
/// <c>av-digits</c>: spoken digits of the Free Spoken Digit Dataset (Jakobovski et al., CC BY-SA 4.0)
/// as log-mel spectrograms, each paired with an MNIST image of the same digit. The common factor
/// is the digit; individual factors are the speaker (audio) and the handwriting (image).
/// </summary>
/// <remarks>
/// <para>Rows: one per recording of <c>DIR/recordings/{digit}_{speaker}_{take}.wav</c>, sorted by digit,
/// speaker name (ordinal) and take (<see cref="FsddFolder"/>): 3,000 rows for FSDD. View 1 ("audio"):
/// the recording's log-mel spectrogram with the default <see cref="LogMelOptions"/> (40 mel bands ×
/// 64 frames, <see cref="LogMelSpectrogram"/> documents every parameter). View 2 ("handwritten"):
/// an embedded MNIST image of the same digit (pixels in [0, 1]).</para>
/// <para>Labels: "digit" and "speaker" (index into the sorted speaker names, kept in
/// <see cref="PairedDataset.LabelNames"/>). Ids: "image" (embedded MNIST index of view 2) and "take"
/// (the recording's index in its file name).</para>
/// <para>Split: 80/10/10 of the recordings at random from the seed, so each recording is in exactly one
/// split. Images: for each digit the embedded images of that digit are shuffled (seeded) and handed
/// out one per recording, so no image is used twice and none appears in two splits (FSDD has 300
/// recordings per digit, the embedded set at least 863 images per digit; more recordings of a digit
/// than images is refused).</para>
/// </remarks>
public static class AvDigitsDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "av-digits";

    private static readonly LogMelOptions AudioOptions = new();

    /// <summary>Shape of one spectrogram: [mel bands, frames] = [40, 64].</summary>
    public static int[] SpectrogramShape => [AudioOptions.MelBands, AudioOptions.Frames];

    /// <summary>How the spectrogram is computed, in one line.</summary>
    public static string SpectrogramDescription { get; } = string.Create(CultureInfo.InvariantCulture,
        $"log-mel spectrogram: {AudioOptions.MelBands} HTK mel bands {AudioOptions.MinFrequency:0}-{AudioOptions.MaxFrequency:0} Hz × " +
        $"{AudioOptions.Frames} frames ({AudioOptions.WindowSeconds * 1000:0} ms Hann window, {AudioOptions.HopSeconds * 1000:0} ms hop, " +
        $"FFT {AudioOptions.FftSize}), ln(E + {AudioOptions.PowerFloor:0e0}), centred crop/pad");

    /// <summary>
    /// Builds the dataset from the FSDD folder <paramref name="fsddDir"/>. Throws
    /// <see cref="MucmmUserException"/> when the folder is missing or wrong, or a recording is not
    /// a readable mono PCM WAV at 8 kHz (the message names the file).
    /// </summary>
    public static PairedDataset Create(string? fsddDir, int seed = 0)
    {
        var folder = FsddFolder.Open(fsddDir);
        var recordings = folder.Recordings;
        int n = recordings.Count;
        var mnist = MnistDigits.Embedded;

        Split[] splits = DatasetSplits.Random(n, seed);
        var digit = recordings.Select(r => r.Digit).ToArray();
        var speakerIndex = folder.Speakers.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, StringComparer.Ordinal);
        var speaker = recordings.Select(r => speakerIndex[r.Speaker]).ToArray();
        var take = recordings.Select(r => r.Take).ToArray();
        int[] image = PairImages(digit, mnist, seed);

        var audio = ComputeSpectrograms(recordings);
        int p = MnistDigits.Pixels;
        var pictures = new double[n * p];
        for (int i = 0; i < n; i++) mnist.Image(image[i]).CopyTo(pictures.AsSpan(i * p, p));

        return new PairedDataset(
            Name,
            [
                new View("audio", ViewKind.Spectrogram, SpectrogramShape, audio),
                new View("handwritten", ViewKind.Image, [MnistDigits.Height, MnistDigits.Width], pictures),
            ],
            splits,
            labels: new Dictionary<string, int[]> { ["digit"] = digit, ["speaker"] = speaker },
            description: $"FSDD recordings from {folder.Directory} (log-mel) paired with MNIST images of the same digit",
            labelNames: new Dictionary<string, string[]> { ["speaker"] = folder.Speakers },
            ids: new Dictionary<string, int[]> { ["image"] = image, ["take"] = take });
    }

    /// <summary>For each row, a distinct embedded image of its digit (seeded shuffle per digit).</summary>
    private static int[] PairImages(int[] digit, MnistDigits mnist, int seed)
    {
        var rng = Seeds.Rng(seed, Seeds.Stream.Pairing);
        int[][] byDigit = mnist.ByDigit();
        var image = new int[digit.Length];
        for (int d = 0; d < 10; d++)
        {
            int[] pool = byDigit[d];
            for (int i = pool.Length - 1; i > 0; i--) // Fisher–Yates
            {
                int j = rng.Next(i + 1);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            int[] rows = Enumerable.Range(0, digit.Length).Where(i => digit[i] == d).ToArray();
            if (rows.Length > pool.Length)
                throw new MucmmUserException(
                    $"av-digits: digit {d} has {rows.Length} recordings but only {pool.Length} embedded MNIST images; each image may pair with one recording only");
            for (int k = 0; k < rows.Length; k++) image[rows[k]] = pool[k];
        }
        return image;
    }

    private static double[] ComputeSpectrograms(IReadOnlyList<FsddRecording> recordings)
    {
        var melSpec = new LogMelSpectrogram(AudioOptions);
        int size = AudioOptions.MelBands * AudioOptions.Frames;
        var audio = new double[recordings.Count * size];
        try
        {
            Parallel.For(0, recordings.Count, i =>
            {
                string path = recordings[i].Path;
                double[] spec = melSpec.Compute(WavFile.Read(path), path);
                spec.CopyTo(audio, i * size);
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.OfType<MucmmUserException>().FirstOrDefault() is { } user)
        {
            throw user;
        }
        return audio;
    }
}

namespace Mucmm.Data.Datasets;

/// <summary>
/// <c>av-digits</c>: spoken digits of the Free Spoken Digit Dataset as log-mel spectrograms, each
/// paired with an MNIST image of the same digit.
/// </summary>
public static class AvDigitsDataset
{
    /// <summary>Dataset name.</summary>
    public const string Name = "av-digits";

    /// <summary>Shape of one spectrogram: [mel bands, frames].</summary>
    public static readonly int[] SpectrogramShape = [40, 32];

    /// <summary>How the spectrogram is computed.</summary>
    public const string SpectrogramDescription = "log-mel spectrogram of the recording";

    /// <summary>Builds the dataset from the FSDD folder <paramref name="fsddDir"/>.</summary>
    public static PairedDataset Create(string? fsddDir, int seed = 0)
    {
        var folder = FsddFolder.Open(fsddDir);
        _ = seed;
        throw new MucmmUserException(folder.Directory, "av-digits: audio features are not available in this build yet");
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Mucmm.Data.Datasets;

/// <summary>One recording of the Free Spoken Digit Dataset: <c>{digit}_{speaker}_{take}.wav</c>.</summary>
/// <param name="Path">Full path of the WAV file.</param>
/// <param name="Digit">Spoken digit 0–9.</param>
/// <param name="Speaker">Speaker name as in the file name.</param>
/// <param name="Take">The recording's index in the file name (0–49 in FSDD).</param>
public sealed record FsddRecording(string Path, int Digit, string Speaker, int Take);

/// <summary>
/// The recordings of a Free Spoken Digit Dataset folder (<c>DIR/recordings/{digit}_{speaker}_{take}.wav</c>,
/// optional <c>DIR/speakers.csv</c>), in a fixed order: by digit, then speaker name (ordinal),
/// then take. The recordings are never copied into the project: the user names the folder.
/// </summary>
public sealed partial class FsddFolder
{
    private FsddFolder(string directory, IReadOnlyList<FsddRecording> recordings, string[] speakers)
    {
        Directory = directory;
        Recordings = recordings;
        Speakers = speakers;
    }

    /// <summary>The folder given by the user.</summary>
    public string Directory { get; }

    /// <summary>The recordings, sorted by digit, speaker, take.</summary>
    public IReadOnlyList<FsddRecording> Recordings { get; }

    /// <summary>Speaker names, sorted (ordinal); a recording's speaker label is its index here.</summary>
    public string[] Speakers { get; }

    /// <summary>
    /// Lists the recordings of <paramref name="directory"/>; throws <see cref="MucmmUserException"/>
    /// when the folder is not given, does not exist, has no <c>recordings/</c> with WAV files, or
    /// holds a WAV whose name does not follow the FSDD pattern.
    /// </summary>
    public static FsddFolder Open(string? directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new MucmmUserException(
                "av-digits reads the Free Spoken Digit Dataset from a folder you name: set DatasetOptions.FsddDir (a folder holding recordings/{digit}_{speaker}_{index}.wav)");
        if (!System.IO.Directory.Exists(directory))
            throw new MucmmUserException(directory, "FSDD folder not found (DatasetOptions.FsddDir must hold recordings/{digit}_{speaker}_{index}.wav)");
        string recordingsDir = System.IO.Path.Combine(directory, "recordings");
        if (!System.IO.Directory.Exists(recordingsDir))
            throw new MucmmUserException(directory,
                "not a Free Spoken Digit Dataset folder: no recordings/ subfolder (expected DIR/recordings/{digit}_{speaker}_{index}.wav)");

        var recordings = new List<FsddRecording>();
        foreach (string path in System.IO.Directory.EnumerateFiles(recordingsDir, "*.wav"))
        {
            string file = System.IO.Path.GetFileName(path);
            var match = FileNamePattern().Match(file);
            if (!match.Success)
                throw new MucmmUserException(path, "file name does not follow the FSDD pattern {digit}_{speaker}_{index}.wav");
            recordings.Add(new FsddRecording(path,
                int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                match.Groups[2].Value,
                int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
        if (recordings.Count == 0)
            throw new MucmmUserException(recordingsDir, "no .wav recordings found (expected {digit}_{speaker}_{index}.wav)");

        recordings.Sort((a, b) =>
        {
            int c = a.Digit.CompareTo(b.Digit);
            if (c == 0) c = string.CompareOrdinal(a.Speaker, b.Speaker);
            return c != 0 ? c : a.Take.CompareTo(b.Take);
        });
        string[] speakers = recordings.Select(r => r.Speaker).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new FsddFolder(directory, recordings, speakers);
    }

    [GeneratedRegex(@"^([0-9])_([A-Za-z0-9\-]+)_([0-9]+)\.wav$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}

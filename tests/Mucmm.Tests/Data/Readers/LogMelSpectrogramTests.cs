using Mucmm;
using Mucmm.Data.Readers;
using Xunit;

namespace Mucmm.Tests.Data.Readers;

public class LogMelSpectrogramTests
{
    private static readonly LogMelSpectrogram Mel = new();

    /// <summary>Oracle: HTK mel formula by hand: mel(700) = 2595·log10 2 = 781.17284, mel(1000) = 2595·log10(17/7) = 999.98554 (Python math.log10); inverse to 1e-9 Hz.</summary>
    [Fact]
    public void MelScale_MatchesHtkFormula()
    {
        Assert.Equal(781.17284, LogMelSpectrogram.HzToMel(700), 5);
        Assert.Equal(999.98554, LogMelSpectrogram.HzToMel(1000), 5);
        Assert.Equal(0, LogMelSpectrogram.HzToMel(0));
        foreach (double f in new[] { 0.0, 31.25, 440, 1000, 3999.9 })
            Assert.Equal(f, LogMelSpectrogram.MelToHz(LogMelSpectrogram.HzToMel(f)), 9);
    }

    /// <summary>Oracle: band centres are MelToHz((m+1)·mel(4000)/41) (40 bands equally spaced in mel over 0–4 kHz); to 1e-9 Hz.</summary>
    [Fact]
    public void CenterFrequencies_AreEquallySpacedInMel()
    {
        Assert.Equal(40, Mel.CenterFrequencies.Count);
        double top = 2595 * Math.Log10(1 + 4000 / 700.0);
        for (int m = 0; m < 40; m++)
            Assert.Equal(700 * (Math.Pow(10, (m + 1) * top / 41 / 2595) - 1), Mel.CenterFrequencies[m], 9);
    }

    /// <summary>
    /// Oracle: the direct DFT X_k = Σ w[i]x[i]e^(−2πi·ik/256) (O(N²) sum) of a Hann-windowed random
    /// frame, divided by Σw²; relative tolerance 1e-10. Also Parseval: |X_0|² + 2Σ|X_k|² + |X_128|² = N·Σ(wx)².
    /// </summary>
    [Fact]
    public void PowerSpectrum_MatchesDirectDftAndParseval()
    {
        var rng = new Random(3);
        double[] x = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double[] p = Mel.PowerSpectrum(x);
        double[] w = Enumerable.Range(0, 200).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / 200)).ToArray();
        double energy = w.Sum(v => v * v);
        Assert.Equal(129, p.Length);
        for (int k = 0; k <= 128; k++)
        {
            double re = 0, im = 0;
            for (int i = 0; i < 200; i++)
            {
                re += w[i] * x[i] * Math.Cos(2 * Math.PI * i * k / 256);
                im -= w[i] * x[i] * Math.Sin(2 * Math.PI * i * k / 256);
            }
            double direct = (re * re + im * im) / energy;
            Assert.True(Math.Abs(p[k] - direct) <= 1e-10 * Math.Max(1, direct), $"bin {k}: {p[k]} vs {direct}");
        }
        double twoSided = (p[0] + p[128] + 2 * p[1..128].Sum()) * energy;
        double timeEnergy = 256 * Enumerable.Range(0, 200).Sum(i => w[i] * w[i] * x[i] * x[i]);
        Assert.Equal(1, twoSided / timeEnergy, 12);
    }

    /// <summary>Oracle: a pure tone at the centre frequency of band m puts its largest (time-averaged) energy in band m (closed-form centres from the mel formula).</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    [InlineData(35)]
    public void PureTone_PeaksInTheBandContainingIt(int band)
    {
        double top = 2595 * Math.Log10(1 + 4000 / 700.0);
        double f = 700 * (Math.Pow(10, (band + 1) * top / 41 / 2595) - 1);
        double[] x = Enumerable.Range(0, 8000).Select(i => 0.5 * Math.Sin(2 * Math.PI * f * i / 8000)).ToArray();
        double[] s = Mel.Compute(x);
        double[] mean = Enumerable.Range(0, 40).Select(m => s.AsSpan(m * 64, 64).ToArray().Average()).ToArray();
        Assert.Equal(band, Array.IndexOf(mean, mean.Max()));
    }

    /// <summary>Oracle: silence has zero power, so every value is ln(PowerFloor) exactly; the shape is always [40, 64].</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(3360)]
    [InlineData(18262)]
    public void Silence_GivesTheFloor_WithFixedShape(int length)
    {
        double[] s = Mel.Compute(new double[length]);
        Assert.Equal(40 * 64, s.Length);
        Assert.All(s, v => Assert.Equal(Math.Log(1e-8), v));
        Assert.Equal([40, 64], Mel.Shape);
    }

    /// <summary>
    /// Oracle: a 920-sample tone has 1 + (920 − 200)/80 = 10 natural frames, padded to 64 centred:
    /// output frames 27…36 hold the tone, all others exactly ln(PowerFloor).
    /// </summary>
    [Fact]
    public void ShortRecording_IsPaddedCentred()
    {
        double[] x = Enumerable.Range(0, 920).Select(i => Math.Sin(2 * Math.PI * 1000 * i / 8000)).ToArray();
        Assert.Equal(10, Mel.NaturalFrameCount(x.Length));
        double[] s = Mel.Compute(x);
        int band = 20;
        for (int t = 0; t < 64; t++)
        {
            bool tone = t >= 27 && t <= 36;
            if (tone) Assert.True(s[band * 64 + t] > Mel.FloorValue + 1, $"frame {t}");
            else Assert.All(Enumerable.Range(0, 40), m => Assert.Equal(Mel.FloorValue, s[m * 64 + t]));
        }
    }

    /// <summary>
    /// Oracle: 200 + 99·80 samples give 100 natural frames, cropped to the centre 64 (natural frames 18…81).
    /// Silence up to sample 50·80 + 200 makes natural frames 0…50 silent, so output frames 0…32 are the
    /// floor and 33…63 hold the tone.
    /// </summary>
    [Fact]
    public void LongRecording_IsCroppedCentred()
    {
        int n = 200 + 99 * 80, silentUntil = 50 * 80 + 200;
        double[] x = Enumerable.Range(0, n).Select(i => i < silentUntil ? 0 : Math.Sin(2 * Math.PI * 1000 * i / 8000)).ToArray();
        Assert.Equal(100, Mel.NaturalFrameCount(n));
        double[] s = Mel.Compute(x);
        for (int t = 0; t < 64; t++)
        {
            double maxOverBands = Enumerable.Range(0, 40).Max(m => s[m * 64 + t]);
            if (t <= 32) Assert.Equal(Mel.FloorValue, maxOverBands);
            else Assert.True(maxOverBands > Mel.FloorValue + 1, $"frame {t}");
        }
    }

    [Fact]
    public void Compute_WrongSampleRate_NamesTheSource()
    {
        var audio = new WavAudio(new double[100], 16000, 16);
        ReaderAssert.UserError(() => Mel.Compute(audio, "a.wav"), "a.wav", "sample rate 16000 Hz", "expect 8000 Hz");
    }

    [Fact]
    public void Options_Inconsistent_AreRejected()
    {
        var e = Assert.Throws<MucmmUserException>(() => new LogMelSpectrogram(new LogMelOptions { MaxFrequency = 5000 }));
        Assert.Contains("exceeds the Nyquist frequency 4000", e.Message);
        e = Assert.Throws<MucmmUserException>(() => new LogMelSpectrogram(new LogMelOptions { FftSize = 128 }));
        Assert.Contains("FFT size 128", e.Message);
    }

    /// <summary>Every FSDD recording (first 300 files) gives a finite [40, 64] spectrogram.</summary>
    [FsddFact]
    public void FsddRecordings_GiveFiniteFixedShape()
    {
        foreach (string f in Directory.GetFiles(Path.Combine(TestPaths.Fsdd, "recordings"), "*.wav").Order().Take(300))
        {
            double[] s = Mel.Compute(WavFile.Read(f), f);
            Assert.Equal(2560, s.Length);
            Assert.All(s, v => Assert.True(double.IsFinite(v) && v >= Mel.FloorValue));
        }
    }
}

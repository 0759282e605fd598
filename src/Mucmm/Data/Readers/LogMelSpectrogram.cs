namespace Mucmm.Data.Readers;

/// <summary>
/// Parameters of <see cref="LogMelSpectrogram"/>. Defaults suit 8 kHz speech such as the Free
/// Spoken Digit Dataset (median recording 0.42 s, 95 % under 0.67 s, longest 2.3 s).
/// </summary>
public sealed record LogMelOptions
{
    /// <summary>Expected sample rate in Hz (default 8000); audio at another rate is rejected, not resampled.</summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>Analysis window length in seconds (default 0.025 = 200 samples at 8 kHz).</summary>
    public double WindowSeconds { get; init; } = 0.025;

    /// <summary>Hop between frame starts in seconds (default 0.010 = 80 samples at 8 kHz).</summary>
    public double HopSeconds { get; init; } = 0.010;

    /// <summary>FFT length (a power of two ≥ the window length; frames are zero-padded to it). Default 256 (31.25 Hz bins at 8 kHz).</summary>
    public int FftSize { get; init; } = 256;

    /// <summary>Number of mel bands (default 40).</summary>
    public int MelBands { get; init; } = 40;

    /// <summary>Lower edge of the lowest mel filter in Hz (default 0).</summary>
    public double MinFrequency { get; init; }

    /// <summary>Upper edge of the highest mel filter in Hz (default 4000 = Nyquist at 8 kHz); at most SampleRate / 2.</summary>
    public double MaxFrequency { get; init; } = 4000;

    /// <summary>
    /// Added to each mel energy before the natural log (default 1e-8, i.e. −80 dB relative to a
    /// full-scale white noise of variance 1); silence and padding frames take the value ln(PowerFloor).
    /// </summary>
    public double PowerFloor { get; init; } = 1e-8;

    /// <summary>
    /// Fixed number of output frames (default 64 = 0.71 s at a 10 ms hop with a 25 ms window).
    /// Longer recordings are cropped around their centre; shorter ones are padded with ln(PowerFloor)
    /// on both sides, centred (the extra frame of an odd difference goes to the end).
    /// </summary>
    public int Frames { get; init; } = 64;

    /// <summary>Window length in samples: round(WindowSeconds · SampleRate).</summary>
    public int WindowLength => (int)Math.Round(WindowSeconds * SampleRate);

    /// <summary>Hop length in samples: round(HopSeconds · SampleRate).</summary>
    public int HopLength => (int)Math.Round(HopSeconds * SampleRate);
}

/// <summary>
/// Log-mel spectrogram with a fixed output shape [<see cref="LogMelOptions.MelBands"/>,
/// <see cref="LogMelOptions.Frames"/>] (row-major, lowest band first, time left to right).
/// </summary>
/// <remarks>
/// <para>For frame t (samples t·hop … t·hop + W − 1, W the window length; a recording shorter than W
/// is zero-padded to one frame, otherwise there are 1 + ⌊(n − W)/hop⌋ frames, no padding at the ends):</para>
/// <list type="number">
/// <item>multiply by a periodic Hann window w[i] = 0.5 − 0.5·cos(2πi/W), i = 0…W−1;</item>
/// <item>zero-pad to the FFT length N and take the DFT X_k = Σ_i w[i]x[i]·e^(−2πi·ik/N) (radix-2 FFT);</item>
/// <item>power P_k = |X_k|² / Σ_i w[i]², k = 0…N/2 (so white noise of variance σ² gives E P_k = σ²);</item>
/// <item>mel energies E_m = Σ_k H_m(f_k) P_k with f_k = k·SampleRate/N and triangular filters H_m of
/// peak 1 whose edges and centres are M + 2 points equally spaced on the HTK mel scale
/// mel(f) = 2595·log10(1 + f/700) from MinFrequency to MaxFrequency (filter m rises from point m to
/// point m+1 and falls to point m+2; no area normalization);</item>
/// <item>output ln(E_m + PowerFloor).</item>
/// </list>
/// <para>No pre-emphasis, no DC removal, no per-recording normalization. Then the frames are cropped
/// or padded to the fixed count (see <see cref="LogMelOptions.Frames"/>).</para>
/// </remarks>
public sealed class LogMelSpectrogram
{
    private readonly double[] _window;
    private readonly double _windowEnergy;
    private readonly int[] _filterStart;
    private readonly double[][] _filterWeights;
    private readonly double[] _centers;
    private readonly double[] _cos, _sin;
    private readonly int[] _bitReverse;

    /// <summary>Precomputes the window, filter bank and FFT tables.</summary>
    /// <exception cref="MucmmUserException">Inconsistent options (named).</exception>
    public LogMelSpectrogram(LogMelOptions? options = null)
    {
        var o = options ?? new LogMelOptions();
        Validate(o);
        Options = o;
        int w = o.WindowLength, n = o.FftSize;

        _window = new double[w];
        for (int i = 0; i < w; i++) _window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / w);
        _windowEnergy = _window.Sum(v => v * v);

        // Mel filter bank: M + 2 points equally spaced in mel.
        int m = o.MelBands;
        double lo = HzToMel(o.MinFrequency), hi = HzToMel(o.MaxFrequency);
        var edges = new double[m + 2];
        for (int i = 0; i < edges.Length; i++) edges[i] = MelToHz(lo + (hi - lo) * i / (m + 1));
        _centers = edges[1..^1];
        _filterStart = new int[m];
        _filterWeights = new double[m][];
        int bins = n / 2 + 1;
        for (int b = 0; b < m; b++)
        {
            double left = edges[b], center = edges[b + 1], right = edges[b + 2];
            var weights = new List<double>();
            int start = -1;
            for (int k = 0; k < bins; k++)
            {
                double f = (double)k * o.SampleRate / n;
                double h = f <= left || f >= right ? 0 : f <= center ? (f - left) / (center - left) : (right - f) / (right - center);
                if (h > 0)
                {
                    if (start < 0) start = k;
                    weights.Add(h);
                }
                else if (start >= 0) break;
            }
            if (start < 0)
                throw new MucmmUserException($"log-mel options: mel band {b} ({left:F1}–{right:F1} Hz) contains no FFT bin; use fewer mel bands or a larger FFT size");
            _filterStart[b] = start;
            _filterWeights[b] = weights.ToArray();
        }

        // FFT tables.
        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++)
        {
            _cos[k] = Math.Cos(2 * Math.PI * k / n);
            _sin[k] = -Math.Sin(2 * Math.PI * k / n);
        }
        _bitReverse = new int[n];
        int bitsN = System.Numerics.BitOperations.Log2((uint)n);
        for (int i = 0; i < n; i++)
        {
            int r = 0;
            for (int bit = 0; bit < bitsN; bit++) r |= ((i >> bit) & 1) << (bitsN - 1 - bit);
            _bitReverse[i] = r;
        }
    }

    /// <summary>The options in use.</summary>
    public LogMelOptions Options { get; }

    /// <summary>Number of mel bands (rows of the output).</summary>
    public int Bands => Options.MelBands;

    /// <summary>Number of frames (columns of the output).</summary>
    public int Frames => Options.Frames;

    /// <summary>Output shape [bands, frames], e.g. for <see cref="View.SampleShape"/>.</summary>
    public int[] Shape => [Bands, Frames];

    /// <summary>Centre frequency of each mel band in Hz, lowest first.</summary>
    public IReadOnlyList<double> CenterFrequencies => _centers;

    /// <summary>The value of silence and of padding frames: ln(PowerFloor).</summary>
    public double FloorValue => Math.Log(Options.PowerFloor);

    /// <summary>HTK mel scale: 2595 · log10(1 + hz / 700).</summary>
    public static double HzToMel(double hz) => 2595.0 * Math.Log10(1.0 + hz / 700.0);

    /// <summary>Inverse of <see cref="HzToMel"/>: 700 · (10^(mel / 2595) − 1).</summary>
    public static double MelToHz(double mel) => 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);

    /// <summary>Number of frames before cropping/padding for a recording of <paramref name="samples"/> samples.</summary>
    public int NaturalFrameCount(int samples) =>
        samples <= Options.WindowLength ? 1 : 1 + (samples - Options.WindowLength) / Options.HopLength;

    /// <summary>Log-mel spectrogram of a recording, checking its sample rate; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="MucmmUserException">The sample rate differs from <see cref="LogMelOptions.SampleRate"/>.</exception>
    public double[] Compute(WavAudio audio, string source)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != Options.SampleRate)
            throw new MucmmUserException(source, $"sample rate {audio.SampleRate} Hz, the log-mel options expect {Options.SampleRate} Hz (resample the audio first)");
        return Compute(audio.Samples);
    }

    /// <summary>
    /// Log-mel spectrogram of samples at <see cref="LogMelOptions.SampleRate"/>: a new array of
    /// length Bands × Frames, element [m, t] at m·Frames + t, lowest band first.
    /// </summary>
    public double[] Compute(ReadOnlySpan<double> samples)
    {
        int outFrames = Frames, natural = NaturalFrameCount(samples.Length);
        var result = new double[Bands * outFrames];
        Array.Fill(result, FloorValue);
        int first = natural > outFrames ? (natural - outFrames) / 2 : 0;          // natural frame of output column `offset`
        int offset = natural < outFrames ? (outFrames - natural) / 2 : 0;          // output column of natural frame `first`
        int count = Math.Min(natural, outFrames);
        int n = Options.FftSize, w = Options.WindowLength, hop = Options.HopLength;
        var re = new double[n];
        var im = new double[n];
        var power = new double[n / 2 + 1];
        for (int j = 0; j < count; j++)
        {
            int start = (first + j) * hop;
            int len = Math.Clamp(samples.Length - start, 0, w);
            PowerSpectrum(samples.Slice(start, len), re, im, power);
            for (int b = 0; b < Bands; b++)
            {
                double e = 0;
                var h = _filterWeights[b];
                int k0 = _filterStart[b];
                for (int q = 0; q < h.Length; q++) e += h[q] * power[k0 + q];
                result[b * outFrames + offset + j] = Math.Log(e + Options.PowerFloor);
            }
        }
        return result;
    }

    /// <summary>
    /// Power spectrum P_k = |X_k|² / Σw², k = 0…N/2, of one frame (at most WindowLength samples;
    /// shorter frames are zero-padded): Hann window, zero padding to the FFT size, DFT.
    /// </summary>
    public double[] PowerSpectrum(ReadOnlySpan<double> frame)
    {
        int n = Options.FftSize;
        var power = new double[n / 2 + 1];
        PowerSpectrum(frame, new double[n], new double[n], power);
        return power;
    }

    private void PowerSpectrum(ReadOnlySpan<double> frame, double[] re, double[] im, double[] power)
    {
        if (frame.Length > _window.Length)
            throw new ArgumentException($"a frame holds at most {_window.Length} samples", nameof(frame));
        int n = re.Length;
        Array.Clear(re);
        Array.Clear(im);
        for (int i = 0; i < frame.Length; i++) re[_bitReverse[i]] = frame[i] * _window[i];
        // Iterative radix-2 Cooley–Tukey on bit-reversed input.
        for (int size = 2; size <= n; size <<= 1)
        {
            int half = size >> 1, step = n / size;
            for (int s = 0; s < n; s += size)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = _cos[k * step], wi = _sin[k * step];
                    int a = s + k, b = a + half;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
        for (int k = 0; k < power.Length; k++)
            power[k] = (re[k] * re[k] + im[k] * im[k]) / _windowEnergy;
    }

    private static void Validate(LogMelOptions o)
    {
        string? problem =
            o.SampleRate <= 0 ? $"sample rate must be positive (got {o.SampleRate})" :
            o.WindowLength < 2 ? $"the window ({o.WindowSeconds} s) must span at least 2 samples" :
            o.HopLength < 1 ? $"the hop ({o.HopSeconds} s) must span at least 1 sample" :
            o.FftSize < o.WindowLength || !System.Numerics.BitOperations.IsPow2(o.FftSize) ? $"FFT size {o.FftSize} must be a power of two ≥ the window length {o.WindowLength}" :
            o.MelBands < 1 ? $"mel bands must be ≥ 1 (got {o.MelBands})" :
            o.MinFrequency < 0 || o.MinFrequency >= o.MaxFrequency ? $"need 0 ≤ min frequency < max frequency (got {o.MinFrequency}, {o.MaxFrequency})" :
            o.MaxFrequency > o.SampleRate / 2.0 ? $"max frequency {o.MaxFrequency} Hz exceeds the Nyquist frequency {o.SampleRate / 2.0} Hz" :
            !(o.PowerFloor > 0) ? $"power floor must be positive (got {o.PowerFloor})" :
            o.Frames < 1 ? $"frames must be ≥ 1 (got {o.Frames})" :
            null;
        if (problem is not null) throw new MucmmUserException("log-mel options: " + problem);
    }
}

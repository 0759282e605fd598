using System.Globalization;

namespace Mucmm;

/// <summary>
/// Refuses work that cannot fit in memory before it starts: a fit estimates the bytes it will hold at
/// its peak (d × d float64 blocks, data copies, batches) and calls <see cref="Require"/>, which compares
/// the estimate with the memory the machine has available now.
/// </summary>
/// <remarks>
/// Available memory is <c>MemAvailable</c> of <c>/proc/meminfo</c> (Linux) capped by the GC's limit
/// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory or the container limit),
/// plus what this process's managed heap already holds (it can reuse it). The environment variable
/// <c>MUCMM_MEMORY_LIMIT</c> (bytes, or with a suffix K, M, G, T: <c>8G</c>) lowers it further, e.g. to
/// keep a shared machine usable. The estimates are rough
/// upper bounds (within a factor of about 2); they exist to refuse a 16 GB fit on an 8 GB machine in a
/// second, not to plan memory to the megabyte.
/// </remarks>
public static class MemoryBudget
{
    /// <summary>The environment variable that caps <see cref="AvailableBytes"/>.</summary>
    public const string LimitVariable = "MUCMM_MEMORY_LIMIT";

    /// <summary>Bytes the process can still allocate: see the remarks.</summary>
    public static long AvailableBytes()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (limit <= 0) limit = long.MaxValue;
        if (Environment.GetEnvironmentVariable(LimitVariable) is { Length: > 0 } text) limit = Math.Min(limit, ParseLimit(text));
        long available = limit;
        try
        {
            if (File.Exists("/proc/meminfo"))
            {
                foreach (var line in File.ReadLines("/proc/meminfo"))
                {
                    if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                        available = Math.Min(limit, kb * 1024 + GC.GetTotalMemory(false));
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return available;
    }

    /// <summary>
    /// Throws a one-line <see cref="MucmmUserException"/> when <paramref name="bytes"/> exceeds
    /// <see cref="AvailableBytes"/>: "<paramref name="what"/> needs about X of memory (<paramref name="detail"/>),
    /// but about Y is available; <paramref name="advice"/>".
    /// </summary>
    /// <param name="bytes">Estimated peak bytes of the work.</param>
    /// <param name="what">The work, e.g. "the linear fit".</param>
    /// <param name="detail">How the estimate is made up, e.g. "d × d float64 blocks of widths 20000 and 2".</param>
    /// <param name="advice">What the user can do.</param>
    public static void Require(double bytes, string what, string detail, string advice)
    {
        long available = AvailableBytes();
        if (bytes <= available) return;
        throw new MucmmUserException(
            $"{what} needs about {Format(bytes)} of memory ({detail}), but about {Format(available)} is available; {advice}");
    }

    private static long ParseLimit(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B');
        long unit = 1;
        if (t.Length > 0 && "KMGT".Contains(t[^1]))
        {
            unit = 1L << (10 * ("KMGT".IndexOf(t[^1]) + 1));
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0))
            throw new MucmmUserException($"{LimitVariable} must be a positive number of bytes (e.g. 8G), got '{text}'");
        return (long)Math.Min(v * unit, long.MaxValue);
    }

    /// <summary>A byte count for messages, in decimal units: "512 B", "3.1 MB", "15.8 GB".</summary>
    public static string Format(double bytes) => bytes switch
    {
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.#} kB"),
        < 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.#} MB"),
        < 1e12 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.#} GB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e12:0.#} TB"),
    };
}

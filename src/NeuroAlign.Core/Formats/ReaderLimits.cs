using System.Globalization;

namespace NeuroAlign.Formats;

/// <summary>
/// The largest and smallest values the readers accept from a file's metadata, checked before any
/// value is used to size, allocate or time anything (docs/reliability.md lists them and why).
/// </summary>
public static class ReaderLimits
{
    /// <summary>
    /// The slowest sample rate accepted: one sample in 11.6 days. Slower "rates" are
    /// denormals and unit mistakes (imSampRate=1e-308), and make times overflow.
    /// </summary>
    public const double MinRateHz = 1e-6;

    /// <summary>The fastest sample rate accepted: 1 GHz, 30 000 × a Neuropixels AP band. Faster rates are corrupt headers.</summary>
    public const double MaxRateHz = 1e9;

    /// <summary>
    /// The largest sample index or count that a double holds exactly (2^53): sample numbers beyond
    /// it cannot be turned into times without losing samples.
    /// </summary>
    public const long MaxExactSampleIndex = 1L << 53;

    /// <summary>The most channels a recording may have (2^20: 2 700 Neuropixels probes); beyond are corrupt headers.</summary>
    public const int MaxChannels = 1 << 20;

    /// <summary>Whether <paramref name="rateHz"/> is a finite rate within [<see cref="MinRateHz"/>, <see cref="MaxRateHz"/>].</summary>
    public static bool IsSaneRate(double rateHz) => double.IsFinite(rateHz) && rateHz >= MinRateHz && rateHz <= MaxRateHz;

    /// <summary>Throws unless <paramref name="rateHz"/> is a sane rate; names the file and the field.</summary>
    /// <exception cref="InvalidRecordingException">The rate is not finite, not positive or outside the range.</exception>
    public static double CheckRate(string path, string location, double rateHz)
    {
        if (!IsSaneRate(rateHz))
        {
            throw new InvalidRecordingException(path, location, Number(rateHz), $"a sample rate from {Number(MinRateHz)} Hz to {Number(MaxRateHz)} Hz");
        }

        return rateHz;
    }

    /// <summary>Throws unless <paramref name="seconds"/> is a sane sampling period (the inverse of a sane rate), e.g. a TR.</summary>
    /// <exception cref="InvalidRecordingException">The period is not finite, not positive or outside the range.</exception>
    public static double CheckPeriod(string path, string location, double seconds)
    {
        if (!(double.IsFinite(seconds) && seconds >= 1 / MaxRateHz && seconds <= 1 / MinRateHz))
        {
            throw new InvalidRecordingException(path, location, Number(seconds) + " s", $"a period from {Number(1 / MaxRateHz)} s to {Number(1 / MinRateHz)} s (a rate from {Number(MinRateHz)} Hz to {Number(MaxRateHz)} Hz)");
        }

        return seconds;
    }

    /// <summary>A number as a message shows it: shortest round-trip form, invariant culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

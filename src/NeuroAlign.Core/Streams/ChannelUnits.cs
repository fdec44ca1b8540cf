namespace NeuroAlign.Streams;

/// <summary>What an export writes for ephys samples (the units setting).</summary>
public enum EphysUnits
{
    /// <summary>The stored values, as stored.</summary>
    Counts,

    /// <summary>float32: every voltage channel in microvolts (count × gain_to_uV).</summary>
    Microvolts,

    /// <summary>float32: every voltage channel in its natural unit (µV for probes, V for NIDQ and NI-DAQ analog inputs).</summary>
    Physical,
}

/// <summary>
/// Per-channel units: a channel's natural unit (from its <see cref="ChannelLayout.Units"/>) and the
/// unit its values are written in for each <see cref="EphysUnits"/>. Digital words and values of no
/// known unit stay as stored ("counts") whatever is asked: scaling a word would lose its bits.
/// </summary>
public static class ChannelUnits
{
    public const string Counts = "counts";

    public const string Microvolts = "uV";

    public const string Millivolts = "mV";

    public const string Volts = "V";

    /// <summary>Microvolts per unit of a voltage unit; NaN for counts.</summary>
    public static double MicrovoltsPer(string unit) => unit switch
    {
        Microvolts => 1,
        Millivolts => 1e3,
        Volts => 1e6,
        _ => double.NaN,
    };

    /// <summary>
    /// Each channel's natural unit: the layout's when the metadata gives one; otherwise microvolts,
    /// counts for the digital channels.
    /// </summary>
    public static string[] Natural(ContinuousStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string[] units = stream.ChannelLayout?.Units is { Count: > 0 } given && given.Count == stream.ChannelCount
            ? [.. given]
            : Enumerable.Repeat(Microvolts, stream.ChannelCount).ToArray();
        foreach (int digital in stream.DigitalChannelPositions)
        {
            units[digital] = Counts;
        }

        return units;
    }

    /// <summary>The unit each channel's values are written in when <paramref name="asked"/>.</summary>
    public static string[] Output(ContinuousStream stream, EphysUnits asked)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return asked switch
        {
            EphysUnits.Counts => Enumerable.Repeat(Counts, stream.ChannelCount).ToArray(),
            EphysUnits.Microvolts => [.. Natural(stream).Select(u => u == Counts ? Counts : Microvolts)],
            _ => Natural(stream),
        };
    }

    /// <summary>The float32 view that writes <paramref name="asked"/>; null for counts (the stream itself is written).</summary>
    public static MicrovoltStream? View(ContinuousStream stream, EphysUnits asked)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return asked switch
        {
            EphysUnits.Counts => null,
            EphysUnits.Microvolts => new MicrovoltStream(stream),
            _ => new MicrovoltStream(stream, Output(stream, asked)),
        };
    }
}

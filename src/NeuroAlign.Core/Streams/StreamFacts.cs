using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Modalities.Spikes;

namespace NeuroAlign.Streams;

/// <summary>What <c>info</c> says of a file: named facts, one line each under its path.</summary>
public static class StreamFacts
{
    /// <summary>A stream's format, samples, shape, type, rate, span and clock, then its own details.</summary>
    public static List<KeyValuePair<string, string>> Of(ISampleStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var clock = stream.Clock;
        double duration = clock.SampleCount == 0 ? 0 : clock.EndSeconds - clock.StartSeconds;
        var rows = new List<KeyValuePair<string, string>>
        {
            new("format", stream.FormatName),
            new("samples", clock.SampleCount.ToString()),
            new("sample shape", string.Join(" × ", stream.SampleShape)),
            new("dtype", stream.ElementType.ToText()),
            new("rate", $"{clock.MeanRateHz:R} Hz"),
            new("duration", $"{duration:F6} s"),
            new("t0", $"{clock.StartSeconds:R} s (own clock)"),
            new("clock", clock.Describe()),
        };
        if (stream is SpikeStream { Spikes.SampleRateHz: double hz } spikes && !double.IsFinite(hz))
        {
            // Spike times in seconds (NWB Units): the clock's "samples" are the distinct spike times,
            // whose mean rate says nothing (NaN for one spike); the spikes and their span do.
            SortedSpikes s = spikes.Spikes;
            string span = s.SpikeCount == 0 ? "no spikes" : $"{s.SpikeCount} spikes from {clock.TimeOf(s.FirstSample):R} s to {clock.TimeOf(s.LastSample):R} s";
            rows[1] = new("samples", $"{clock.SampleCount} distinct spike times");
            rows[4] = new("rate", $"none (spike times in seconds): {span}");
            rows[7] = new("clock", "explicit: the distinct spike times (see clock below)");
        }

        rows.AddRange(stream.Details);
        return rows;
    }

    /// <summary>Writes <paramref name="path"/> and its facts, aligned.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, string>> rows, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(path);
        int width = rows.Max(r => r.Key.Length) + 1;
        foreach (var (key, value) in rows)
        {
            output.WriteLine($"  {(key + ":").PadRight(width + 1)}{value}");
        }
    }
}

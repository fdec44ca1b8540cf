using System.Globalization;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>
/// The times of one kind of edge of one line (a strobe, a trigger, a sync square wave), in seconds
/// on one clock, strictly increasing: a stream's own clock when read from its digital line, the
/// reference clock once mapped there, or whatever clock a plain list of times was written on.
/// </summary>
public sealed class PulseTrain
{
    private readonly double[] _seconds;

    /// <param name="source">What the pulses are, for messages: "ephys: SY word (column 384) line 6, rising edges".</param>
    /// <param name="seconds">Pulse times, strictly increasing (checked).</param>
    /// <param name="resolutionSeconds">Sample period of the clock the pulses were read on; null for a list of times.</param>
    public PulseTrain(string source, double[] seconds, double? resolutionSeconds)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(seconds);
        for (int i = 0; i < seconds.Length; i++)
        {
            if (!double.IsFinite(seconds[i]))
            {
                throw new NeuroAlignException($"{source}: pulse {i} is at {seconds[i]} s, expected a finite time");
            }

            if (i > 0 && !(seconds[i] > seconds[i - 1]))
            {
                throw new NeuroAlignException(
                    $"{source}: pulse times are not increasing at pulse {i} ({seconds[i - 1]:R} s then {seconds[i]:R} s)");
            }
        }

        Source = source;
        _seconds = seconds;
        ResolutionSeconds = resolutionSeconds;
    }

    /// <summary>What the pulses are, for messages.</summary>
    public string Source { get; }

    /// <summary>The pulse times, seconds, increasing.</summary>
    public IReadOnlyList<double> Seconds => _seconds;

    /// <summary>Number of pulses.</summary>
    public int Count => _seconds.Length;

    /// <summary>Sample period of the clock the edges were read on (their time resolution); null for a list of times.</summary>
    public double? ResolutionSeconds { get; }

    /// <summary>The median interval between pulses, seconds (NaN with fewer than two pulses): robust to a few missing ones.</summary>
    public double MedianIntervalSeconds => MedianInterval(_seconds);

    /// <summary>
    /// The edges of <paramref name="line"/> in <paramref name="set"/>, glitches shorter than
    /// <paramref name="minimumWidthSeconds"/> removed, as own-clock times of the set's stream.
    /// </summary>
    /// <param name="set">The digital lines of the stream.</param>
    /// <param name="line">The line's number in <paramref name="set"/>.</param>
    /// <param name="kind">Rising or falling edges.</param>
    /// <param name="minimumWidthSeconds">Pulses (high or low) shorter than this are glitches and removed.</param>
    /// <param name="streamName">The stream's name in messages (ephys, ephys_1…).</param>
    /// <exception cref="NeuroAlignException">No such line, or the line carries no such edge.</exception>
    public static PulseTrain FromLine(DigitalLineSet set, int line, EdgeKind kind, double minimumWidthSeconds, string streamName)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(streamName);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumWidthSeconds);
        SampleClock clock = set.Clock;
        DigitalEdges raw = set.GetEdges(line);
        long minimumSamples = DigitalEdges.WidthInSamples(minimumWidthSeconds, clock.MeanRateHz);
        DigitalEdges edges = raw.Debounce(minimumSamples);
        IReadOnlyList<long> samples = edges.Samples(kind);
        string source = $"{streamName} {set.Name} line {line}, {kind.ToText()} edges";
        if (samples.Count == 0)
        {
            int glitches = raw.Samples(kind).Count;
            string why = glitches > 0
                ? $"its {glitches} {kind.ToText()} edge(s) all belong to pulses shorter than the minimum width {minimumWidthSeconds * 1e3:G4} ms"
                : $"the line is {(raw.InitialState ? "high" : "low")} throughout its {clock.SampleCount} samples";
            throw new NeuroAlignException($"{source}: no pulses: {why}");
        }

        var seconds = new double[samples.Count];
        for (int i = 0; i < seconds.Length; i++)
        {
            seconds[i] = clock.TimeOf(samples[i]);
        }

        return new PulseTrain(source, seconds, 1 / clock.MeanRateHz);
    }

    /// <summary>
    /// Pulse times in seconds from a file: a .npy vector (float or integer seconds), a CSV/TSV with a
    /// header (column <paramref name="column"/>, else one named like a time (<see cref="TimeColumns.Names"/>),
    /// else the first), or one time per line; an n/a time is an error. Pulses closer than <paramref name="minimumWidthSeconds"/> to the previous one kept are
    /// dropped as glitches (a list has no pulse widths to judge).
    /// </summary>
    public static PulseTrain FromFile(string path, double minimumWidthSeconds = 0, string? column = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumWidthSeconds);
        TimeColumnValues? read = Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase)
            ? null
            : TimeColumns.Read(path, new TimeColumnRequest { Column = column, What = "pulse time" });
        double[] times = read?.Seconds ?? ReadNpy(path);
        if (times.Length == 0)
        {
            throw new InvalidRecordingException(path, "rows", "no times", "at least one pulse time");
        }

        for (int i = 1; i < times.Length; i++)
        {
            if (!(times[i] > times[i - 1]))
            {
                throw new InvalidRecordingException(
                    path, $"pulse {i}", $"{times[i].ToString("R", CultureInfo.InvariantCulture)} s after {times[i - 1].ToString("R", CultureInfo.InvariantCulture)} s", "strictly increasing pulse times");
            }
        }

        var kept = new List<double>(times.Length);
        foreach (double t in times)
        {
            if (kept.Count == 0 || t - kept[^1] >= minimumWidthSeconds)
            {
                kept.Add(t);
            }
        }

        // Edges of a sampled line kept in a container (an NWB TTL series) keep that line's resolution.
        return new PulseTrain($"pulse times in {path}", [.. kept], resolutionSeconds: read?.ResolutionSeconds);
    }

    /// <summary>The same pulses on another clock: <paramref name="map"/> applied to each time.</summary>
    public PulseTrain Map(ClockMap map, string source)
    {
        ArgumentNullException.ThrowIfNull(map);
        double[] mapped = _seconds.Select(map.ToReference).ToArray();
        return new PulseTrain(source, mapped, ResolutionSeconds);
    }

    public static double MedianInterval(IReadOnlyList<double> seconds)
    {
        if (seconds.Count < 2)
        {
            return double.NaN;
        }

        var intervals = new double[seconds.Count - 1];
        for (int i = 1; i < seconds.Count; i++)
        {
            intervals[i - 1] = seconds[i] - seconds[i - 1];
        }

        Array.Sort(intervals);
        int mid = intervals.Length / 2;
        return intervals.Length % 2 == 1 ? intervals[mid] : (intervals[mid - 1] + intervals[mid]) / 2;
    }

    private static double[] ReadNpy(string path)
    {
        using NpyArray array = NpyArray.OpenVector(
            path, SampleType.Float64, SampleType.Float32, SampleType.Int64, SampleType.Int32, SampleType.UInt32, SampleType.Int16, SampleType.UInt16);
        if (array.Count == 0)
        {
            throw new InvalidRecordingException(path, "header 'shape'", "(0,)", "at least one pulse time");
        }

        var times = new double[array.Count];
        for (long i = 0; i < times.Length; i++)
        {
            times[i] = array.GetDouble(i);
            if (!double.IsFinite(times[i]))
            {
                throw new InvalidRecordingException(path, $"element {i}", times[i].ToString(CultureInfo.InvariantCulture), "a finite number of seconds");
            }
        }

        return times;
    }
}

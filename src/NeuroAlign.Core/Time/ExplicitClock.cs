namespace NeuroAlign.Time;

/// <summary>
/// A clock given by each sample's own time: video presentation times, Open Ephys timestamps,
/// BIDS VolumeTiming, strobe edges. Time → index is a binary search.
/// </summary>
public sealed class ExplicitClock : SampleClock
{
    private readonly ITimestamps _times;

    // The times when they are an array (most clocks): searched without an interface call per probe.
    private readonly double[]? _array;
    private readonly double _lastDurationSeconds;

    /// <param name="times">Sample times, seconds, strictly increasing (checked here).</param>
    /// <param name="lastSampleDurationSeconds">How long the last sample lasts; by default the last interval.</param>
    /// <param name="sourceDescription">Where the times came from, for error messages and descriptions.</param>
    public ExplicitClock(ITimestamps times, double? lastSampleDurationSeconds = null, string sourceDescription = "timestamps")
    {
        ArgumentNullException.ThrowIfNull(times);
        _times = times;
        _array = (times as ArrayTimestamps)?.Array;
        Source = sourceDescription;
        for (long k = 0; k < times.Count; k++)
        {
            double t = times[k];
            if (!double.IsFinite(t))
            {
                throw new NeuroAlignException($"{sourceDescription}: time {k} is {t}, expected a finite number of seconds");
            }

            if (k > 0 && !(t > times[k - 1]))
            {
                throw new NeuroAlignException(
                    $"{sourceDescription}: times are not strictly increasing at sample {k} ({times[k - 1]:R} s then {t:R} s)");
            }
        }

        _lastDurationSeconds = lastSampleDurationSeconds
            ?? (times.Count >= 2 ? times[times.Count - 1] - times[times.Count - 2] : 0);
    }

    public ExplicitClock(double[] seconds, double? lastSampleDurationSeconds = null, string sourceDescription = "timestamps")
        : this(new ArrayTimestamps(seconds), lastSampleDurationSeconds, sourceDescription)
    {
    }

    /// <summary>Where the times came from.</summary>
    public string Source { get; }

    public override long SampleCount => _times.Count;

    /// <summary>The sample times; the owner of a clock over times read from a file disposes them when they are <see cref="IDisposable"/>.</summary>
    public ITimestamps Times => _times;

    public override double EndSeconds =>
        _times.Count == 0 ? 0 : _times[_times.Count - 1] + Math.Max(_lastDurationSeconds, ToleranceSeconds * 2);

    public override double MeanRateHz =>
        _times.Count < 2 ? double.NaN : (_times.Count - 1) / (_times[_times.Count - 1] - _times[0]);

    public override double TimeOf(long index) => _times[index];

    public override long IndexAtOrBefore(double seconds) =>
        _array is { } array
            ? SortedSearch.LastAtOrBefore(array, seconds + ToleranceSeconds)
            : SortedSearch.LastWhere(_times.Count, new AtOrBefore(_times, seconds + ToleranceSeconds));

    public override void IndexesAtOrBefore(ReadOnlySpan<double> seconds, Span<long> indices)
    {
        CheckRoom(seconds, indices);
        if (_array is not { } array)
        {
            base.IndexesAtOrBefore(seconds, indices);
            return;
        }

        // One loop over the queries, no virtual or interface call inside (1 M queries: docs/benchmarks.md).
        for (int i = 0; i < seconds.Length; i++)
        {
            indices[i] = SortedSearch.LastAtOrBefore(array, seconds[i] + ToleranceSeconds);
        }
    }

    public override string Describe() =>
        _times.Count == 0
            ? $"explicit ({Source}): no samples"
            : _times.Count == 1
                ? $"explicit ({Source}): 1 time, {_times[0]:R} s (no rate)"
                : $"explicit ({Source}): {_times.Count} times from {_times[0]:R} s to {_times[_times.Count - 1]:R} s, mean rate {MeanRateHz:R} Hz";

    private readonly struct AtOrBefore(ITimestamps times, double targetSeconds) : IPrefixTest
    {
        public bool Holds(long index) => times[index] <= targetSeconds;
    }
}

namespace NeuroAlign.Time;

/// <summary>A stream's own clock composed with its map to the reference clock: queries are reference-clock seconds.</summary>
public sealed class StreamTimeline
{
    public StreamTimeline(SampleClock clock, ClockMap map)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(map);
        Clock = clock;
        Map = map;
    }

    public SampleClock Clock { get; }

    public ClockMap Map { get; }

    /// <summary>Reference-clock seconds of sample <paramref name="index"/>.</summary>
    public double ReferenceTimeOf(long index) => Map.ToReference(Clock.TimeOf(index));

    /// <summary>The sample chosen for a reference-clock time.</summary>
    public SampleLocation Locate(double referenceSeconds, IndexMode mode) => Clock.Locate(Map.ToOwn(referenceSeconds), mode);

    /// <summary>Reference-clock start of the recording.</summary>
    public double StartReferenceSeconds => Map.ToReference(Clock.StartSeconds);

    /// <summary>Reference-clock end of the recording.</summary>
    public double EndReferenceSeconds => Map.ToReference(Clock.EndSeconds);
}

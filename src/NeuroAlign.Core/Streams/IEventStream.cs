namespace NeuroAlign.Streams;

/// <summary>
/// A stream whose data are events (sorted spikes: a sample number and a unit each) rather than
/// values sampled at grid times. Its windows are made by binning: the aligner counts the events of
/// each unit in each bin [grid time, next grid time) and lists the events of the window, instead
/// of reading samples (<see cref="Alignment.EventBinner"/>, docs/architecture.md, "Events").
/// Event k's sample number is a sample of the stream's <see cref="ISampleStream.Clock"/>, so events
/// follow that clock and its map to the reference. The stream is also an ordinary
/// <see cref="ISampleStream"/>: sample k holds, per unit, the events at sample k.
/// </summary>
public interface IEventStream : ISampleStream
{
    /// <summary>U: the units (classes) events belong to; unit indices are 0..U-1.</summary>
    int UnitCount { get; }

    /// <summary>Events in the files, in sample order (those of units left out included).</summary>
    long EventCount { get; }

    /// <summary>Whether every event belongs to one of the units (none is left out): counts then need no scan.</summary>
    bool AllEventsSelected { get; }

    /// <summary>The output rate (bins per second) when none is given.</summary>
    double DefaultBinRateHz { get; }

    /// <summary>The sample number of event <paramref name="index"/> (0..EventCount-1).</summary>
    long EventSample(long index);

    /// <summary>
    /// Sample numbers and unit indices of events [start, start + samples.Length); a unit index is
    /// -1 for an event of a unit left out.
    /// </summary>
    void ReadEvents(long start, Span<long> samples, Span<int> units);

    /// <summary>A hint that events [start, start + count) will not be read again soon.</summary>
    void ReleaseEvents(long start, long count);
}

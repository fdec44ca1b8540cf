using System.Runtime.InteropServices;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Alignment;

/// <summary>
/// Makes an event stream's windows: the events of each unit in each bin of the window's grid
/// (bin k is [grid time k, grid time k+1), reference clock), and the window's events as a list
/// (reference times and unit indices, those in [t - before, t + after)). An event's reference time
/// is its sample's time on the stream's clock mapped to the reference, the same arithmetic as any
/// sample's. The window's first event is found by binary search over the sorted sample numbers;
/// after that the work is proportional to the events in the window, and memory is one block.
/// </summary>
public sealed class EventBinner
{
    /// <summary>The ragged columns of binned events: reference times and unit indices.</summary>
    public static readonly IReadOnlyList<RaggedColumn> ListColumns =
        [new(OutputSchema.SpikeTimes, SampleType.Float64), new(OutputSchema.SpikeUnits, SampleType.Int32)];

    private const int Block = 4096;

    private readonly IEventStream _events;
    private readonly StreamTimeline _timeline;
    private readonly SamplingGrid _grid;
    private readonly long[] _samples = new long[Block];
    private readonly int[] _units = new int[Block];
    private long _releasedUpTo;

    public EventBinner(IEventStream events, StreamTimeline timeline, SamplingGrid grid)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(grid);
        _events = events;
        _timeline = timeline;
        _grid = grid;
    }

    /// <summary>The first event whose reference time is at or after <paramref name="referenceSeconds"/>.</summary>
    public long FirstEventAtOrAfter(double referenceSeconds)
    {
        long lo = 0, hi = _events.EventCount;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) / 2);
            if (_timeline.ReferenceTimeOf(_events.EventSample(mid)) < referenceSeconds)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The events of kept units the window at <paramref name="windowTime"/> lists: two binary searches, and a scan of the units only when some are left out.</summary>
    public long CountListed(double windowTime)
    {
        long first = FirstEventAtOrAfter(windowTime - _grid.BeforeSeconds);
        long end = FirstEventAtOrAfter(windowTime + _grid.AfterSeconds);
        if (_events.AllEventsSelected || end <= first)
        {
            return Math.Max(0, end - first);
        }

        long count = 0;
        for (long e = first; e < end; e += Block)
        {
            int n = (int)Math.Min(Block, end - e);
            _events.ReadEvents(e, _samples.AsSpan(0, n), _units.AsSpan(0, n));
            foreach (int u in _units.AsSpan(0, n))
            {
                count += u >= 0 ? 1 : 0;
            }
        }

        ReleaseBefore(first);
        return count;
    }

    /// <summary>
    /// Fills <paramref name="counts"/> (N × U, bin-major) with the window's bin counts and
    /// <paramref name="list"/> with its events (reference seconds, unit index), in time order.
    /// Counts saturate at 65 535.
    /// </summary>
    public void Bin(double windowTime, Span<ushort> counts, RaggedWindow list)
    {
        ArgumentNullException.ThrowIfNull(list);
        int units = _events.UnitCount;
        int bins = _grid.PointCount;
        counts.Clear();
        list.Count = 0;
        double start = _grid.TimeAt(windowTime, 0);
        double binEnd = _grid.TimeAt(windowTime, bins);
        double listEnd = windowTime + _grid.AfterSeconds;
        double end = Math.Max(binEnd, listEnd);
        double rate = _grid.OutputRateHz;
        long first = FirstEventAtOrAfter(Math.Min(start, windowTime - _grid.BeforeSeconds));
        long total = _events.EventCount;
        long e = first;
        bool done = false;
        while (!done && e < total)
        {
            int n = (int)Math.Min(Block, total - e);
            _events.ReadEvents(e, _samples.AsSpan(0, n), _units.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                double t = _timeline.ReferenceTimeOf(_samples[i]);
                if (t >= end)
                {
                    done = true;
                    break;
                }

                int u = _units[i];
                if (u < 0)
                {
                    continue;
                }

                if (t < binEnd)
                {
                    // The bin by arithmetic, then checked against the grid's own times so a spike
                    // on an edge falls where the grid (and numpy's histogram over it) puts it.
                    int k = (int)Math.Floor((t - start) * rate);
                    k = Math.Clamp(k, 0, bins - 1);
                    while (k > 0 && t < _grid.TimeAt(windowTime, k))
                    {
                        k--;
                    }

                    while (k < bins - 1 && t >= _grid.TimeAt(windowTime, k + 1))
                    {
                        k++;
                    }

                    ref ushort c = ref counts[(k * units) + u];
                    if (c < ushort.MaxValue)
                    {
                        c++;
                    }
                }

                if (t < listEnd)
                {
                    if (list.Count == list.Columns[0].Length)
                    {
                        list.EnsureCapacity(list.Count + 1);
                    }

                    ((double[])list.Columns[0])[list.Count] = t;
                    ((int[])list.Columns[1])[list.Count] = u;
                    list.Count++;
                }
            }

            e += n;
        }

        ReleaseBefore(first);
    }

    /// <summary>Windows come in time order: the events before this window's first are done with, and leave the process.</summary>
    private void ReleaseBefore(long first)
    {
        if (first > _releasedUpTo)
        {
            _events.ReleaseEvents(_releasedUpTo, first - _releasedUpTo);
            _releasedUpTo = first;
        }
    }

    /// <summary>Bins into a window buffer made for a binned layout (uint16 counts).</summary>
    public void Bin(double windowTime, WindowBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Bin(windowTime, MemoryMarshal.Cast<byte, ushort>(buffer.DataBytes), buffer.Ragged ?? throw new ArgumentException("the buffer has no ragged rows; make it from a binned layout", nameof(buffer)));
    }
}

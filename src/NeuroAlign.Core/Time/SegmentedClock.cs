namespace NeuroAlign.Time;

/// <summary>One segment of a <see cref="SegmentedClock"/> (a file of a run): samples at counter values [start, start + count).</summary>
/// <param name="CounterStart">The first sample's value on the shared sample counter (SpikeGLX's firstSample).</param>
/// <param name="SampleCount">Samples in the stretch, at least one.</param>
public readonly record struct ClockSegment(long CounterStart, long SampleCount)
{
    /// <summary>The counter value just past the stretch.</summary>
    public long CounterEnd => CounterStart + SampleCount;
}

/// <summary>
/// A regular clock with gaps: stretches of samples on one shared sample counter (a SpikeGLX run's
/// gate and trigger files), stored back to back, so sample k of the stream is the k-th sample
/// recorded, not the k-th tick of the counter. Segments back to back on the counter form one
/// stretch; each stretch is a <see cref="RegularClock"/> with t0 = counter start / rate, the very
/// clock a single file starting there gets. A time inside a gap is
/// outside the recording (<see cref="Locate"/> says so, the aligner writes -1 and zeros there), and
/// no interpolation reaches across a gap: a stretch's last sample interpolates with nothing, as
/// the last sample of a recording does.
/// </summary>
public sealed class SegmentedClock : SampleClock
{
    private readonly ClockSegment[] _segments;
    private readonly long[] _firstIndex;

    // Stretches: runs of segments back to back on the counter (no gap between them), one regular clock each.
    private readonly RegularClock[] _clocks;
    private readonly long[] _stretchFirstIndex;
    private readonly double[] _startSeconds;
    private readonly long _count;

    /// <param name="sampleRateHz">The counter's rate, Hz.</param>
    /// <param name="segments">The stretches in time order; none may overlap the next.</param>
    public SegmentedClock(double sampleRateHz, IReadOnlyList<ClockSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new ArgumentException("a segmented clock needs at least one segment", nameof(segments));
        }

        _segments = segments.ToArray();
        _firstIndex = new long[_segments.Length];
        var clocks = new List<RegularClock>();
        var stretchFirst = new List<long>();
        long first = 0;
        for (int i = 0; i < _segments.Length; i++)
        {
            ClockSegment s = _segments[i];
            if (s.SampleCount <= 0 || s.CounterStart < 0)
            {
                throw new ArgumentException($"segment {i} starts at {s.CounterStart} with {s.SampleCount} samples: expected a start of 0 or more and at least one sample", nameof(segments));
            }

            if (i > 0 && s.CounterStart < _segments[i - 1].CounterEnd)
            {
                throw new ArgumentException($"segment {i} starts at {s.CounterStart}, inside segment {i - 1} (which ends at {_segments[i - 1].CounterEnd})", nameof(segments));
            }

            _firstIndex[i] = first;
            if (i > 0 && s.CounterStart == _segments[i - 1].CounterEnd)
            {
                // Back to back: the same stretch goes on (interpolation may cross, nothing is missing).
                RegularClock last = clocks[^1];
                clocks[^1] = new RegularClock(last.StartTimeSeconds, sampleRateHz, last.SampleCount + s.SampleCount);
            }
            else
            {
                clocks.Add(new RegularClock(s.CounterStart / sampleRateHz, sampleRateHz, s.SampleCount));
                stretchFirst.Add(first);
            }

            first = checked(first + s.SampleCount);
        }

        _clocks = clocks.ToArray();
        _stretchFirstIndex = stretchFirst.ToArray();
        _startSeconds = _clocks.Select(c => c.StartTimeSeconds).ToArray();
        _count = first;
        Gaps = [.. Enumerable.Range(1, _clocks.Length - 1).Select(i => (_clocks[i - 1].EndSeconds, _clocks[i].StartTimeSeconds))];
        SampleRateHz = sampleRateHz;
    }

    /// <summary>The counter's rate, Hz.</summary>
    public double SampleRateHz { get; }

    /// <summary>The stretches, in time order.</summary>
    public IReadOnlyList<ClockSegment> Segments => _segments;

    /// <summary>Stream index of each segment's first sample.</summary>
    public IReadOnlyList<long> FirstIndexes => _firstIndex;

    /// <summary>The gaps between stretches: from one stretch's end to the next one's first sample.</summary>
    public override IReadOnlyList<(double StartSeconds, double EndSeconds)> Gaps { get; }

    public override bool HasGaps => _clocks.Length > 1;

    public override long SampleCount => _count;

    public override double EndSeconds => _clocks[^1].EndSeconds;

    public override double MeanRateHz => SampleRateHz;

    public override double TimeOf(long index)
    {
        int s = StretchOfIndex(index);
        return _clocks[s].TimeOf(index - _stretchFirstIndex[s]);
    }

    public override long IndexAtOrBefore(double seconds)
    {
        int s = SegmentAtOrBefore(seconds);
        return s < 0 ? -1 : _stretchFirstIndex[s] + _clocks[s].IndexAtOrBefore(seconds);
    }

    /// <summary>As a regular clock, within the stretch that holds the time; outside in a gap.</summary>
    public override SampleLocation Locate(double seconds, IndexMode mode)
    {
        int s = SegmentAtOrBefore(seconds);
        if (s < 0)
        {
            return SampleLocation.Outside;
        }

        SampleLocation within = _clocks[s].Locate(seconds, mode);
        return within.IsOutside ? SampleLocation.Outside : within with { Index = within.Index + _stretchFirstIndex[s] };
    }

    /// <summary>Whether sample <paramref name="index"/> + 1 follows it on the counter (false across a gap and at the end).</summary>
    public bool IsFollowedWithoutGap(long index)
    {
        int s = StretchOfIndex(index);
        return index + 1 < _stretchFirstIndex[s] + _clocks[s].SampleCount;
    }

    public override string Describe()
    {
        long gapSamples = 0;
        int gaps = 0;
        for (int i = 1; i < _segments.Length; i++)
        {
            long gap = _segments[i].CounterStart - _segments[i - 1].CounterEnd;
            gapSamples += gap;
            gaps += gap > 0 ? 1 : 0;
        }

        return $"segmented: {_segments.Length} segment(s) in {_clocks.Length} stretch(es) at {SampleRateHz:R} Hz from t0 = {_startSeconds[0]:R} s, "
            + $"{gaps} gap(s) totalling {gapSamples} samples ({gapSamples / SampleRateHz:R} s)";
    }

    /// <summary>The stretch holding stream sample <paramref name="index"/>.</summary>
    private int StretchOfIndex(long index)
    {
        int lo = 0, hi = _stretchFirstIndex.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_stretchFirstIndex[mid] <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>The last stretch starting at or before the time (within the tolerance), or -1 (NaN: -1).</summary>
    private int SegmentAtOrBefore(double seconds)
    {
        int found = -1, lo = 0, hi = _startSeconds.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (_startSeconds[mid] <= seconds + ToleranceSeconds)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}

using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// Several recordings of one stream, one after another in time with gaps between them (a SpikeGLX
/// run's gate and trigger files), read as one: sample k is the k-th sample recorded, the parts'
/// samples back to back, on a <see cref="SegmentedClock"/> that knows where the gaps are. A gap holds
/// no samples: times inside it are outside the recording (-1, zeros) for the aligner. Windows within
/// one part are that part's own memory; a block across a part boundary is copied from each.
/// </summary>
public sealed class SegmentedStream : ContinuousStream
{
    private readonly ContinuousStream[] _parts;
    private readonly SegmentedClock _clock;
    private readonly long[] _firstIndex;
    private bool _disposed;

    /// <param name="parts">The parts in time order, owned (disposed with this); one channel layout and element type.</param>
    /// <param name="clock">One stretch per part, with the parts' sample counts.</param>
    /// <param name="sourcePath">What the stream reads, for messages (the run folder or the first file).</param>
    public SegmentedStream(IReadOnlyList<ContinuousStream> parts, SegmentedClock clock, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(sourcePath);
        if (parts.Count == 0 || parts.Count != clock.Segments.Count)
        {
            throw new ArgumentException($"{parts.Count} parts for a clock of {clock.Segments.Count} stretches", nameof(parts));
        }

        for (int i = 0; i < parts.Count; i++)
        {
            ContinuousStream p = parts[i];
            if (p.SampleCount != clock.Segments[i].SampleCount || p.ChannelCount != parts[0].ChannelCount || p.ElementType != parts[0].ElementType)
            {
                throw new ArgumentException(
                    $"part {i} ({p.SourcePath}) has {p.SampleCount} samples of {p.ChannelCount} {p.ElementType.ToText()} channels; expected {clock.Segments[i].SampleCount} of {parts[0].ChannelCount} {parts[0].ElementType.ToText()}",
                    nameof(parts));
            }
        }

        _parts = parts.ToArray();
        _clock = clock;
        _firstIndex = clock.FirstIndexes.ToArray();
        SourcePath = sourcePath;
    }

    /// <summary>The parts, in time order.</summary>
    public IReadOnlyList<ContinuousStream> Parts => _parts;

    public override string SourcePath { get; }

    public override string FormatName => _parts[0].FormatName;

    public override SampleClock Clock => _clock;

    public override SampleType ElementType => _parts[0].ElementType;

    public override int ChannelCount => _parts[0].ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _parts[0].ChannelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _parts[0].GainsToMicrovolts;

    public override IReadOnlyList<int> DigitalChannelPositions => _parts[0].DigitalChannelPositions;

    public override bool TryGetWindow(long startSample, int sampleCount, out ReadOnlySpan<byte> window)
    {
        window = default;
        return Within(startSample, sampleCount, out int part) && _parts[part].TryGetWindow(startSample - _firstIndex[part], sampleCount, out window);
    }

    public override bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples)
    {
        samples = default;
        return Within(startSample, sampleCount, out int part) && _parts[part].TryGetSourceMemory(startSample - _firstIndex[part], sampleCount, out samples);
    }

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, destination.Length);
        int done = 0;
        while (done < sampleCount)
        {
            long at = startSample + done;
            int part = PartOf(at);
            long local = at - _firstIndex[part];
            int n = (int)Math.Min(sampleCount - done, _parts[part].SampleCount - local);
            _parts[part].ReadBlock(local, n, destination.Slice(done * FrameBytes, n * FrameBytes));
            done += n;
        }
    }

    public override void ReleaseSamples(long startSample, long sampleCount)
    {
        if (_disposed || sampleCount <= 0)
        {
            return;
        }

        long end = Math.Min(startSample + sampleCount, SampleCount);
        for (long at = Math.Max(0, startSample); at < end;)
        {
            int part = PartOf(at);
            long local = at - _firstIndex[part];
            long n = Math.Min(end - at, _parts[part].SampleCount - local);
            _parts[part].ReleaseSamples(local, n);
            at += n;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            foreach (ContinuousStream p in _parts)
            {
                p.Dispose();
            }
        }
    }

    /// <summary>Whether samples [start, start + count) lie in one part (checked against the whole stream first).</summary>
    private bool Within(long startSample, int sampleCount, out int part)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, int.MaxValue);
        part = PartOf(startSample);
        return startSample + sampleCount <= _firstIndex[part] + _parts[part].SampleCount;
    }

    private int PartOf(long index)
    {
        int lo = 0, hi = _firstIndex.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_firstIndex[mid] <= index)
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
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuroAlign.Memory;
using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// A lazy view of some channels of a <see cref="ContinuousStream"/>: reads gather only the chosen
/// channels of the window asked for (SpikeInterface-style channel slicing).
/// </summary>
public sealed class ChannelSubsetStream : ContinuousStream
{
    private readonly ContinuousStream _source;
    private readonly int[] _positions;
    private readonly int[] _ids;
    private readonly double[] _gains;

    /// <param name="source">The stream to view; disposed with this view.</param>
    /// <param name="channelPositions">Zero-based positions of the channels to keep, in output order.</param>
    public ChannelSubsetStream(ContinuousStream source, IReadOnlyList<int> channelPositions)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(channelPositions);
        if (channelPositions.Count == 0)
        {
            throw new NeuroAlignException($"{source.SourcePath}: the channel selection is empty");
        }

        foreach (int p in channelPositions)
        {
            if (p < 0 || p >= source.ChannelCount)
            {
                throw new NeuroAlignException(
                    $"{source.SourcePath}: channel position {p} does not exist: the recording has channels 0..{source.ChannelCount - 1}");
            }
        }

        _source = source;
        _positions = channelPositions.ToArray();
        _ids = _positions.Select(p => source.ChannelIds[p]).ToArray();
        _gains = _positions.Select(p => source.GainsToMicrovolts[p]).ToArray();
    }

    /// <summary>The stream whose channels this view selects.</summary>
    public ContinuousStream Source => _source;

    public override string SourcePath => _source.SourcePath;

    public override string FormatName => _source.FormatName;

    public override SampleClock Clock => _source.Clock;

    public override SampleType ElementType => _source.ElementType;

    public override int ChannelCount => _positions.Length;

    public override IReadOnlyList<int> ChannelIds => _ids;

    public override IReadOnlyList<double> GainsToMicrovolts => _gains;

    public override IReadOnlyList<double> OffsetsMicrovolts => _source.OffsetsMicrovolts is { Count: > 0 } offsets ? [.. _positions.Select(p => offsets[p])] : [];

    public override ChannelLayout? ChannelLayout => _source.ChannelLayout?.Select(_positions);

    public override IReadOnlyList<int> DigitalChannelPositions =>
        _positions.Select((p, i) => (p, i)).Where(x => _source.DigitalChannelPositions.Contains(x.p)).Select(x => x.i).ToArray();

    /// <summary>The subset's channels and gains, then the source's own facts (metadata, digital lines…).</summary>
    public override IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            var details = new List<KeyValuePair<string, string>>(base.Details);
            var mine = details.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            details.Add(new("selected from", $"{_source.ChannelCount} channels"));
            details.AddRange(_source.Details.Where(d => !mine.Contains(d.Key)));
            return details;
        }
    }

    public override unsafe void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        CheckRange(startSample, sampleCount, destination.Length);
        if ((long)sampleCount * _source.FrameBytes < BulkCopy.ParallelThresholdBytes || !_source.TryGetWindow(startSample, 1, out _))
        {
            GatherRows(startSample, sampleCount, destination);
            return;
        }

        // Gathering a few channels out of a long stretch is bound by one cache miss per row:
        // rows are split over the cores (the mapping is read-only, so pieces are independent).
        int frame = FrameBytes;
        fixed (byte* target = destination)
        {
            byte* output = target;
            BulkCopy.ForRows(sampleCount, _source.FrameBytes, (first, rows) =>
                GatherRows(startSample + first, (int)rows, new Span<byte>(output + (first * frame), checked((int)rows * frame))));
        }
    }

    private void GatherRows(long startSample, int sampleCount, Span<byte> destination)
    {
        using var chunks = new SourceChunks(_source, startSample, sampleCount);
        while (chunks.Next(out ReadOnlySpan<byte> block, out int rows, out int firstRow))
        {
            Gather(block, rows, destination.Slice(firstRow * FrameBytes, rows * FrameBytes));
        }
    }

    private void Gather(ReadOnlySpan<byte> block, int rows, Span<byte> destination)
    {
        switch (ElementType.SizeOf())
        {
            case 1: Gather(block, rows, destination, _source.ChannelCount, _positions); break;
            case 2: Gather(MemoryMarshal.Cast<byte, short>(block), rows, MemoryMarshal.Cast<byte, short>(destination), _source.ChannelCount, _positions); break;
            case 4: Gather(MemoryMarshal.Cast<byte, int>(block), rows, MemoryMarshal.Cast<byte, int>(destination), _source.ChannelCount, _positions); break;
            default: Gather(MemoryMarshal.Cast<byte, long>(block), rows, MemoryMarshal.Cast<byte, long>(destination), _source.ChannelCount, _positions); break;
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> block, int rows, Span<T> destination, int sourceChannels, int[] positions)
        where T : unmanaged
    {
        // Bounds are checked once here (positions were checked in the constructor): indexing spans
        // row by row cost a third of a whole-file single-channel read (docs/benchmarks.md), which
        // is otherwise bound by one cache and TLB miss per row.
        int outChannels = positions.Length;
        if (block.Length < (long)rows * sourceChannels || destination.Length < (long)rows * outChannels)
        {
            throw new ArgumentException("block or destination is smaller than the rows asked for");
        }

        ref T source = ref MemoryMarshal.GetReference(block);
        ref T target = ref MemoryMarshal.GetReference(destination);
        if (outChannels == 1)
        {
            nint at = positions[0];
            for (nint r = 0; r < rows; r++, at += sourceChannels)
            {
                Unsafe.Add(ref target, r) = Unsafe.Add(ref source, at);
            }

            return;
        }

        for (nint r = 0; r < rows; r++)
        {
            ref T row = ref Unsafe.Add(ref source, r * sourceChannels);
            ref T output = ref Unsafe.Add(ref target, r * outChannels);
            for (int c = 0; c < outChannels; c++)
            {
                Unsafe.Add(ref output, c) = Unsafe.Add(ref row, positions[c]);
            }
        }
    }

    public override void ReleaseSamples(long startSample, long sampleCount) => _source.ReleaseSamples(startSample, sampleCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }
    }
}

using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// A multi-channel continuous recording (ephys, analog inputs, physiology): samples × channels,
/// interleaved, with per-channel ids and gains. Reads hand out windows; nothing loads the recording.
/// </summary>
public abstract class ContinuousStream : ISampleStream
{
    private int[]? _shape;

    public abstract string SourcePath { get; }

    public abstract string FormatName { get; }

    public abstract SampleClock Clock { get; }

    /// <summary>The stored element type.</summary>
    public abstract SampleType ElementType { get; }

    /// <summary>Number of channels in each sample.</summary>
    public abstract int ChannelCount { get; }

    /// <summary>Channel numbers as the source names them, one per channel.</summary>
    public abstract IReadOnlyList<int> ChannelIds { get; }

    /// <summary>Factor from raw values to microvolts, one per channel (1.0 where unknown).</summary>
    public abstract IReadOnlyList<double> GainsToMicrovolts { get; }

    /// <summary>
    /// Microvolts added after the gain, one per channel, when the format stores an additive offset
    /// (NWB's <c>offset</c>): microvolts = count × gain + offset. Empty (no offset) for most formats.
    /// </summary>
    public virtual IReadOnlyList<double> OffsetsMicrovolts => [];

    /// <summary>
    /// Positions of channels that carry digital words (sync, TTL) rather than a signal: filters and
    /// unit conversions leave them as they are. Empty unless the format says otherwise.
    /// </summary>
    public virtual IReadOnlyList<int> DigitalChannelPositions => [];

    /// <summary>The channels' names and probe sites as the metadata gives them; null when it gives none.</summary>
    public virtual ChannelLayout? ChannelLayout => null;

    /// <summary>Sample count, N.</summary>
    public long SampleCount => Clock.SampleCount;

    /// <summary>Nominal sample rate, Hz.</summary>
    public double SampleRateHz => Clock.MeanRateHz;

    public IReadOnlyList<int> SampleShape => _shape ??= [ChannelCount];

    /// <summary>Channels, dtype and gains; formats add their own facts by overriding.</summary>
    public virtual IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            double minGain = GainsToMicrovolts.Min(), maxGain = GainsToMicrovolts.Max();
            return
            [
                new("channels", ChannelCount.ToString()),
                new("channel ids", ChannelIds.Count == 0 ? "" : $"{ChannelIds[0]}..{ChannelIds[^1]}"),
                new("gain to uV", minGain == maxGain ? $"{minGain:G6}" : $"{minGain:G6} to {maxGain:G6}"),
            ];
        }
    }

    /// <summary>Bytes per multi-channel sample.</summary>
    public int FrameBytes => ChannelCount * ElementType.SizeOf();

    /// <summary>
    /// Copies samples [start, start + count) of every channel into <paramref name="destination"/>
    /// (count × ChannelCount elements, interleaved, machine byte order).
    /// </summary>
    public abstract void ReadBlock(long startSample, int sampleCount, Span<byte> destination);

    /// <summary>
    /// Samples [start, start + count) of every channel as a span over the mapping, without copying,
    /// when the storage allows it (native byte order, all channels).
    /// </summary>
    public virtual bool TryGetWindow(long startSample, int sampleCount, out ReadOnlySpan<byte> window)
    {
        window = default;
        return false;
    }

    /// <summary>Samples [start, start + count) as memory over the source (see <see cref="ISampleStream.TryGetSourceMemory"/>); false by default.</summary>
    public virtual bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples)
    {
        samples = default;
        return false;
    }

    /// <summary>A lazy view of a subset of the channels, in the given order.</summary>
    public ContinuousStream SelectChannels(IReadOnlyList<int> channelPositions) =>
        new ChannelSubsetStream(this, channelPositions);

    public virtual void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        int frame = FrameBytes;
        if (destination.Length < indices.Length * frame)
        {
            throw new ArgumentException("destination is smaller than the samples asked for", nameof(destination));
        }

        // Runs of consecutive indices are one block read: a native-rate window is a single copy.
        int i = 0;
        while (i < indices.Length)
        {
            long first = indices[i];
            int run = 1;
            if (first == -1)
            {
                while (i + run < indices.Length && indices[i + run] == -1)
                {
                    run++;
                }

                destination.Slice(i * frame, run * frame).Clear();
            }
            else
            {
                CheckIndex(first);

                while (i + run < indices.Length && indices[i + run] == first + run && first + run < SampleCount)
                {
                    run++;
                }

                ReadBlock(first, run, destination.Slice(i * frame, run * frame));
            }

            i += run;
        }
    }

    /// <summary>Drops the mapped pages of samples [start, start + count) from the process (see <see cref="ISampleStream.ReleaseSamples"/>).</summary>
    public virtual void ReleaseSamples(long startSample, long sampleCount)
    {
    }

    /// <summary>Throws unless <paramref name="index"/> is a sample of the recording (-1, "outside", is the caller's to handle).</summary>
    protected void CheckIndex(long index)
    {
        if (index < 0 || index >= SampleCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index < 0 ? $"sample index {index}: only -1 (outside the recording) may be negative" : $"sample {index} is past the end ({SampleCount} samples)");
        }
    }

    protected void CheckRange(long startSample, int sampleCount, int destinationBytes)
    {
        if (startSample < 0 || sampleCount < 0 || startSample + sampleCount > SampleCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(startSample), $"samples [{startSample}, {startSample + sampleCount}) are outside 0..{SampleCount}");
        }

        if (destinationBytes < (long)sampleCount * FrameBytes)
        {
            throw new ArgumentException("destination is smaller than the block asked for");
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}

using System.Runtime.InteropServices;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Pose;

/// <summary>
/// A pose file as a stream: sample i is row i (frame i of its camera), float32 [individual,
/// bodypart, 3] holding x, y and score ([…, 4]: x, y, z and score for 3-D pose), on the clock it is given: the camera's frame times on the
/// camera's own clock, a timestamps file, or a rate.
/// </summary>
public sealed class PoseStream : ISampleStream
{
    private readonly PoseData _data;
    private readonly int[] _shape;
    private bool _disposed;

    /// <param name="data">The file's rows.</param>
    /// <param name="clock">Own-clock times of rows 0..N-1; it must count exactly the file's rows.</param>
    /// <param name="timing">Where the times come from, in words (for <c>info</c> and the output).</param>
    /// <param name="camera">The video stream whose frames the rows are, or null.</param>
    public PoseStream(PoseData data, SampleClock clock, string timing, string? camera = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(clock);
        if (clock.SampleCount != data.FrameCount)
        {
            throw new ArgumentException($"the clock counts {clock.SampleCount} samples, the file {data.FrameCount} rows", nameof(clock));
        }

        _data = data;
        Clock = clock;
        Timing = timing;
        Camera = camera;
        _shape = [data.Individuals.Count, data.Bodyparts.Count, data.ValuesPerPoint];
    }

    public PoseData Data => _data;

    /// <summary>The video stream whose frame times the rows take, or null.</summary>
    public string? Camera { get; }

    /// <summary>Where the rows' times come from.</summary>
    public string Timing { get; }

    public string SourcePath => _data.SourcePath;

    public string FormatName => _data.FormatName;

    public SampleClock Clock { get; }

    public SampleType ElementType => SampleType.Float32;

    public IReadOnlyList<int> SampleShape => _shape;

    public IReadOnlyList<KeyValuePair<string, string>> Details => [.. _data.Details(), new("timing", Timing)];

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int per = _data.ValuesPerFrame;
        Span<float> target = MemoryMarshal.Cast<byte, float>(destination);
        if (destination.Length < (long)indices.Length * per * sizeof(float))
        {
            throw new ArgumentException($"the destination holds {destination.Length} bytes, {indices.Length} samples need {(long)indices.Length * per * sizeof(float)}", nameof(destination));
        }

        // Checked before anything is written, as the contract asks.
        foreach (long index in indices)
        {
            if (index < -1 || index >= _data.FrameCount)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"a pose row is in 0..{_data.FrameCount - 1}, or -1 for outside");
            }
        }

        for (int i = 0; i < indices.Length; i++)
        {
            Span<float> sample = target.Slice(i * per, per);
            if (indices[i] < 0)
            {
                sample.Clear();
            }
            else
            {
                _data.Values.AsSpan(checked((int)(indices[i] * per)), per).CopyTo(sample);
            }
        }
    }

    public void Dispose() => _disposed = true;
}

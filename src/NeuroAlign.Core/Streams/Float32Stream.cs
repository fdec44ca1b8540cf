using System.Runtime.InteropServices;
using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// A lazy float32 view of a continuous stream of other numbers (BIDS physio's float64 cache):
/// each value rounded once to float32, for the samples asked for only. The output contract gives
/// physiology and tables as float32; the source keeps its full precision for <c>info</c>.
/// </summary>
public sealed class Float32Stream : ContinuousStream
{
    private const int RowsPerChunk = 4096;
    private readonly ContinuousStream _source;
    private readonly bool _ownsSource;
    private bool _disposed;

    /// <param name="source">The stream to convert.</param>
    /// <param name="ownsSource">Whether disposing the view disposes the source (a modality hands the session the view alone).</param>
    public Float32Stream(ContinuousStream source, bool ownsSource)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _ownsSource = ownsSource;
    }

    /// <summary>The stream this view converts.</summary>
    public ContinuousStream Source => _source;

    public override string SourcePath => _source.SourcePath;

    public override string FormatName => _source.FormatName;

    public override SampleClock Clock => _source.Clock;

    public override SampleType ElementType => SampleType.Float32;

    public override int ChannelCount => _source.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _source.ChannelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _source.GainsToMicrovolts;

    public override IReadOnlyList<KeyValuePair<string, string>> Details =>
        [.. _source.Details, new("output", $"float32, rounded once from {_source.ElementType.ToText()}")];

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, destination.Length);
        Span<float> target = MemoryMarshal.Cast<byte, float>(destination);
        SampleType type = _source.ElementType;
        using var chunks = new SourceChunks(_source, startSample, sampleCount, RowsPerChunk);
        while (chunks.Next(out ReadOnlySpan<byte> block, out int rows, out int firstRow))
        {
            Span<float> part = target.Slice(firstRow * ChannelCount, rows * ChannelCount);
            if (type == SampleType.Float64)
            {
                ReadOnlySpan<double> values = MemoryMarshal.Cast<byte, double>(block)[..part.Length];
                for (int i = 0; i < part.Length; i++)
                {
                    part[i] = (float)values[i];
                }

                continue;
            }

            for (int i = 0; i < part.Length; i++)
            {
                part[i] = (float)type.ReadAsDouble(block, i);
            }
        }
    }

    public override void ReleaseSamples(long startSample, long sampleCount) => _source.ReleaseSamples(startSample, sampleCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed && _ownsSource)
        {
            _source.Dispose();
        }

        _disposed = true;
    }
}

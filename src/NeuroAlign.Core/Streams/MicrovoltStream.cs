using System.Buffers;
using System.Runtime.InteropServices;
using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// A lazy float32 physical-unit view of a stream of raw counts: each value is count × the channel's
/// gain to microvolts (÷ 1e6 for a channel written in volts, ÷ 1e3 in millivolts; a channel written
/// in counts as stored), computed in double and rounded once to float32, for the window asked for only.
/// </summary>
public sealed class MicrovoltStream : ContinuousStream
{
    private const int RowsPerChunk = 4096;
    private readonly ContinuousStream _source;
    private readonly double[] _gains;
    private readonly double[] _ones;
    private readonly string _units;
    private readonly double[]? _offsets;
    private bool _disposed;

    /// <summary>Every channel in microvolts.</summary>
    /// <param name="source">The stream of counts; not owned: dispose it after this view.</param>
    public MicrovoltStream(ContinuousStream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _gains = source.GainsToMicrovolts.ToArray();
        _offsets = source.OffsetsMicrovolts.Count == source.ChannelCount && source.OffsetsMicrovolts.Any(o => o != 0) ? [.. source.OffsetsMicrovolts] : null;
        _ones = Enumerable.Repeat(1.0, source.ChannelCount).ToArray();
        _units = _offsets is null ? "uV: float32 = raw count × gain to uV" : "uV: float32 = raw count × gain to uV + the format's offset";
    }

    /// <summary>Each channel in the unit given for it (<see cref="ChannelUnits"/>: uV, mV, V, or counts as stored).</summary>
    /// <param name="source">The stream of counts; not owned: dispose it after this view.</param>
    /// <param name="units">One unit per channel.</param>
    public MicrovoltStream(ContinuousStream source, IReadOnlyList<string> units)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentOutOfRangeException.ThrowIfNotEqual(units.Count, source.ChannelCount);
        _source = source;
        var per = units.Select(ChannelUnits.MicrovoltsPer).ToArray();
        _gains = source.GainsToMicrovolts.Select((g, c) => double.IsNaN(per[c]) ? 1.0 : g / per[c]).ToArray();

        // The format's additive offset (NWB) is in µV: in each channel's unit; none on a channel kept in counts.
        _offsets = source.OffsetsMicrovolts.Count == source.ChannelCount && source.OffsetsMicrovolts.Any(o => o != 0)
            ? [.. source.OffsetsMicrovolts.Select((o, c) => double.IsNaN(per[c]) ? 0 : o / per[c])]
            : null;

        // µV per written unit: what a voltage filter needs; a channel in counts keeps its own gain.
        _ones = source.GainsToMicrovolts.Select((g, c) => double.IsNaN(per[c]) ? g : per[c]).ToArray();
        _units = $"physical: float32 = raw count × gain to uV in each channel's unit ({string.Join(", ", units.GroupBy(u => u).Select(g => $"{g.Count()} {g.Key}"))})";
    }

    /// <summary>The stream of counts this view scales.</summary>
    public ContinuousStream Source => _source;

    public override string SourcePath => _source.SourcePath;

    public override string FormatName => _source.FormatName;

    public override SampleClock Clock => _source.Clock;

    public override SampleType ElementType => SampleType.Float32;

    public override int ChannelCount => _source.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _source.ChannelIds;

    /// <summary>Microvolts per written unit: ones when the values are microvolts already.</summary>
    public override IReadOnlyList<double> GainsToMicrovolts => _ones;

    public override IReadOnlyList<int> DigitalChannelPositions => _source.DigitalChannelPositions;

    public override IReadOnlyList<KeyValuePair<string, string>> Details =>
        [.. _source.Details, new("units", _units)];

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, destination.Length);
        Span<float> target = MemoryMarshal.Cast<byte, float>(destination);
        using var chunks = new SourceChunks(_source, startSample, sampleCount, RowsPerChunk);
        while (chunks.Next(out ReadOnlySpan<byte> block, out int rows, out int firstRow))
        {
            Scale(block, rows, target.Slice(firstRow * ChannelCount, rows * ChannelCount));
        }
    }

    private void Scale(ReadOnlySpan<byte> block, int rows, Span<float> target)
    {
        int channels = ChannelCount;
        if (_offsets is { } offsets)
        {
            // An additive offset (NWB): count × gain + offset, in double, rounded once.
            for (int r = 0, i = 0; r < rows; r++)
            {
                for (int c = 0; c < channels; c++, i++)
                {
                    target[i] = (float)((_source.ElementType.ReadAsDouble(block, i) * _gains[c]) + offsets[c]);
                }
            }

            return;
        }

        if (_source.ElementType == SampleType.Int16)
        {
            // The common case (SpikeGLX, Open Ephys, raw int16) without a per-element type switch.
            ReadOnlySpan<short> counts = MemoryMarshal.Cast<byte, short>(block);
            for (int r = 0, i = 0; r < rows; r++)
            {
                for (int c = 0; c < channels; c++, i++)
                {
                    target[i] = (float)(counts[i] * _gains[c]);
                }
            }

            return;
        }

        SampleType type = _source.ElementType;
        for (int r = 0, i = 0; r < rows; r++)
        {
            for (int c = 0; c < channels; c++, i++)
            {
                target[i] = (float)(type.ReadAsDouble(block, i) * _gains[c]);
            }
        }
    }

    public override void ReleaseSamples(long startSample, long sampleCount) => _source.ReleaseSamples(startSample, sampleCount);

    protected override void Dispose(bool disposing)
    {
        // The source is not owned; the view itself is done with.
        _disposed = true;
    }
}

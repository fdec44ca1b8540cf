using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// A lazy anti-aliasing view of a continuous stream: sample k is the source filtered by a
/// linear-phase low-pass FIR centred on k (no delay), computed only for the samples asked for.
/// Downsampling ephys to, say, 1 kHz by picking every 30th sample would fold spikes and noise above
/// 500 Hz into the band; filtering first keeps the output honest. Integer types are rounded and
/// saturated back to their type, so raw counts stay raw counts.
/// </summary>
public sealed class LowPassStream : ContinuousStream
{
    private readonly ContinuousStream _source;
    private readonly float[] _taps;
    private readonly int _half;

    /// <param name="source">The stream to filter; disposed with this view.</param>
    /// <param name="cutoffHz">Pass band edge: frequencies below pass (gain 1 ± 1 %), above cutoff × 1.25 are attenuated at least 50 dB.</param>
    public LowPassStream(ContinuousStream source, double cutoffHz)
    {
        ArgumentNullException.ThrowIfNull(source);
        double rate = source.SampleRateHz;
        if (!(cutoffHz > 0) || cutoffHz >= rate / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(cutoffHz), cutoffHz, $"cutoff must be in (0, {rate / 2}) Hz");
        }

        _source = source;
        CutoffHz = cutoffHz;
        _taps = DesignTaps(cutoffHz, rate);
        _half = _taps.Length / 2;
    }

    /// <summary>The pass band edge, Hz.</summary>
    public double CutoffHz { get; }

    /// <summary>The longest filter designed: 2^20 taps, 4 MB; from 30 kHz, output rates down to about 1.6 Hz.</summary>
    public const int MaxTaps = 1 << 20;

    /// <summary>Number of FIR taps (odd).</summary>
    public int TapCount => _taps.Length;

    /// <summary>
    /// The anti-aliasing view for resampling <paramref name="source"/> to <paramref name="outputRateHz"/>,
    /// or the source itself when no filtering is needed (output at or above the native rate).
    /// </summary>
    public static ContinuousStream ForOutputRate(ContinuousStream source, double outputRateHz)
    {
        ArgumentNullException.ThrowIfNull(source);
        return outputRateHz >= source.SampleRateHz ? source : new LowPassStream(source, 0.4 * outputRateHz);
    }

    public override string SourcePath => _source.SourcePath;

    public override string FormatName => _source.FormatName;

    public override SampleClock Clock => _source.Clock;

    public override SampleType ElementType => _source.ElementType;

    public override int ChannelCount => _source.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _source.ChannelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _source.GainsToMicrovolts;

    public override IReadOnlyList<int> DigitalChannelPositions => _source.DigitalChannelPositions;

    public override IReadOnlyList<KeyValuePair<string, string>> Details =>
        [.. _source.Details, new("anti-aliasing", $"FIR low-pass, {TapCount} taps, pass band to {CutoffHz:G6} Hz (Blackman window)")];

    /// <summary>
    /// Windowed-sinc low-pass (Blackman window: about 74 dB stop band). Transition band from the
    /// cutoff to 1.25 × cutoff; the Blackman transition is about 5.5 / taps of the sample rate.
    /// </summary>
    internal static float[] DesignTaps(double cutoffHz, double rateHz)
    {
        double transition = 0.25 * cutoffHz / rateHz;
        double needed = Math.Ceiling(5.5 / transition);
        if (!(needed <= MaxTaps))
        {
            // A filter this long would take more memory and time than any export is worth (and
            // overflow an int past 2^31): refused with the lowest rate that can be filtered.
            double lowest = 2.5 * 22 * rateHz / MaxTaps; // taps = 22 · rate / cutoff, cutoff = 0.4 · output rate
            throw new Sessions.SettingException(
                $"option {Sessions.Setting.Display("rate")}: an output rate of {2.5 * cutoffHz:G6} Hz from {rateHz:G6} Hz needs an anti-aliasing filter of {needed:G3} taps; the most is {MaxTaps} (an output rate of at least {lowest:G3} Hz)");
        }

        int taps = (int)needed | 1;
        double fc = 1.125 * cutoffHz / rateHz; // the -6 dB point, mid-transition
        var h = new double[taps];
        int half = taps / 2;
        for (int i = 0; i < taps; i++)
        {
            int n = i - half;
            double sinc = n == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * n) / (Math.PI * n);
            double window = 0.42 - (0.5 * Math.Cos(2 * Math.PI * i / (taps - 1))) + (0.08 * Math.Cos(4 * Math.PI * i / (taps - 1)));
            h[i] = sinc * window;
        }

        double sum = h.Sum();
        return h.Select(v => (float)(v / sum)).ToArray();
    }

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        CheckRange(startSample, sampleCount, destination.Length);
        long[] indices = ArrayPool<long>.Shared.Rent(sampleCount);
        try
        {
            for (int k = 0; k < sampleCount; k++)
            {
                indices[k] = startSample + k;
            }

            ReadSamples(indices.AsSpan(0, sampleCount), destination);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(indices);
        }
    }

    /// <summary>
    /// Filters only the samples asked for (typically every 30th when going from 30 kHz to 1 kHz):
    /// the source rows they need are read and converted once per group of nearby indices.
    /// </summary>
    public override void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        const int MaxRows = 1 << 16;
        int frame = FrameBytes;
        if (destination.Length < (long)indices.Length * frame)
        {
            throw new ArgumentException("destination is smaller than the samples asked for", nameof(destination));
        }

        int i = 0;
        while (i < indices.Length)
        {
            if (indices[i] == -1)
            {
                destination.Slice(i * frame, frame).Clear();
                i++;
                continue;
            }

            // Checked here: a sample past the end would otherwise be made up from the last one repeated.
            CheckIndex(indices[i]);

            // A group: increasing, valid indices whose source rows fit in one bounded block.
            int end = i + 1;
            while (end < indices.Length && indices[end] >= indices[end - 1] && indices[end] - indices[i] + (2 * _half) < MaxRows)
            {
                CheckIndex(indices[end]);
                end++;
            }

            FilterGroup(indices[i..end], destination.Slice(i * frame, (end - i) * frame));
            i = end;
        }
    }

    private void FilterGroup(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        int channels = ChannelCount;
        int frame = FrameBytes;

        // Source rows [first - half, last + half], clamped to the recording: edges are filtered as
        // if the first and last samples were repeated (no ringing from zeros).
        long first = indices[0] - _half;
        int rows = (int)(indices[^1] - indices[0]) + (2 * _half) + 1;
        float[] block = ArrayPool<float>.Shared.Rent(rows * channels);
        byte[] raw = ArrayPool<byte>.Shared.Rent(rows * frame);
        float[] accumulator = ArrayPool<float>.Shared.Rent(channels);
        try
        {
            long validFirst = Math.Max(0, first);
            long validEnd = Math.Min(SampleCount, first + rows);
            int validRows = (int)(validEnd - validFirst);
            _source.ReadBlock(validFirst, validRows, raw.AsSpan(0, validRows * frame));
            int offset = (int)(validFirst - first);
            ToFloat(raw.AsSpan(0, validRows * frame), block.AsSpan(offset * channels, validRows * channels));
            for (int r = 0; r < offset; r++)
            {
                block.AsSpan(offset * channels, channels).CopyTo(block.AsSpan(r * channels));
            }

            for (int r = offset + validRows; r < rows; r++)
            {
                block.AsSpan((offset + validRows - 1) * channels, channels).CopyTo(block.AsSpan(r * channels));
            }

            Span<float> acc = accumulator.AsSpan(0, channels);
            IReadOnlyList<int> digital = DigitalChannelPositions;
            for (int k = 0; k < indices.Length; k++)
            {
                int top = (int)(indices[k] - indices[0]);
                acc.Clear();
                for (int j = 0; j < _taps.Length; j++)
                {
                    MultiplyAdd(block.AsSpan((top + j) * channels, channels), _taps[j], acc);
                }

                // Digital words are not signals: a sync channel keeps the word at the sample itself.
                foreach (int c in digital)
                {
                    acc[c] = block[((top + _half) * channels) + c];
                }

                FromFloat(acc, destination.Slice(k * frame, frame));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(block);
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<float>.Shared.Return(accumulator);
        }
    }

    private static void MultiplyAdd(ReadOnlySpan<float> row, float weight, Span<float> accumulator)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            ReadOnlySpan<Vector<float>> rv = MemoryMarshal.Cast<float, Vector<float>>(row);
            Span<Vector<float>> av = MemoryMarshal.Cast<float, Vector<float>>(accumulator);
            for (int v = 0; v < rv.Length; v++)
            {
                av[v] += rv[v] * w;
            }

            i = rv.Length * Vector<float>.Count;
        }

        for (; i < row.Length; i++)
        {
            accumulator[i] += row[i] * weight;
        }
    }

    private void ToFloat(ReadOnlySpan<byte> raw, Span<float> values)
    {
        SampleType type = ElementType;
        if (type == SampleType.Int16)
        {
            ReadOnlySpan<short> s16 = MemoryMarshal.Cast<byte, short>(raw);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = s16[i];
            }

            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)type.ReadAsDouble(raw, i);
        }
    }

    private void FromFloat(ReadOnlySpan<float> values, Span<byte> destination)
    {
        switch (ElementType)
        {
            case SampleType.Int16:
                Span<short> s16 = MemoryMarshal.Cast<byte, short>(destination);
                for (int i = 0; i < values.Length; i++)
                {
                    s16[i] = (short)Math.Clamp(MathF.Round(values[i]), short.MinValue, short.MaxValue);
                }

                break;
            case SampleType.UInt16:
                Span<ushort> u16 = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < values.Length; i++)
                {
                    u16[i] = (ushort)Math.Clamp(MathF.Round(values[i]), ushort.MinValue, ushort.MaxValue);
                }

                break;
            case SampleType.Int32:
                Span<int> s32 = MemoryMarshal.Cast<byte, int>(destination);
                for (int i = 0; i < values.Length; i++)
                {
                    s32[i] = (int)Math.Clamp(Math.Round((double)values[i]), int.MinValue, int.MaxValue);
                }

                break;
            case SampleType.Float32:
                values.CopyTo(MemoryMarshal.Cast<byte, float>(destination));
                break;
            case SampleType.Float64:
                Span<double> f64 = MemoryMarshal.Cast<byte, double>(destination);
                for (int i = 0; i < values.Length; i++)
                {
                    f64[i] = values[i];
                }

                break;
            default:
                throw new NotSupportedException($"anti-aliasing of {ElementType.ToText()} samples is not supported");
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

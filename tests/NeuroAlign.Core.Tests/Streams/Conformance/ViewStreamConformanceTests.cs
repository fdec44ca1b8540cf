using System.Runtime.InteropServices;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>Views over the raw recording of <see cref="RawInt16StreamConformanceTests"/>, whose every value is known.</summary>
public abstract class RawViewConformanceTests<TStream> : SampleStreamConformance<TStream>
    where TStream : ContinuousStream
{
    private readonly TempFolder _folder = new();
    private readonly List<IDisposable> _sources = [];
    private string? _path;

    protected override long ExpectedSampleCount => RawInt16StreamConformanceTests.Samples;

    protected override string ExpectedFormatName => "raw";

    protected override bool ExpectsSourceMemory => false;

    protected override double ExpectedTimeSeconds(long index) =>
        RawInt16StreamConformanceTests.StartSeconds + (index / RawInt16StreamConformanceTests.RateHz);

    /// <summary>Opens the raw recording (disposed with the test when the view does not own it).</summary>
    protected InterleavedBinaryStream OpenSource(double gainToMicrovolts = 1)
    {
        _path ??= RawInt16StreamConformanceTests.Write(_folder);
        InterleavedBinaryStream source = RawInt16StreamConformanceTests.Open(_path, gainToMicrovolts);
        _sources.Add(source);
        return source;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (IDisposable source in _sources)
        {
            source.Dispose();
        }

        _folder.Dispose();
    }
}

/// <summary>Channels 5, 0 and 3 (out of order, so a gather that keeps the source order is caught).</summary>
public sealed class ChannelSubsetStreamConformanceTests : RawViewConformanceTests<ChannelSubsetStream>
{
    private static readonly int[] Positions = [5, 0, 3];

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Positions.Length];

    protected override ChannelSubsetStream OpenStream() => new(OpenSource(), Positions);

    protected override void ExpectedSample(long index, Span<byte> destination) =>
        EphysTruth.Int16(destination, i => SyntheticEphys.Value(index, Positions[i]));
}

/// <summary>Float32 microvolts = count × 0.195 (the gain), computed in double and rounded once.</summary>
public sealed class MicrovoltStreamConformanceTests : RawViewConformanceTests<MicrovoltStream>
{
    private const double Gain = 0.195;

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [RawInt16StreamConformanceTests.Channels];

    protected override MicrovoltStream OpenStream() => new(OpenSource(Gain));

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<float> values = MemoryMarshal.Cast<byte, float>(destination);
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = (float)(SyntheticEphys.Value(index, c) * Gain);
        }
    }
}

/// <summary>
/// The anti-aliasing view (pass band to 3 kHz at 30 kHz: 221 taps), against a direct convolution
/// in double here, the recording's first and last samples repeated beyond its ends, rounded and
/// saturated to int16. The view sums in float32, so a value may round one count the other way.
/// </summary>
public sealed class LowPassStreamConformanceTests : RawViewConformanceTests<LowPassStream>
{
    private const double CutoffHz = 3000;
    private readonly float[] _taps = LowPassStream.DesignTaps(CutoffHz, RawInt16StreamConformanceTests.RateHz);

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [RawInt16StreamConformanceTests.Channels];

    protected override LowPassStream OpenStream() => new(OpenSource(), CutoffHz);

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        int half = _taps.Length / 2;
        long last = RawInt16StreamConformanceTests.Samples - 1;
        EphysTruth.Int16(destination, c =>
        {
            double sum = 0;
            for (int j = 0; j < _taps.Length; j++)
            {
                sum += _taps[j] * (double)SyntheticEphys.Value(Math.Clamp(index - half + j, 0, last), c);
            }

            return (short)Math.Clamp(Math.Round(sum), short.MinValue, short.MaxValue);
        });
    }

    protected override void AssertSample(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, long index, string pattern)
    {
        ReadOnlySpan<short> want = MemoryMarshal.Cast<byte, short>(expected), got = MemoryMarshal.Cast<byte, short>(actual);
        for (int c = 0; c < want.Length; c++)
        {
            Assert.True(Math.Abs(want[c] - got[c]) <= 1, $"{pattern}: sample {index}, channel {c}: {got[c]} instead of {want[c]} (± 1)");
        }
    }
}

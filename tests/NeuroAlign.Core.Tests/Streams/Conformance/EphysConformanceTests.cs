using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>Truth for synthetic int16 ephys: every value is <see cref="SyntheticEphys.Value"/> (or a sync word), known by construction.</summary>
internal static class EphysTruth
{
    public static void Int16(Span<byte> destination, Func<int, short> valueOfChannel)
    {
        Span<short> values = MemoryMarshal.Cast<byte, short>(destination);
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = valueOfChannel(c);
        }
    }
}

/// <summary>A raw .dat: little-endian int16 after a 64-byte header, mapped in place, starting 12.5 s into its clock.</summary>
public sealed class RawInt16StreamConformanceTests : SampleStreamConformance<InterleavedBinaryStream>
{
    public const int Channels = 6;
    public const long Samples = 1200;
    public const double RateHz = 30_000;
    public const double StartSeconds = 12.5;
    private readonly TempFolder _folder = new();
    private readonly Lazy<string> _path;

    public RawInt16StreamConformanceTests() => _path = new(() => Write(_folder));

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => RawBinaryReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => true;

    /// <summary>Writes the recording into <paramref name="folder"/>; the views' conformance tests read it too.</summary>
    public static string Write(TempFolder folder)
    {
        string path = folder.File("raw.dat");
        SyntheticEphys.WriteInt16(path, Samples, Channels, headerBytes: 64);
        return path;
    }

    public static InterleavedBinaryStream Open(string path, double gainToMicrovolts = 1) =>
        RawBinaryReader.Open(path, new RawBinaryOptions(Channels, RateHz, SampleType.Int16, HeaderBytes: 64, GainToMicrovolts: gainToMicrovolts, StartSeconds: StartSeconds));

    protected override InterleavedBinaryStream OpenStream() => Open(_path.Value);

    protected override void ExpectedSample(long index, Span<byte> destination) => EphysTruth.Int16(destination, c => SyntheticEphys.Value(index, c));

    protected override double ExpectedTimeSeconds(long index) => StartSeconds + (index / RateHz);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary>A raw float32 file at a rate that is not a whole number of Hz.</summary>
public sealed class RawFloat32StreamConformanceTests : SampleStreamConformance<InterleavedBinaryStream>
{
    private const int Channels = 3;
    private const long Samples = 700;
    private const double RateHz = 2500.5;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => RawBinaryReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => true;

    private static float Value(long k, int c) => SyntheticEphys.Value(k, c) * 0.25f;

    protected override InterleavedBinaryStream OpenStream()
    {
        string path = _folder.File("raw.f32");
        if (!File.Exists(path))
        {
            var values = new float[Samples * Channels];
            for (long k = 0; k < Samples; k++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    values[(k * Channels) + c] = Value(k, c);
                }
            }

            File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }

        return RawBinaryReader.Open(path, new RawBinaryOptions(Channels, RateHz, SampleType.Float32));
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<float> values = MemoryMarshal.Cast<byte, float>(destination);
        for (int c = 0; c < Channels; c++)
        {
            values[c] = Value(index, c);
        }
    }

    protected override double ExpectedTimeSeconds(long index) => index / RateHz;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary>
/// A .npy [samples, channels] in either byte order, written here by hand (format 1.0): a big-endian
/// one cannot be used in place, so it is read by swapping.
/// </summary>
public abstract class NpyStreamConformanceTests(bool bigEndian) : SampleStreamConformance<EphysRecording>
{
    private const int Channels = 4;
    private const long Samples = 900;
    private const double RateHz = 20_000;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => NpyReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => !bigEndian;

    protected override EphysRecording OpenStream()
    {
        string path = _folder.File("data.npy");
        if (!File.Exists(path))
        {
            string dict = $"{{'descr': '{(bigEndian ? '>' : '<')}i2', 'fortran_order': False, 'shape': ({Samples}, {Channels}), }}";
            int unpadded = 10 + dict.Length + 1;
            string header = dict + new string(' ', ((unpadded + 63) / 64 * 64) - unpadded) + "\n";
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
            file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8)]);
            file.Write(Encoding.Latin1.GetBytes(header));
            var element = new byte[2];
            for (long k = 0; k < Samples; k++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    if (bigEndian)
                    {
                        BinaryPrimitives.WriteInt16BigEndian(element, SyntheticEphys.Value(k, c));
                    }
                    else
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(element, SyntheticEphys.Value(k, c));
                    }

                    file.Write(element);
                }
            }
        }

        return NpyReader.Open(path, new RawBinaryOptions(SampleRateHz: RateHz));
    }

    protected override void ExpectedSample(long index, Span<byte> destination) => EphysTruth.Int16(destination, c => SyntheticEphys.Value(index, c));

    protected override double ExpectedTimeSeconds(long index) => index / RateHz;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

public sealed class NpyLittleEndianStreamConformanceTests() : NpyStreamConformanceTests(bigEndian: false);

public sealed class NpyBigEndianStreamConformanceTests() : NpyStreamConformanceTests(bigEndian: true);

/// <summary>SpikeGLX through <see cref="EphysReader"/>: a real imec .meta (385 channels, firstSample 177385 at 30 kHz) beside a synthetic .bin with an SY word.</summary>
public sealed class SpikeGlxStreamConformanceTests : SampleStreamConformance<EphysRecording>
{
    private const int Channels = 385;
    private const long Samples = 600;
    private readonly TempFolder _folder = new();
    private readonly Lazy<(long FirstSample, double RateHz)> _meta;

    public SpikeGlxStreamConformanceTests() => _meta = new(() =>
    {
        // Read from the .meta text here, not through the reader under test.
        string[] lines = File.ReadAllLines(RepoPaths.Shared("spikeglx", "Noise_g0_t0.imec0.ap.meta"));
        string Get(string key) => lines.First(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        return (long.Parse(Get("firstSample"), CultureInfo.InvariantCulture), double.Parse(Get("imSampRate"), CultureInfo.InvariantCulture));
    });

    protected override Needs Needs => Needs.SharedData;

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => SpikeGlxReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => true;

    protected override EphysRecording OpenStream()
    {
        string bin = _folder.File("rec.bin");
        if (!File.Exists(bin))
        {
            SyntheticSpikeGlx.CopyMeta(_folder.Path, "Noise_g0_t0.imec0.ap.meta");
            SyntheticSpikeGlx.WriteBin(bin, Samples, Channels, syncColumn: Channels - 1);
        }

        return EphysReader.Open(bin, new EphysOpenOptions());
    }

    protected override void ExpectedSample(long index, Span<byte> destination) =>
        EphysTruth.Int16(destination, c => SyntheticSpikeGlx.Value(index, c, syncColumn: Channels - 1));

    protected override double ExpectedTimeSeconds(long index) => (_meta.Value.FirstSample + index) / _meta.Value.RateHz;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary>Open Ephys binary through <see cref="EphysReader"/>: the real structure.oebin, a synthetic ProbeA continuous.dat timed by its timestamps.npy.</summary>
public sealed class OpenEphysStreamConformanceTests : SampleStreamConformance<EphysRecording>
{
    private const long Samples = 500;
    private readonly TempFolder _folder = new();
    private string? _recording;

    protected override Needs Needs => Needs.SharedData;

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => OpenEphysReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [SyntheticOpenEphys.ProbeChannels];

    protected override bool ExpectsSourceMemory => true;

    protected override EphysRecording OpenStream()
    {
        _recording ??= SyntheticOpenEphys.Build(_folder.Path, probeSamples: Samples);
        return EphysReader.Open(_recording, new EphysOpenOptions());
    }

    protected override void ExpectedSample(long index, Span<byte> destination) => EphysTruth.Int16(destination, c => SyntheticEphys.Value(index, c));

    // The sample counter, not the GUI's timestamps.npy (which the synthetic recording sets off by TimestampOffsetSeconds).
    protected override double ExpectedTimeSeconds(long index) =>
        (SyntheticOpenEphys.FirstSampleNumber + index) / SyntheticOpenEphys.ProbeRateHz;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

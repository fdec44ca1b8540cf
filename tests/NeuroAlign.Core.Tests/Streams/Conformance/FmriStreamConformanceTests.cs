using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using NeuroAlign.Core.Tests.Formats.Nifti;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>
/// A NIfTI-1 series of 4 × 3 × 5 voxels × 30 volumes, TR 2 s from the header, int16 voxels
/// <see cref="NiftiTestFiles.Value"/> scaled by 0.5 and offset by 3 (exact in float32), read as
/// float32 [X, Y, Z] with z fastest.
/// </summary>
public abstract class NiftiStreamConformanceTests(string fileName) : SampleStreamConformance<NiftiStream>
{
    private const int X = 4, Y = 3, Z = 5, Volumes = 30;
    private const double RepetitionSeconds = 2;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Volumes;

    protected override string ExpectedFormatName => NiftiReader.FormatName;

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [X, Y, Z];

    protected override bool ExpectsSourceMemory => false;

    protected override int WindowSamples => 10;

    protected override NiftiStream OpenStream()
    {
        string path = _folder.File(fileName);
        if (!File.Exists(path))
        {
            NiftiTestFiles.Write(path, X, Y, Z, Volumes, new NiftiWriteOptions(RepetitionTime: RepetitionSeconds, SclSlope: 0.5f, SclInter: 3));
        }

        return NiftiReader.Open(path, new NiftiOptions(CacheDirectory: _folder.File("cache"), UseSidecars: false));
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<float> values = MemoryMarshal.Cast<byte, float>(destination);
        int i = 0;
        for (int x = 0; x < X; x++)
        {
            for (int y = 0; y < Y; y++)
            {
                for (int z = 0; z < Z; z++)
                {
                    values[i++] = (NiftiTestFiles.Value(x, y, z, (int)index) * 0.5f) + 3;
                }
            }
        }
    }

    protected override double ExpectedTimeSeconds(long index) => index * RepetitionSeconds;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary>A .nii, mapped as it is.</summary>
public sealed class NiftiFileStreamConformanceTests() : NiftiStreamConformanceTests("bold.nii");

/// <summary>A .nii.gz, decompressed once to the cache and mapped from there.</summary>
public sealed class NiftiGzStreamConformanceTests() : NiftiStreamConformanceTests("bold.nii.gz");

/// <summary>
/// A BIDS physio.tsv.gz (3 columns at 250 Hz from StartTime −1.5 s, its own sidecar) parsed once to
/// a float64 cache and mapped: the values are written here with round-trip formatting, so they come
/// back exactly.
/// </summary>
public sealed class BidsPhysioStreamConformanceTests : SampleStreamConformance<BidsPhysioStream>
{
    private const int Columns = 3;
    private const long Rows = 900;
    private const double RateHz = 250;
    private const double StartSeconds = -1.5;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Rows;

    protected override string ExpectedFormatName => BidsPhysioStream.Format;

    protected override SampleType ExpectedElementType => SampleType.Float64;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Columns];

    protected override bool ExpectsSourceMemory => true;

    private static double Value(long k, int c) => SyntheticEphys.Value(k, c) / 7.0;

    protected override BidsPhysioStream OpenStream()
    {
        string data = _folder.File("sub-01_task-rest_physio.tsv.gz");
        if (!File.Exists(data))
        {
            File.WriteAllText(
                _folder.File("sub-01_task-rest_physio.json"),
                $$"""{"SamplingFrequency": {{RateHz}}, "StartTime": {{StartSeconds.ToString(CultureInfo.InvariantCulture)}}, "Columns": ["cardiac", "respiratory", "trigger"]}""");
            var text = new StringBuilder();
            for (long k = 0; k < Rows; k++)
            {
                text.AppendJoin('\t', Enumerable.Range(0, Columns).Select(c => Value(k, c).ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            }

            using var gzip = new GZipStream(File.Create(data), CompressionLevel.Fastest);
            gzip.Write(Encoding.ASCII.GetBytes(text.ToString()));
        }

        return BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: _folder.File("cache")));
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<double> values = MemoryMarshal.Cast<byte, double>(destination);
        for (int c = 0; c < Columns; c++)
        {
            values[c] = Value(index, c);
        }
    }

    protected override double ExpectedTimeSeconds(long index) => StartSeconds + (index / RateHz);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary>
/// The physio stream as the physio modality hands it to a session: the float32 view of a BIDS
/// physio file placed on its run's clock (volume 0 at 0.75 s there), owning its source.
/// </summary>
public sealed class PhysioFloat32StreamConformanceTests : SampleStreamConformance<Float32Stream>
{
    private const int Columns = 2;
    private const long Rows = 700;
    private const double RateHz = 100;
    private const double StartSeconds = -0.25;
    private const double RunStartSeconds = 0.75;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Rows;

    protected override string ExpectedFormatName => BidsPhysioStream.Format;

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Columns];

    protected override bool ExpectsSourceMemory => false;

    private static double Value(long k, int c) => SyntheticEphys.Value(k, c) / 3.0;

    protected override Float32Stream OpenStream()
    {
        string data = _folder.File("sub-01_task-rest_run-1_physio.tsv");
        if (!File.Exists(data))
        {
            File.WriteAllText(
                _folder.File("sub-01_task-rest_run-1_physio.json"),
                $$"""{"SamplingFrequency": {{RateHz}}, "StartTime": {{StartSeconds.ToString(CultureInfo.InvariantCulture)}}, "Columns": ["cardiac", "respiratory"]}""");
            var text = new StringBuilder();
            for (long k = 0; k < Rows; k++)
            {
                text.AppendJoin('\t', Enumerable.Range(0, Columns).Select(c => Value(k, c).ToString("R", CultureInfo.InvariantCulture))).Append('\n');
            }

            File.WriteAllText(data, text.ToString());
        }

        var options = new BidsPhysioOptions(CacheDirectory: _folder.File("cache"), RunStartSeconds: RunStartSeconds);
        return new Float32Stream(BidsPhysioStream.Open(data, options), ownsSource: true);
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<float> values = MemoryMarshal.Cast<byte, float>(destination);
        for (int c = 0; c < Columns; c++)
        {
            values[c] = (float)Value(index, c);
        }
    }

    protected override double ExpectedTimeSeconds(long index) => RunStartSeconds + StartSeconds + (index / RateHz);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

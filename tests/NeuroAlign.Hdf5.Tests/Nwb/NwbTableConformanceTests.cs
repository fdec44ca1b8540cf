using System.Runtime.InteropServices;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Nwb;

/// <summary>
/// The stream contract for an NWB SpatialSeries read as a table (chunked, gzipped int32 data,
/// irregular timestamps, conversion and offset), against h5py's reading of the same file: the
/// values data × conversion + offset rounded to float32, and the timestamps.
/// </summary>
public sealed class NwbTableConformanceTests : SampleStreamConformance<NwbTableStream>
{
    private const string Address = "processing/behavior/Position/SpatialSeries";

    /// <summary>One file and its truth for every test of the class (h5py writes and reads it once).</summary>
    private static readonly Lazy<(string Nwb, float[] Values, double[] Times)> Fixture = new(() =>
    {
        string folder = Directory.CreateTempSubdirectory("nwb-table-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        string nwb = Path.Combine(folder, "b.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        Python.Run(
            """
            import sys, h5py, numpy as np
            s = h5py.File(sys.argv[1], 'r')[sys.argv[2]]
            d = s['data']
            (d[:].astype(np.float64) * d.attrs['conversion'] + d.attrs['offset']).astype(np.float32).tofile(sys.argv[3])
            s['timestamps'][:].astype(np.float64).tofile(sys.argv[4])
            """,
            nwb, Address, Path.Combine(folder, "values.bin"), Path.Combine(folder, "times.bin"));
        return (nwb, MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, "values.bin"))).ToArray(),
            MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(folder, "times.bin"))).ToArray());
    });

    protected override Needs Needs => Needs.Python;

    protected override long ExpectedSampleCount => SyntheticNwbBehaviour.PositionRows;

    protected override string ExpectedFormatName => "nwb";

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [2];

    protected override bool ExpectsSourceMemory => false;

    protected override NwbTableStream OpenStream() => (NwbTableStream)new NwbTableOpener().OpenTable(Fixture.Value.Nwb + "#" + Address);

    protected override void ExpectedSample(long index, Span<byte> destination) =>
        MemoryMarshal.AsBytes(Fixture.Value.Values.AsSpan((int)index * 2, 2)).CopyTo(destination);

    protected override double ExpectedTimeSeconds(long index) => Fixture.Value.Times[index];
}

using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Tables;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests.Nwb;

/// <summary>
/// Mutated NWB files (flips anywhere, truncation, appended bytes) through every reading path: the
/// listing, Units, a trials table, the TTL edges and a window of the chunked gzip ElectricalSeries.
/// Each is read or refused in one line, allocating at most the contract's limit. A third of the
/// flips fall in the first 4 KiB, where the superblock and the root object header's attribute
/// messages are: a flip there once made PureHDF allocate 900 MiB from a damaged size, now refused
/// first by the metadata check of version 0/1 files (Hdf5MetadataCheck).
/// </summary>
public sealed class NwbFuzzTests(ITestOutputHelper output)
{
    [RequiresFact(Needs.Python)]
    public void Mutated_nwb_files_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string source = folder.File("source.nwb");
        SyntheticNwb.Write(source, samples: 2000, chunkSamples: 250);
        Gen<Edit> one = Gen.Frequency(
            (5, Mutations.Flip),
            (3, Mutations.FlipWithin(4096)),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));

        FuzzRunner.RunOnFile("nwb", "synthetic.nwb", File.ReadAllBytes(source), one, folder, ReadAll, output);
    }

    private static void ReadAll(string path)
    {
        NwbInfo.Describe(path, TextWriter.Null);
        using (new NwbSpikesOpener().ReadSpikes(path + "#units").Spikes)
        {
        }

        _ = new NwbTimesOpener().ReadTimes(path + "#trials", new TimeColumnRequest { AllOtherColumnsAsLabels = true });
        _ = new NwbTimesOpener().ReadTimes(path + "#TTL", new TimeColumnRequest());
        using (var table = new NwbTableOpener().OpenTable(path + "#processing/behavior/Position/SpatialSeries"))
        {
            var rows = new byte[3 * table.SampleShape[0] * sizeof(float)];
            table.ReadSamples([0, -1, table.Clock.SampleCount - 1], rows);
        }

        using var ephys = new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP");
        var block = new byte[300 * ephys.FrameBytes];
        ephys.ReadBlock(ephys.SampleCount - 300, 300, block);
        _ = ephys.Clock.IndexAtOrBefore(0.5);
    }
}

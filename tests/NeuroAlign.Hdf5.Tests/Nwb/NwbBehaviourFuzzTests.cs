using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests.Nwb;

/// <summary>
/// Mutated NWB behaviour files (flips anywhere and in the first 4 KiB, truncation, appended bytes)
/// through the behaviour reading paths: the listing, an ImageSeries timed by timestamps and one by a
/// rate (the external video's path and frame times; the video itself is not decoded), a SpatialSeries
/// and an extension's TimeSeries as tables, and a 3-D ndx-pose PoseEstimation (the file's mixed 2-D/3-D one is refused by design). Each is read
/// or refused in one line, allocating at most the contract's limit.
/// </summary>
public sealed class NwbBehaviourFuzzTests(ITestOutputHelper output)
{
    [RequiresFact(Needs.Python)]
    public void Mutated_nwb_behaviour_files_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string source = folder.File("source.nwb");
        SyntheticNwbBehaviour.Write(source);

        // The ImageSeries' external file must exist for its times to be read; its bytes are never decoded here.
        File.WriteAllBytes(folder.File("camera.mp4"), [0]);
        ReadAll(source); // the unmutated file reads through every path, or the fuzzer tests nothing
        Gen<Edit> one = Gen.Frequency(
            (5, Mutations.Flip),
            (3, Mutations.FlipWithin(4096)),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));

        FuzzRunner.RunOnFile("nwb-behaviour", "behaviour.nwb", File.ReadAllBytes(source), one, folder, ReadAll, output);
    }

    private static void ReadAll(string path)
    {
        NwbInfo.Describe(path, TextWriter.Null);
        foreach (string series in new[] { "BehavioralVideo", "VideoByRate" })
        {
            ContainerVideo video = new NwbVideoOpener().OpenVideo($"{path}#acquisition/{series}");
            _ = video.ClockFor(SyntheticNwbBehaviour.VideoFrames);
        }

        foreach (string series in new[] { "processing/behavior/Position/SpatialSeries", "acquisition/Pupil" })
        {
            using var table = new NwbTableOpener().OpenTable($"{path}#{series}");
            var rows = new byte[3 * table.SampleShape[0] * sizeof(float)];
            table.ReadSamples([0, -1, table.Clock.SampleCount - 1], rows);
        }

        _ = new NwbPoseOpener().ReadPose($"{path}#Pose3D");
    }
}

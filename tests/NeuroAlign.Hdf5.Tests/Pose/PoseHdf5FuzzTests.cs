using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests.Pose;

/// <summary>
/// Mutated real pose HDF5 files (a DeepLabCut .h5 written by PyTables and two SLEAP analysis .h5
/// files, all with a version 0 superblock): flips anywhere and in the first 4 KiB (superblock, root
/// object header, root group B-tree and heap), truncation, appended bytes. Each is read or refused
/// in one line within the reader contract's allocation limit.
/// </summary>
public sealed class PoseHdf5FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Sources = ["DLC_sample_poses.h5", "small_robot.000_small_robot_3_frame.analysis.h5", "predictions.analysis.h5"];

    [RequiresFact(Needs.SharedData)]
    public void Mutated_pose_hdf5_files_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        Dictionary<string, byte[]> originals = Sources.ToDictionary(s => s, s => File.ReadAllBytes(RepoPaths.Shared("pose", s)));
        Gen<Edit> one = Gen.Frequency(
            (3, Mutations.Flip),
            (4, Mutations.FlipWithin(4096)),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));
        Gen<Mutant> mutants =
            from source in Gen.Elements(Sources)
            from edits in Mutations.Edits(one, 3)
            select new Mutant(source, edits);
        int index = 0;

        FuzzRunner.Run("pose hdf5", mutants, 60, mutant =>
        {
            string path = folder.File($"case{index++}.h5");
            File.WriteAllBytes(path, mutant.Apply(originals[mutant.Source]));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    PoseData data = PoseFiles.Read(path);
                    if (data.FrameCount < 0 || data.Bodyparts.Count == 0)
                    {
                        throw new ContractViolationException($"{data.FrameCount} frames of {data.Bodyparts.Count} bodyparts accepted");
                    }

                    _ = data.Details();
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }
}

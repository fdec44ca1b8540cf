using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests.Pose;

/// <summary>
/// Mutated copies of the real SLEAP labels file (clip.predictions.slp: flips anywhere, truncation,
/// appended bytes) through <see cref="PoseFiles.Read"/> and <c>info</c>'s details: each is read or
/// refused in one line.
/// </summary>
public sealed class SlpFuzzTests(ITestOutputHelper output)
{
    [RequiresFact(Needs.SharedData)]
    public void Mutated_slp_files_keep_the_reader_contract()
    {
        byte[] original = File.ReadAllBytes(RepoPaths.Shared("pose", "clip.predictions.slp"));
        using var folder = new TempFolder();
        Gen<Edit> one = Gen.Frequency(
            (5, Mutations.Flip),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));

        FuzzRunner.RunOnFile("slp", "clip.predictions.slp", original, one, folder, path =>
        {
            PoseData data = PoseFiles.Read(path);
            if (data.FrameCount < 1 || data.Individuals.Count * data.Bodyparts.Count * 3 != data.ValuesPerFrame)
            {
                throw new ContractViolationException($"accepted but inconsistent: {data.FrameCount} frames, {data.ValuesPerFrame} values per frame");
            }

            _ = data.Details();
        }, output);
    }
}

using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Core.Tests.Formats.Nifti;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// BIDS sidecar mutants read with a small 4-D image: RepetitionTime of 5e-324 or 1e400, VolumeTiming
/// and SliceTiming with wrong lengths, types, NaN-like and huge values, DelayTime past the TR,
/// both RepetitionTime and VolumeTiming, control characters; plus the real sidecars of ../shared/data.
/// </summary>
public sealed class BidsSidecarFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Keys =
    [
        "RepetitionTime", "VolumeTiming", "VolumeTiming.0", "VolumeTiming.3", "SliceTiming", "SliceTiming.0", "SliceTiming.4", "DelayTime",
        "FrameAcquisitionDuration", "AcquisitionDuration", "SliceEncodingDirection", "TaskName",
    ];

    [Fact]
    public void Mutated_sidecars_keep_the_reader_contract()
    {
        var sources = new Dictionary<string, string>
        {
            ["repetition time"] = "{\"RepetitionTime\": 2, \"SliceTiming\": [0, 0.4, 0.8, 1.2, 1.6], \"DelayTime\": 0.1, \"SliceEncodingDirection\": \"k\", \"TaskName\": \"x\"}",
            ["volume timing"] = "{\"VolumeTiming\": [0, 2.5, 5, 7.5, 10, 12.5], \"FrameAcquisitionDuration\": 1, \"SliceTiming\": [0, 0.2, 0.4, 0.6, 0.8], \"SliceEncodingDirection\": \"k-\"}",
        };
        if (RepoPaths.HasSharedData)
        {
            foreach (string file in Directory.GetFiles(RepoPaths.Shared("bids"), "*_bold.json", SearchOption.AllDirectories))
            {
                sources[Path.GetFileName(file)] = File.ReadAllText(file);
            }
        }

        Gen<Mutant> mutants =
            from source in Gen.Elements(sources.Keys.ToArray())
            from edits in Mutations.Edits(Gen.Frequency(
                (8, from key in Gen.Elements(Keys)
                    from json in Gen.Frequency((8, Gen.Elements<string?>(Mutations.BoundaryJson)), (1, Gen.Constant<string?>(null)))
                    select (Edit)new JsonSet(key, json)),
                (1, Mutations.Flip),
                (1, Mutations.Truncation),
                (1, Mutations.ControlInsertion)))
            select new Mutant(source, edits);

        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 3, 2, 5, 6, new NiftiWriteOptions(RepetitionTime: 2));
        int index = 0;
        FuzzRunner.Run("bids sidecars", mutants, 200, mutant =>
        {
            string sidecar = folder.File($"case{index++}.json");
            File.WriteAllBytes(sidecar, mutant.Apply(Encoding.UTF8.GetBytes(sources[mutant.Source])));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [sidecar, image], () =>
                {
                    using NiftiStream stream = NiftiReader.Open(image, new NiftiOptions(CacheDirectory: folder.File("cache"), SidecarPath: sidecar));
                    ReaderChecks.Nifti(stream);
                });
            }
            finally
            {
                File.Delete(sidecar);
            }
        }, output);
    }
}

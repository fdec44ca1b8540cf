using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Mtscomp;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// mtscomp pairs with a mutated .ch (boundary values at every field, chunk bounds and offsets one
/// by one, flips, truncation) or a mutated .cbin (flips, truncation, bytes appended): each opens and
/// reads every sample, or is refused in one line.
/// </summary>
public sealed class MtscompFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Paths =
    [
        "dtype", "n_channels", "sample_rate", "chunk_order", "do_time_diff", "do_spatial_diff", "algorithm", "version",
        "chunk_bounds", "chunk_bounds.0", "chunk_bounds.1", "chunk_bounds.3", "chunk_offsets", "chunk_offsets.0", "chunk_offsets.2", "chunk_offsets.3",
    ];

    [Fact]
    public void Compressed_pairs_keep_the_reader_contract()
    {
        Gen<Mutant> mutants = Gen.Frequency(
            (3, from edits in Mutations.Edits(Gen.Frequency(
                    (6, from path in Gen.Elements(Paths)
                        from json in Gen.Frequency((5, Gen.Elements<string?>(Mutations.BoundaryJson)), (1, Gen.Constant<string?>(null)))
                        select (Edit)new JsonSet(path, json)),
                    (1, Mutations.Flip),
                    (1, Mutations.Truncation)))
                select new Mutant("x.ch", edits)),
            (2, from edits in Mutations.Edits(Gen.Frequency((4, Mutations.Flip), (1, Mutations.Truncation), (1, Mutations.Appending)))
                select new Mutant("x.cbin", edits)));

        using var folder = new TempFolder();
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), NeuroAlign.Core.Tests.Formats.MtscompTests.Values(700, 3), 3, 30000, chunkSamples: 250);
        var originals = new Dictionary<string, byte[]> { ["x.ch"] = File.ReadAllBytes(folder.File("x.ch")), ["x.cbin"] = File.ReadAllBytes(folder.File("x.cbin")) };
        int index = 0;
        FuzzRunner.Run("mtscomp", mutants, 300, mutant =>
        {
            string stem = Path.Combine(folder.Path, $"case{index++}");
            foreach ((string name, byte[] bytes) in originals)
            {
                File.WriteAllBytes(stem + Path.GetExtension(name), name == mutant.Source ? mutant.Apply(bytes) : bytes);
            }

            try
            {
                return ReaderContract.Run(mutant.ToString(), [stem + ".ch", stem + ".cbin"], () =>
                {
                    MtscompStream stream = MtscompStream.Open(stem + ".cbin", stem + ".ch", n => new RegularClock(0, 30000, n), null, null, "mtscomp");
                    using var recording = new EphysRecording(stream, null, MtscompReader.Describe(stream, 30000), [], []);
                    ReaderChecks.Ephys(recording);
                    var all = new byte[recording.SampleCount * recording.FrameBytes];
                    recording.ReadBlock(0, (int)recording.SampleCount, all);
                });
            }
            finally
            {
                File.Delete(stem + ".ch");
                File.Delete(stem + ".cbin");
            }
        }, output);
    }
}

using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;
using static NeuroAlign.TestData.SyntheticSpikeGlxRun;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// SpikeGLX runs (gates and triggers read as one stream) held to the reader contract: a run of three
/// triggers, one of its files mutated per case — its .meta's placement keys set to boundary texts
/// (firstSample, fileSizeBytes, imSampRate, nSavedChans), flipped or cut; its .bin cut short or
/// grown; its .meta or .bin deleted; a trigger renumbered so two files claim one slot. Each mutant
/// opens as one consistent run (ReaderChecks.Ephys: every window inside the files, the clock
/// monotonic) or is refused in one line; no input changes.
/// </summary>
public sealed class SpikeGlxRunFuzzTests(ITestOutputHelper output)
{
    private static readonly RunFile[] Triggers = [new(0, 0, 1000, 60), new(0, 1, 1100, 80), new(0, 2, 1300, 50)];

    private static readonly string[] PlacementKeys = ["firstSample", "fileSizeBytes", "imSampRate", "nSavedChans", "fileTimeSecs", "snsApLfSy"];

    [RequiresFact(Needs.SharedData)]
    public void Runs_keep_the_reader_contract()
    {
        Gen<Edit> metaEdit = Gen.Frequency(
            (6, from key in Gen.Elements(PlacementKeys)
                from value in Gen.Elements([.. Mutations.BoundaryTexts, "999", "1100", "1299", "1040", "0"])
                from how in Gen.Frequency((6, Gen.Constant("set")), (1, Gen.Constant("duplicate")), (1, Gen.Constant("delete")))
                select (Edit)new SetKey(key, value, how)),
            (1, Mutations.Flip),
            (1, Mutations.Truncation));
        Gen<Edit> binEdit = Gen.Frequency((2, Mutations.Truncation), (1, Mutations.Appending));
        Gen<Mutant> mutants =
            from file in Gen.Choose(0, Triggers.Length - 1)
            from target in Gen.Frequency((6, Gen.Constant("meta")), (2, Gen.Constant("bin")), (1, Gen.Constant("delete-meta")), (1, Gen.Constant("delete-bin")), (1, Gen.Constant("renumber")))
            from edits in target switch
            {
                "meta" => Mutations.Edits(metaEdit, 2),
                "bin" => Mutations.Edits(binEdit, 1),
                _ => Gen.Constant(Array.Empty<Edit>()),
            }
            select new Mutant($"t{file} {target}", edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("spikeglx runs", mutants, 120, mutant =>
        {
            string root = Path.Combine(folder.Path, $"case{index++}");
            string[] bins = Write(root, "rec", Triggers);
            string[] parts = mutant.Source.Split(' ');
            int file = int.Parse(parts[0][1..], CultureInfo.InvariantCulture);
            string bin = bins[file], meta = Path.ChangeExtension(bin, ".meta");
            switch (parts[1])
            {
                case "meta":
                    File.WriteAllBytes(meta, mutant.Apply(File.ReadAllBytes(meta)));
                    break;
                case "bin":
                    File.WriteAllBytes(bin, mutant.Apply(File.ReadAllBytes(bin)));
                    break;
                case "delete-meta":
                    File.Delete(meta);
                    break;
                case "delete-bin":
                    File.Delete(bin);
                    break;
                default:
                    // Trigger t(file) renamed to the next one's number (or t0's): two files for one trigger, or a hole.
                    int other = (file + 1) % Triggers.Length;
                    string moved = bin.Replace($"_t{file}.", $"_t{other}.", StringComparison.Ordinal);
                    File.Move(bin, moved, overwrite: true);
                    File.Move(meta, Path.ChangeExtension(moved, ".meta"), overwrite: true);
                    break;
            }

            string[] inputs = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
            try
            {
                return ReaderContract.Run(mutant.ToString(), inputs, () =>
                {
                    using EphysRecording recording = EphysReader.Open(Path.Combine(root, "rec_g0"), new EphysOpenOptions());
                    ReaderChecks.Ephys(recording);
                });
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }, output);
    }
}

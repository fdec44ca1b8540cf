using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Open Ephys recordings (the real structure.oebin around synthetic data) with one file mutated:
/// structure.oebin's values replaced by boundary and wrong-typed JSON at real keys, or the .npy side
/// files (sample_numbers, timestamps, TTL states and their sample numbers) given lying headers and
/// boundary values as elements, or continuous.dat cut short.
/// </summary>
public sealed class OpenEphysFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] JsonPaths =
    [
        "GUI version", "continuous", "continuous.0", "continuous.0.sample_rate", "continuous.0.num_channels", "continuous.0.channels",
        "continuous.0.channels.0", "continuous.0.channels.0.bit_volts", "continuous.0.channels.0.units", "continuous.0.channels.0.channel_name",
        "continuous.0.channels.384.bit_volts", "continuous.0.folder_name", "continuous.0.stream_name", "continuous.1.sample_rate",
        "continuous.1.channels.0.bit_volts", "events", "events.0", "events.0.folder_name", "events.0.stream_name", "events.0.type", "events.0.channel_name",
    ];

    private static readonly string[] NpyFiles =
    [
        "continuous/OneBox-111.ProbeA/sample_numbers.npy", "continuous/OneBox-111.ProbeA/timestamps.npy",
        "events/OneBox-111.ProbeA/TTL/states.npy", "events/OneBox-111.ProbeA/TTL/sample_numbers.npy",
    ];

    [RequiresFact(Needs.SharedData)]
    public void Mutated_recordings_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string template = SyntheticOpenEphys.Build(Path.Combine(folder.Path, "template"), probeSamples: 60, adcSamples: 61);
        Gen<Edit> npyEdit = Gen.Frequency(
            (4, from element in Gen.Elements(0, 1, 2, 5, 59, 60)
                from value in Gen.Elements(Mutations.Boundaries)
                from asDouble in Gen.Elements(false, true)
                select (Edit)new WriteField(new Field($"element {element}", 128 + (8 * element), asDouble ? FieldKind.F64 : FieldKind.I64), value, BigEndian: false)),
            (2, Mutations.FieldWrite([new("HEADER_LEN", 8, FieldKind.U16), new("major version", 6, FieldKind.U8)], bigEndian: false)),
            (2, Mutations.FlipWithin(128)),
            (1, Mutations.Truncation));
        Gen<Mutant> mutants = Gen.Frequency(
            (5, from edits in Mutations.Edits(Gen.Frequency(
                    (6, from path in Gen.Elements(JsonPaths)
                        from json in Gen.Frequency((8, Gen.Elements<string?>(Mutations.BoundaryJson)), (1, Gen.Constant<string?>(null)))
                        select (Edit)new JsonSet(path, json)),
                    (1, Mutations.Flip),
                    (1, Mutations.Truncation),
                    (1, Mutations.ControlInsertion)))
                select new Mutant("structure.oebin", edits)),
            (4, from file in Gen.Elements(NpyFiles)
                from edits in Mutations.Edits(npyEdit)
                select new Mutant(file, edits)),
            (1, from edits in Mutations.Edits(Mutations.Truncation, 1)
                select new Mutant("continuous/OneBox-111.ProbeA/continuous.dat", edits)));

        int index = 0;
        FuzzRunner.Run("openephys", mutants, 50, mutant =>
        {
            string recording = Path.Combine(folder.Path, $"case{index++}");
            CopyFolder(template, recording);
            string target = Path.Combine(recording, mutant.Source);
            File.WriteAllBytes(target, mutant.Apply(File.ReadAllBytes(target)));
            try
            {
                string[] inputs = Directory.GetFiles(recording, "*", SearchOption.AllDirectories);
                return ReaderContract.Run(mutant.ToString(), inputs, () =>
                {
                    using EphysRecording probe = OpenEphysReader.Open(recording);
                    ReaderChecks.Ephys(probe);
                });
            }
            finally
            {
                Directory.Delete(recording, recursive: true);
            }
        }, output);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}

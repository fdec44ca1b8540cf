using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// SpikeGLX .meta mutants beside a small .bin: boundary values at real keys (rates of 1e-308 and
/// 1e309, firstSample past 2^53, snsApLfSy past 2^31, channel ranges of 2^31), duplicated, dropped
/// and added keys, mangled tables, control characters, flips and truncation.
/// </summary>
public sealed class SpikeGlxFuzzTests(ITestOutputHelper output)
{
    internal const string SyntheticImec =
        "typeThis=imec\nimSampRate=30000\nnSavedChans=5\nsnsApLfSy=4,0,1\nacqApLfSy=4,4,1\nsnsSaveChanSubset=0:3,8\n"
        + "imAiRangeMax=0.6\nimAiRangeMin=-0.6\nimMaxInt=512\nfirstSample=1000\nfileSizeBytes=2000\n"
        + "~imroTbl=(0,4)(0 0 0 500 250 1)(1 0 0 500 250 1)(2 0 0 500 250 1)(3 0 0 500 250 1)\n"
        + "~snsChanMap=(4,4,1)(AP0;0:0)(AP1;1:1)(AP2;2:2)(AP3;3:3)(SY0;8:8)\n"
        + "~snsShankMap=(1,2,480)(0:0:0:1)(0:1:0:1)(0:0:1:1)(0:1:1:1)\n";

    internal const string SyntheticNidq =
        "typeThis=nidq\nniSampRate=25000\nnSavedChans=3\nsnsMnMaXaDw=0,0,2,1\nniAiRangeMax=5\nniMaxInt=32768\n"
        + "niXDChans1=0:7\nniXDBytes1=1\nsyncNiChanType=0\nsyncNiChan=3\nsyncSourceIdx=1\nfirstSample=0\nsnsSaveChanSubset=all\n";

    private static readonly string[] ImportantKeys =
    [
        "imSampRate", "niSampRate", "nSavedChans", "snsApLfSy", "snsMnMaXaDw", "acqApLfSy", "snsSaveChanSubset", "firstSample",
        "imAiRangeMax", "imMaxInt", "niAiRangeMax", "niMaxInt", "niMNGain", "niMAGain", "imDatPrb_type", "imChan0apGain", "typeThis",
        "fileSizeBytes", "niXDChans1", "niXDChans2", "niXDBytes1", "syncNiChan", "syncNiChanType", "~imroTbl", "~snsChanMap", "~snsShankMap", "~snsGeomMap",
    ];

    [Fact]
    public void Synthetic_metadata_keeps_the_reader_contract() =>
        Run("spikeglx (synthetic)", new() { ["synthetic imec"] = SyntheticImec, ["synthetic nidq"] = SyntheticNidq }, 200);

    [RequiresFact(Needs.SharedData)]
    public void Real_metadata_keeps_the_reader_contract() =>
        Run("spikeglx (real)", SpikeGlxTestFiles().ToDictionary(n => n, n => File.ReadAllText(RepoPaths.Shared("spikeglx", n))), 100);

    private static string[] SpikeGlxTestFiles() =>
        ["Noise_g0_t0.imec0.ap.meta", "NP1_saved_only_subset_of_channels.meta", "NP2_2013_subset_channels.imec0.ap.meta", "NP2_4_shanks.imec0.ap.meta", "catgt.meta", "phase3a.imec.ap.meta"];

    private void Run(string fuzzer, Dictionary<string, string> sources, int count)
    {
        Dictionary<string, string[]> keys = sources.ToDictionary(s => s.Key, s => s.Value.Split('\n').Where(l => l.Contains('=')).Select(l => l[..l.IndexOf('=')]).ToArray());
        Gen<Mutant> mutants =
            from source in Gen.Elements(sources.Keys.ToArray())
            from edits in Mutations.Edits(Gen.Frequency(
                (8, from key in Gen.Frequency((2, Gen.Elements(ImportantKeys)), (1, Gen.Elements(keys[source])))
                    from value in Gen.Elements(Mutations.BoundaryTexts)
                    from how in Gen.Frequency((6, Gen.Constant("set")), (2, Gen.Constant("duplicate")), (1, Gen.Constant("delete")), (1, Gen.Constant("add")))
                    select (Edit)new SetKey(key, value, how)),
                (3, from key in Gen.Elements("~snsGeomMap", "~snsShankMap", "~imroTbl", "~snsChanMap")
                    from entry in Gen.Choose(0, 400)
                    from field in Gen.Choose(0, 5)
                    from value in Gen.Elements(Mutations.BoundaryTexts)
                    select (Edit)new SetTableField(key, entry, field, value)),
                (2, Mutations.Flip),
                (1, Mutations.Truncation),
                (1, Mutations.ControlInsertion)))
            select new Mutant(source, edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run(fuzzer, mutants, count, mutant =>
        {
            string stem = Path.Combine(folder.Path, $"case{index++}");
            string meta = stem + ".meta", bin = stem + ".bin";
            string original = sources[mutant.Source];
            File.WriteAllBytes(meta, mutant.Apply(Encoding.UTF8.GetBytes(original)));
            int channels = int.Parse(original.Split('\n').First(l => l.StartsWith("nSavedChans=", StringComparison.Ordinal))[12..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            SyntheticSpikeGlx.WriteBin(bin, 40, channels, channels - 1);
            try
            {
                return ReaderContract.Run(mutant.ToString(), [meta, bin], () =>
                {
                    using EphysRecording recording = SpikeGlxReader.Open(bin);
                    ReaderChecks.Ephys(recording);
                });
            }
            finally
            {
                File.Delete(meta);
                File.Delete(bin);
            }
        }, output);
    }
}

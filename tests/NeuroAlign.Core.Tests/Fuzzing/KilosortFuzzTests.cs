using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Kilosort/phy folder mutants: params.py with boundary values, deleted or repeated assignments,
/// flips, truncation and control characters; the label TSVs (cluster_group.tsv, cluster_info.tsv)
/// flipped, truncated and with inserted text. Each folder is opened as sorted spikes and read whole.
/// </summary>
public sealed class KilosortFuzzTests(ITestOutputHelper output)
{
    private static readonly long[] Samples = [5, 9, 9, 400, 1000, 1001, 29000];
    private static readonly int[] Clusters = [1, 4, 1, 4, 6, 1, 6];
    private static readonly string[] Keys = ["sample_rate", "dat_path", "n_channels_dat", "dtype", "offset", "hp_filtered"];
    private static readonly string[] Files = ["params.py", "cluster_group.tsv", "cluster_info.tsv"];

    [Fact]
    public void Mutated_folders_keep_the_reader_contract()
    {
        Gen<Edit> paramsEdit = Gen.Frequency(
            (6, from key in Gen.Elements(Keys)
                from value in Gen.Elements(Mutations.BoundaryTexts.Concat(["'run.bin'", "['a.bin', 'b.bin']", "[]", "True", "None", "r'x'", "'unclosed", "[[[[[1]]]]]", "(1,)"]).ToArray())
                from how in Gen.Elements("set", "delete", "duplicate", "add")
                select (Edit)new SetKey(key, value, how)),
            (1, Mutations.Flip),
            (1, Mutations.Truncation),
            (1, Mutations.ControlInsertion));
        Gen<Edit> tableEdit = Gen.Frequency(
            (2, Mutations.Flip),
            (2, Mutations.Truncation),
            (1, Mutations.ControlInsertion),
            (2, from position in Gen.Choose(0, 200)
                from text in Gen.Elements("\t", "\n", "n/a", "-1", "99", "4\tgood\n", "1e400", "\"", "7.5", "18446744073709551616")
                select (Edit)new InsertText((uint)position, text)));
        Gen<Mutant> mutants =
            from file in Gen.Elements(Files)
            from edits in Mutations.Edits(file == "params.py" ? paramsEdit : tableEdit)
            select new Mutant(file, edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("kilosort folders", mutants, 200, mutant =>
        {
            string dir = folder.File($"case{index++}");
            SyntheticKilosort.Write(dir, index % 2 == 0 ? KilosortLayout.Kilosort4 : KilosortLayout.Kilosort25, Samples, Clusters, "run.bin", 30000,
                groups: new Dictionary<int, string> { [1] = "good", [4] = "mua", [6] = "noise" },
                info: new Dictionary<int, (int, double)> { [1] = (3, 20), [4] = (17, 160), [6] = (300, 3000) });
            string target = Path.Combine(dir, mutant.Source);
            File.WriteAllBytes(target, mutant.Apply(File.ReadAllBytes(target)));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [target], () =>
                {
                    using SortedSpikes spikes = SortedSpikes.Open(dir, new SortedSpikesOptions());
                    var samples = new long[spikes.SpikeCount];
                    var ids = new long[spikes.SpikeCount];
                    spikes.Read(0, samples, ids);
                    Assert.All(spikes.Units, u => Assert.False(string.IsNullOrEmpty(u.Label)));
                    Assert.True(spikes.SampleRateHz > 0);
                    _ = Encoding.UTF8.GetByteCount(string.Join(",", spikes.ParamFacts.Select(f => f.Value)));
                });
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }, output);
    }
}

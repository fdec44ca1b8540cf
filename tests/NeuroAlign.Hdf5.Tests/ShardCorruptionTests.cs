using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Alignment;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// Damaged shards given to merge (issue 17): a truncated shard, a flipped byte, a filter this
/// version does not have. Each is one line naming the shard and what is wrong (exit 1 on the command
/// line, formerly exit 70), nothing is written, and no shard changes. The fuzzer draws mutants of a
/// real shard (truncations, flips anywhere and in the headers, appended bytes) and holds merge to the
/// reader contract.
/// </summary>
public sealed class ShardCorruptionTests(ITestOutputHelper output)
{
    [Fact]
    public void Merge_TruncatedShard_OneLineNamingTheShardNothingWritten()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 6, 2);
        byte[] whole = File.ReadAllBytes(shards[1]);
        File.WriteAllBytes(shards[1], whole[..(whole.Length * 2 / 3)]);

        var e = Assert.Throws<InvalidRecordingException>(() => ShardMerger.Merge(shards, folder.File("m.h5")));

        Assert.StartsWith($"{shards[1]}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(["shard-0.h5", "shard-1.h5"], folder.FileNames());
    }

    [Fact]
    public void Merge_ShardWithAnUnknownFilter_NamedBeforeAnythingIsWritten()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 6, 2);
        var lz4 = Hdf5SinkOptions.Parse("lz4 0 shuffle");
        var (first, count) = new ShardSpec(1, 2).Range(6);
        SyntheticExport.Write(shards[1], 6, first, count, new ShardSpec(1, 2), options: lz4);
        SyntheticExport.Write(shards[0], 6, 0, first, new ShardSpec(0, 2), options: lz4);

        // The filter pipeline messages name lz4 (id 32004 = 0x7D04, then the name "lz4"): give them an id no one registered.
        byte[] bytes = File.ReadAllBytes(shards[1]);
        int patched = 0;
        for (int i = 0; i + 12 < bytes.Length; i++)
        {
            if (bytes[i] == 0x04 && bytes[i + 1] == 0x7D && bytes.AsSpan(i + 2, 10).IndexOf("lz4"u8) >= 0)
            {
                bytes[i] = 0x63;
                patched++;
            }
        }

        Assert.True(patched > 0);
        Hdf5Bytes.RestampObjectHeaders(bytes); // a well-formed file naming a filter we lack, not a damaged header
        File.WriteAllBytes(shards[1], bytes);

        var e = Assert.Throws<InvalidRecordingException>(() => ShardMerger.Merge(shards, folder.File("m.h5")));

        Assert.StartsWith($"{shards[1]}: /ephys window 0: found Could not find filter 'lz4' with ID '32099'", e.Message);
        Assert.Contains("a filter this version does not read", e.Message);
        Assert.Equal(["shard-0.h5", "shard-1.h5"], folder.FileNames());
    }

    [Fact]
    public void Merge_MutatedShards_KeepTheContract()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 6, 2);
        byte[] original = File.ReadAllBytes(shards[1]);
        Gen<Edit> one = Gen.Frequency(
            (3, Mutations.Flip),
            (3, Mutations.FlipWithin(2048)),
            (2, Mutations.Truncation),
            (1, Mutations.Appending));
        Gen<Mutant> mutants = from edits in Mutations.Edits(one, 2) select new Mutant("shard-1.h5", edits);
        string merged = folder.File("m.h5");

        FuzzRunner.Run("merge of shards", mutants, 40, mutant =>
        {
            File.WriteAllBytes(shards[1], mutant.Apply(original));
            (CaseOutcome outcome, string? message) = ReaderContract.Run(mutant.ToString(), shards, () => ShardMerger.Merge(shards, merged));
            if (outcome == CaseOutcome.Rejected && (File.Exists(merged) || Directory.GetFiles(folder.Path, "*.partial").Length > 0))
            {
                throw new ContractViolationException($"{mutant}: refused ({message}) but left {string.Join(", ", folder.FileNames())}");
            }

            File.Delete(merged);
            return (outcome, message);
        }, output);
    }
}

using System.Text;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// The HDF5 metadata check that runs before PureHDF (issue 17: PureHDF allocated 1–1.3 GiB from a
/// flipped size in a shard's header). Oracles: the published lookup3 test vectors; files written by
/// libhdf5 through h5py with checksummed headers (an independent writer), which must pass; and every
/// single-byte flip inside those headers, which must be refused in one line before PureHDF runs.
/// </summary>
public sealed class Hdf5MetadataCheckTests
{
    [Theory]
    [InlineData("", 0u, 0xdeadbeefu)]
    [InlineData("Four score and seven years ago", 0u, 0x17770551u)]
    [InlineData("Four score and seven years ago", 1u, 0xcd628161u)]
    public void Lookup3_PublishedTestVectors(string text, uint initial, uint expected) =>
        Assert.Equal(expected, Hdf5MetadataCheck.Lookup3(Encoding.ASCII.GetBytes(text), initial));

    [Fact]
    public void Check_EveryShardTheSinkWrites_Passes()
    {
        using var folder = new TempFolder();
        foreach (string shard in SyntheticExport.WriteShards(folder.Path, 6, 2))
        {
            Hdf5MetadataCheck.Check(shard);
        }
    }

    [RequiresFact(Needs.Python)]
    public void Check_FileWrittenByLibhdf5WithChecksums_PassesAndEveryHeaderFlipIsRefused()
    {
        using var folder = new TempFolder();
        string path = folder.File("h5py.h5");
        Python.Run(
            """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], 'w', libver='latest') as f:
                f.attrs['command_line'] = 'neuro-align export --ephys x.bin'
                f.attrs['names'] = np.array(['a', 'bb', 'ccc'], dtype=h5py.string_dtype())
                g = f.create_group('ephys')
                g.create_dataset('data', data=np.arange(4 * 30 * 3, dtype=np.int16).reshape(4, 30, 3), chunks=(1, 30, 3), compression='gzip', shuffle=True)
                g.create_dataset('contiguous', data=np.arange(100, dtype=np.float64))
                g.attrs['rate_hz'] = 30000.0
            """,
            path);
        Hdf5MetadataCheck.Check(path);

        byte[] original = File.ReadAllBytes(path);
        var headers = Hdf5Bytes.Occurrences(original, "OHDR"u8.ToArray());
        Assert.True(headers.Count >= 4, $"{headers.Count} object headers");
        int refused = 0;
        foreach (int start in headers)
        {
            // Every byte of each header after its signature: version, flags, times, sizes, messages, checksum.
            for (int i = start + 4; i < Hdf5Bytes.HeaderEnd(original, start); i++)
            {
                byte[] mutant = (byte[])original.Clone();
                mutant[i] ^= 0x40;
                File.WriteAllBytes(path, mutant);
                var e = Assert.Throws<InvalidRecordingException>(() => Hdf5MetadataCheck.Check(path));
                Assert.StartsWith($"{path}: HDF5 ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
                refused++;
            }
        }

        Assert.True(refused >= 4 * 40, $"{refused} flips");
    }

    [Fact]
    public void Merge_ShardWithAFlippedHeaderByte_RefusedBeforePureHdfAllocates()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 6, 2);
        byte[] original = File.ReadAllBytes(shards[1]);
        List<int> headers = Hdf5Bytes.Occurrences(original, "OHDR"u8.ToArray());
        Assert.NotEmpty(headers);
        foreach (int start in headers)
        {
            for (int i = start + 4; i < Hdf5Bytes.HeaderEnd(original, start); i += 3)
            {
                byte[] mutant = (byte[])original.Clone();
                mutant[i] ^= 0x50;
                File.WriteAllBytes(shards[1], mutant);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var e = Assert.Throws<InvalidRecordingException>(() => ShardMerger.Merge(shards, folder.File("m.h5")));
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

                Assert.True(e.Message.StartsWith($"{shards[1]}: HDF5 ", StringComparison.Ordinal), e.Message);
                Assert.True(allocated < 16L << 20, $"byte {i}: allocated {allocated >> 20} MiB");
                Assert.Equal(["shard-0.h5", "shard-1.h5"], folder.FileNames());
            }
        }
    }

    [Fact]
    [Slow]
    public void Open_EveryFifthByteOfAShardFlipped_AcceptedOrOneLineWithoutAHugeAllocation()
    {
        using var folder = new TempFolder();
        string shard = SyntheticExport.WriteShards(folder.Path, 6, 2)[1];
        byte[] original = File.ReadAllBytes(shard);
        var worst = (Bytes: 0L, At: -1);
        for (int i = 0; i < original.Length; i += 5)
        {
            byte[] mutant = (byte[])original.Clone();
            mutant[i] ^= 0x50;
            File.WriteAllBytes(shard, mutant);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using ExportFileReader reader = ExportFileReader.Open(shard);
            }
            catch (NeuroAlignException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain("OutOfMemory", e.Message, StringComparison.Ordinal);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worst = allocated > worst.Bytes ? (allocated, i) : worst;
        }

        Assert.True(worst.Bytes < 16L << 20, $"byte {worst.At}: {worst.Bytes >> 20} MiB allocated");
    }
}

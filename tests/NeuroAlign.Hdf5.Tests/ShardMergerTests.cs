using NeuroAlign.Alignment;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests;

public class ShardMergerTests
{
    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData(25, 4)]
    [InlineData(7, 7)]
    [InlineData(10, 1)]
    public void Merge_AllShards_EveryDatasetEqualsTheSingleFileH5py(int total, int count)
    {
        using var folder = new TempFolder();
        string single = folder.File("single.h5");
        SyntheticExport.Write(single, total, 0, total, shard: null);
        string[] shards = SyntheticExport.WriteShards(folder.Path, total, count);
        string merged = folder.File("merged.h5");

        MergeSummary summary = ShardMerger.Merge(shards.Reverse().ToArray(), merged, extraRootAttributes: new Dictionary<string, object> { ["merged_shards"] = (long)count });

        Assert.Equal(total, summary.WindowCount);
        Assert.Equal(count, summary.ShardCount);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            names = []
            a.visit(names.append)
            other = []
            b.visit(other.append)
            assert sorted(names) == sorted(other), (names, other)
            n = 0
            for name in names:
                if isinstance(a[name], h5py.Dataset):
                    x, y = a[name], b[name]
                    assert x.dtype == y.dtype and x.shape == y.shape and x.chunks == y.chunks, name
                    assert x.compression == y.compression and x.shuffle == y.shuffle, name
                    assert np.array_equal(x[()], y[()], equal_nan=x.dtype.kind == 'f'), name
                    n += 1
            for g in ('ephys', 'video'):
                assert b[g].attrs['samples_outside'] == 2 * int(sys.argv[3]), b[g].attrs['samples_outside']
                assert b[g].attrs['windows_incomplete'] == int(sys.argv[3])
                assert dict(a[g].attrs) == dict(b[g].attrs), g
            assert b.attrs['windows_incomplete'] == a.attrs['windows_incomplete']
            assert b.attrs['total_windows'] == int(sys.argv[3]) and b.attrs['first_window'] == 0
            assert b.attrs['merged_shards'] == int(sys.argv[4])
            assert b.attrs['answer'] == 42 and b.attrs['answer'].dtype == np.int32
            assert 'shard_index' not in b.attrs and 'shard_count' not in b.attrs and 'shard_compression' not in b.attrs
            print(n)
            """,
            single,
            merged,
            total.ToString(),
            count.ToString());
        Assert.Equal("11", check.Trim()); // windows/time, 4 + 2 ephys, 4 video
    }

    [Fact]
    public void Merge_AllShards_ReaderSeesTheSingleFilesValues()
    {
        using var folder = new TempFolder();
        string single = folder.File("single.h5");
        SyntheticExport.Write(single, 13, 0, 13, shard: null);
        string merged = folder.File("merged.h5");

        ShardMerger.Merge(SyntheticExport.WriteShards(folder.Path, 13, 3), merged);

        using ExportFileReader a = ExportFileReader.Open(single);
        using ExportFileReader b = ExportFileReader.Open(merged);
        Assert.Equal(a.WindowTimes, b.WindowTimes);
        Assert.Equal(a.Modalities.Select(m => m.Name), b.Modalities.Select(m => m.Name));
        for (int m = 0; m < a.Modalities.Count; m++)
        {
            Assert.Equal(a.Modalities[m].ExtraDatasets.Keys, b.Modalities[m].ExtraDatasets.Keys);
            foreach (var (name, values) in a.Modalities[m].ExtraDatasets)
            {
                Assert.Equal(values, b.Modalities[m].ExtraDatasets[name]);
            }

            var x = new WindowBuffer(a.Modalities[m]);
            var y = new WindowBuffer(b.Modalities[m]);
            for (int w = 0; w < a.WindowCount; w++)
            {
                a.ReadWindow(m, w, x);
                b.ReadWindow(m, w, y);
                Assert.Equal(x.DataBytes.ToArray(), y.DataBytes.ToArray());
                Assert.Equal(x.Timestamps, y.Timestamps);
                Assert.Equal(x.SourceIndex, y.SourceIndex);
                Assert.Equal(x.SourceTime, y.SourceTime);
            }
        }
    }

    [Fact]
    public void Merge_MissingShards_RefusedNamingThemAndWritesNothing()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 20, 5);

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([shards[0], shards[2]], folder.File("m.h5")));

        Assert.Equal("merge: missing shard(s) 1, 3-4 of 5 (given: 0, 2); all 5 shards of the export are needed", e.Message);
        Assert.False(File.Exists(folder.File("m.h5")));
        Assert.DoesNotContain(folder.FileNames(), n => n.EndsWith(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public void Merge_ShardGivenTwice_RefusedNamingBothFiles()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 8, 2);
        string copy = folder.File("copy-of-1.h5");
        File.Copy(shards[1], copy);

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([shards[0], shards[1], copy], folder.File("m.h5")));

        Assert.Equal($"merge: shard 1/2 is given twice: {shards[1]} and {copy}", e.Message);
    }

    [Fact]
    public void Merge_DifferentFingerprint_RefusedAsOtherInputs()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 8, 2);
        string other = folder.File("other.h5");
        SyntheticExport.Write(other, 8, 4, 4, new ShardSpec(1, 2), fingerprint: new string('f', 64));

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([shards[0], other], folder.File("m.h5")));

        Assert.StartsWith($"merge: {other} was written from other inputs or options (inputs_fingerprint ffffffffffff…, not 0123456789ab…)", e.Message);
    }

    [Fact]
    public void Merge_DifferentSplit_Refused()
    {
        using var folder = new TempFolder();
        string[] halves = SyntheticExport.WriteShards(folder.Path, 9, 2);
        string third = folder.File("third.h5");
        SyntheticExport.Write(third, 9, 3, 3, new ShardSpec(1, 3));

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([halves[0], third], folder.File("m.h5")));

        Assert.Contains("is shard 1/3: a different split (into 3, not 2 shards)", e.Message);
    }

    [Fact]
    public void Merge_OtherShape_RefusedNamingTheDataset()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 8, 2);
        string wider = folder.File("wider.h5");
        SyntheticExport.Write(wider, 8, 4, 4, new ShardSpec(1, 2), layouts: SyntheticExport.Layouts(channels: 32));

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([shards[0], wider], folder.File("m.h5")));

        Assert.Equal($"merge: {wider} has another /ephys/data per window (int16 [50, 32], not int16 [50, 16]) than {shards[0]}", e.Message);
    }

    [Fact]
    public void Merge_MaskInOneShardOnly_Refused()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 8, 2);
        string masked = folder.File("masked.h5");
        SyntheticExport.Write(masked, 8, 4, 4, new ShardSpec(1, 2), layouts: SyntheticExport.Layouts().Select(l => l with { HasMask = true }).ToArray());

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([shards[0], masked], folder.File("m.h5")));

        Assert.Equal($"merge: {masked} has another /ephys/data per window (int16 [50, 16] with a mask, not int16 [50, 16]) than {shards[0]}", e.Message);
    }

    [Fact]
    public void Merge_OtherClockFit_Refused()
    {
        using var folder = new TempFolder();
        ModalityLayout[] Fitted(double slope) => SyntheticExport.Layouts()
            .Select(l => l with { SyncAttributes = new Dictionary<string, object> { ["method"] = "linear", ["slope"] = slope } }).ToArray();
        string a = folder.File("a.h5");
        string b = folder.File("b.h5");
        SyntheticExport.Write(a, 8, 0, 4, new ShardSpec(0, 2), layouts: Fitted(1.00002));
        SyntheticExport.Write(b, 8, 4, 4, new ShardSpec(1, 2), layouts: Fitted(1.00003));
        string same = folder.File("same.h5");
        SyntheticExport.Write(same, 8, 4, 4, new ShardSpec(1, 2), layouts: Fitted(1.00002));

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([a, b], folder.File("m.h5")));
        ShardMerger.Merge([a, same], folder.File("ok.h5"));

        Assert.Equal($"merge: {b} has another /sync/ephys attribute slope ('1.00003', not '1.00002') than {a}", e.Message);
        using ExportFileReader merged = ExportFileReader.Open(folder.File("ok.h5"));
        Assert.Equal(1.00002, merged.Modalities[0].SyncAttributes!["slope"]);
    }

    [Fact]
    public void Merge_WindowsNotWhereTheSplitPutsThem_Refused()
    {
        using var folder = new TempFolder();
        string a = folder.File("a.h5");
        string b = folder.File("b.h5");
        SyntheticExport.Write(a, 10, 0, 4, new ShardSpec(0, 2));
        SyntheticExport.Write(b, 10, 4, 6, new ShardSpec(1, 2));

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([a, b], folder.File("m.h5")));

        Assert.Equal($"merge: {a}: shard 0/2 holds windows 0 to 3, but the split of 10 windows gives it 0 to 4", e.Message);
    }

    [Fact]
    public void Merge_NotAShardOrNotHdf5_RefusedInOneLine()
    {
        using var folder = new TempFolder();
        string plain = folder.File("plain.h5");
        SyntheticExport.Write(plain, 3, 0, 3, shard: null);
        string text = folder.File("notes.h5");
        File.WriteAllText(text, "not hdf5\n");

        var notShard = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge([plain], folder.File("m.h5")));
        var notHdf5 = Assert.Throws<InvalidRecordingException>(() => ShardMerger.Merge([text], folder.File("m.h5")));

        Assert.Equal($"merge: {plain} is not a shard (no shard_index attribute); merge joins the files written as shards of one export ('shard' i/n)", notShard.Message);
        Assert.StartsWith($"{text}: HDF5 superblock: found ", notHdf5.Message);
        Assert.DoesNotContain('\n', notHdf5.Message);
    }

    [Fact]
    public void Merge_OutputIsAShard_Refused()
    {
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 4, 2);
        byte[] before = File.ReadAllBytes(shards[0]);

        var e = Assert.Throws<NeuroAlign.Sessions.SettingException>(() => ShardMerger.Merge(shards, shards[0]));

        Assert.Contains("is also one of the shards", e.Message);
        Assert.Equal(before, File.ReadAllBytes(shards[0]));
    }

    [Fact]
    public void Merge_OutputWrittenByAnotherProcessMeanwhile_IsKept_NothingElseLeft()
    {
        // Two merges given one output: the later to finish must not replace the earlier's file.
        using var folder = new TempFolder();
        string[] shards = SyntheticExport.WriteShards(folder.Path, 4, 2);
        string output = folder.File("merged.h5");
        var meanwhile = new SynchronousProgress(() =>
        {
            if (!File.Exists(output))
            {
                File.WriteAllText(output, "the other merge's file");
            }
        });

        var e = Assert.Throws<NeuroAlignException>(() => ShardMerger.Merge(shards, output, progress: meanwhile));

        Assert.Contains("was written by another process while this export ran: it was kept", e.Message, StringComparison.Ordinal);
        Assert.Equal("the other merge's file", File.ReadAllText(output));
        Assert.Equal([.. shards.Select(s => Path.GetFileName(s)).Append("merged.h5").Order(StringComparer.Ordinal)], folder.FileNames());
    }

    /// <summary>An <see cref="IProgress{T}"/> that runs on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action report) : IProgress<AlignmentProgress>
    {
        public void Report(AlignmentProgress value) => report();
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Merge_ShardsCompression_IsTheDefault()
    {
        using var folder = new TempFolder();
        string a = folder.File("a.h5");
        string b = folder.File("b.h5");
        SyntheticExport.Write(a, 4, 0, 2, new ShardSpec(0, 2), options: Hdf5SinkOptions.Uncompressed);
        SyntheticExport.Write(b, 4, 2, 2, new ShardSpec(1, 2), options: Hdf5SinkOptions.Uncompressed);

        ShardMerger.Merge([a, b], folder.File("m.h5"));
        ShardMerger.Merge([a, b], folder.File("gzip.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 9));

        string check = Python.Run(
            """
            import sys, h5py
            m, g = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            print(m['ephys/data'].compression, g['ephys/data'].compression, g['ephys/data'].compression_opts)
            """,
            folder.File("m.h5"),
            folder.File("gzip.h5"));
        Assert.Equal("None gzip 9", check.Trim());
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("zstd 3 shuffle", "bitshuffle-lz4")]
    [InlineData("bitshuffle-zstd 3", "lz4 0 shuffle")]
    [InlineData("lz4 0 shuffle", "none")]
    public void Merge_ShardsOfOneCodec_IntoAnother_SameValuesAsUncompressedExport(string shardCodec, string mergedCodec)
    {
        // The shards are read through our decoders; h5py with the plugins reads the merged file
        // (lz4, bitshuffle-lz4 or none) and compares it with an uncompressed single export.
        using var folder = new TempFolder();
        string a = folder.File("a.h5");
        string b = folder.File("b.h5");
        string single = folder.File("single.h5");
        Hdf5SinkOptions shardOptions = Hdf5SinkOptions.Parse(shardCodec);
        SyntheticExport.Write(a, 5, 0, 2, new ShardSpec(0, 2), options: shardOptions);
        SyntheticExport.Write(b, 5, 2, 3, new ShardSpec(1, 2), options: shardOptions);
        SyntheticExport.Write(single, 5, 0, 5, null, options: Hdf5SinkOptions.Uncompressed);

        ShardMerger.Merge([a, b], folder.File("m.h5"), Hdf5SinkOptions.Parse(mergedCodec));

        string check = Python.Run(
            """
            import sys, h5py, hdf5plugin, numpy as np
            m, s = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            for name in ('ephys/data', 'video/data', 'ephys/source_index', 'ephys/timestamps'):
                assert np.array_equal(m[name][()], s[name][()]), name
            plist = m['ephys/data'].id.get_create_plist()
            print([plist.get_filter(i)[0] for i in range(plist.get_nfilters())])
            """,
            folder.File("m.h5"),
            single);
        string expected = mergedCodec switch
        {
            "bitshuffle-lz4" => "[32008]",
            "lz4 0 shuffle" => "[2, 32004]",
            _ => "[]",
        };
        Assert.Equal(expected, check.Trim());
    }
}

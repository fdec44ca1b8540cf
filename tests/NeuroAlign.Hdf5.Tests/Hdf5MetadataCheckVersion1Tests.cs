using System.Buffers.Binary;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.TestData;
using PureHDF;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// The metadata check of HDF5 files with a version 0/1 superblock (h5py's default: NWB, DeepLabCut,
/// SLEAP). Oracles: every real HDF5 file in the shared data and files libhdf5 writes through h5py
/// with its default format (independent writers), which must all pass; damage placed at known
/// structures (its offset computed from the file's own bytes), which must be refused at that
/// structure; and flip sweeps through the NWB reader, which must read or refuse each mutant in one
/// line without allocating more than 16 MiB.
/// </summary>
public sealed class Hdf5MetadataCheckVersion1Tests(ITestOutputHelper output)
{
    /// <summary>Groups, B-trees that split (more links than a symbol table node and a B-tree node hold), chunked, contiguous and compact datasets, strings in global heaps, committed types, resizable and empty datasets.</summary>
    private const string DefaultFormatScript =
        """
        import sys, h5py, numpy as np
        path, userblock = sys.argv[1], int(sys.argv[2])
        with h5py.File(path, 'w', userblock_size=userblock) as f:
            f.attrs['title'] = 'default format'
            f.attrs['names'] = np.array(['a', 'bb', 'ccc'], dtype=h5py.string_dtype())
            g = f.create_group('many')
            for i in range(300):
                g.create_group(f'group_{i:03d}').attrs['i'] = i
            d = f.create_group('data')
            d.create_dataset('chunked', data=np.arange(200 * 7, dtype=np.int16).reshape(200, 7), chunks=(3, 7), compression='gzip', shuffle=True)
            d.create_dataset('resizable', data=np.arange(50.0), chunks=(4,), maxshape=(None,))
            d.create_dataset('contiguous', data=np.arange(1000, dtype=np.float32).reshape(100, 10))
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE); dcpl.set_layout(h5py.h5d.COMPACT)
            h5py.h5d.create(d.id, b'compact', h5py.h5t.STD_I32LE, h5py.h5s.create_simple((5,)), dcpl).write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype=np.int32))
            d.create_dataset('strings', data=np.array(['x', 'yy', 'zzz'], dtype=h5py.string_dtype()))
            d.create_dataset('scalar', data='2024-01-02T03:04:05', dtype=h5py.string_dtype())
            d.create_dataset('empty', shape=(0, 3), dtype='f8', maxshape=(None, 3), chunks=(10, 3))
            d.create_dataset('unwritten', shape=(40,), dtype='i4')
            f['committed'] = np.dtype([('x', 'f4'), ('y', 'i2')])
            d.create_dataset('records', shape=(4,), dtype=f['committed'])
            d['link'] = h5py.SoftLink('/data/contiguous')
        """;

    public static TheoryData<string> SharedHdf5Files()
    {
        var files = new TheoryData<string>();
        foreach (string pattern in new[] { "*.nwb", "*.h5", "*.slp", "*.hdf5" })
        {
            if (Directory.Exists(RepoPaths.SharedData))
            {
                foreach (string file in Directory.EnumerateFiles(RepoPaths.SharedData, pattern, SearchOption.AllDirectories))
                {
                    files.Add(Path.GetRelativePath(RepoPaths.SharedData, file));
                }
            }
        }

        return files;
    }

    [RequiresTheory(Needs.SharedData)]
    [MemberData(nameof(SharedHdf5Files))]
    public void Check_RealHdf5File_Passes(string relative)
    {
        string path = RepoPaths.Shared(relative);
        byte[] head = File.ReadAllBytes(path).AsSpan(0, 9).ToArray();
        Hdf5MetadataCheck.Check(path);
        output.WriteLine($"{relative}: superblock version {head[8]}, passed");
    }

    [RequiresTheory(Needs.Python)]
    [InlineData(0)]
    [InlineData(512)]
    public void Check_H5pyDefaultFormatFile_PassesAndIsRead(int userblock)
    {
        using var folder = new TempFolder();
        string path = folder.File("default.h5");
        Python.Run(DefaultFormatScript, path, userblock.ToString(System.Globalization.CultureInfo.InvariantCulture));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes[userblock + 8] < 2, $"superblock version {bytes[userblock + 8]}");

        Hdf5MetadataCheck.Check(path);
        using var file = Hdf5Files.OpenRead(path, "an HDF5 file");
        Assert.Equal(300, file.Group("many").Children().Count());
    }

    [RequiresFact(Needs.Python)]
    public void Check_SyntheticNwb_Passes()
    {
        using var folder = new TempFolder();
        string path = folder.File("s.nwb");
        SyntheticNwb.Write(path, samples: 2000, chunkSamples: 250);
        Assert.Equal(0, File.ReadAllBytes(path)[8]);
        Hdf5MetadataCheck.Check(path);
    }

    [RequiresFact(Needs.Python)]
    public void Check_DamageAtKnownStructures_RefusedThere()
    {
        using var folder = new TempFolder();
        string path = folder.File("default.h5");
        Python.Run(DefaultFormatScript, path, "0");
        byte[] original = File.ReadAllBytes(path);

        string Refused(Action<byte[]> damage)
        {
            byte[] mutant = (byte[])original.Clone();
            damage(mutant);
            File.WriteAllBytes(path, mutant);
            var e = Assert.Throws<InvalidRecordingException>(() => Hdf5MetadataCheck.Check(path));
            Assert.DoesNotContain('\n', e.Message);
            Assert.StartsWith($"{path}: HDF5 ", e.Message);
            return e.Message;
        }

        // Cut short: the superblock's end-of-file address says so.
        File.WriteAllBytes(path, original[..(original.Length - 100)]);
        Assert.Contains("end-of-file address", Assert.Throws<InvalidRecordingException>(() => Hdf5MetadataCheck.Check(path)).Message);

        int heap = Hdf5Bytes.Occurrences(original, "HEAP"u8.ToArray())[0];
        Assert.Contains($"HDF5 local heap at byte {heap}", Refused(m => m[heap + 1] ^= 0x20));
        Assert.Contains("a data segment of", Refused(m => m[heap + 13] = 0x7F)); // the segment's size, past 16 MiB

        int node = Hdf5Bytes.Occurrences(original, "SNOD"u8.ToArray())[0];
        Assert.Contains($"HDF5 symbol table node at byte {node}: found 255", Refused(m => BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(node + 6), 255)));
        Assert.Contains("a NUL-terminated name inside", Refused(m => m[node + 8 + 6] = 0x70)); // the first entry's name offset

        int tree = Hdf5Bytes.Occurrences(original, "TREE"u8.ToArray())[0];
        Assert.Contains($"HDF5 B-tree node at byte {tree}", Refused(m => m[tree + 5] = 40)); // level 40
        Assert.Contains("entries", Refused(m => BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(tree + 6), 9999)));

        // The root object header (version 1): its first message's size past the header's chunk.
        ulong root = BinaryPrimitives.ReadUInt64LittleEndian(original.AsSpan(24 + 32 + 8));
        Assert.Equal(1, original[(int)root]);
        Assert.Contains($"HDF5 object header at byte {root}: found a message", Refused(m => BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan((int)root + 16 + 2), 0xFFF8)));
        Assert.Contains("an object header (signature OHDR, or version 1)", Refused(m => m[(int)root] = 7));

        // A dataset's fill value (message type 5, version 2, defined): its size's high byte flipped
        // made PureHDF allocate 1.3 GiB (found by the [Slow] sweep below).
        int fill = original.AsSpan().IndexOf(new byte[] { 0x05, 0, 0x08, 0, 0x01, 0, 0, 0, 0x02, 0x02, 0, 0x01 });
        Assert.True(fill > 0, "no fill value message");
        Assert.Contains("found a fill value of 1342177280 bytes", Refused(m => m[fill + 8 + 7] ^= 0x50));

        // The gzip dataset's filter pipeline (message type 11, version 1, two filters: shuffle, deflate), read
        // by the shared structure reader (Hdf5Structures): its value count and filter count.
        int pipeline = Enumerable.Range(0, original.Length - 24).First(i =>
            original[i] == 0x0B && original[i + 1] == 0 && original[i + 3] == 0 && original[i + 8] == 1 && original[i + 9] == 2
            && original.AsSpan(i + 10, 6).IndexOfAnyExcept((byte)0) < 0 && original[i + 16] == 2 && original[i + 17] == 0);
        Assert.Contains("filter 0 client values: found", Refused(m => BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(pipeline + 8 + 8 + 6), 0x7F00)));
        Assert.Contains("a filter pipeline of version 1 with 40 filters", Refused(m => m[pipeline + 8 + 1] = 40));

        // The superblock's version byte: 0 to 3 exist.
        Assert.Contains("HDF5 superblock: found version 7, expected version 0 to 3", Refused(m => m[8] = 7));
    }

    [RequiresFact(Needs.Python)]
    public void Nwb_RootHeaderFlipped_ReadOrRefusedWithoutAHugeAllocation()
    {
        using var folder = new TempFolder();
        string source = folder.File("source.nwb");
        SyntheticNwb.Write(source, samples: 2000, chunkSamples: 250);
        byte[] original = File.ReadAllBytes(source);
        var tally = (Accepted: 0, Refused: 0, Worst: 0L, At: -1);
        foreach ((int start, int end) in RootHeaderChunks(original))
        {
            var chunk = FlipSweep(source, original, start, end, 3, 0x40);
            tally = (tally.Accepted + chunk.Accepted, tally.Refused + chunk.Refused, Math.Max(tally.Worst, chunk.Worst), chunk.Worst > tally.Worst ? chunk.At : tally.At);
            output.WriteLine($"root header bytes {start}..{end}: {chunk.Accepted} read, {chunk.Refused} refused, most allocated {chunk.Worst >> 10} KiB (byte {chunk.At})");
        }

        Assert.True(tally.Worst < 16L << 20, $"byte {tally.At}: {tally.Worst >> 20} MiB allocated");
        Assert.True(tally.Refused * 4 > tally.Accepted, $"{tally.Refused} refused, {tally.Accepted} read"); // flips in names and values are read as such
    }

    [RequiresFact(Needs.Python)]
    [Slow]
    public void Nwb_EveryByteOfTheFirst4KiBFlipped_ReadOrRefusedWithoutAHugeAllocation()
    {
        using var folder = new TempFolder();
        string source = folder.File("source.nwb");
        SyntheticNwb.Write(source, samples: 2000, chunkSamples: 250);
        byte[] original = File.ReadAllBytes(source);
        (int Accepted, int Refused, long Worst, int At) tally = FlipSweep(source, original, 0, 4096, 1, 0x50);

        output.WriteLine($"first 4 KiB, every byte flipped: {tally.Accepted} read, {tally.Refused} refused, most allocated {tally.Worst >> 10} KiB (byte {tally.At})");
        Assert.True(tally.Worst < 16L << 20, $"byte {tally.At}: {tally.Worst >> 20} MiB allocated");
    }

    /// <summary>The root object header's chunks (version 1): the first after its 16-byte prefix, then each continuation block its messages name.</summary>
    private static List<(int Start, int End)> RootHeaderChunks(byte[] file)
    {
        int root = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24 + 32 + 8));
        var chunks = new List<(int Start, int End)> { (root, root + 16 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(root + 8))) };
        for (int c = 0; c < chunks.Count; c++)
        {
            int position = c == 0 ? root + 16 : chunks[c].Start;
            while (position + 8 <= chunks[c].End)
            {
                int type = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position));
                int size = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position + 2));
                if (type == 0x10)
                {
                    int at = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(position + 8));
                    chunks.Add((at, at + (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(position + 16))));
                }

                position += 8 + size;
            }
        }

        return chunks;
    }

    /// <summary>Flips byte i (from <paramref name="from"/> to <paramref name="to"/>, every <paramref name="step"/>) and lists the NWB file; each must be read or refused in one line.</summary>
    private static (int Accepted, int Refused, long Worst, int At) FlipSweep(string path, byte[] original, int from, int to, int step, byte xor)
    {
        var tally = (Accepted: 0, Refused: 0, Worst: 0L, At: -1);
        for (int i = from; i < to; i += step)
        {
            byte[] mutant = (byte[])original.Clone();
            mutant[i] ^= xor;
            File.WriteAllBytes(path, mutant);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                NwbInfo.Describe(path, TextWriter.Null);
                tally.Accepted++;
            }
            catch (NeuroAlignException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                tally.Refused++;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            tally = allocated > tally.Worst ? (tally.Accepted, tally.Refused, allocated, i) : tally;
        }

        return tally;
    }
}

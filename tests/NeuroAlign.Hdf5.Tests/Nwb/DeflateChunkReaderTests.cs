using System.Globalization;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.TestData;
using PureHDF;

namespace NeuroAlign.Hdf5.Tests.Nwb;

/// <summary>
/// The NWB series reader's own chunk reading (<see cref="DeflateChunkReader"/>) against the values
/// numpy wrote through h5py, for each storage h5py makes: chunks of whole and partial columns and
/// rows (edge chunks), deflate with and without shuffle, no filter, 1-D series, several element
/// types; and the storages it leaves to PureHDF (layout version 4, fletcher32) still read right.
/// </summary>
public sealed class DeflateChunkReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Writes an NWB file with one series acquisition/ES: data of SHAPE and DTYPE (random, seeded),
    /// stored with the given h5py keywords; the same values as a raw little-endian .bin beside it.
    /// </summary>
    private string Write(string name, string shape, string dtype, string storage, string libver = "earliest")
    {
        string path = _folder.File(name + ".nwb");
        Python.Run(
            """
            import sys, h5py, numpy as np
            path, shape, dtype, storage, libver = sys.argv[1], eval(sys.argv[2]), sys.argv[3], eval(sys.argv[4]), sys.argv[5]
            rng = np.random.default_rng(7)
            if dtype.startswith('float'):
                data = (rng.normal(0, 100, size=shape)).astype(dtype)
            else:
                info = np.iinfo(dtype)
                data = rng.integers(max(info.min, -30000), min(info.max, 30000), size=shape, endpoint=True).astype(dtype)
            with h5py.File(path, 'w', libver=(libver, 'latest')) as f:
                f.attrs['nwb_version'] = '2.7.0'; f.attrs['neurodata_type'] = 'NWBFile'; f.attrs['namespace'] = 'core'
                g = f.create_group('acquisition/ES')
                g.attrs['neurodata_type'] = 'ElectricalSeries'; g.attrs['namespace'] = 'core'
                g.create_dataset('data', data=data, **storage).attrs['unit'] = 'volts'
                st = g.create_dataset('starting_time', data=0.0); st.attrs['rate'] = 1000.0
            data.astype(data.dtype.newbyteorder('<')).tofile(path[:-4] + '.bin')
            """, path, shape, dtype, storage, libver);
        return path;
    }

    private static NwbSeriesStream Open(string path)
    {
        NwbFile file = NwbFile.Open(path);
        return NwbSeriesStream.Open(file, file.Resolve("acquisition/ES", "TimeSeries", "a series"), out _);
    }

    /// <summary>Reads windows at the edges and at random against the raw values; returns how the stream read them.</summary>
    private static string CheckWindows(string path, int[] lengths)
    {
        byte[] raw = File.ReadAllBytes(Path.ChangeExtension(path, ".bin"));
        using NwbSeriesStream stream = Open(path);
        int frame = stream.FrameBytes;
        long samples = stream.Clock.SampleCount;
        var random = new Random(3);
        foreach (int length in lengths.Where(l => l <= samples))
        {
            long[] starts = [0, samples - length, .. Enumerable.Range(0, 8).Select(_ => random.NextInt64(0, samples - length + 1))];
            foreach (long start in starts)
            {
                var block = new byte[length * frame];
                stream.ReadBlock(start, length, block);
                Assert.True(raw.AsSpan((int)(start * frame), length * frame).SequenceEqual(block), string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)}: samples {start}+{length} differ from numpy's"));
            }
        }

        return stream.ChunkReading;
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("shuffle-gzip-int16", "(5000, 12)", "int16", "dict(chunks=(700, 5), compression='gzip', compression_opts=4, shuffle=True)", "shuffle + deflate")]
    [InlineData("gzip-int16", "(5000, 12)", "int16", "dict(chunks=(256, 12), compression='gzip')", "deflate")]
    [InlineData("plain-int16", "(5000, 12)", "int16", "dict(chunks=(300, 7))", "none")]
    [InlineData("shuffle-gzip-float32", "(3001, 9)", "float32", "dict(chunks=(128, 4), compression='gzip', shuffle=True)", "shuffle + deflate")]
    [InlineData("shuffle-gzip-float64", "(2000, 3)", "float64", "dict(chunks=(333, 2), compression='gzip', shuffle=True)", "shuffle + deflate")]
    [InlineData("shuffle-gzip-uint8", "(2000, 5)", "uint8", "dict(chunks=(100, 5), compression='gzip', shuffle=True)", "shuffle + deflate")]
    [InlineData("vector-int32", "(7777,)", "int32", "dict(chunks=(1000,), compression='gzip', shuffle=True)", "shuffle + deflate")]
    [InlineData("one-chunk", "(500, 4)", "int16", "dict(chunks=(500, 4), compression='gzip', shuffle=True)", "shuffle + deflate")]
    public void Windows_EqualNumpysValues_ReadHere(string name, string shape, string dtype, string storage, string filters)
    {
        string path = Write(name, shape, dtype, storage);

        string reading = CheckWindows(path, [1, 7, 256, 701, 1500]);

        Assert.Equal($"chunks read and inflated here ({filters})", reading);
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("v4-fixed-array", "dict(chunks=(700, 5), compression='gzip', shuffle=True)", "latest", "layout message version 4")]
    [InlineData("v4-extensible", "dict(chunks=(700, 5), compression='gzip', shuffle=True, maxshape=(None, 12))", "latest", "layout message version 4")]
    [InlineData("fletcher32", "dict(chunks=(700, 5), compression='gzip', shuffle=True, fletcher32=True)", "earliest", "filters shuffle (2), deflate (1), Fletcher32 (3)")]
    [InlineData("fill-values", "dict(chunks=(700, 5), compression='gzip', shuffle=True)", "earliest", "9 of 24 chunks written")]
    public void OtherStorage_LeftToPureHdf_StillEqualNumpysValues(string name, string storage, string libver, string why)
    {
        string path = Write(name, "(5000, 12)", "int16", storage, libver);
        if (name == "fill-values")
        {
            // Chunks never written (all fill values) are not in the index: h5py leaves them out when written only partly.
            Python.Run(
                """
                import sys, h5py, numpy as np
                path = sys.argv[1]
                with h5py.File(path, 'r') as f:
                    d = f['acquisition/ES/data'][:]
                with h5py.File(path, 'w', libver='earliest') as f:
                    f.attrs['nwb_version'] = '2.7.0'; f.attrs['neurodata_type'] = 'NWBFile'; f.attrs['namespace'] = 'core'
                    g = f.create_group('acquisition/ES'); g.attrs['neurodata_type'] = 'ElectricalSeries'; g.attrs['namespace'] = 'core'
                    ds = g.create_dataset('data', shape=d.shape, dtype=d.dtype, chunks=(700, 5), compression='gzip', shuffle=True)
                    ds[:2100] = d[:2100]
                    st = g.create_dataset('starting_time', data=0.0); st.attrs['rate'] = 1000.0
                d[2100:] = 0
                d.tofile(path[:-4] + '.bin')
                """, path);
        }

        string reading = CheckWindows(path, [1, 701, 1500]);

        Assert.StartsWith("PureHDF: ", reading, StringComparison.Ordinal);
        Assert.Contains(why, reading, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Python)]
    public void Cache_InflatesEachChunkOnce_WhileItHoldsIt_AndStaysBounded()
    {
        string path = Write("cache", "(5000, 12)", "int16", "dict(chunks=(700, 5), compression='gzip', shuffle=True)");
        using NwbSeriesStream stream = Open(path);
        Assert.Contains("here", stream.ChunkReading, StringComparison.Ordinal);
        var block = new byte[1000 * stream.FrameBytes];

        stream.ReadBlock(100, 1000, block);
        stream.ReadBlock(150, 1000, block);
        stream.ReadBlock(100, 500, block);

        // Rows 100..1149 touch row chunks 0 and 1, three column chunks each: six inflations in all.
        Assert.Equal(6, stream.ChunksInflatedForTests);
    }

    [RequiresFact(Needs.Python)]
    public void DeflatedChunks_InflatedAsFarAsTheRowsAskedFor_ThenCarriedOn()
    {
        string path = Write("partial", "(5000, 12)", "int16", "dict(chunks=(700, 5), compression='gzip')");
        byte[] raw = File.ReadAllBytes(Path.ChangeExtension(path, ".bin"));
        using NwbSeriesStream stream = Open(path);
        int frame = stream.FrameBytes;
        void Check(long start, int length, long inflated)
        {
            var block = new byte[length * frame];
            stream.ReadBlock(start, length, block);
            Assert.True(raw.AsSpan((int)(start * frame), length * frame).SequenceEqual(block), $"samples {start}+{length}");
            Assert.Equal(inflated, stream.ChunksInflatedForTests);
        }

        // Row chunk 1 (rows 700..1399) inflated to row 1099, then on to 1299 and to its end, never again from its start.
        Check(100, 1000, 6);
        Check(1000, 300, 6);
        Check(690, 20, 6);
        Check(1300, 200, 9);
        Check(0, 5000, 24);
        Check(2345, 1000, 24);
    }

    [RequiresFact(Needs.Python)]
    public void LongRead_GoesInPiecesTheCacheHolds_EachChunkInflatedOnce()
    {
        string path = Write("long", "(5000, 12)", "int16", "dict(chunks=(700, 5), compression='gzip', shuffle=True)");
        byte[] raw = File.ReadAllBytes(Path.ChangeExtension(path, ".bin"));
        using NwbFile file = NwbFile.Open(path);
        var data = (PureHDF.VOL.Native.NativeDataset)file.H5.Dataset("acquisition/ES/data");

        // A cache of 1 byte holds its minimum: two rows of chunks (6 chunks here).
        using DeflateChunkReader reader = DeflateChunkReader.TryOpen(path, data, PureHdfInternals.ObjectHeaderAddress(data)!.Value, cacheBytes: 1, out string why)
            ?? throw new InvalidOperationException(why);
        var all = new byte[raw.Length];
        reader.Read(0, 5000, all);

        Assert.True(raw.AsSpan().SequenceEqual(all));
        Assert.Equal(24, reader.ChunksInflated);
        Assert.True(reader.CachedChunks <= 6, $"{reader.CachedChunks} chunks cached");
    }

    [Fact]
    public void Unshuffle_UndoesHdf5Shuffle_ForEveryTypeSizeAndTail()
    {
        var random = new Random(5);
        foreach (int typeSize in new[] { 1, 2, 3, 4, 8 })
        {
            foreach (int length in new[] { 0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1001 })
            {
                byte[] raw = new byte[length];
                random.NextBytes(raw);
                byte[] shuffled = NeuroAlign.Hdf5.Compression.ChunkFilters.Shuffle(raw, typeSize);
                byte[] back = new byte[length];

                ChunkFilters.Unshuffle(shuffled, typeSize, back);

                Assert.Equal(raw, back);
            }
        }
    }
}

using System.Reflection;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Tests.Compression;

public class CompressionTests
{
    private const int Channels = 384;

    /// <summary>Sample k of channel c in window w: a slow wave plus hashed noise, about as compressible as a recording.</summary>
    private static short Value(int w, int k, int c, int points)
    {
        uint h = (uint)((((w * points) + k) * Channels) + c) * 2654435761u;
        return (short)((100 * Math.Sin((((w * points) + k) / 300.0) + c)) + (h >> 27));
    }

    /// <summary>
    /// Writes windows of <paramref name="points"/> × 384 int16 samples; the sink packs windows into
    /// chunks of about 8 MB (three windows of 3000 points, or 36 of 300).
    /// </summary>
    private static Hdf5Sink Write(string path, Hdf5SinkOptions options, int windows, int points, bool complete = true)
    {
        var sink = new Hdf5Sink(path, options);
        var layout = new ModalityLayout("ephys", SampleType.Int16, [Channels], points, new Dictionary<string, object> { ["format"] = "synthetic" }, new Dictionary<string, Array>());
        sink.Begin(new ExportLayout(Enumerable.Range(0, windows).Select(w => w * 0.1).ToArray(), [layout], new Dictionary<string, object> { ["schema_version"] = 1L }));
        var buffer = new WindowBuffer(layout);
        var data = (short[])buffer.Data;
        for (int w = 0; w < windows; w++)
        {
            for (int k = 0; k < points; k++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    data[(k * Channels) + c] = Value(w, k, c, points);
                }

                buffer.Timestamps[k] = w + (k / 30000.0);
                buffer.SourceIndex[k] = (w * points) + k;
                buffer.SourceTime[k] = buffer.Timestamps[k];
            }

            sink.Write(w, 0, buffer);
        }

        if (complete)
        {
            sink.Complete();
        }

        return sink;
    }

    private const string CheckScript =
        """
        import sys, h5py, numpy as np
        W, N, C = int(sys.argv[1]), int(sys.argv[2]), 384
        w, k, c = np.meshgrid(np.arange(W, dtype=np.int64), np.arange(N, dtype=np.int64), np.arange(C, dtype=np.int64), indexing='ij')
        n = (w * N + k) * C + c
        h = ((n * 2654435761) % 2**32) >> 27
        expected = (100 * np.sin((w * N + k) / 300.0 + c) + h).astype(np.int16)
        out = []
        for path, level in zip(sys.argv[3::2], sys.argv[4::2]):
            f = h5py.File(path, 'r')
            d = f['ephys/data']
            assert d.compression == 'gzip' and d.shuffle, (path, d.compression, d.shuffle)
            assert np.array_equal(d[:], expected), path
            assert np.array_equal(f['ephys/source_index'][:], (np.arange(W)[:, None] * N + np.arange(N)[None, :])), path
            assert f['ephys/timestamps'].compression == 'gzip'
            out.append(f"{level}:{d.compression_opts}")
        print(' '.join(out))
        """;

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Write_EveryGzipLevel_H5pyReadsDataAndLevel()
    {
        using var folder = new TempFolder();
        var args = new List<string> { "10", "300" };
        foreach (int level in Enumerable.Range(-1, 11))
        {
            string path = folder.File($"level{level}.h5");
            Write(path, new Hdf5SinkOptions(CompressionCodec.Gzip, level), windows: 10, points: 300).Dispose();
            args.AddRange([path, $"{level}"]);
        }

        string output = Python.Run(CheckScript, [.. args]).Trim();

        // h5py reports the level stored in the filter's client data; HDF5 stores -1 as 6.
        Assert.Equal("-1:6 0:0 1:1 2:2 3:3 4:4 5:5 6:6 7:7 8:8 9:9", output);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Write_WindowLargerThanChunkTarget_SplitIntoRunsOfPoints()
    {
        // 12 000 × 384 int16 = 9.2 MB per window: two chunks of 6 000 points each, compressed on workers.
        using var folder = new TempFolder();
        string path = folder.File("big.h5");
        Write(path, new Hdf5SinkOptions(CompressionCodec.Gzip, 1, CompressionThreads: 3), windows: 4, points: 12_000).Dispose();

        string output = Python.Run(CheckScript + "\nprint(h5py.File(sys.argv[3], 'r')['ephys/data'].chunks)", "4", "12000", path, "1").Trim();

        Assert.Equal("1:1\n(1, 6000, 384)", output.ReplaceLineEndings("\n"));
    }

    [Slow]
    [Fact]
    public void Write_HigherLevel_SmallerFile()
    {
        using var folder = new TempFolder();
        Write(folder.File("1.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 1), windows: 40, points: 300).Dispose();
        Write(folder.File("4.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 4), windows: 40, points: 300).Dispose();
        Write(folder.File("0.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 0), windows: 40, points: 300).Dispose();

        long stored = new FileInfo(folder.File("0.h5")).Length;
        long fast = new FileInfo(folder.File("1.h5")).Length;
        long better = new FileInfo(folder.File("4.h5")).Length;

        // Level 0 stores (slightly larger than the raw 9.2 MB); each level above compresses more.
        Assert.True(stored > 40L * 300 * Channels * 2, $"level 0: {stored} bytes");
        Assert.True(fast < stored && better < fast, $"sizes: 0 → {stored}, 1 → {fast}, 4 → {better}");
    }

    [Slow]
    [Fact]
    public void Write_ParallelCompression_SameFileAsSerial()
    {
        using var folder = new TempFolder();
        string serial = folder.File("serial.h5");
        string parallel = folder.File("parallel.h5");

        using (Hdf5Sink one = Write(serial, new Hdf5SinkOptions(CompressionCodec.Gzip, 6, CompressionThreads: 1), windows: 12, points: 3000))
        {
            Assert.Equal(0, one.PeakChunksInFlight);
        }

        int peak;
        using (Hdf5Sink four = Write(parallel, new Hdf5SinkOptions(CompressionCodec.Gzip, 6, CompressionThreads: 4), windows: 12, points: 3000))
        {
            peak = four.PeakChunksInFlight;
        }

        // Same chunks, written in the same order: the same bytes, however the work was spread.
        Assert.Equal(File.ReadAllBytes(serial), File.ReadAllBytes(parallel));

        // Level 6 takes far longer per 8 MB chunk than filling the next: chunks pile up to the bound (threads + 1).
        Assert.InRange(peak, 2, 5);
    }

    [Slow]
    [Fact]
    public void Dispose_BeforeCompleteWhileCompressing_LeavesNothingBehind()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        string temporary;

        using (Hdf5Sink sink = Write(path, new Hdf5SinkOptions(CompressionCodec.Gzip, 6, CompressionThreads: 4), windows: 12, points: 3000, complete: false))
        {
            temporary = sink.TemporaryPath;
            Assert.True(File.Exists(temporary));
        }

        Assert.False(File.Exists(temporary));
        Assert.Empty(folder.FileNames());
    }

    [RequiresFact(Needs.Python)]
    public void DeflateFilter_PureHdfOwnPipelineAtLevel4_H5pyReads()
    {
        // The registered filter also serves PureHDF's own pipeline (its default cache, no workers).
        ChunkFilters.EnsureRegistered();
        using var folder = new TempFolder();
        string path = folder.File("plain.h5");
        int[] values = Enumerable.Range(0, 100_000).Select(i => (i % 1000) - 500).ToArray();
        var dataset = new H5Dataset<int[]>(
            [100_000],
            [25_000],
            new H5DatasetCreation(Filters: [new H5Filter(ShuffleFilter.Id), new H5Filter(DeflateFilter.Id, new() { [DeflateFilter.COMPRESSION_LEVEL] = 4 })]));
        var file = new H5File { ["x"] = dataset };
        using (H5NativeWriter writer = file.BeginWrite(path))
        {
            writer.Write(dataset, values, fileSelection: new HyperslabSelection(0, 100_000));
        }

        string output = Python.Run(
            """
            import sys, h5py, numpy as np
            d = h5py.File(sys.argv[1], 'r')['x']
            assert np.array_equal(d[:], np.arange(100000) % 1000 - 500)
            print(d.compression, d.compression_opts, d.shuffle)
            """,
            path);
        Assert.Equal("gzip 4 True", output.Trim());
    }

    [Fact]
    public void Shuffle_Int16AndLeftoverByte_BytePlanesThenRest()
    {
        byte[] raw = [0x01, 0xA1, 0x02, 0xA2, 0x03, 0xA3, 0x7F];

        byte[] shuffled = ChunkFilters.Shuffle(raw, 2);

        Assert.Equal([0x01, 0x02, 0x03, 0xA1, 0xA2, 0xA3, 0x7F], shuffled);
    }

    [Slow]
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Shuffle_LongerThanOneBlock_MatchesDefinition(int typeSize)
    {
        // 100 003 elements: more than one 64 KiB block, and not a multiple of the 16-element vector step.
        const int n = 100_003;
        var random = new Random(5);
        byte[] raw = new byte[(n * typeSize) + 1];
        random.NextBytes(raw);

        byte[] shuffled = ChunkFilters.Shuffle(raw, typeSize);

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < typeSize; j++)
            {
                Assert.Equal(raw[(i * typeSize) + j], shuffled[(j * n) + i]);
            }
        }

        Assert.Equal(raw[^1], shuffled[^1]);
    }

    [Fact]
    public void Constructor_LevelOutsideZlibRange_Throws()
    {
        using var folder = new TempFolder();

        var e = Assert.Throws<NeuroAlignException>(() => new Hdf5Sink(folder.File("o.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 10)));

        Assert.Equal("compression level 10: gzip takes 0 to 9 (-1 for zlib's default, 6)", e.Message);
    }

    [Fact]
    public void AsWriteError_WrappedIoError_OneLineNamingTheOutput()
    {
        var wrapped = new TargetInvocationException(new TargetInvocationException(new IOException("No space left on device")));

        NeuroAlignException? error = Hdf5Sink.AsWriteError("/data/out.h5", wrapped);

        Assert.NotNull(error);
        Assert.Equal("/data/out.h5: cannot write: No space left on device", error.Message);
        Assert.Null(Hdf5Sink.AsWriteError("/data/out.h5", new TargetInvocationException(new InvalidOperationException("bug"))));
    }
}

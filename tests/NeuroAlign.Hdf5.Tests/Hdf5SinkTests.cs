using NeuroAlign.Alignment;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests;

public class Hdf5SinkTests
{
    private static ModalityLayout Layout(string name, SampleType type, int[] shape, int points) =>
        new(name, type, shape, points, new Dictionary<string, object> { ["format"] = "synthetic", ["native_rate_hz"] = 60.0 }, new Dictionary<string, Array>());

    /// <summary>Element i of window w: a value that changes with both, wrapped to the type.</summary>
    private static void Fill(WindowBuffer b, int w)
    {
        switch (b.Data)
        {
            case byte[] a: for (int i = 0; i < a.Length; i++) { a[i] = (byte)((w * 31) + i); } break;
            case float[] a: for (int i = 0; i < a.Length; i++) { a[i] = (w * 1000) + (i * 0.5f); } break;
            case short[] a: for (int i = 0; i < a.Length; i++) { a[i] = (short)((w * 7) - i); } break;
            default: throw new InvalidOperationException();
        }

        for (int k = 0; k < b.Timestamps.Length; k++)
        {
            b.Timestamps[k] = w + (k / 100.0);
            b.SourceIndex[k] = (w * 1000) + k;
            b.SourceTime[k] = k == 0 ? double.NaN : w + (k / 100.0);
        }
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData(true)]
    [InlineData(false)]
    public void Write_ManyWindowsOfSeveralModalities_H5pyReadsEveryValue(bool compress)
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        ModalityLayout[] layouts =
        [
            Layout("video", SampleType.UInt8, [12, 16], 5),
            Layout("fmri", SampleType.Float32, [4, 3, 2], 2),
            Layout("ephys", SampleType.Int16, [3], 100),
        ];
        double[] times = Enumerable.Range(0, 37).Select(w => w * 0.5).ToArray();
        using (var sink = new Hdf5Sink(path, compress ? new Hdf5SinkOptions(CompressionCodec.Gzip, 1) : Hdf5SinkOptions.Uncompressed))
        {
            sink.Begin(new ExportLayout(times, layouts, new Dictionary<string, object> { ["schema_version"] = 1L, ["title"] = "t" }));
            var buffers = layouts.Select(l => new WindowBuffer(l)).ToArray();
            for (int w = 0; w < times.Length; w++)
            {
                for (int m = 0; m < layouts.Length; m++)
                {
                    Fill(buffers[m], w);
                    sink.Write(w, m, buffers[m]);
                }
            }

            sink.Complete();
        }

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            compress = sys.argv[2] == 'True'
            W = 37
            assert np.array_equal(f['windows/time'][:], np.arange(W) * 0.5)
            v, m, e = f['video/data'], f['fmri/data'], f['ephys/data']
            assert v.shape == (W, 5, 12, 16) and v.dtype == np.uint8
            assert m.shape == (W, 2, 4, 3, 2) and m.dtype == np.float32
            assert e.shape == (W, 100, 3) and e.dtype == np.int16
            for w in range(W):
                i = np.arange(5 * 12 * 16)
                assert np.array_equal(v[w].ravel(), ((w * 31 + i) % 256).astype(np.uint8)), w
                i = np.arange(2 * 4 * 3 * 2)
                assert np.array_equal(m[w].ravel(), (w * 1000 + i * 0.5).astype(np.float32)), w
                i = np.arange(300)
                assert np.array_equal(e[w].ravel(), (w * 7 - i).astype(np.int16)), w
                si = f['ephys/source_index'][w]
                assert np.array_equal(si, w * 1000 + np.arange(100))
                st = f['ephys/source_time'][w]
                assert np.isnan(st[0]) and np.allclose(st[1:], w + np.arange(1, 100) / 100)
            for name in ['video', 'fmri', 'ephys']:
                d = f[name + '/data']
                assert (d.compression == 'gzip') == compress, (name, d.compression)
                assert f[name].attrs['format'] == 'synthetic'
            assert f.attrs['title'] == 't' and f.attrs['schema_version'] == 1
            print('ok')
            """,
            path,
            compress.ToString());
        Assert.Equal("ok", check.Trim());
        Assert.Equal(["out.h5"], folder.FileNames());
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData(false, 70_000, 10)]
    [InlineData(false, 69_999, 0)]
    [InlineData(true, 70_000, 0)]
    public void Write_WindowsGivenAsSourceData_H5pyReadsEveryValue(bool compress, int points, int chunksFromSource)
    {
        // 64-channel int16 windows of about 9 MB: two chunks of 35 000 points each when the points
        // split evenly, written straight from the given memory when uncompressed; otherwise copied.
        // Every window keeps its own memory until Complete, as a mapped recording does.
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        ModalityLayout layout = Layout("ephys", SampleType.Int16, [64], points);
        double[] times = [0, 1, 2, 3, 4];
        using (var sink = new Hdf5Sink(path, compress ? new Hdf5SinkOptions(CompressionCodec.Gzip, 1) : Hdf5SinkOptions.Uncompressed))
        {
            Assert.True(((IAlignedSink)sink).TakesSourceData);
            sink.Begin(new ExportLayout(times, [layout], new Dictionary<string, object>()));
            for (int w = 0; w < times.Length; w++)
            {
                var buffer = new WindowBuffer(layout);
                Fill(buffer, w);
                buffer.SourceData = buffer.DataBytes.ToArray();
                ((short[])buffer.Data).AsSpan().Clear();
                sink.Write(w, 0, buffer);
            }

            sink.Complete();
            Assert.Equal(chunksFromSource, sink.ChunksWrittenFromSource);
        }

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            n = int(sys.argv[2])
            e = f['ephys/data']
            assert e.shape == (5, n, 64) and e.dtype == np.int16, e.shape
            i = np.arange(n * 64)
            for w in range(5):
                assert np.array_equal(e[w].ravel(), (w * 7 - i).astype(np.int16)), w
            print('ok', e.chunks)
            """,
            path,
            points.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("ok", check.Trim());
    }

    [Slow]
    [Fact]
    public void Dispose_BeforeComplete_SourceChunksOfAMappingInFlight_NothingLeftAndMappingStillUsable()
    {
        // Windows given as memory over a mapped file, chunks still queued on the writer thread when
        // the export is abandoned: Dispose waits for the chunk being written and drops the rest
        // before the mapping may go.
        using var folder = new TempFolder();
        string input = folder.File("in.bin");
        ModalityLayout layout = Layout("ephys", SampleType.Int16, [64], 70_000);
        int windowBytes = 70_000 * 64 * 2;
        byte[] bytes = new byte[windowBytes * 6];
        new Random(2).NextBytes(bytes);
        File.WriteAllBytes(input, bytes);
        string path = folder.File("out.h5");
        using (var mapped = NeuroAlign.Memory.MappedFile.OpenRead(input))
        {
            using (var sink = new Hdf5Sink(path, Hdf5SinkOptions.Uncompressed))
            {
                sink.Begin(new ExportLayout([0, 1, 2, 3, 4, 5], [layout], new Dictionary<string, object>()));
                var buffer = new WindowBuffer(layout);
                for (int w = 0; w < 5; w++)
                {
                    buffer.SourceData = mapped.GetMemory((long)w * windowBytes, windowBytes);
                    sink.Write(w, 0, buffer);
                }

                Assert.True(sink.ChunksWrittenFromSource > 0);
            }

            Assert.True(mapped.GetSpan(0, windowBytes).SequenceEqual(bytes.AsSpan(0, windowBytes)));
        }

        Assert.Equal(["in.bin"], folder.FileNames());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Dispose_BeforeComplete_LeavesNothingBehind(bool compress)
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        File.WriteAllText(path, "an older file the user had");
        ModalityLayout layout = Layout("ephys", SampleType.Int16, [3], 100);

        using (var sink = new Hdf5Sink(path, compress ? null : Hdf5SinkOptions.Uncompressed))
        {
            sink.Begin(new ExportLayout([0.0, 1.0], [layout], new Dictionary<string, object>()));
            var buffer = new WindowBuffer(layout);
            sink.Write(0, 0, buffer);
            Assert.True(File.Exists(sink.TemporaryPath));
        }

        Assert.Equal(["out.h5"], folder.FileNames());
        Assert.Equal("an older file the user had", File.ReadAllText(path));
    }

    [Fact]
    public void Complete_WithoutReplace_AFileThatAppearedMeanwhileIsKept_NothingElseLeft()
    {
        // Two array tasks given one --out: both checked before either wrote; the second to finish must not replace the first.
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        ModalityLayout layout = Layout("ephys", SampleType.Int16, [3], 100);

        using (var sink = new Hdf5Sink(path, Hdf5SinkOptions.Uncompressed, replaceExisting: false))
        {
            sink.Begin(new ExportLayout([0.0], [layout], new Dictionary<string, object>()));
            sink.Write(0, 0, new WindowBuffer(layout));
            File.WriteAllText(path, "the other task's shard");

            var e = Assert.Throws<NeuroAlignException>(sink.Complete);

            Assert.Equal($"{path} was written by another process while this export ran: it was kept, and this export was not published (give each process its own output)", e.Message);
        }

        Assert.Equal(["out.h5"], folder.FileNames());
        Assert.Equal("the other task's shard", File.ReadAllText(path));
    }

    [Fact]
    public void Complete_WithoutReplace_NoFileThere_Publishes()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        ModalityLayout layout = Layout("ephys", SampleType.Int16, [3], 100);

        using (var sink = new Hdf5Sink(path, Hdf5SinkOptions.Uncompressed, replaceExisting: false))
        {
            sink.Begin(new ExportLayout([0.0], [layout], new Dictionary<string, object>()));
            sink.Write(0, 0, new WindowBuffer(layout));
            sink.Complete();
        }

        Assert.Equal(["out.h5"], folder.FileNames());
        using ExportFileReader reader = ExportFileReader.Open(path);
        Assert.Equal(1, reader.WindowCount);
    }

    [Fact]
    public void Write_WindowOfAnotherLength_Throws_NothingShifted()
    {
        using var folder = new TempFolder();
        ModalityLayout layout = Layout("pose", SampleType.Float32, [3], 30);
        using var sink = new Hdf5Sink(folder.File("o.h5"), Hdf5SinkOptions.Uncompressed);
        sink.Begin(new ExportLayout([0.0, 1.0], [layout], new Dictionary<string, object>()));

        var e = Assert.Throws<ArgumentException>(() => sink.Write(0, 0, new WindowBuffer(layout with { PointsPerWindow = 31 })));

        Assert.StartsWith("window 0 of modality 0 has 31 points; the layout has 30", e.Message, StringComparison.Ordinal);
    }
}

using System.Buffers;
using NeuroAlign.Alignment;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Compression;

/// <summary>
/// The sink hands a window's chunks to the compressing workers, writes its small datasets while
/// they are compressed, returns once they are compressed, and writes the compressed bytes while the
/// next window's chunks are compressed. These check, over many windows of two modalities written
/// alternately from buffers the caller scribbles over as soon as <see cref="Hdf5Sink.Write"/>
/// returns, that every window's own values are in the file (numpy computes them independently and
/// h5py with the reference plugins reads them), and that a chunk whose compression fails is one
/// error, as itself, with nothing left on disk.
/// </summary>
public class PipelinedWriteTests
{
    private const int Windows = 8;
    private const int Channels = 64;
    private const int Points = 70_000;
    private const int Frames = 16;

    /// <summary>Ephys sample (w, k, c): hashing plus a ramp, about as compressible as a recording.</summary>
    private static short Ephys(int w, int k, int c)
    {
        uint n = (uint)((((w * Points) + k) * Channels) + c);
        return (short)(((n * 2654435761u) >> 26) + (((k * 3) + c) % 512) - 256);
    }

    /// <summary>Video pixel (w, f, y, x): a gradient that moves with the frame, plus hashed noise.</summary>
    private static byte Pixel(int w, int f, int y, int x)
    {
        uint n = (uint)((((((w * Frames) + f) * 480) + y) * 640) + x);
        return (byte)((x + y + (7 * ((w * Frames) + f)) + ((n * 2654435761u) >> 29)) & 0xFF);
    }

    private const string ExpectedScript =
        """
        import sys, h5py, hdf5plugin, numpy as np
        W, N, C, F = 8, 70000, 64, 16

        def ephys(w):
            k, c = np.arange(N, dtype=np.int64)[:, None], np.arange(C, dtype=np.int64)[None, :]
            n = (w * N + k) * C + c
            return ((((n * 2654435761) % 2**32) >> 26) + (k * 3 + c) % 512 - 256).astype(np.int16)

        def video(w):
            f, y, x = np.arange(F, dtype=np.int64)[:, None, None], np.arange(480, dtype=np.int64)[None, :, None], np.arange(640, dtype=np.int64)[None, None, :]
            n = ((w * F + f) * 480 + y) * 640 + x
            return ((x + y + 7 * (w * F + f) + (((n * 2654435761) % 2**32) >> 29)) & 0xFF).astype(np.uint8)
        """;

    private static ModalityLayout EphysLayout => new("ephys", SampleType.Int16, [Channels], Points, new Dictionary<string, object> { ["format"] = "synthetic" }, new Dictionary<string, Array>());

    private static ModalityLayout VideoLayout => new("video", SampleType.UInt8, [480, 640], Frames, new Dictionary<string, object> { ["format"] = "synthetic" }, new Dictionary<string, Array>());

    /// <summary>Eight windows of both modalities, alternately, each from one reused buffer (or from its own source array), scribbled over right after each write.</summary>
    private static (int PeakChunks, int ChunksFromSource) Write(string path, Hdf5SinkOptions options, bool asSource)
    {
        ModalityLayout[] layouts = [EphysLayout, VideoLayout];
        using var sink = new Hdf5Sink(path, options);
        sink.Begin(new ExportLayout(Enumerable.Range(0, Windows).Select(w => (double)w).ToArray(), layouts, new Dictionary<string, object> { ["schema_version"] = 1L }));
        WindowBuffer[] buffers = [.. layouts.Select(l => new WindowBuffer(l))];
        for (int w = 0; w < Windows; w++)
        {
            var ephys = (short[])buffers[0].Data;
            for (int k = 0; k < Points; k++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    ephys[(k * Channels) + c] = Ephys(w, k, c);
                }
            }

            var video = (byte[])buffers[1].Data;
            for (int f = 0; f < Frames; f++)
            {
                for (int y = 0; y < 480; y++)
                {
                    for (int x = 0; x < 640; x++)
                    {
                        video[(((f * 480) + y) * 640) + x] = Pixel(w, f, y, x);
                    }
                }
            }

            for (int m = 0; m < layouts.Length; m++)
            {
                WindowBuffer buffer = buffers[m];
                for (int k = 0; k < buffer.Timestamps.Length; k++)
                {
                    buffer.Timestamps[k] = w + (k / 1000.0);
                    buffer.SourceIndex[k] = ((long)w * buffer.Timestamps.Length) + k;
                    buffer.SourceTime[k] = buffer.Timestamps[k];
                }

                byte[]? source = asSource ? buffer.DataBytes.ToArray() : null;
                buffer.SourceData = source;
                sink.Write(w, m, buffer);

                // The caller has the memory back: scribble over it (a compressed export's source too).
                buffer.DataBytes.Fill(0x55);
                if (source != null && options.Codec != CompressionCodec.None)
                {
                    source.AsSpan().Fill(0xAA);
                }
            }
        }

        sink.Complete();
        return (sink.PeakChunksInFlight, sink.ChunksWrittenFromSource);
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData("lz4", false)]
    [InlineData("bitshuffle-lz4", false)]
    [InlineData("bitshuffle-lz4", true)]
    [InlineData("gzip", false)]
    public void Write_ManyWindowsOfTwoModalitiesFromReusedBuffers_H5pyReadsEachWindowsOwnValues(string codecName, bool asSource)
    {
        using var folder = new TempFolder();
        (int peak, _) = Write(folder.File("c.h5"), new Hdf5SinkOptions(CompressionCodecs.Parse(codecName), CompressionThreads: 2), asSource);
        Write(folder.File("plain.h5"), Hdf5SinkOptions.Uncompressed, asSource: false);

        string output = Python.Run(
            ExpectedScript + """

            out = []
            for path in sys.argv[1:]:
                with h5py.File(path, 'r') as h:
                    e, v = h['ephys/data'], h['video/data']
                    for w in range(W):
                        assert np.array_equal(e[w], ephys(w)), (path, w)
                        assert np.array_equal(v[w], video(w)), (path, w)
                    assert np.array_equal(h['ephys/source_index'][:], np.arange(W)[:, None] * N + np.arange(N)[None, :]), path
                    out.append(f"{e.chunks} {v.chunks}")
            print(' | '.join(out))
            """,
            folder.File("c.h5"),
            folder.File("plain.h5"));

        // Ephys windows are two chunks, video windows one: both compressed straight from the window.
        Assert.Equal("(1, 35000, 64) (1, 16, 480, 640) | (1, 35000, 64) (1, 16, 480, 640)", output.Trim());

        // A window's chunks, and the previous window's not yet written, were in flight together.
        Assert.InRange(peak, 2, 3);
    }

    [Slow]
    [Fact]
    public void Write_ManyWindows_CompressedChunksIdenticalWithOneThreadAndTwo()
    {
        // On the writing thread, chunks are compressed and written one by one; on workers, a
        // window's are written during the next: the same chunks in the same order, the same file.
        using var folder = new TempFolder();
        Write(folder.File("one.h5"), new Hdf5SinkOptions(CompressionCodec.BitshuffleLz4, CompressionThreads: 1), asSource: false);
        Write(folder.File("two.h5"), new Hdf5SinkOptions(CompressionCodec.BitshuffleLz4, CompressionThreads: 2), asSource: false);

        Assert.Equal(File.ReadAllBytes(folder.File("one.h5")), File.ReadAllBytes(folder.File("two.h5")));
    }

    [Theory]
    [InlineData("bitshuffle-lz4", 2)]
    [InlineData("zstd", 2)]
    [InlineData("bitshuffle-lz4", 1)]
    public void Write_CompressionFails_ThatErrorAsItselfAndNoFileLeft(string codecName, int threads)
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        ModalityLayout layout = EphysLayout;
        var buffer = new WindowBuffer(layout);
        string? temporary = null;
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var sink = new Hdf5Sink(path, new Hdf5SinkOptions(CompressionCodecs.Parse(codecName), CompressionThreads: threads));
            temporary = sink.TemporaryPath;
            sink.Begin(new ExportLayout([0.0, 1.0, 2.0], [layout], new Dictionary<string, object> { ["schema_version"] = 1L }));
            sink.Write(0, 0, buffer);

            // The second window's memory fails when a worker reads it (a recording cut short under the mapping).
            using var failing = new Unreadable(buffer.DataBytes.Length);
            buffer.SourceData = failing.Memory;
            sink.Write(1, 0, buffer);
            sink.Write(2, 0, buffer);
            sink.Complete();
        });

        Assert.Equal("window memory: read failed on a worker", e.Message);
        Assert.NotNull(temporary);
        Assert.False(File.Exists(temporary));
        Assert.False(File.Exists(path));
        Assert.Empty(folder.FileNames());
    }

    /// <summary>
    /// Memory that can be sliced and handed around but not read: only the compressor reads a
    /// window's bytes (on a worker, or on the writing thread when the pool runs the task inline).
    /// </summary>
    private sealed class Unreadable(int length) : MemoryManager<byte>
    {
        public override Memory<byte> Memory => CreateMemory(length);

        public override Span<byte> GetSpan() => throw new InvalidDataException("window memory: read failed on a worker");

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}

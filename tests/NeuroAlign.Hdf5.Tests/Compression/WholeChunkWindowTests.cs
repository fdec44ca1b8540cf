using NeuroAlign.Alignment;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Compression;

/// <summary>
/// Windows whose data chunks are whole slices of the window (9 MB int16 windows: two chunks of
/// 35 000 points × 64 channels) are compressed, or written uncompressed, straight from the window's
/// memory, with no copy. The sink must be done with that memory when <see cref="Hdf5Sink.Write"/>
/// returns: here the one buffer is refilled (and a given source array scribbled over) right after
/// each write, and h5py with the reference plugins (or the reference codecs on the raw chunks, for
/// zstd) must still read every window's own values, computed independently in numpy.
/// </summary>
public class WholeChunkWindowTests
{
    private const int Channels = 64;
    private const int Points = 70_000;
    private const int Windows = 3;

    /// <summary>Sample (w, k, c): integer hashing plus a ramp, about as compressible as a recording; numpy computes the same.</summary>
    private static short Value(int w, int k, int c)
    {
        uint n = (uint)((((w * Points) + k) * Channels) + c);
        return (short)(((n * 2654435761u) >> 26) + (((k * 3) + c) % 512) - 256);
    }

    private const string ExpectedScript =
        """
        import sys, h5py, numpy as np
        W, N, C = 3, 70000, 64
        w, k, c = np.meshgrid(np.arange(W, dtype=np.int64), np.arange(N, dtype=np.int64), np.arange(C, dtype=np.int64), indexing='ij')
        n = (w * N + k) * C + c
        expected = ((((n * 2654435761) % 2**32) >> 26) + (k * 3 + c) % 512 - 256).astype(np.int16)
        """;

    /// <summary>Writes the windows from one reused buffer, or each from its own array given as source memory; returns the sink's count of chunks written from source.</summary>
    private static int Write(string path, Hdf5SinkOptions options, bool asSource)
    {
        var layout = new ModalityLayout("ephys", SampleType.Int16, [Channels], Points, new Dictionary<string, object> { ["format"] = "synthetic" }, new Dictionary<string, Array>());
        using var sink = new Hdf5Sink(path, options);
        sink.Begin(new ExportLayout(Enumerable.Range(0, Windows).Select(w => (double)w).ToArray(), [layout], new Dictionary<string, object> { ["schema_version"] = 1L }));
        var buffer = new WindowBuffer(layout);
        var data = (short[])buffer.Data;
        for (int w = 0; w < Windows; w++)
        {
            for (int k = 0; k < Points; k++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    data[(k * Channels) + c] = Value(w, k, c);
                }

                buffer.Timestamps[k] = w + (k / 30000.0);
                buffer.SourceIndex[k] = ((long)w * Points) + k;
                buffer.SourceTime[k] = buffer.Timestamps[k];
            }

            byte[]? source = null;
            if (asSource)
            {
                source = buffer.DataBytes.ToArray();
                buffer.SourceData = source;
            }

            sink.Write(w, 0, buffer);

            // The buffer is the aligner's again: scribble over it. A source array is left alone when
            // uncompressed (a mapping stays valid until the streams close), scribbled over otherwise.
            data.AsSpan().Fill(0x5555);
            if (source != null && options.Codec != CompressionCodec.None)
            {
                source.AsSpan().Fill(0x55);
            }
        }

        sink.Complete();
        return sink.ChunksWrittenFromSource;
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData("none", false)]
    [InlineData("none", true)]
    [InlineData("gzip", false)]
    [InlineData("gzip", true)]
    [InlineData("lz4", false)]
    [InlineData("bitshuffle-lz4", false)]
    [InlineData("bitshuffle-lz4", true)]
    public void Write_WholeChunkWindows_H5pyReadsEachWindowsOwnValues(string codecName, bool asSource)
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        CompressionCodec codec = CompressionCodecs.Parse(codecName);
        int fromSource = Write(path, codec == CompressionCodec.None ? Hdf5SinkOptions.Uncompressed : new Hdf5SinkOptions(codec), asSource);

        string output = Python.Run(
            ExpectedScript + """

            import hdf5plugin
            d = h5py.File(sys.argv[1], 'r')['ephys/data']
            assert np.array_equal(d[:], expected)
            print(d.chunks, d.compression or [f for f in d._filters])
            """,
            path);

        Assert.StartsWith("(1, 35000, 64)", output.Trim());

        // Only a mapped (source) window's uncompressed chunks count as written from the source; a buffer's are written from the buffer.
        Assert.Equal(codec == CompressionCodec.None && asSource ? 2 * Windows : 0, fromSource);
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData("zstd")]
    [InlineData("bitshuffle-zstd")]
    public void Write_WholeChunkWindowsZstd_ReferenceCodecsDecodeEachChunkToTheUncompressedExport(string codecName)
    {
        // Debian's plugins have no zstd: each raw chunk is decoded by python3-zstandard (and a numpy bit-unshuffle).
        using var folder = new TempFolder();
        Write(folder.File("plain.h5"), Hdf5SinkOptions.Uncompressed, asSource: false);
        Write(folder.File("c.h5"), new Hdf5SinkOptions(CompressionCodecs.Parse(codecName)), asSource: false);

        string plain = Python.Run(ExpectedScript + "\nprint(np.array_equal(h5py.File(sys.argv[1], 'r')['ephys/data'][:], expected))", folder.File("plain.h5"));
        string output = Python.Run(CodecTests.ChunkCheckScript, folder.File("c.h5"), folder.File("plain.h5"), codecName, "raw");

        Assert.Equal("True", plain.Trim());
        Assert.Contains(" True n/a int16", output.Trim(), StringComparison.Ordinal);
    }
}

using System.Runtime.InteropServices;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Compression;

/// <summary>
/// The codecs against independent implementations: h5py with the reference HDF5 plugins
/// (hdf5plugin's LZ4, bitshuffle's plugin) reading whole exports, and, where Debian's plugins do
/// not decode (zstd, bitshuffle-zstd), each chunk's bytes decoded by python3-zstandard,
/// python3-lz4 and a bit-unshuffle written in numpy from the format (np.unpackbits).
/// </summary>
public class CodecTests
{
    private const int Channels = 64;

    /// <summary>Ephys-like int16 values: Gaussian noise (sd 30) plus a slow wave, from a fixed seed.</summary>
    private static short[] Noise(int count, int seed)
    {
        var random = new Random(seed);
        short[] values = new short[count];
        for (int i = 0; i < count; i++)
        {
            double u = 1 - random.NextDouble(), v = random.NextDouble();
            values[i] = (short)Math.Round((30 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v)) + (50 * Math.Sin(i / Channels / 500.0)));
        }

        return values;
    }

    /// <summary>Writes <paramref name="windows"/> windows of <paramref name="points"/> × 64 samples of <paramref name="type"/> whose bytes are <see cref="Noise"/>'s.</summary>
    internal static void WriteExport(string path, Hdf5SinkOptions options, SampleType type, int windows, int points)
    {
        var layout = new ModalityLayout("ephys", type, [Channels], points, new Dictionary<string, object> { ["format"] = "synthetic" }, new Dictionary<string, Array>());
        using var sink = new Hdf5Sink(path, options);
        sink.Begin(new ExportLayout(Enumerable.Range(0, windows).Select(w => w * 1.0).ToArray(), [layout], new Dictionary<string, object> { ["schema_version"] = 1L }));
        var buffer = new WindowBuffer(layout);
        for (int w = 0; w < windows; w++)
        {
            FillWindow(buffer, w);
            for (int k = 0; k < points; k++)
            {
                buffer.Timestamps[k] = w + (k / 30000.0);
                buffer.SourceIndex[k] = (w * points) + k;
                buffer.SourceTime[k] = buffer.Timestamps[k];
            }

            sink.Write(w, 0, buffer);
        }

        sink.Complete();
    }

    /// <summary>Window <paramref name="w"/>'s samples: <see cref="Noise"/>'s bytes, or its values / 8 for floats (random bit patterns include NaNs).</summary>
    private static void FillWindow(WindowBuffer buffer, int w)
    {
        Span<byte> bytes = buffer.DataBytes;
        short[] noise = Noise((bytes.Length / 2) + 1, w);
        MemoryMarshal.AsBytes(noise.AsSpan())[..bytes.Length].CopyTo(bytes);
        if (buffer.Data is float[] floats)
        {
            for (int i = 0; i < floats.Length; i++)
            {
                floats[i] = noise[i] * 0.125f;
            }
        }
        else if (buffer.Data is double[] doubles)
        {
            for (int i = 0; i < doubles.Length; i++)
            {
                doubles[i] = noise[i] * 0.125;
            }
        }
    }

    // ---- Bit transpose ----

    /// <summary>The definition, one bit at a time: bit k of byte j of element i goes to bit (8j + k)·n + i of the output, LSB first.</summary>
    private static byte[] NaiveBitShuffle(byte[] elements, int elementBytes)
    {
        int n = elements.Length / elementBytes;
        byte[] rows = new byte[elements.Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < elementBytes; j++)
            {
                for (int k = 0; k < 8; k++)
                {
                    int bit = (elements[(i * elementBytes) + j] >> k) & 1;
                    int at = (((8 * j) + k) * n) + i;
                    rows[at / 8] |= (byte)(bit << (at % 8));
                }
            }
        }

        return rows;
    }

    [Theory]
    [InlineData(1, 8)]
    [InlineData(1, 4096)]
    [InlineData(2, 8)]
    [InlineData(2, 24)]
    [InlineData(2, 4096)]
    [InlineData(2, 72)]
    [InlineData(2, 4104)]
    [InlineData(4, 2048)]
    [InlineData(4, 40)]
    [InlineData(4, 104)]
    [InlineData(8, 1024)]
    public void BitShuffle_Transpose_MatchesBitByBitDefinitionAndInverts(int elementBytes, int elements)
    {
        // 4096 elements take the 32-byte vector path, 24 and 40 the 16-byte and scalar tails; with
        // AVX2, 2- and 4-byte elements go 32 at a time (72, 4104 and 104 end in 8-element tails).
        byte[] raw = new byte[elements * elementBytes];
        new Random(elements + elementBytes).NextBytes(raw);
        byte[] rows = new byte[raw.Length];

        BitShuffle.Transpose(raw, elementBytes, new byte[raw.Length], rows);
        byte[] back = new byte[raw.Length];
        BitShuffle.Untranspose(rows, elementBytes, back);

        Assert.Equal(NaiveBitShuffle(raw, elementBytes), rows);
        Assert.Equal(raw, back);
    }

    [RequiresFact(Needs.Python)]
    public void BitShuffle_Transpose_SameBytesAsReferenceImplementation()
    {
        // Debian's bitshuffle (kiyo-masui/bitshuffle's C code) on the same int16 and float32 blocks.
        using var folder = new TempFolder();
        short[] int16 = Noise(4096, 3);
        float[] float32 = Noise(2048, 4).Select(v => v * 0.37f).ToArray();
        File.WriteAllBytes(folder.File("i16.bin"), MemoryMarshal.AsBytes(int16.AsSpan()).ToArray());
        File.WriteAllBytes(folder.File("f32.bin"), MemoryMarshal.AsBytes(float32.AsSpan()).ToArray());
        byte[] ours16 = new byte[8192], ours32 = new byte[8192];
        BitShuffle.Transpose(MemoryMarshal.AsBytes(int16.AsSpan()), 2, new byte[8192], ours16);
        BitShuffle.Transpose(MemoryMarshal.AsBytes(float32.AsSpan()), 4, new byte[8192], ours32);

        string hex = Python.Run(
            """
            import sys, numpy as np, bitshuffle
            for name, dtype in (('i16.bin', np.int16), ('f32.bin', np.float32)):
                a = np.fromfile(sys.argv[1] + '/' + name, dtype=dtype)
                print(bitshuffle.bitshuffle(a, 0).view(np.uint8).tobytes().hex())
            """,
            folder.Path);

        string[] lines = hex.Trim().Split('\n');
        Assert.Equal(Convert.ToHexStringLower(ours16), lines[0].Trim());
        Assert.Equal(Convert.ToHexStringLower(ours32), lines[1].Trim());
    }

    // ---- Whole exports against the reference readers ----

    /// <summary>
    /// Reads every chunk of /ephys/data raw (read_direct_chunk) and decodes it with the reference
    /// codecs and a numpy bit-unshuffle from the format; prints the filters h5py sees and whether
    /// data equal the uncompressed export's. With the plugin, also reads the dataset through h5py.
    /// </summary>
    internal const string ChunkCheckScript =
        """
        import sys, h5py, numpy as np, zstandard, lz4.block
        path, plain, codec, via_plugin = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == 'plugin'
        if via_plugin:
            import hdf5plugin
        expected = h5py.File(plain, 'r')['ephys/data'][:]
        f = h5py.File(path, 'r')
        d = f['ephys/data']
        plist = d.id.get_create_plist()
        filters = [plist.get_filter(i)[:3] for i in range(plist.get_nfilters())]
        itemsize = d.dtype.itemsize

        def be(b, n): return int.from_bytes(b[:n], 'big')

        def unbitshuffle(rows, n, e):
            # Row 8j + k holds bit k of byte j of n elements, eight to a byte, first element lowest.
            bits = np.unpackbits(np.frombuffer(rows, np.uint8), bitorder='little').reshape(8 * e, n)
            return np.packbits(bits.T, axis=1, bitorder='little').reshape(n * e)

        def decode(raw, nbytes):
            if codec in ('zstd', 'lz4'):
                if codec == 'zstd':
                    body = zstandard.ZstdDecompressor().decompress(raw)
                else:
                    total, block = be(raw, 8), be(raw[8:], 4)
                    at, parts = 12, []
                    while sum(map(len, parts)) < total:
                        size, want = be(raw[at:], 4), min(block, total - sum(map(len, parts)))
                        part = raw[at + 4:at + 4 + size]
                        parts.append(part if size == want else lz4.block.decompress(part, uncompressed_size=want))
                        at += 4 + size
                    body = b''.join(parts)
                if itemsize == 1:
                    return body
                # Undo the byte shuffle (filter 2): planes back into elements.
                return np.frombuffer(body, np.uint8).reshape(itemsize, -1).T.tobytes()
            total, block = be(raw, 8), be(raw[8:], 4)
            n_all, block_n = total // itemsize, block // itemsize
            out, at, done = [], 12, 0
            while n_all - done >= 8:
                n = min(block_n, n_all - done) // 8 * 8
                size = be(raw[at:], 4)
                part = raw[at + 4:at + 4 + size]
                rows = zstandard.ZstdDecompressor().decompress(part) if codec == 'bitshuffle-zstd' else lz4.block.decompress(part, uncompressed_size=n * itemsize)
                out.append(unbitshuffle(rows, n, itemsize).tobytes())
                at += 4 + size
                done += n
            out.append(raw[at:at + (n_all - done) * itemsize])
            return b''.join(out)

        got = np.zeros(d.shape, d.dtype)
        for info in (d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks())):
            mask, raw = d.id.read_direct_chunk(info.chunk_offset)
            sel = tuple(slice(o, min(o + c, s)) for o, c, s in zip(info.chunk_offset, d.chunks, d.shape))
            full = np.frombuffer(decode(raw, None), d.dtype).reshape(d.chunks)
            got[sel] = full[tuple(slice(0, s.stop - s.start) for s in sel)]
        ok_chunks = np.array_equal(got, expected)
        ok_plugin = np.array_equal(d[:], expected) if via_plugin else 'n/a'
        print(filters, ok_chunks, ok_plugin, d.dtype)
        """;

    [RequiresTheory(Needs.Python)]
    [InlineData("zstd", "[(2, 0, (2,)), (32015, 0, (3,))] True n/a int16")]
    [InlineData("lz4", "[(2, 0, (2,)), (32004, 0, (0,))] True True int16")]
    [InlineData("bitshuffle-lz4", "[(32008, 0, (0, 5, 2, 4096, 2))] True True int16")]
    [InlineData("bitshuffle-zstd", "[(32008, 0, (0, 5, 2, 4096, 3, 3))] True n/a int16")]
    [InlineData("zstd", "[(2, 0, (2,)), (32015, 0, (4294967293,))] True n/a int16", -3)] // a fast level: the int's bits, as the reference plugin reads cd_values[0]
    [InlineData("bitshuffle-zstd", "[(32008, 0, (0, 5, 2, 4096, 3, 4294967295))] True n/a int16", -1)]
    public void Export_EachCodec_ChunksDecodeWithReferenceCodecsToTheUncompressedData(string codecName, string expected, int? level = null)
    {
        // 7 windows of 3001 points: chunks are not whole blocks, and a bitshuffle chunk ends in a partial block and leftover elements.
        using var folder = new TempFolder();
        CompressionCodec codec = CompressionCodecs.Parse(codecName);
        WriteExport(folder.File("plain.h5"), Hdf5SinkOptions.Uncompressed, SampleType.Int16, 7, 3001);
        WriteExport(folder.File("c.h5"), new Hdf5SinkOptions(codec, level), SampleType.Int16, 7, 3001);

        // Debian's plugins read lz4 and bitshuffle-lz4; zstd needs hdf5plugin 4.1 or later.
        bool plugin = codec is CompressionCodec.Lz4 or CompressionCodec.BitshuffleLz4;
        string output = Python.Run(ChunkCheckScript, folder.File("c.h5"), folder.File("plain.h5"), codecName, plugin ? "plugin" : "raw");

        Assert.Equal(expected, output.Trim());
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("uint8")]
    [InlineData("int8")]
    [InlineData("uint16")]
    [InlineData("uint32")]
    [InlineData("int32")]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Export_BitshuffleAndZstdOtherTypes_ChunksDecodeToTheUncompressedData(string typeName)
    {
        using var folder = new TempFolder();
        SampleType type = SampleTypes.Parse(typeName);
        WriteExport(folder.File("plain.h5"), Hdf5SinkOptions.Uncompressed, type, 3, 1001);
        foreach (string codec in new[] { "bitshuffle-zstd", "zstd", "lz4" })
        {
            WriteExport(folder.File($"{codec}.h5"), new Hdf5SinkOptions(CompressionCodecs.Parse(codec), CompressionThreads: 1), type, 3, 1001);
            string output = Python.Run(ChunkCheckScript, folder.File($"{codec}.h5"), folder.File("plain.h5"), codec, "raw");
            Assert.EndsWith($"True n/a {typeName}", output.Trim());
        }
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("uint8")]
    [InlineData("int8")]
    [InlineData("int16")]
    [InlineData("uint16")]
    [InlineData("int32")]
    [InlineData("uint32")]
    [InlineData("float32")]
    [InlineData("float64")]
    public void Export_EveryReaderType_H5pyReadsTheExactValues(string typeName)
    {
        // Issue 17: uint16, uint32 and int8 windows failed inside the writer. h5py (with the plugins
        // for lz4 and bitshuffle) compares each file with the values the buffers held.
        using var folder = new TempFolder();
        SampleType type = SampleTypes.Parse(typeName);
        var layout = new ModalityLayout("ephys", type, [Channels], 501, new Dictionary<string, object>(), new Dictionary<string, Array>());
        var expected = new List<byte>();
        for (int w = 0; w < 3; w++)
        {
            var buffer = new WindowBuffer(layout);
            FillWindow(buffer, w);
            expected.AddRange(buffer.DataBytes.ToArray());
        }

        File.WriteAllBytes(folder.File("expected.bin"), [.. expected]);
        string[] codecs = ["none", "gzip", "lz4", "bitshuffle-lz4"];
        foreach (string codec in codecs)
        {
            WriteExport(folder.File($"{codec}.h5"), new Hdf5SinkOptions(CompressionCodecs.Parse(codec)), type, 3, 501);
        }

        string output = Python.Run(
            """
            import sys, h5py, hdf5plugin, numpy as np
            folder, dtype = sys.argv[1], np.dtype(sys.argv[2])
            expected = np.fromfile(folder + '/expected.bin', dtype=dtype).reshape(3, 501, 64)
            for codec in sys.argv[3:]:
                d = h5py.File(f'{folder}/{codec}.h5', 'r')['ephys/data']
                assert d.dtype == dtype, (codec, d.dtype)
                assert np.array_equal(d[:], expected, equal_nan=False), codec
            print('ok')
            """,
            [folder.Path, typeName, .. codecs]);

        Assert.Equal("ok", output.Trim());
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Zstd)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.BitshuffleLz4)]
    [InlineData(CompressionCodec.BitshuffleZstd)]
    [InlineData(CompressionCodec.Zstd, CompressionCodecs.ZstdFastestLevel)] // zstd's whole range, both ends
    [InlineData(CompressionCodec.Zstd, 22)]
    [InlineData(CompressionCodec.BitshuffleZstd, -5)]
    public void ExportFileReader_EachCodec_ReadsBackTheSamples(CompressionCodec codec, int? level = null)
    {
        // Our decoders registered with PureHDF: merge, batch and info read every codec.
        using var folder = new TempFolder();
        WriteExport(folder.File("c.h5"), new Hdf5SinkOptions(codec, level), SampleType.Int16, 5, 2003);

        using ExportFileReader reader = ExportFileReader.Open(folder.File("c.h5"));
        var buffer = new WindowBuffer(reader.Modalities[0]);
        for (int w = 0; w < 5; w++)
        {
            reader.ReadWindow(0, w, buffer);
            short[] expected = Noise((2003 * Channels) + 1, w);
            Assert.Equal(expected.AsSpan(0, 2003 * Channels).ToArray(), (short[])buffer.Data);
            Assert.Equal((w * 2003) + 2002, buffer.SourceIndex[^1]);
        }
    }

    [RequiresFact(Needs.Python)]
    public void Gzip_Level1_AsSmallAsZlibLevel1()
    {
        // zlib-ng's level 1 is a quick strategy that left 0.66 of this input; zlib's level 1 leaves
        // about 0.52. Python's zlib (the reference library) compresses each shuffled chunk.
        using var folder = new TempFolder();
        WriteExport(folder.File("g.h5"), new Hdf5SinkOptions(CompressionCodec.Gzip, 1), SampleType.Int16, 4, 30000);

        string output = Python.Run(
            """
            import sys, h5py, numpy as np, zlib
            d = h5py.File(sys.argv[1], 'r')['ephys/data']
            ours = theirs = raw = 0
            for i in range(d.id.get_num_chunks()):
                info = d.id.get_chunk_info(i)
                _, chunk = d.id.read_direct_chunk(info.chunk_offset)
                values = np.frombuffer(zlib.decompress(chunk), np.uint8)
                ours += len(chunk)
                theirs += len(zlib.compress(values.tobytes(), 1))
                raw += values.size
            print(f'{ours / raw:.4f} {theirs / raw:.4f}')
            """,
            folder.File("g.h5"));

        double[] ratios = output.Trim().Split(' ').Select(double.Parse).ToArray();
        Assert.True(ratios[0] <= ratios[1] * 1.02, $"gzip 1 leaves {ratios[0]} of the input; zlib's level 1 leaves {ratios[1]}");
    }

    // ---- Options ----

    [Fact]
    public void Parse_UnknownCodec_NamesTheSettingAndTheChoicesWithoutFlags()
    {
        var e = Assert.Throws<NeuroAlignException>(() => CompressionCodecs.Parse("foo"));

        Assert.Equal("compression: 'foo' is not one of gzip, zstd, lz4, bitshuffle-lz4, bitshuffle-zstd, none", e.Message);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gzip", CompressionCodec.Gzip)]
    [InlineData("ZSTD", CompressionCodec.Zstd)]
    [InlineData("lz4", CompressionCodec.Lz4)]
    [InlineData("bitshuffle-lz4", CompressionCodec.BitshuffleLz4)]
    [InlineData("bitshuffle-zstd", CompressionCodec.BitshuffleZstd)]
    [InlineData("none", CompressionCodec.None)]
    public void Parse_EachName_ItsCodec(string name, CompressionCodec codec) => Assert.Equal(codec, CompressionCodecs.Parse(name));

    [Theory]
    [InlineData(CompressionCodec.Gzip, 10, "compression level 10: gzip takes 0 to 9 (-1 for zlib's default, 6)")]
    [InlineData(CompressionCodec.Zstd, 23, "compression level 23: zstd takes 1 to 22, or -1 to -131072 for zstd's fast levels (the zstd tool's --fast=N)")]
    [InlineData(CompressionCodec.Zstd, 0, "compression level 0: zstd takes 1 to 22, or -1 to -131072 for zstd's fast levels (the zstd tool's --fast=N)")]
    [InlineData(CompressionCodec.BitshuffleZstd, -131073, "compression level -131073: bitshuffle-zstd takes 1 to 22, or -1 to -131072 for zstd's fast levels (the zstd tool's --fast=N)")]
    [InlineData(CompressionCodec.Lz4, -1, "compression level -1: lz4 takes 0 to 12")]
    [InlineData(CompressionCodec.BitshuffleLz4, 1, "compression level 1: bitshuffle-lz4 takes no level")]
    [InlineData(CompressionCodec.None, 1, "compression level 1: none takes no level")]
    public void Validate_LevelOutsideTheCodecsRange_OneLine(CompressionCodec codec, int level, string expected)
    {
        var e = Assert.Throws<NeuroAlignException>(() => new Hdf5SinkOptions(codec, level).Validate());

        Assert.Equal(expected, e.Message);
    }

    [Theory]
    [InlineData("gzip 1 shuffle")]
    [InlineData("gzip 9")]
    [InlineData("gzip -1 shuffle")]
    [InlineData("zstd 3 shuffle")]
    [InlineData("zstd 19")]
    [InlineData("lz4 0 shuffle")]
    [InlineData("bitshuffle-lz4")]
    [InlineData("bitshuffle-zstd 5")]
    [InlineData("zstd -3 shuffle")]
    [InlineData("bitshuffle-zstd -1")]
    [InlineData("none")]
    public void Describe_Parse_RoundTrip(string text) => Assert.Equal(text, Hdf5SinkOptions.Parse(text).Describe());

    [Theory]
    [InlineData("gzip")]
    [InlineData("gzip 10")]
    [InlineData("bitshuffle-lz4 shuffle")]
    [InlineData("none 1")]
    [InlineData("lzf 1")]
    public void Parse_NotWhatDescribeWrites_Throws(string text) => Assert.Throws<NeuroAlignException>(() => Hdf5SinkOptions.Parse(text));
}

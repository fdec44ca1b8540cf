using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// Encodes one dataset's chunks as the HDF5 filter pipeline the sink declares for them writes
/// them, and decodes them back. Every format is written from its registered filter's description,
/// so the reference plugins (hdf5plugin, HDF5-External-Filter-Plugins, bitshuffle) read the chunks:
/// <list type="bullet">
/// <item>gzip (filters 2 + 1): byte shuffle, then a zlib stream.</item>
/// <item>zstd (2 + 32015, cd_values [level]): byte shuffle, then one zstd frame carrying its content size.</item>
/// <item>lz4 (2 + 32004, cd_values [block bytes, 0 for the default 1 GiB]): byte shuffle, then
/// 8-byte big-endian total size, 4-byte big-endian block size, and per block a 4-byte big-endian
/// size and an LZ4 block (the block's bytes as they are when LZ4 does not shrink it).</item>
/// <item>bitshuffle-lz4 / bitshuffle-zstd (32008, cd_values [major, minor, element bytes, block
/// elements, 2 = lz4 or 3 = zstd, level]): 8-byte big-endian total size, 4-byte big-endian block
/// size in bytes, then per block of bit-transposed elements a 4-byte big-endian size and an LZ4
/// block or zstd frame; the last partial block is cut to a multiple of 8 elements and the elements
/// left over are appended as they are.</item>
/// </list>
/// Instances are immutable and shared by the worker threads; scratch buffers are per thread.
/// </summary>
internal sealed class ChunkCodec
{
    /// <summary>HDF5's registered filter ids.</summary>
    public const ushort ZstdFilterId = 32015;

    /// <summary>HDF5's registered filter id of LZ4 (HDF5-External-Filter-Plugins' H5Zlz4).</summary>
    public const ushort Lz4FilterId = 32004;

    /// <summary>HDF5's registered filter id of bitshuffle.</summary>
    public const ushort BitshuffleFilterId = 32008;

    /// <summary>Bitshuffle's compressor codes in cd_values[4].</summary>
    public const uint BitshuffleLz4 = 2;

    /// <summary>Bitshuffle's compressor code for zstd.</summary>
    public const uint BitshuffleZstd = 3;

    /// <summary>The bitshuffle format version written in cd_values[0..1] (the one that added zstd is 0.4; this is 0.5).</summary>
    public const uint BitshuffleMajor = 0;

    /// <summary>Minor version written in cd_values[1].</summary>
    public const uint BitshuffleMinor = 5;

    /// <summary>The LZ4 filter's block size when cd_values[0] is 0 (DEFAULT_BLOCK_SIZE).</summary>
    public const int Lz4DefaultBlockBytes = 1 << 30;

    private const int ShuffleBlockBytes = 64 << 10;

    [ThreadStatic]
    private static byte[]? t_scratch;

    [ThreadStatic]
    private static byte[]? t_blockScratch;

    [ThreadStatic]
    private static Compressor? t_zstd;

    [ThreadStatic]
    private static int t_zstdLevel;

    [ThreadStatic]
    private static Decompressor? t_unzstd;

    [ThreadStatic]
    private static Lz4BlockEncoder? t_lz4;

    /// <param name="codec">The compression; not <see cref="CompressionCodec.None"/>.</param>
    /// <param name="level">The codec's level (see <see cref="CompressionCodecs.LevelRange"/>); ignored by codecs without one.</param>
    /// <param name="elementBytes">Bytes per element of the dataset.</param>
    /// <param name="shuffle">Byte shuffle first (gzip, zstd, lz4); the bitshuffle codecs transpose bits instead.</param>
    /// <param name="bitshuffleBlockElements">Elements per bitshuffle block; 0 for the reference's default.</param>
    public ChunkCodec(CompressionCodec codec, int level, int elementBytes, bool shuffle, int bitshuffleBlockElements = 0)
    {
        if (bitshuffleBlockElements % BitShuffle.BlockMultiple != 0 || bitshuffleBlockElements < 0)
        {
            throw new InvalidDataException($"bitshuffle block of {bitshuffleBlockElements} elements: expected a multiple of 8");
        }

        BitshuffleBlockElements = bitshuffleBlockElements > 0 ? bitshuffleBlockElements : BitShuffle.DefaultBlockElements(elementBytes);
        if (codec == CompressionCodec.None)
        {
            throw new ArgumentOutOfRangeException(nameof(codec), "no codec for uncompressed data");
        }

        Codec = codec;
        Level = level;
        ElementBytes = elementBytes;
        ShuffleBytes = shuffle && elementBytes > 1 && codec is CompressionCodec.Gzip or CompressionCodec.Zstd or CompressionCodec.Lz4;
    }

    public CompressionCodec Codec { get; }

    public int Level { get; }

    public int ElementBytes { get; }

    /// <summary>True when the byte shuffle (filter 2) runs before the codec.</summary>
    public bool ShuffleBytes { get; }

    /// <summary>The elements of a bitshuffle block.</summary>
    public int BitshuffleBlockElements { get; }

    /// <summary>The filter id of the compressor itself (after the optional shuffle).</summary>
    public ushort FilterId => Codec switch
    {
        CompressionCodec.Gzip => PureHDF.Filters.DeflateFilter.Id,
        CompressionCodec.Zstd => ZstdFilterId,
        CompressionCodec.Lz4 => Lz4FilterId,
        _ => BitshuffleFilterId,
    };

    /// <summary>The client data (cd_values) the reference plugins expect for this codec.</summary>
    public uint[] ClientData => Codec switch
    {
        CompressionCodec.Gzip => [(uint)ZlibLevel(Level)],
        CompressionCodec.Zstd => [(uint)Level],
        CompressionCodec.Lz4 => [0],
        CompressionCodec.BitshuffleLz4 => [BitshuffleMajor, BitshuffleMinor, (uint)ElementBytes, (uint)BitshuffleBlockElements, BitshuffleLz4],
        _ => [BitshuffleMajor, BitshuffleMinor, (uint)ElementBytes, (uint)BitshuffleBlockElements, BitshuffleZstd, (uint)Level],
    };

    /// <summary>Encodes <paramref name="raw"/> into <paramref name="output"/> (cleared first).</summary>
    public void Encode(ReadOnlySpan<byte> raw, ChunkOutput output)
    {
        output.Clear();
        switch (Codec)
        {
            case CompressionCodec.Gzip:
                Deflate(raw, ShuffleBytes ? ElementBytes : 0, Level, output);
                return;
            case CompressionCodec.Zstd:
                Zstd(Shuffled(raw), Level, output);
                return;
            case CompressionCodec.Lz4:
                Lz4(Shuffled(raw), LevelOf(Level), output);
                return;
            default:
                Bitshuffle(raw, output);
                return;
        }
    }

    /// <summary>The codec a zstd, LZ4 or bitshuffle filter's client data describes (no byte shuffle: that is a filter of its own).</summary>
    public static ChunkCodec FromClientData(ushort filterId, uint[] clientData)
    {
        ArgumentNullException.ThrowIfNull(clientData);
        return filterId switch
        {
            ZstdFilterId => new ChunkCodec(CompressionCodec.Zstd, clientData.Length > 0 ? (int)clientData[0] : 3, 1, shuffle: false),
            Lz4FilterId => new ChunkCodec(CompressionCodec.Lz4, 0, 1, shuffle: false),
            BitshuffleFilterId when clientData.Length >= 5 && clientData[2] > 0 && clientData[4] is BitshuffleLz4 or BitshuffleZstd => new ChunkCodec(
                clientData[4] == BitshuffleLz4 ? CompressionCodec.BitshuffleLz4 : CompressionCodec.BitshuffleZstd,
                clientData.Length > 5 ? (int)clientData[5] : 3,
                (int)clientData[2],
                shuffle: false,
                (int)clientData[3]),
            _ => throw new InvalidDataException($"filter {filterId} with parameters [{string.Join(", ", clientData)}]: not a zstd, lz4 or bitshuffle (lz4 or zstd) filter this writer knows"),
        };
    }

    /// <summary>Decodes a chunk of this codec's compressor (not the byte shuffle, which PureHDF undoes).</summary>
    public static byte[] Decode(ushort filterId, ReadOnlySpan<byte> encoded, uint[] clientData) => filterId switch
    {
        ZstdFilterId => Unzstd(encoded),
        Lz4FilterId => UnLz4(encoded),
        BitshuffleFilterId => UnBitshuffle(encoded, clientData),
        _ => throw new ArgumentOutOfRangeException(nameof(filterId)),
    };

    /// <summary>
    /// .NET's zlib is zlib-ng, whose level 1 is its "quick" strategy (static Huffman codes only):
    /// on ephys noise with byte shuffle it leaves 0.66 of the input where zlib's level 1 leaves 0.52.
    /// zlib-ng's level 2 runs the algorithm zlib's level 1 runs, so level 1 is given as 2; the other
    /// levels compress as zlib's do. HDF5 stores -1 (the library default) as 6.
    /// </summary>
    public static int ZlibLevel(int level) => level < 0 ? 6 : level;

    private static int ZlibNgLevel(int level) => ZlibLevel(level) == 1 ? 2 : ZlibLevel(level);

    /// <summary>Shuffle (when <paramref name="shuffleTypeSize"/> &gt; 1) and deflate, written in 64 KiB pieces.</summary>
    internal static void Deflate(ReadOnlySpan<byte> raw, int shuffleTypeSize, int level, ChunkOutput output)
    {
        using var zlib = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = ZlibNgLevel(level) }, leaveOpen: true);
        if (shuffleTypeSize <= 1)
        {
            zlib.Write(raw);
            return;
        }

        byte[] block = System.Buffers.ArrayPool<byte>.Shared.Rent(ShuffleBlockBytes);
        try
        {
            ChunkFilters.WriteShuffled(raw, shuffleTypeSize, block.AsSpan(0, ShuffleBlockBytes), zlib);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(block);
        }
    }

    private static LZ4Level LevelOf(int level) => level < 3 ? LZ4Level.L00_FAST : (LZ4Level)Math.Min(level, 12);

    private static byte[] Scratch(ref byte[]? buffer, int bytes)
    {
        if (buffer == null || buffer.Length < bytes)
        {
            buffer = new byte[bytes];
        }

        return buffer;
    }

    /// <summary>The chunk byte-shuffled into this thread's scratch, or itself.</summary>
    private ReadOnlySpan<byte> Shuffled(ReadOnlySpan<byte> raw)
    {
        if (!ShuffleBytes)
        {
            return raw;
        }

        Span<byte> target = Scratch(ref t_scratch, raw.Length).AsSpan(0, raw.Length);
        ChunkFilters.ShuffleInto(raw, ElementBytes, target);
        return target;
    }

    private static Compressor ZstdCompressor(int level)
    {
        if (t_zstd == null || t_zstdLevel != level)
        {
            t_zstd?.Dispose();
            t_zstd = new Compressor(level);
            t_zstdLevel = level;
        }

        return t_zstd;
    }

    private static void Zstd(ReadOnlySpan<byte> source, int level, ChunkOutput output)
    {
        // One frame with its content size, as ZSTD_compress writes it: the reference filter sizes its output from it.
        int written = ZstdCompressor(level).Wrap(source, output.Reserve(Compressor.GetCompressBound(source.Length)));
        output.Advance(written);
    }

    /// <summary>LZ4 at acceleration 1 with this thread's encoder (see <see cref="Lz4BlockEncoder"/> for why not K4os here).</summary>
    private static int Lz4Fast(ReadOnlySpan<byte> source, Span<byte> target) => (t_lz4 ??= new Lz4BlockEncoder()).Encode(source, target);

    private static void Lz4(ReadOnlySpan<byte> source, LZ4Level level, ChunkOutput output)
    {
        int blockBytes = Math.Max(1, Math.Min(source.Length, Lz4DefaultBlockBytes));
        Span<byte> header = output.Reserve(12);
        BinaryPrimitives.WriteUInt64BigEndian(header, (ulong)source.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)blockBytes);
        output.Advance(12);
        for (int at = 0; at < source.Length; at += blockBytes)
        {
            ReadOnlySpan<byte> block = source.Slice(at, Math.Min(blockBytes, source.Length - at));
            Span<byte> target = output.Reserve(4 + Lz4BlockEncoder.MaximumOutputBytes(block.Length));
            int written = level == LZ4Level.L00_FAST ? Lz4Fast(block, target[4..]) : LZ4Codec.Encode(block, target[4..], level);

            // A block LZ4 does not shrink is stored as it is; the reader tells by its size.
            if (written <= 0 || written >= block.Length)
            {
                block.CopyTo(target[4..]);
                written = block.Length;
            }

            BinaryPrimitives.WriteUInt32BigEndian(target, (uint)written);
            output.Advance(4 + written);
        }
    }

    private void Bitshuffle(ReadOnlySpan<byte> raw, ChunkOutput output)
    {
        int e = ElementBytes;
        int elements = raw.Length / e;
        int blockElements = BitshuffleBlockElements;
        Span<byte> header = output.Reserve(12);
        BinaryPrimitives.WriteUInt64BigEndian(header, (ulong)raw.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)(blockElements * e));
        output.Advance(12);

        int blockBytes = blockElements * e;
        byte[] scratch = Scratch(ref t_blockScratch, 2 * blockBytes);
        Span<byte> planes = scratch.AsSpan(0, blockBytes);
        Span<byte> rows = scratch.AsSpan(blockBytes, blockBytes);
        bool zstd = Codec == CompressionCodec.BitshuffleZstd;
        Compressor? compressor = zstd ? ZstdCompressor(Level) : null;
        int done = 0;
        while (elements - done >= BitShuffle.BlockMultiple)
        {
            // Full blocks, then the rest cut to a multiple of 8 elements.
            int n = Math.Min(blockElements, elements - done) / BitShuffle.BlockMultiple * BitShuffle.BlockMultiple;
            int bytes = n * e;
            BitShuffle.Transpose(raw.Slice(done * e, bytes), e, planes[..bytes], rows[..bytes]);
            int bound = zstd ? Compressor.GetCompressBound(bytes) : Lz4BlockEncoder.MaximumOutputBytes(bytes);
            Span<byte> target = output.Reserve(4 + bound);
            int written = zstd ? compressor!.Wrap(rows[..bytes], target[4..]) : Lz4Fast(rows[..bytes], target[4..]);
            if (written <= 0)
            {
                throw new InvalidOperationException($"bitshuffle: the compressor gave {written} for a block of {bytes} bytes");
            }

            BinaryPrimitives.WriteUInt32BigEndian(target, (uint)written);
            output.Advance(4 + written);
            done += n;
        }

        output.Write(raw[(done * e)..]);
    }

    private static byte[] Unzstd(ReadOnlySpan<byte> encoded)
    {
        ulong size = Decompressor.GetDecompressedSize(encoded);
        if (size > int.MaxValue)
        {
            throw new InvalidDataException($"zstd chunk: a frame of {size} bytes");
        }

        byte[] output = new byte[(int)size];
        t_unzstd ??= new Decompressor();
        int written = t_unzstd.Unwrap(encoded, output);
        return written == output.Length ? output : throw new InvalidDataException($"zstd chunk: {written} bytes where the frame says {size}");
    }

    private static (int Total, int BlockBytes) Header(ReadOnlySpan<byte> encoded, string codec)
    {
        ulong total = encoded.Length >= 12 ? BinaryPrimitives.ReadUInt64BigEndian(encoded) : ulong.MaxValue;
        uint block = encoded.Length >= 12 ? BinaryPrimitives.ReadUInt32BigEndian(encoded[8..]) : 0;
        if (total > int.MaxValue || (block == 0 && total > 0))
        {
            throw new InvalidDataException($"{codec} chunk header: total {total} bytes in blocks of {block}");
        }

        return ((int)total, (int)block);
    }

    private static byte[] UnLz4(ReadOnlySpan<byte> encoded)
    {
        (int total, int blockBytes) = Header(encoded, "lz4");
        byte[] output = new byte[total];
        int read = 12;
        for (int at = 0; at < total; at += blockBytes)
        {
            int n = Math.Min(blockBytes, total - at);
            int size = (int)BinaryPrimitives.ReadUInt32BigEndian(encoded[read..]);
            ReadOnlySpan<byte> block = encoded.Slice(read + 4, size);
            if (size == n)
            {
                block.CopyTo(output.AsSpan(at, n));
            }
            else if (LZ4Codec.Decode(block, output.AsSpan(at, n)) != n)
            {
                throw new InvalidDataException($"lz4 chunk: block at byte {at} does not decode to {n} bytes");
            }

            read += 4 + size;
        }

        return output;
    }

    private static byte[] UnBitshuffle(ReadOnlySpan<byte> encoded, uint[] clientData)
    {
        if (clientData.Length < 5 || clientData[2] == 0 || clientData[4] is not (BitshuffleLz4 or BitshuffleZstd))
        {
            throw new InvalidDataException($"bitshuffle filter parameters [{string.Join(", ", clientData)}]: expected [major, minor, element bytes, block, 2 (lz4) or 3 (zstd), …]");
        }

        int e = (int)clientData[2];
        bool zstd = clientData[4] == BitshuffleZstd;
        (int total, int blockBytes) = Header(encoded, "bitshuffle");
        if (total % e != 0 || blockBytes % (e * BitShuffle.BlockMultiple) != 0)
        {
            throw new InvalidDataException($"bitshuffle chunk: {total} bytes in blocks of {blockBytes} for {e}-byte elements");
        }

        byte[] output = new byte[total];
        byte[] rows = new byte[blockBytes];
        int elements = total / e;
        int blockElements = blockBytes / e;
        int read = 12;
        int done = 0;
        while (elements - done >= BitShuffle.BlockMultiple)
        {
            int n = Math.Min(blockElements, elements - done) / BitShuffle.BlockMultiple * BitShuffle.BlockMultiple;
            int bytes = n * e;
            int size = (int)BinaryPrimitives.ReadUInt32BigEndian(encoded[read..]);
            ReadOnlySpan<byte> block = encoded.Slice(read + 4, size);
            int decoded;
            if (zstd)
            {
                t_unzstd ??= new Decompressor();
                decoded = t_unzstd.Unwrap(block, rows.AsSpan(0, bytes));
            }
            else
            {
                decoded = LZ4Codec.Decode(block, rows.AsSpan(0, bytes));
            }

            if (decoded != bytes)
            {
                throw new InvalidDataException($"bitshuffle chunk: block at element {done} decodes to {decoded} bytes, expected {bytes}");
            }

            BitShuffle.Untranspose(rows.AsSpan(0, bytes), e, output.AsSpan(done * e, bytes));
            read += 4 + size;
            done += n;
        }

        encoded.Slice(read, total - (done * e)).CopyTo(output.AsSpan(done * e));
        return output;
    }
}

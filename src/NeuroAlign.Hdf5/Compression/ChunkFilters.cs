using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PureHDF.Filters;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// The shuffle (HDF5 filter id 2) and deflate (id 1) filters the sink writes with, registered in
/// PureHDF once per process in place of its own:
/// <list type="bullet">
/// <item>PureHDF 2.2.0's deflate compresses only at levels -1, 0, 1, 6 and 9 (2–5, 7 and 8 fail at
/// the first chunk written); this one compresses at every zlib level 0–9 through .NET's
/// <see cref="ZLibCompressionOptions"/>, and reads with PureHDF's own code.</item>
/// <item>PureHDF runs the filter pipeline on the thread that writes, one chunk at a time. The sink
/// compresses chunks on worker tasks instead (<see cref="ChunkCompressor"/>) and hands PureHDF the
/// finished bytes; while it does, <see cref="PassThrough"/> tells both filters to leave the bytes as
/// they are. The flag is per thread, so any other use of PureHDF in the process is unaffected.</item>
/// </list>
/// The bytes are those the HDF5 library's filters produce (shuffle: byte planes, then the leftover
/// bytes; deflate: a zlib stream), so h5py and libhdf5 read them as ordinary gzip + shuffle.
/// </summary>
internal static class ChunkFilters
{
    /// <summary>Shuffled bytes go to the deflater in pieces of this size (the whole chunk is never copied).</summary>
    private const int ShuffleBlockBytes = 64 << 10;

    private static readonly Lock RegistrationLock = new();
    private static bool s_registered;

    [ThreadStatic]
    private static bool t_passThrough;

    /// <summary>Registers the filters in PureHDF (process-wide, thread-safe, idempotent).</summary>
    public static void EnsureRegistered()
    {
        lock (RegistrationLock)
        {
            if (s_registered)
            {
                return;
            }

            H5Filter.Register(new PassThroughShuffle());
            H5Filter.Register(new AnyLevelDeflate());
            s_registered = true;
        }
    }

    /// <summary>Runs <paramref name="write"/> with both filters passing chunk bytes through unchanged (this thread only).</summary>
    public static void PassThrough(Action write)
    {
        t_passThrough = true;
        try
        {
            write();
        }
        finally
        {
            t_passThrough = false;
        }
    }

    /// <summary>
    /// Shuffles (when <paramref name="shuffleTypeSize"/> &gt; 1) and deflates <paramref name="raw"/>
    /// into <paramref name="output"/> (cleared first): what the pipeline shuffle → deflate writes.
    /// </summary>
    public static void Compress(ReadOnlySpan<byte> raw, int shuffleTypeSize, int level, MemoryStream output)
    {
        output.SetLength(0);
        using var zlib = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = ZlibLevel(level) }, leaveOpen: true);
        if (shuffleTypeSize <= 1)
        {
            zlib.Write(raw);
            return;
        }

        byte[] block = System.Buffers.ArrayPool<byte>.Shared.Rent(ShuffleBlockBytes);
        try
        {
            WriteShuffled(raw, shuffleTypeSize, block.AsSpan(0, ShuffleBlockBytes), zlib);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>The bytes HDF5's shuffle filter makes of <paramref name="raw"/> (H5Zshuffle.c), for tests.</summary>
    public static byte[] Shuffle(ReadOnlySpan<byte> raw, int typeSize)
    {
        using var output = new MemoryStream();
        WriteShuffled(raw, typeSize, new byte[ShuffleBlockBytes], output);
        return output.ToArray();
    }

    /// <summary>
    /// HDF5's shuffle: byte j of every element, for j = 0..size-1, then the bytes that do not fill a
    /// whole element, unchanged. Written in blocks, so no chunk-sized copy is made.
    /// </summary>
    private static void WriteShuffled(ReadOnlySpan<byte> raw, int typeSize, Span<byte> block, Stream destination)
    {
        int elements = raw.Length / typeSize;
        for (int plane = 0; plane < typeSize; plane++)
        {
            for (int first = 0; first < elements; first += block.Length)
            {
                int count = Math.Min(block.Length, elements - first);
                Span<byte> target = block[..count];
                GatherPlane(raw.Slice(first * typeSize, count * typeSize), typeSize, plane, target);
                destination.Write(target);
            }
        }

        destination.Write(raw[(elements * typeSize)..]);
    }

    /// <summary>Byte <paramref name="plane"/> of each element of <paramref name="elements"/>, in order.</summary>
    private static void GatherPlane(ReadOnlySpan<byte> elements, int typeSize, int plane, Span<byte> target)
    {
        int done = 0;
        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && (typeSize == 2 || typeSize == 4))
        {
            // Shift the wanted byte to the bottom of each element, then narrow (truncating) to bytes:
            // 16 elements per step.
            int shift = 8 * plane;
            if (typeSize == 2)
            {
                ReadOnlySpan<ushort> words = MemoryMarshal.Cast<byte, ushort>(elements);
                for (; done + 16 <= target.Length; done += 16)
                {
                    Vector128<ushort> a = Vector128.Create(words.Slice(done, 8)) >>> shift;
                    Vector128<ushort> b = Vector128.Create(words.Slice(done + 8, 8)) >>> shift;
                    Vector128.Narrow(a, b).CopyTo(target[done..]);
                }
            }
            else
            {
                ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(elements);
                for (; done + 16 <= target.Length; done += 16)
                {
                    Vector128<ushort> low = Vector128.Narrow(Vector128.Create(words.Slice(done, 4)) >>> shift, Vector128.Create(words.Slice(done + 4, 4)) >>> shift);
                    Vector128<ushort> high = Vector128.Narrow(Vector128.Create(words.Slice(done + 8, 4)) >>> shift, Vector128.Create(words.Slice(done + 12, 4)) >>> shift);
                    Vector128.Narrow(low, high).CopyTo(target[done..]);
                }
            }
        }

        for (int i = done; i < target.Length; i++)
        {
            target[i] = elements[(i * typeSize) + plane];
        }
    }

    /// <summary>HDF5 stores -1 (the library default) as 6; zlib's levels are 0–9.</summary>
    private static int ZlibLevel(int level) => level < 0 ? 6 : level;

    /// <summary>PureHDF's shuffle, except while the sink hands over a chunk it has filtered already.</summary>
    private sealed class PassThroughShuffle : IH5Filter
    {
        private readonly ShuffleFilter _builtin = new();

        public ushort FilterId => ShuffleFilter.Id;

        public string Name => "shuffle";

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
            _builtin.GetParameters(chunkDimensions, typeSize, options);

        public Memory<byte> Filter(FilterInfo info) =>
            t_passThrough && !info.Flags.HasFlag(H5FilterFlags.Decompress) ? info.Buffer : _builtin.Filter(info);
    }

    /// <summary>Deflate at any zlib level 0–9; reading is PureHDF's own.</summary>
    private sealed class AnyLevelDeflate : IH5Filter
    {
        private readonly DeflateFilter _builtin = new();

        public ushort FilterId => DeflateFilter.Id;

        public string Name => "deflate";

        // PureHDF's parameters: client data [level], -1 stored as 6, levels outside -1..9 refused.
        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
            _builtin.GetParameters(chunkDimensions, typeSize, options);

        public Memory<byte> Filter(FilterInfo info)
        {
            if (info.Flags.HasFlag(H5FilterFlags.Decompress))
            {
                return _builtin.Filter(info);
            }

            if (t_passThrough)
            {
                return info.Buffer;
            }

            var output = new MemoryStream((info.Buffer.Length / 2) + 64);
            Compress(info.Buffer.Span, shuffleTypeSize: 0, (int)info.Parameters[0], output);
            return output.GetBuffer().AsMemory(0, (int)output.Length);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using PureHDF.Filters;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// The filters the sink writes with, registered in PureHDF once per process
/// (<see cref="PureHdfInternals.RegisterFilter"/>):
/// <list type="bullet">
/// <item>shuffle (id 2) and deflate (id 1) in place of PureHDF's own: PureHDF 2.2.0's deflate
/// compresses only at levels -1, 0, 1, 6 and 9; ours at every zlib level 0–9. Reading is PureHDF's.</item>
/// <item>zstd (32015), LZ4 (32004) and bitshuffle (32008), which PureHDF does not have: writing and
/// reading through <see cref="ChunkCodec"/>, so exports of every codec read back (merge, info).</item>
/// </list>
/// The sink compresses chunks on worker tasks (<see cref="ChunkCompressor"/>) and hands PureHDF the
/// finished bytes; while it does (<see cref="PureHdfInternals.PassThrough"/>), every filter leaves
/// the bytes as they are. The bytes are those the reference filters produce, so h5py with the
/// plugins reads them.
/// </summary>
internal static class ChunkFilters
{
    /// <summary>The key of <see cref="H5Filter.Options"/> that carries a codec filter's client data (uint[]).</summary>
    public const string ClientDataOption = "cd_values";

    /// <summary>Shuffled bytes go to the deflater in pieces of this size (the whole chunk is never copied).</summary>
    private const int ShuffleBlockBytes = 64 << 10;

    private static readonly Lock RegistrationLock = new();
    private static bool s_registered;

    /// <summary>Registers the filters in PureHDF (process-wide, thread-safe, idempotent).</summary>
    public static void EnsureRegistered()
    {
        lock (RegistrationLock)
        {
            if (s_registered)
            {
                return;
            }

            PureHdfInternals.RegisterFilter(new PassThroughShuffle());
            PureHdfInternals.RegisterFilter(new AnyLevelDeflate());
            PureHdfInternals.RegisterFilter(new CodecFilter(ChunkCodec.ZstdFilterId, "zstd"));
            PureHdfInternals.RegisterFilter(new CodecFilter(ChunkCodec.Lz4FilterId, "lz4"));
            PureHdfInternals.RegisterFilter(new CodecFilter(ChunkCodec.BitshuffleFilterId, "bitshuffle; see https://github.com/kiyo-masui/bitshuffle"));
            s_registered = true;
        }
    }

    /// <summary>The bytes HDF5's shuffle filter makes of <paramref name="raw"/> (H5Zshuffle.c), for tests.</summary>
    public static byte[] Shuffle(ReadOnlySpan<byte> raw, int typeSize)
    {
        byte[] output = new byte[raw.Length];
        ShuffleInto(raw, typeSize, output);
        return output;
    }

    /// <summary>HDF5's shuffle of <paramref name="raw"/> into <paramref name="target"/> (as long as <paramref name="raw"/>).</summary>
    public static void ShuffleInto(ReadOnlySpan<byte> raw, int typeSize, Span<byte> target)
    {
        int elements = raw.Length / typeSize;
        for (int plane = 0; plane < typeSize; plane++)
        {
            GatherPlane(raw, typeSize, plane, target.Slice(plane * elements, elements));
        }

        raw[(elements * typeSize)..].CopyTo(target[(elements * typeSize)..]);
    }

    /// <summary>
    /// HDF5's shuffle: byte j of every element, for j = 0..size-1, then the bytes that do not fill a
    /// whole element, unchanged. Written in blocks, so no chunk-sized copy is made.
    /// </summary>
    internal static void WriteShuffled(ReadOnlySpan<byte> raw, int typeSize, Span<byte> block, Stream destination)
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

    /// <summary>Undoes HDF5's shuffle (H5Zshuffle.c): byte j of element i comes from plane j at i; bytes past the last whole element stay.</summary>
    internal static void Unshuffle(ReadOnlySpan<byte> shuffled, int typeSize, Span<byte> output)
    {
        int elements = shuffled.Length / typeSize;
        if (typeSize == 1 || elements <= 1)
        {
            shuffled.CopyTo(output);
            return;
        }

        int done = 0;
        if (typeSize == 2 && Sse2.IsSupported)
        {
            // Two planes, interleaved 16 bytes at a time.
            ref byte low = ref MemoryMarshal.GetReference(shuffled);
            ref byte high = ref Unsafe.Add(ref low, elements);
            ref byte to = ref MemoryMarshal.GetReference(output);
            for (; done + 16 <= elements; done += 16)
            {
                Vector128<byte> a = Vector128.LoadUnsafe(ref low, (nuint)done);
                Vector128<byte> b = Vector128.LoadUnsafe(ref high, (nuint)done);
                Sse2.UnpackLow(a, b).StoreUnsafe(ref to, (nuint)(2 * done));
                Sse2.UnpackHigh(a, b).StoreUnsafe(ref to, (nuint)((2 * done) + 16));
            }
        }

        for (int plane = 0; plane < typeSize; plane++)
        {
            ReadOnlySpan<byte> from = shuffled.Slice(plane * elements, elements);
            for (int i = done; i < elements; i++)
            {
                output[(i * typeSize) + plane] = from[i];
            }
        }

        shuffled[(elements * typeSize)..].CopyTo(output[(elements * typeSize)..]);
    }

    /// <summary>Byte <paramref name="plane"/> of each element of <paramref name="elements"/>, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the LZ4 encoder: hot from the first chunk
    internal static void GatherPlane(ReadOnlySpan<byte> elements, int typeSize, int plane, Span<byte> target)
    {
        if ((long)target.Length * typeSize > elements.Length || plane < 0 || plane >= typeSize)
        {
            throw new ArgumentException($"byte {plane} of {target.Length} elements of {typeSize} bytes from {elements.Length} bytes");
        }

        int done = 0;
        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian && (typeSize == 2 || typeSize == 4))
        {
            // Shift the wanted byte to the bottom of each element, then narrow (truncating) to bytes:
            // 16 elements per step.
            // Bounds: the element span holds target.Length elements (checked above); loads and
            // stores go through refs, as span slices per step cost more than the work.
            int shift = 8 * plane;
            ref byte to = ref MemoryMarshal.GetReference(target);
            if (typeSize == 2)
            {
                ref ushort words = ref Unsafe.As<byte, ushort>(ref MemoryMarshal.GetReference(elements));
                for (; done + 16 <= target.Length; done += 16)
                {
                    Vector128<ushort> a = Vector128.LoadUnsafe(ref words, (nuint)done) >>> shift;
                    Vector128<ushort> b = Vector128.LoadUnsafe(ref words, (nuint)done + 8) >>> shift;
                    Vector128.Narrow(a, b).StoreUnsafe(ref to, (nuint)done);
                }
            }
            else
            {
                ref uint words = ref Unsafe.As<byte, uint>(ref MemoryMarshal.GetReference(elements));
                for (; done + 16 <= target.Length; done += 16)
                {
                    Vector128<ushort> low = Vector128.Narrow(Vector128.LoadUnsafe(ref words, (nuint)done) >>> shift, Vector128.LoadUnsafe(ref words, (nuint)done + 4) >>> shift);
                    Vector128<ushort> high = Vector128.Narrow(Vector128.LoadUnsafe(ref words, (nuint)done + 8) >>> shift, Vector128.LoadUnsafe(ref words, (nuint)done + 12) >>> shift);
                    Vector128.Narrow(low, high).StoreUnsafe(ref to, (nuint)done);
                }
            }
        }

        for (int i = done; i < target.Length; i++)
        {
            target[i] = elements[(i * typeSize) + plane];
        }
    }

    /// <summary>PureHDF's shuffle, except while the sink hands over a chunk it has filtered already.</summary>
    private sealed class PassThroughShuffle : IH5Filter
    {
        private readonly ShuffleFilter _builtin = new();

        public ushort FilterId => ShuffleFilter.Id;

        public string Name => "shuffle";

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
            _builtin.GetParameters(chunkDimensions, typeSize, options);

        public Memory<byte> Filter(FilterInfo info) =>
            PureHdfInternals.PassingThrough && !info.Flags.HasFlag(H5FilterFlags.Decompress) ? info.Buffer : _builtin.Filter(info);
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

            if (PureHdfInternals.PassingThrough)
            {
                return info.Buffer;
            }

            var output = new ChunkOutput((info.Buffer.Length / 2) + 64);
            ChunkCodec.Deflate(info.Buffer.Span, shuffleTypeSize: 0, (int)info.Parameters[0], output);
            return output.Written;
        }
    }

    /// <summary>
    /// zstd, LZ4 or bitshuffle: the client data comes from the dataset's declaration
    /// (<see cref="ClientDataOption"/>, made by <see cref="ChunkCodec.ClientData"/>); chunks are
    /// decoded from the format, and encoded too when PureHDF's own pipeline runs them.
    /// </summary>
    private sealed class CodecFilter(ushort id, string name) : IH5Filter
    {
        public ushort FilterId => id;

        public string Name => name;

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
            options?.GetValueOrDefault(ClientDataOption) is uint[] clientData
                ? clientData
                : throw new ArgumentException($"filter {id} ({name}) needs its client data in option '{ClientDataOption}'");

        public Memory<byte> Filter(FilterInfo info)
        {
            if (info.Flags.HasFlag(H5FilterFlags.Decompress))
            {
                return ChunkCodec.Decode(id, info.Buffer.Span, info.Parameters);
            }

            if (PureHdfInternals.PassingThrough)
            {
                return info.Buffer;
            }

            ChunkCodec codec = ChunkCodec.FromClientData(id, info.Parameters);
            var output = new ChunkOutput((info.Buffer.Length / 2) + 64);
            codec.Encode(info.Buffer.Span, output);
            return output.Written;
        }
    }
}

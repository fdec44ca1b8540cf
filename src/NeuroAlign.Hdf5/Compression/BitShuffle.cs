using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// The bit transpose of the bitshuffle HDF5 filter (id 32008, kiyo-masui/bitshuffle), written from
/// its format: a block of n elements (n a multiple of 8) of e bytes becomes 8·e rows of n bits,
/// row 8·j + k holding bit k of byte j of every element in order, eight elements per byte with the
/// first element in the lowest bit. For little-endian numbers row r is bit r of the value, so the
/// rows of the high bits of small-valued samples are runs of zeros, which LZ4 and zstd compress well.
/// </summary>
internal static class BitShuffle
{
    /// <summary>Elements of a block must be a multiple of this (the format's BSHUF_BLOCKED_MULT).</summary>
    public const int BlockMultiple = 8;

    /// <summary>
    /// The block size the reference picks when the filter is given 0 (bshuf_default_block_size):
    /// 8 KiB of elements, rounded down to a multiple of 8, at least 128 elements. A block's rows
    /// then fit in L1 while they are transposed and compressed.
    /// </summary>
    public static int DefaultBlockElements(int elementBytes) =>
        Math.Max(8192 / elementBytes / BlockMultiple * BlockMultiple, 128);

    /// <summary>Transposes <paramref name="elements"/> (n elements of <paramref name="elementBytes"/>, n a multiple of 8) into <paramref name="rows"/>; <paramref name="planes"/> is scratch of the same size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the LZ4 encoder: hot from the first chunk
    public static void Transpose(ReadOnlySpan<byte> elements, int elementBytes, Span<byte> planes, Span<byte> rows)
    {
        int n = elements.Length / elementBytes;
        if (n % BlockMultiple != 0 || elements.Length != n * elementBytes || rows.Length < elements.Length || planes.Length < elements.Length)
        {
            throw new ArgumentException($"a bitshuffle block is a multiple of 8 elements: {elements.Length} bytes of {elementBytes}-byte elements");
        }

        int rowBytes = n / 8;
        if (Avx2.IsSupported && BitConverter.IsLittleEndian && elementBytes is 2 or 4)
        {
            // One pass: 32 elements at a time straight into the rows, then 8 at a time.
            int done = elementBytes == 2 ? Transpose16Avx2(elements, rows, n) : Transpose32Avx2(elements, rows, n);
            for (int i = done; i < n; i += 8)
            {
                for (int j = 0; j < elementBytes; j++)
                {
                    ulong gathered = 0;
                    for (int m = 0; m < 8; m++)
                    {
                        gathered |= (ulong)elements[((i + m) * elementBytes) + j] << (8 * m);
                    }

                    ulong bits = Transpose8x8(gathered);
                    for (int k = 0; k < 8; k++)
                    {
                        rows[((8 * j) + k) * rowBytes + (i / 8)] = (byte)(bits >> (8 * k));
                    }
                }
            }

            return;
        }

        // Step 1: byte planes (plane j = byte j of each element), HDF5's byte shuffle. Step 2: each
        // plane's bits, most significant first, come out of the sign bits of 16 or 32 bytes at once.
        ReadOnlySpan<byte> source = elements;
        if (elementBytes > 1)
        {
            for (int j = 0; j < elementBytes; j++)
            {
                ChunkFilters.GatherPlane(elements, elementBytes, j, planes.Slice(j * n, n));
            }

            source = planes[..elements.Length];
        }

        for (int j = 0; j < elementBytes; j++)
        {
            TransposePlane(source.Slice(j * n, n), rows.Slice(j * 8 * rowBytes, 8 * rowBytes), rowBytes);
        }
    }

    /// <summary>The inverse of <see cref="Transpose"/>: <paramref name="rows"/> back into <paramref name="elements"/>.</summary>
    public static void Untranspose(ReadOnlySpan<byte> rows, int elementBytes, Span<byte> elements)
    {
        int n = rows.Length / elementBytes;
        if (n % BlockMultiple != 0 || elements.Length < rows.Length)
        {
            throw new ArgumentException($"a bitshuffle block is a multiple of 8 elements: {rows.Length} bytes of {elementBytes}-byte elements");
        }

        int rowBytes = n / 8;
        for (int j = 0; j < elementBytes; j++)
        {
            ReadOnlySpan<byte> planeRows = rows.Slice(j * 8 * rowBytes, 8 * rowBytes);
            for (int m = 0; m < rowBytes; m++)
            {
                // Byte m of the plane's 8 rows: bit jj of row k is bit k of byte j of element 8m + jj.
                ulong gathered = 0;
                for (int k = 0; k < 8; k++)
                {
                    gathered |= (ulong)planeRows[(k * rowBytes) + m] << (8 * k);
                }

                ulong bytes = Transpose8x8(gathered);
                for (int jj = 0; jj < 8; jj++)
                {
                    elements[(((8 * m) + jj) * elementBytes) + j] = (byte)(bytes >> (8 * jj));
                }
            }
        }
    }

    /// <summary>
    /// 2-byte elements, 32 at a time: the low and high bytes of each 16 are split within each
    /// 128-bit lane, then gathered into one vector of 32 low bytes and one of 32 high bytes (byte
    /// planes 0 and 1), whose bit rows <see cref="EmitRows"/> writes. Returns the elements done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the LZ4 encoder: hot from the first chunk
    private static int Transpose16Avx2(ReadOnlySpan<byte> elements, Span<byte> rows, int n)
    {
        ref byte from = ref MemoryMarshal.GetReference(elements);
        ref byte to = ref MemoryMarshal.GetReference(rows);
        int rowBytes = n / 8;
        Vector256<byte> split = Vector256.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            // Per lane [low bytes of 8, high bytes of 8]; quadwords reordered to [low 0-7, low 8-15, high 0-7, high 8-15].
            Vector256<byte> a = Avx2.Permute4x64(Avx2.Shuffle(Vector256.LoadUnsafe(ref from, (nuint)(2 * i)), split).AsUInt64(), 0b11_01_10_00).AsByte();
            Vector256<byte> b = Avx2.Permute4x64(Avx2.Shuffle(Vector256.LoadUnsafe(ref from, (nuint)((2 * i) + 32)), split).AsUInt64(), 0b11_01_10_00).AsByte();
            EmitRows(Avx2.Permute2x128(a, b, 0x20), ref to, rowBytes, i / 8);
            EmitRows(Avx2.Permute2x128(a, b, 0x31), ref Unsafe.Add(ref to, 8 * rowBytes), rowBytes, i / 8);
        }

        return i;
    }

    /// <summary>
    /// 4-byte elements, 32 at a time: each 8 are sorted into byte planes (a shuffle within lanes,
    /// then a permutation of 32-bit words: quadword j = byte j of the 8), and the four vectors'
    /// quadwords are interleaved into one vector of 32 bytes per plane. Returns the elements done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the LZ4 encoder: hot from the first chunk
    private static int Transpose32Avx2(ReadOnlySpan<byte> elements, Span<byte> rows, int n)
    {
        ref byte from = ref MemoryMarshal.GetReference(elements);
        ref byte to = ref MemoryMarshal.GetReference(rows);
        int rowBytes = n / 8;
        Vector256<byte> split = Vector256.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        Vector256<int> words = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            Vector256<ulong> v0 = Planes32(ref from, (4 * i) + 0, split, words);
            Vector256<ulong> v1 = Planes32(ref from, (4 * i) + 32, split, words);
            Vector256<ulong> v2 = Planes32(ref from, (4 * i) + 64, split, words);
            Vector256<ulong> v3 = Planes32(ref from, (4 * i) + 96, split, words);

            // [b0 0-7, b0 8-15, b2 0-7, b2 8-15] and the same for elements 16-31; b1 and b3 likewise.
            Vector256<byte> even01 = Avx2.UnpackLow(v0, v1).AsByte(), even23 = Avx2.UnpackLow(v2, v3).AsByte();
            Vector256<byte> odd01 = Avx2.UnpackHigh(v0, v1).AsByte(), odd23 = Avx2.UnpackHigh(v2, v3).AsByte();
            EmitRows(Avx2.Permute2x128(even01, even23, 0x20), ref to, rowBytes, i / 8);
            EmitRows(Avx2.Permute2x128(odd01, odd23, 0x20), ref Unsafe.Add(ref to, 8 * rowBytes), rowBytes, i / 8);
            EmitRows(Avx2.Permute2x128(even01, even23, 0x31), ref Unsafe.Add(ref to, 16 * rowBytes), rowBytes, i / 8);
            EmitRows(Avx2.Permute2x128(odd01, odd23, 0x31), ref Unsafe.Add(ref to, 24 * rowBytes), rowBytes, i / 8);
        }

        return i;
    }

    /// <summary>8 elements of 4 bytes at <paramref name="offset"/>, as quadwords [byte 0 of the 8, byte 1, byte 2, byte 3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Planes32(ref byte from, int offset, Vector256<byte> split, Vector256<int> words) =>
        Avx2.PermuteVar8x32(Avx2.Shuffle(Vector256.LoadUnsafe(ref from, (nuint)offset), split).AsInt32(), words).AsUInt64();

    /// <summary>The 8 bit rows of 32 bytes of one byte plane: row k (from <paramref name="planeRows"/>, <paramref name="rowBytes"/> apart) gets 4 bytes at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EmitRows(Vector256<byte> plane, ref byte planeRows, int rowBytes, int at)
    {
        for (int k = 7; k >= 0; k--)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref planeRows, (k * rowBytes) + at), plane.ExtractMostSignificantBits());
            plane += plane;
        }
    }

    /// <summary>The 8 bit rows of one byte plane of n bytes (n = 8 · <paramref name="rowBytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the LZ4 encoder: hot from the first chunk
    private static void TransposePlane(ReadOnlySpan<byte> plane, Span<byte> rows, int rowBytes)
    {
        if (plane.Length != 8 * rowBytes || rows.Length < 8 * rowBytes)
        {
            throw new ArgumentException($"a plane of {plane.Length} bytes into rows of {rowBytes}");
        }

        // Bounds are checked above: loads and stores go through refs (span slices per step cost as
        // much as the transpose itself).
        ref byte from = ref MemoryMarshal.GetReference(plane);
        ref byte to = ref MemoryMarshal.GetReference(rows);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 32 bytes: the sign bits are bit 7 of 32 elements, one 32-bit word of row 7; doubling
            // each byte moves the next bit up. Bytes do not carry into each other.
            for (; i + 32 <= plane.Length; i += 32)
            {
                Vector256<byte> v = Vector256.LoadUnsafe(ref from, (nuint)i);
                int at = i / 8;
                for (int k = 7; k >= 0; k--)
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, (k * rowBytes) + at), BitConverter.IsLittleEndian ? v.ExtractMostSignificantBits() : BinaryPrimitives.ReverseEndianness(v.ExtractMostSignificantBits()));
                    v += v;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 16 <= plane.Length; i += 16)
            {
                Vector128<byte> v = Vector128.LoadUnsafe(ref from, (nuint)i);
                int at = i / 8;
                for (int k = 7; k >= 0; k--)
                {
                    ushort bits = (ushort)v.ExtractMostSignificantBits();
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, (k * rowBytes) + at), BitConverter.IsLittleEndian ? bits : BinaryPrimitives.ReverseEndianness(bits));
                    v += v;
                }
            }
        }

        for (; i < plane.Length; i += 8)
        {
            ulong bits = Transpose8x8(MemoryMarshal.Read<ulong>(plane.Slice(i, 8)));
            int at = i / 8;
            for (int k = 0; k < 8; k++)
            {
                rows[(k * rowBytes) + at] = (byte)(bits >> (8 * k));
            }
        }
    }

    /// <summary>
    /// Transposes an 8 × 8 bit matrix held as 8 bytes (byte r = row r, bit c = column c): byte k of
    /// the result has bit r = bit k of byte r. Three rounds of swapping 4 × 4, 2 × 2 and 1 × 1 blocks.
    /// </summary>
    internal static ulong Transpose8x8(ulong x)
    {
        ulong t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        x ^= t ^ (t << 28);
        return x;
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    public static void Transpose(ReadOnlySpan<byte> elements, int elementBytes, Span<byte> planes, Span<byte> rows)
    {
        int n = elements.Length / elementBytes;
        if (n % BlockMultiple != 0 || elements.Length != n * elementBytes || rows.Length < elements.Length || planes.Length < elements.Length)
        {
            throw new ArgumentException($"a bitshuffle block is a multiple of 8 elements: {elements.Length} bytes of {elementBytes}-byte elements");
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

        int rowBytes = n / 8;
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

    /// <summary>The 8 bit rows of one byte plane of n bytes (n = 8 · <paramref name="rowBytes"/>).</summary>
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

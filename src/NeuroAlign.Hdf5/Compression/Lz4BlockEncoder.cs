using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// LZ4 block compression at acceleration 1 (the reference library's <c>LZ4_compress_default</c>),
/// written here for one reason: the HDF5 LZ4 and bitshuffle filters compress many small
/// independent blocks (bitshuffle: 8 KiB), and K4os.Compression.LZ4, which NeuroAlign keeps for
/// decoding and for the high-compression levels, clears a 16 KiB hash table before each block,
/// three quarters of the codec's time on such blocks (docs/benchmarks.md). This encoder keeps its
/// table between blocks and tells stale entries by their index instead: positions are numbered
/// across blocks, and an entry older than the current block reads as the block's first byte, which
/// is exactly what a freshly zeroed table holds. So the blocks are byte for byte those of the
/// reference library (tests compare with python3-lz4, which calls liblz4), at the same ratio, and
/// the table is cleared only when the numbering would overflow.
/// </summary>
/// <remarks>
/// The parsing follows the reference's fast path: a 4-byte minimum match, the last 5 bytes always
/// literals and no match starting in the last 12, a skip step that grows every 64 misses, a match
/// extended backwards over equal bytes, and the position two before a match's end re-hashed.
/// Blocks under 64 KiB + 11 bytes hash 4 bytes into 8192 slots (the reference's 16-bit table);
/// larger ones hash 5 bytes into 4096 slots and refuse matches over 65 535 bytes back.
/// One instance per thread: it is not thread-safe.
/// </remarks>
internal sealed unsafe class Lz4BlockEncoder
{
    private const int MinMatch = 4;
    private const int LastLiterals = 5;
    private const int MatchFindLimit = 12;
    private const int MinInputBytes = MatchFindLimit + 1;
    private const int SmallBlockLimit = (64 * 1024) + (MatchFindLimit - 1);
    private const int SkipTrigger = 6;
    private const int MaxDistance = 65535;
    private const int SmallHashLog = 13;
    private const int LargeHashLog = 12;
    private const int RunMask = 15;
    private const int MatchLengthMask = 15;

    /// <summary>Numbering restarts (and the table is cleared) before it would pass this.</summary>
    private const uint IndexLimit = 1u << 31;

    private readonly uint[] _table = new uint[1 << SmallHashLog];
    private uint _nextIndex;
    private bool _largeTable;

    /// <summary>The worst-case size of one compressed block, as <c>LZ4_compressBound</c>.</summary>
    public static int MaximumOutputBytes(int inputBytes) => inputBytes + (inputBytes / 255) + 16;

    /// <summary>Compresses <paramref name="source"/> as one LZ4 block into <paramref name="target"/>
    /// (at least <see cref="MaximumOutputBytes"/> long) and returns the bytes written.</summary>
    public int Encode(ReadOnlySpan<byte> source, Span<byte> target)
    {
        if (target.Length < MaximumOutputBytes(source.Length))
        {
            throw new ArgumentException($"LZ4 block of {source.Length} bytes needs {MaximumOutputBytes(source.Length)} bytes of room, got {target.Length}", nameof(target));
        }

        bool large = source.Length >= SmallBlockLimit;
        if (large != _largeTable || _nextIndex > IndexLimit - (uint)source.Length)
        {
            Array.Clear(_table);
            _nextIndex = 0;
            _largeTable = large;
        }

        uint startIndex = _nextIndex;
        _nextIndex += (uint)source.Length;
        fixed (byte* src = source)
        fixed (byte* dst = target)
        fixed (uint* table = _table)
        {
            return large
                ? Compress<LargeTable>(src, source.Length, dst, table, startIndex)
                : Compress<SmallTable>(src, source.Length, dst, table, startIndex);
        }
    }

    /// <summary>The two table kinds as types, so the JIT compiles one loop for each without a branch per hash.</summary>
    private interface ITableKind
    {
        static abstract bool Large { get; }

        static abstract uint Hash(byte* p);
    }

    private readonly struct SmallTable : ITableKind
    {
        public static bool Large => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Hash(byte* p) => (Unsafe.ReadUnaligned<uint>(p) * 2654435761U) >> (32 - SmallHashLog);
    }

    private readonly struct LargeTable : ITableKind
    {
        public static bool Large => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Hash(byte* p) => (uint)(((Unsafe.ReadUnaligned<ulong>(p) << 24) * 889523592379UL) >> (64 - LargeHashLog));
    }

    // Optimised at its first call: an export runs for a fraction of a second per chunk, and with
    // tiering the encoder's loop ran as unoptimised or on-stack-replaced code for much of a short
    // export (2026-12-07: a 92 MB bitshuffle-lz4 export took 0.09-0.19 s of CPU with tiering, a
    // steady 0.09 s without).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Compress<TTable>(byte* source, int length, byte* target, uint* table, uint startIndex)
        where TTable : struct, ITableKind
    {
        byte* ip = source;
        byte* anchor = source;
        byte* end = source + length;
        byte* matchFindEnd = end - MatchFindLimit + 1;
        byte* matchEnd = end - LastLiterals;
        byte* op = target;

        // Index i is the byte at base + i; stale entries (below startIndex) read as the block's first byte.
        byte* indexBase = source - startIndex;

        if (length >= MinInputBytes)
        {
            table[TTable.Hash(ip)] = startIndex;
            ip++;
            uint forwardHash = TTable.Hash(ip);
            while (true)
            {
                byte* match;

                // Find a match, stepping further after every 64 misses.
                byte* forward = ip;
                int step = 1;
                int searches = 1 << SkipTrigger;
                while (true)
                {
                    uint h = forwardHash;
                    uint current = (uint)(forward - indexBase);
                    uint matchIndex = Math.Max(table[h], startIndex);
                    ip = forward;
                    forward += step;
                    step = searches++ >> SkipTrigger;
                    if (forward > matchFindEnd)
                    {
                        goto LastLiterals;
                    }

                    match = indexBase + matchIndex;
                    forwardHash = TTable.Hash(forward);
                    table[h] = current;
                    if (TTable.Large && matchIndex + MaxDistance < current)
                    {
                        continue;
                    }

                    if (Unsafe.ReadUnaligned<uint>(match) == Unsafe.ReadUnaligned<uint>(ip))
                    {
                        break;
                    }
                }

                // Extend backwards over equal bytes.
                while (ip > anchor && match > source && ip[-1] == match[-1])
                {
                    ip--;
                    match--;
                }

                byte* token = op++;
                int literals = (int)(ip - anchor);
                if (literals >= RunMask)
                {
                    *token = RunMask << 4;
                    int rest = literals - RunMask;
                    for (; rest >= 255; rest -= 255)
                    {
                        *op++ = 255;
                    }

                    *op++ = (byte)rest;
                }
                else
                {
                    *token = (byte)(literals << 4);
                }

                WildCopy(anchor, op, literals);
                op += literals;

            NextMatch:
                BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(op, 2), (ushort)(ip - match));
                op += 2;

                int extra = Count(ip + MinMatch, match + MinMatch, matchEnd);
                ip += extra + MinMatch;
                if (extra >= MatchLengthMask)
                {
                    *token += MatchLengthMask;
                    extra -= MatchLengthMask;
                    for (; extra >= 255; extra -= 255)
                    {
                        *op++ = 255;
                    }

                    *op++ = (byte)extra;
                }
                else
                {
                    *token += (byte)extra;
                }

                anchor = ip;
                if (ip >= matchFindEnd)
                {
                    break;
                }

                table[TTable.Hash(ip - 2)] = (uint)(ip - 2 - indexBase);

                // Test the next position at once: a match right after a match needs no literals.
                {
                    uint h = TTable.Hash(ip);
                    uint current = (uint)(ip - indexBase);
                    uint matchIndex = Math.Max(table[h], startIndex);
                    match = indexBase + matchIndex;
                    table[h] = current;
                    if ((!TTable.Large || matchIndex + MaxDistance >= current)
                        && Unsafe.ReadUnaligned<uint>(match) == Unsafe.ReadUnaligned<uint>(ip))
                    {
                        token = op++;
                        *token = 0;
                        goto NextMatch;
                    }
                }

                forwardHash = TTable.Hash(++ip);
            }
        }

    LastLiterals:
        int run = (int)(end - anchor);
        if (run >= RunMask)
        {
            *op++ = RunMask << 4;
            int rest = run - RunMask;
            for (; rest >= 255; rest -= 255)
            {
                *op++ = 255;
            }

            *op++ = (byte)rest;
        }
        else
        {
            *op++ = (byte)(run << 4);
        }

        Buffer.MemoryCopy(anchor, op, run, run);
        op += run;
        return (int)(op - target);
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes; a short run (most runs: a call to memcpy costs more
    /// than the copy) 8 at a time, up to 7 more than asked: a literal run
    /// is always followed by at least 8 bytes of output (an offset, the last token and the 5 last
    /// literals) within <see cref="MaximumOutputBytes"/>, and it is read from before the block's
    /// last 12 bytes, so the extra bytes stay inside both buffers and are written over later.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WildCopy(byte* from, byte* to, int length)
    {
        if (length > 32)
        {
            Buffer.MemoryCopy(from, to, length, length);
            return;
        }

        byte* end = to + length;
        do
        {
            Unsafe.WriteUnaligned(to, Unsafe.ReadUnaligned<ulong>(from));
            to += 8;
            from += 8;
        }
        while (to < end);
    }

    /// <summary>How many bytes from <paramref name="a"/> equal those from <paramref name="b"/>, stopping at <paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Count(byte* a, byte* b, byte* limit)
    {
        byte* start = a;
        while (a < limit - 7)
        {
            ulong diff = Unsafe.ReadUnaligned<ulong>(a) ^ Unsafe.ReadUnaligned<ulong>(b);
            if (diff != 0)
            {
                return (int)(a - start) + (BitOperations.TrailingZeroCount(diff) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (a < limit && *a == *b)
        {
            a++;
            b++;
        }

        return (int)(a - start);
    }
}

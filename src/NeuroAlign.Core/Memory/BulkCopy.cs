using System.Runtime.Intrinsics;

namespace NeuroAlign.Memory;

/// <summary>
/// Copies and strided gathers of whole windows out of a mapping, faster than one <c>memmove</c>
/// (docs/benchmarks.md, "Window read" and "Channel extraction"):
/// <list type="bullet">
/// <item>A copy of several MB goes to memory, not to the cache: glibc's <c>memmove</c> switches to
/// non-temporal stores only above ¾ of the L3 cache (24 MB on the reference machine), so a 23 MB
/// window is copied with ordinary stores that first read every destination line. Non-temporal
/// stores skip that read; split over the cores, a 1 s × 384-channel window copies in half the time.</item>
/// <item>One channel of a long recording touches one cache line per sample: bound by memory
/// latency, not bandwidth, so splitting the rows over the cores divides the time by their number.</item>
/// </list>
/// Small copies stay on the calling thread: below <see cref="ParallelThresholdBytes"/> the cost of
/// waking workers is more than the copy.
/// </summary>
public static unsafe class BulkCopy
{
    /// <summary>Copies of at least this many bytes use non-temporal stores and all cores.</summary>
    public const long ParallelThresholdBytes = 4 << 20;

    /// <summary>Pieces a bulk copy is cut into are at least this large.</summary>
    private const long MinimumPieceBytes = 2 << 20;

    /// <summary>Cores a bulk copy uses: more do not help a memory-bound copy.</summary>
    public static int Workers { get; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Copies <paramref name="source"/> into the start of <paramref name="destination"/>.</summary>
    public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("destination is smaller than the source", nameof(destination));
        }

        if (source.Length < ParallelThresholdBytes || !Vector256.IsHardwareAccelerated)
        {
            source.CopyTo(destination);
            return;
        }

        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            byte* s = from;
            byte* d = to;
            long length = source.Length;
            int pieces = Pieces(length);
            if (pieces == 1)
            {
                CopyNonTemporal(s, d, length);
            }
            else
            {
                Parallel.For(0, pieces, p =>
                {
                    // Piece edges on 64-byte multiples, so each worker's stores fill whole lines.
                    long start = (length * p / pieces) & ~63L;
                    long end = p == pieces - 1 ? length : (length * (p + 1) / pieces) & ~63L;
                    CopyNonTemporal(s + start, d + start, end - start);
                });
            }
        }

        // Non-temporal stores are weakly ordered: make them visible before anyone reads the copy.
        Thread.MemoryBarrier();
    }

    /// <summary>
    /// Runs <paramref name="gather"/> over rows [0, rows) in contiguous pieces, on all cores when
    /// the rows span at least <see cref="ParallelThresholdBytes"/> of source, else in one call on this
    /// thread. <paramref name="gather"/> receives (first row, row count) and must be safe to run
    /// concurrently on disjoint rows.
    /// </summary>
    public static void ForRows(long rows, long sourceBytesPerRow, Action<long, long> gather)
    {
        ArgumentNullException.ThrowIfNull(gather);
        int pieces = rows * sourceBytesPerRow < ParallelThresholdBytes ? 1 : (int)Math.Min(Pieces(rows * sourceBytesPerRow), rows);
        if (pieces <= 1)
        {
            gather(0, rows);
            return;
        }

        Parallel.For(0, pieces, p =>
        {
            long first = rows * p / pieces;
            gather(first, (rows * (p + 1) / pieces) - first);
        });
    }

    private static int Pieces(long bytes) => (int)Math.Clamp(bytes / MinimumPieceBytes, 1, Workers);

    private static void CopyNonTemporal(byte* source, byte* destination, long length)
    {
        // Aligned stores need a 32-byte-aligned destination: copy the head plainly.
        long head = Math.Min(length, (32 - ((long)destination & 31)) & 31);
        Buffer.MemoryCopy(source, destination, head, head);
        long i = head;
        for (; i + 128 <= length; i += 128)
        {
            Vector256<byte> a = Vector256.Load(source + i);
            Vector256<byte> b = Vector256.Load(source + i + 32);
            Vector256<byte> c = Vector256.Load(source + i + 64);
            Vector256<byte> e = Vector256.Load(source + i + 96);
            Vector256.StoreAlignedNonTemporal(a, destination + i);
            Vector256.StoreAlignedNonTemporal(b, destination + i + 32);
            Vector256.StoreAlignedNonTemporal(c, destination + i + 64);
            Vector256.StoreAlignedNonTemporal(e, destination + i + 96);
        }

        Buffer.MemoryCopy(source + i, destination + i, length - i, length - i);
    }
}

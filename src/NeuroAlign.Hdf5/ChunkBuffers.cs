using System.Buffers;

namespace NeuroAlign.Hdf5;

/// <summary>
/// The memory of chunks being filled, written or compressed, rented from the process's shared
/// pool instead of allocated per export. A fresh buffer costs a page fault per 4 KiB when first
/// written (and PureHDF's own <c>new byte[size]</c> a clearing pass too): on this project's VMs
/// that was a fifth of an uncompressed export's time on the writing thread. Rented buffers are
/// not cleared (callers clear what must be zero) and go back when a dataset's cache is flushed;
/// one that is not given back (an abandoned export) is left to the collector.
/// </summary>
internal static class ChunkBuffers
{
    /// <summary>A buffer of at least <paramref name="bytes"/> bytes, contents undefined.</summary>
    public static byte[] Rent(int bytes) => ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));

    /// <summary>Gives <paramref name="buffer"/> back; nothing may use it after.</summary>
    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);

    /// <summary>Gives back the array under <paramref name="chunk"/>, if it is one of ours.</summary>
    public static void Return(Memory<byte> chunk)
    {
        if (!chunk.IsEmpty && System.Runtime.InteropServices.MemoryMarshal.TryGetArray((ReadOnlyMemory<byte>)chunk, out ArraySegment<byte> segment) && segment.Array is { } array)
        {
            Return(array);
        }
    }
}

using System.Buffers;
using System.Runtime.InteropServices;

namespace NeuroAlign.Hdf5;

/// <summary>
/// The bytes of a window's element array (short[], float[]…) as <see cref="Memory{T}"/>, without
/// a copy: chunks are written or compressed straight from the window's buffer, as they are from a
/// mapped recording (<see cref="Alignment.WindowBuffer.SourceData"/>). Whoever takes it must be
/// done with it before the buffer is refilled (the sink waits for those chunks before
/// <see cref="Hdf5Sink.Write"/> returns).
/// </summary>
internal sealed unsafe class ArrayBytes : MemoryManager<byte>
{
    private readonly Array _array;

    private ArrayBytes(Array array) => _array = array;

    /// <summary>The bytes of <paramref name="array"/> (an array of a primitive type), machine byte order.</summary>
    public static Memory<byte> Of(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array is byte[] bytes)
        {
            return bytes;
        }

        if (!array.GetType().GetElementType()!.IsPrimitive || array.Rank != 1)
        {
            throw new ArgumentException($"an array of {array.GetType().Name}: expected a one-dimensional array of a primitive type", nameof(array));
        }

        return new ArrayBytes(array).Memory;
    }

    public override Span<byte> GetSpan() => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(_array), Buffer.ByteLength(_array));

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    public override void Unpin()
    {
        // The GCHandle in the MemoryHandle is freed when the handle is disposed.
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing owned: the array belongs to the window buffer.
    }
}

using System.Runtime.InteropServices;
using NeuroAlign.Memory;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// A writing chunk cache for data written in order, chunk after chunk: it holds the chunk being
/// filled and hands it to the file's <see cref="ChunkWriteQueue"/> as soon as the next one is
/// asked for, so memory stays at a few chunks per dataset. PureHDF 2.2.0's default cache keeps
/// every chunk until the file is closed (out of memory on large exports). The writer delegate
/// that comes with a chunk is kept with it and used for that chunk: the delegate of a later call
/// ignores the index it is given and would write the old chunk's bytes to the new chunk's place
/// ("Chunks can only be written once").
/// </summary>
internal sealed class SequentialChunkCache : IWritingChunkCache, IChunkBeingFilled
{
    private readonly ChunkWriteQueue _queue;
    private readonly int _chunkBytes;

    // Buffers of written chunks, for the next ones (chunks of one dataset all have the same size);
    // given back on the writer thread.
    private readonly Stack<Memory<byte>> _spare = new();
    private ulong _index;
    private Memory<byte> _chunk;
    private Action<ulong, Memory<byte>>? _writer;
    private bool _chunkIsSource;
    private ReadOnlyMemory<byte> _nextSource;
    private Memory<byte> _scratch;

    /// <param name="queue">The file's writer thread, shared by all its datasets.</param>
    /// <param name="chunkBytes">Bytes of one of the dataset's chunks (PureHDF's ChunkByteSize): buffers are rented (<see cref="ChunkBuffers"/>), not PureHDF's fresh arrays.</param>
    public SequentialChunkCache(ChunkWriteQueue queue, int chunkBytes)
    {
        _queue = queue;
        _chunkBytes = chunkBytes;
    }

    /// <summary>
    /// The next chunk PureHDF asks for is written from <paramref name="chunkBytes"/> (memory over
    /// the source recording, a whole chunk), not from the buffer PureHDF fills: the caller then
    /// writes one element of that chunk to make PureHDF ask, and the window is written without
    /// being copied. PureHDF 2.2 has no direct chunk write; this is one through its cache interface.
    /// </summary>
    public void WriteNextChunkFrom(ReadOnlyMemory<byte> chunkBytes) => _nextSource = chunkBytes;

    /// <summary>
    /// Hands the chunk asked for last to the writer thread now, not when the next is asked for:
    /// a chunk of a window's buffer, which the caller then waits for (<see cref="ChunkWriteQueue.Drain"/>)
    /// before the buffer is refilled.
    /// </summary>
    public void HandOverNow() => HandOver();

    public Span<byte> ChunkBeingFilled => _writer != null && !_chunkIsSource ? _chunk.Span : throw new InvalidOperationException("no chunk is being filled");

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
    {
        if (_writer != null && chunkIndex == _index)
        {
            return _chunkIsSource ? _scratch : _chunk;
        }

        HandOver();
        if (!_nextSource.IsEmpty)
        {
            // PureHDF writes its element into a scratch chunk that nobody reads; the source bytes are what goes out.
            if (_scratch.IsEmpty)
            {
                _scratch = ChunkBuffers.Rent(_chunkBytes).AsMemory(0, _chunkBytes);
            }

            if (_nextSource.Length != _chunkBytes)
            {
                throw new InvalidOperationException($"a chunk of {_chunkBytes} bytes was to be written from {_nextSource.Length}");
            }

            (_index, _chunk, _writer, _chunkIsSource) = (chunkIndex, MemoryMarshal.AsMemory(_nextSource), chunkWriter, true);
            _nextSource = default;
            return _scratch;
        }

        Memory<byte> chunk;
        lock (_spare)
        {
            chunk = _spare.Count > 0 ? _spare.Pop() : default;
        }

        if (chunk.IsEmpty)
        {
            chunk = ChunkBuffers.Rent(_chunkBytes).AsMemory(0, _chunkBytes);
        }

        // Parts of an edge chunk outside the dataset are not written: keep them zero, not an earlier chunk's.
        chunk.Span.Clear();

        (_index, _chunk, _writer, _chunkIsSource) = (chunkIndex, chunk, chunkWriter, false);
        return chunk;
    }

    public void Flush(Action<ulong, Memory<byte>> chunkWriter)
    {
        // PureHDF writes the dataset's chunk index after this: every chunk must be in the file by then.
        HandOver();
        _queue.Drain();
        lock (_spare)
        {
            while (_spare.Count > 0)
            {
                ChunkBuffers.Return(_spare.Pop());
            }
        }

        ChunkBuffers.Return(_scratch);
        _scratch = default;
    }

    private void HandOver()
    {
        if (_writer == null)
        {
            return;
        }

        (ulong index, Memory<byte> chunk, Action<ulong, Memory<byte>> writer, bool isSource) = (_index, _chunk, _writer, _chunkIsSource);
        (_chunk, _writer) = (default, null);
        _queue.Submit(chunk.Length, () => PureHdfInternals.WriteChunk(writer, index, chunk), () =>
        {
            if (isSource)
            {
                // The recording's own memory: nothing to reuse, but its pages can leave the process.
                MappedFile.ReleaseMemory(chunk);
                return;
            }

            lock (_spare)
            {
                _spare.Push(chunk);
            }
        });
    }
}

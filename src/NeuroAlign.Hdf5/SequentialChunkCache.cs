using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// A writing chunk cache for data written in order, chunk after chunk: it holds one chunk and
/// writes it out as soon as the next one is asked for, so memory stays at one chunk per dataset.
/// PureHDF 2.2.0's default cache keeps every chunk until the file is closed (out of memory on
/// large exports). The writer delegate that comes with a chunk is kept with it and used on
/// eviction: the delegate of a later call ignores the index it is given and would write the old
/// chunk's bytes to the new chunk's place ("Chunks can only be written once").
/// </summary>
internal sealed class SequentialChunkCache : IWritingChunkCache
{
    private ulong _index;
    private Memory<byte> _chunk;
    private Action<ulong, Memory<byte>>? _writer;
    private Memory<byte> _spare;

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
    {
        if (_writer != null && chunkIndex == _index)
        {
            return _chunk;
        }

        Evict();
        Memory<byte> chunk;
        if (_spare.IsEmpty)
        {
            chunk = chunkAllocator();
        }
        else
        {
            // Chunks of one dataset all have the same size: reuse the last one's buffer.
            chunk = _spare;
            _spare = default;
            chunk.Span.Clear();
        }

        (_index, _chunk, _writer) = (chunkIndex, chunk, chunkWriter);
        return chunk;
    }

    public void Flush(Action<ulong, Memory<byte>> chunkWriter)
    {
        Evict();
        _spare = default;
    }

    private void Evict()
    {
        if (_writer == null)
        {
            return;
        }

        _writer(_index, _chunk);
        _spare = _chunk;
        (_chunk, _writer) = (default, null);
    }
}

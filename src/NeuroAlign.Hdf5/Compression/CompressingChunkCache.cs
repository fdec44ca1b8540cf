using System.Runtime.InteropServices;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// The writing chunk cache of one compressed dataset: it holds the chunk being filled and, when
/// the next one is asked for, hands it to the file's <see cref="ChunkCompressor"/>, which
/// compresses it on a worker and writes it later with the writer delegate PureHDF gave with that
/// chunk. (In PureHDF 2.2.0 a later call's delegate ignores the index it is given and would write
/// to its own chunk's place: see <see cref="SequentialChunkCache"/>.) Data must be written in
/// order, chunk after chunk; each chunk is complete when the next is asked for.
/// </summary>
internal sealed class CompressingChunkCache : IWritingChunkCache, IChunkBeingFilled
{
    private readonly ChunkCompressor _compressor;
    private readonly ChunkCodec _codec;
    private readonly int _chunkBytes;
    private readonly Stack<Memory<byte>> _spare = new();
    private readonly Stack<ChunkOutput> _outputs = new();
    private readonly Action<Memory<byte>, ChunkOutput> _release;
    private readonly Action<Memory<byte>, ChunkOutput> _releaseOutput;
    private ulong _index;
    private Memory<byte> _chunk;
    private Action<ulong, Memory<byte>>? _writer;
    private ReadOnlyMemory<byte> _next;
    private bool _chunkIsBorrowed;
    private Memory<byte> _scratch;

    /// <param name="compressor">The file's compressor, shared by all its datasets.</param>
    /// <param name="codec">How this dataset's chunks are encoded.</param>
    /// <param name="chunkBytes">Bytes of one of the dataset's chunks (PureHDF's ChunkByteSize): buffers are rented (<see cref="ChunkBuffers"/>), not PureHDF's fresh arrays.</param>
    public CompressingChunkCache(ChunkCompressor compressor, ChunkCodec codec, int chunkBytes)
    {
        _compressor = compressor;
        _codec = codec;
        _chunkBytes = chunkBytes;
        _release = (raw, output) =>
        {
            _spare.Push(raw);
            _outputs.Push(output);
        };
        _releaseOutput = (_, output) => _outputs.Push(output);
    }

    /// <summary>
    /// The next chunk PureHDF asks for is compressed straight from <paramref name="chunkBytes"/>
    /// (a whole chunk of the caller's window, or of the mapped recording), not copied: the caller
    /// then writes one element to make PureHDF ask for it (<see cref="PureHdfInternals.AskForChunk"/>),
    /// and calls <see cref="FinishBorrowed"/> before the memory changes. PureHDF's own hyperslab
    /// copy into the chunk cost about five times a memcpy, and a bulk copy one memcpy more than this.
    /// </summary>
    public void CompressNextChunkFrom(ReadOnlyMemory<byte> chunkBytes) => _next = chunkBytes;

    /// <summary>Hands the chunk asked for last to the compressor now, not when the next is asked for.</summary>
    public void HandOverBorrowed() => HandOver();

    public Span<byte> ChunkBeingFilled => _writer != null && !_chunkIsBorrowed ? _chunk.Span : throw new InvalidOperationException("no chunk is being filled");

    /// <summary>
    /// Hands the chunk asked for last to the compressor (if not yet) and waits until every chunk
    /// in flight is compressed: no chunk given to <see cref="CompressNextChunkFrom"/> is read
    /// after this. Their compressed bytes are written later (<see cref="ChunkCompressor.WriteCompleted"/>,
    /// at the next window or when the file is flushed), while the next window is compressed.
    /// </summary>
    public void FinishBorrowed()
    {
        HandOver();
        _compressor.WaitCompressed();
    }

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
    {
        if (_writer != null && chunkIndex == _index)
        {
            return _chunkIsBorrowed ? _scratch : _chunk;
        }

        HandOver();
        if (!_next.IsEmpty)
        {
            // PureHDF writes its one element into a scratch chunk nobody reads; the caller's bytes are what is compressed.
            if (_scratch.IsEmpty)
            {
                _scratch = ChunkBuffers.Rent(_chunkBytes).AsMemory(0, _chunkBytes);
            }

            if (_next.Length != _chunkBytes)
            {
                throw new InvalidOperationException($"a chunk of {_chunkBytes} bytes was to be written from {_next.Length}");
            }

            // No writing here: the window's chunks are all handed over first, then the caller writes what is compressed.
            (_index, _chunk, _writer, _chunkIsBorrowed) = (chunkIndex, MemoryMarshal.AsMemory(_next), chunkWriter, true);
            _next = default;
            return _scratch;
        }

        // Chunks of one dataset all have the same size: reuse the buffers of written ones.
        Memory<byte> chunk = _spare.Count > 0 ? _spare.Pop() : ChunkBuffers.Rent(_chunkBytes).AsMemory(0, _chunkBytes);
        chunk.Span.Clear();
        (_index, _chunk, _writer, _chunkIsBorrowed) = (chunkIndex, chunk, chunkWriter, false);
        _compressor.WriteCompleted();
        return chunk;
    }

    public void Flush(Action<ulong, Memory<byte>> chunkWriter)
    {
        // PureHDF writes the dataset's chunk index after this: every chunk must be in the file by then.
        HandOver();
        _compressor.WriteAll();
        while (_spare.Count > 0)
        {
            ChunkBuffers.Return(_spare.Pop());
        }

        while (_outputs.Count > 0)
        {
            _outputs.Pop().Release();
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

        (ulong index, Action<ulong, Memory<byte>> writer) = (_index, _writer);

        // Chunks of one dataset all have the same size, so do their outputs: room for a chunk that
        // does not compress (stored deflate blocks add 5 bytes per 64 KiB; LZ4 and zstd bounds are
        // about 1/255 and 1/128 over, plus headers) without regrowing.
        ChunkOutput output = _outputs.Count > 0 ? _outputs.Pop() : ChunkOutput.Rent(_chunk.Length + (_chunk.Length / 100) + 4096);

        // A borrowed chunk is the caller's memory: only the output comes back to be reused.
        _compressor.Submit(_chunk, output, _codec, compressed => PureHdfInternals.WriteChunk(writer, index, compressed), _chunkIsBorrowed ? _releaseOutput : _release);
        (_chunk, _writer) = (default, null);
    }
}

using System.Buffers;

namespace NeuroAlign.Streams;

/// <summary>
/// Walks rows [start, start + count) of a continuous stream in bounded chunks: a zero-copy span of
/// the mapping when the source has one, else a copy into one pooled buffer. Lazy views
/// (channel subsets, unit conversions) transform chunk by chunk, so memory stays bounded.
/// </summary>
internal ref struct SourceChunks
{
    private readonly ContinuousStream _source;
    private readonly long _start;
    private readonly int _count;
    private readonly int _rowsPerChunk;
    private byte[]? _rented;
    private int _done;

    public SourceChunks(ContinuousStream source, long startSample, int sampleCount, int rowsPerChunk = 4096)
    {
        _source = source;
        _start = startSample;
        _count = sampleCount;
        _rowsPerChunk = rowsPerChunk;
    }

    /// <summary>The next chunk: its bytes, its row count, and its first row relative to the start.</summary>
    public bool Next(out ReadOnlySpan<byte> block, out int rows, out int firstRow)
    {
        firstRow = _done;
        rows = Math.Min(_rowsPerChunk, _count - _done);
        if (rows <= 0)
        {
            block = default;
            return false;
        }

        if (!_source.TryGetWindow(_start + _done, rows, out block))
        {
            _rented ??= ArrayPool<byte>.Shared.Rent(_rowsPerChunk * _source.FrameBytes);
            _source.ReadBlock(_start + _done, rows, _rented);
            block = _rented.AsSpan(0, rows * _source.FrameBytes);
        }

        _done += rows;
        return true;
    }

    public void Dispose()
    {
        if (_rented != null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}

namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// The growable buffer a chunk is encoded into. Codecs reserve room for a block's worst case,
/// write into it and keep what they wrote; nothing is cleared first. (A <see cref="MemoryStream"/>
/// grown with <c>SetLength</c> zeroes the room it adds: for every bitshuffle block that was a
/// pass over the output's memory, a quarter of a compressed export's CPU time.) A stream too, for
/// <see cref="System.IO.Compression.ZLibStream"/>.
/// </summary>
internal sealed class ChunkOutput : Stream
{
    private readonly bool _rented;
    private byte[] _buffer;
    private int _length;

    /// <param name="capacity">Bytes to hold without regrowing.</param>
    public ChunkOutput(int capacity)
        : this(GC.AllocateUninitializedArray<byte>(Math.Max(capacity, 16)), rented: false)
    {
    }

    private ChunkOutput(byte[] buffer, bool rented)
    {
        _buffer = buffer;
        _rented = rented;
    }

    /// <summary>An output whose memory is rented (<see cref="ChunkBuffers"/>): <see cref="Release"/> gives it back, and nothing may use <see cref="Written"/> after.</summary>
    public static ChunkOutput Rent(int capacity) => new(ChunkBuffers.Rent(Math.Max(capacity, 16)), rented: true);

    /// <summary>Gives a rented output's memory back (see <see cref="Rent"/>); the output is not used after.</summary>
    public void Release()
    {
        if (_rented)
        {
            ChunkBuffers.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
    }

    /// <summary>Bytes held without regrowing.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>The encoded bytes so far.</summary>
    public Memory<byte> Written => _buffer.AsMemory(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Forgets what was written; the buffer is kept.</summary>
    public void Clear() => _length = 0;

    /// <summary>Room for <paramref name="bytes"/> more bytes after those written, not cleared; <see cref="Advance"/> keeps what was written there.</summary>
    public Span<byte> Reserve(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long needed = (long)_length + bytes;
        if (needed > _buffer.Length)
        {
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"an encoded chunk of more than {Array.MaxLength} bytes");
            }

            int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _buffer.Length));
            byte[] larger = _rented ? ChunkBuffers.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
            _buffer.AsSpan(0, _length).CopyTo(larger);
            if (_rented)
            {
                ChunkBuffers.Return(_buffer);
            }

            _buffer = larger;
        }

        return _buffer.AsSpan(_length, bytes);
    }

    /// <summary>Keeps the first <paramref name="bytes"/> bytes of the room <see cref="Reserve"/> gave.</summary>
    public void Advance(int bytes)
    {
        if (bytes < 0 || (long)_length + bytes > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), $"{bytes} bytes after {_length} in a buffer of {_buffer.Length}");
        }

        _length += bytes;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        buffer.CopyTo(Reserve(buffer.Length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

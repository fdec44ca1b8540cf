using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuroAlign.Tables;

/// <summary>
/// Gzip input of a table: detected by its magic (RFC 1952 §2.3.1: 1F 8B), decompressed as it is
/// read, and checked at the end against the trailer's ISIZE, since .NET's GZipStream ends quietly
/// at a truncated input.
/// </summary>
internal sealed class GzipCheck
{
    private readonly Stream _compressed;
    private readonly CountingStream _text;
    private readonly string _path;

    private GzipCheck(Stream compressed, CountingStream text, string path)
    {
        _compressed = compressed;
        _text = text;
        _path = path;
    }

    /// <summary>A gzip check when <paramref name="source"/> starts with the gzip magic (<paramref name="text"/> then decompresses it), else null and the source itself.</summary>
    public static GzipCheck? TryStart(Stream source, string path, out Stream text, bool ownsStream)
    {
        if (!source.CanSeek)
        {
            // Without seeking the magic cannot be put back; such callers hand plain text.
            text = ownsStream ? source : new NonClosingStream(source);
            return null;
        }

        Span<byte> magic = stackalloc byte[2];
        long start = source.Position;
        int got = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        source.Position = start;
        if (got < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
        {
            text = ownsStream ? source : new NonClosingStream(source);
            return null;
        }

        var counting = new CountingStream(new GZipStream(source, CompressionMode.Decompress, leaveOpen: !ownsStream));
        text = counting;
        return new GzipCheck(source, counting, path);
    }

    /// <summary>The message for a corrupt deflate stream.</summary>
    public static InvalidRecordingException Corrupt(string path, int lineNumber, InvalidDataException e) =>
        new(path, $"gzip stream near line {lineNumber}", $"corrupt compressed data ({e.Message.TrimEnd('.')})", "a valid gzip (RFC 1952) stream");

    /// <summary>At the end of the text: the bytes decompressed must match the trailer's ISIZE (the uncompressed size mod 2^32).</summary>
    public void Finish(int lineNumber)
    {
        Span<byte> trailer = stackalloc byte[4];
        _compressed.Seek(-4, SeekOrigin.End);
        _compressed.ReadExactly(trailer);
        uint isize = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (isize != (uint)_text.BytesRead)
        {
            throw new InvalidRecordingException(
                _path,
                "gzip stream",
                $"it ends after {_text.BytesRead} decompressed bytes ({lineNumber} lines) without a matching trailer",
                "a whole gzip stream: the file is truncated (multi-member gzip files are not supported)");
        }
    }

    /// <summary>Counts the bytes read through it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A caller's stream read through without closing it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

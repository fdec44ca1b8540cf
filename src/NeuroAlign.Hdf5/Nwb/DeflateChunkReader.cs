using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using NeuroAlign.Hdf5.Compression;
using PureHDF;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// Reads runs of rows (all columns) of a chunked [T] or [T, C] dataset straight from the file, for
/// the storage h5py and pynwb write by default: a version 3 layout message (chunks indexed by a
/// version 1 B-tree) with no filter, deflate, or shuffle + deflate. The chunk index is read once;
/// a read inflates the chunks it touches that are not cached, several at once over the cores, into
/// buffers the cache reuses (bounded in bytes, least recently used out first), and copies their
/// rows into the destination. PureHDF 2.2 looks every chunk up in the B-tree, inflates it on the
/// calling thread into a new array, and copies the hyperslab element by element: 0.66× h5py's speed
/// on 1 s windows of 384 channels (docs/benchmarks.md). Any other storage (layout version 4's
/// indexes, other filters, chunks never written, fill values) is left to PureHDF:
/// <see cref="TryOpen"/> returns null and says why.
/// </summary>
internal sealed class DeflateChunkReader : IDisposable
{
    /// <summary>Chunks indexed at most (16 bytes each in memory: 64 MiB); a dataset with more is read through PureHDF.</summary>
    internal const long MaxChunks = 4L << 20;

    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly long _rows;
    private readonly int _columns;
    private readonly int _chunkRows;
    private readonly int _chunkColumns;
    private readonly int _columnChunks;
    private readonly int _elementBytes;
    private readonly int _chunkBytes;
    private readonly uint _deflateBit;
    private readonly uint _shuffleBit;
    private readonly ChunkEntry[] _index;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Lock _readGate = new();

    // Inflated chunks by linear index (row chunk × column chunks + column chunk) and their last use;
    // evicted buffers are reused for the next chunks (all of one size).
    private readonly Dictionary<long, Cached> _cache = [];
    private readonly Stack<byte[]> _spare = new();
    private long _uses;
    private bool _disposed;

    private DeflateChunkReader(string path, SafeFileHandle file, long rows, int columns, int chunkRows, int chunkColumns, int elementBytes, uint deflateBit, uint shuffleBit, ChunkEntry[] index, long cacheBytes)
    {
        _path = path;
        _file = file;
        _rows = rows;
        _columns = columns;
        _chunkRows = chunkRows;
        _chunkColumns = chunkColumns;
        _columnChunks = (columns + chunkColumns - 1) / chunkColumns;
        _elementBytes = elementBytes;
        _chunkBytes = chunkRows * chunkColumns * elementBytes;
        _deflateBit = deflateBit;
        _shuffleBit = shuffleBit;
        _index = index;

        // At least the chunks of two row-chunks: a window across a chunk boundary, and the next
        // window in the same chunks, inflate each chunk once.
        _capacity = (int)Math.Max(2L * _columnChunks, cacheBytes / _chunkBytes);
    }

    /// <summary>Filters applied to the chunks: "none", "deflate" or "shuffle + deflate".</summary>
    public string Filters => _deflateBit == 0 ? "none" : _shuffleBit == 0 ? "deflate" : "shuffle + deflate";

    /// <summary>Chunks held in the cache now, for tests.</summary>
    internal int CachedChunks
    {
        get
        {
            lock (_gate)
            {
                return _cache.Count;
            }
        }
    }

    /// <summary>Chunks inflated so far (cache misses), for tests.</summary>
    public long ChunksInflated { get; private set; }

    /// <summary>
    /// A reader for <paramref name="data"/> (object header at <paramref name="headerAddress"/>, relative
    /// to the file's base address), or null with the <paramref name="reason"/> it is left to PureHDF.
    /// </summary>
    public static DeflateChunkReader? TryOpen(string path, NativeDataset data, ulong headerAddress, long cacheBytes, out string reason)
    {
        ArgumentNullException.ThrowIfNull(data);
        ulong[] dims = data.Space.Dimensions;
        if (data.Layout.Class != H5DataLayoutClass.Chunked || dims.Length is not (1 or 2) || data.Layout.Chunks is not { } chunks || chunks.Length != dims.Length)
        {
            reason = "not a chunked [T] or [T, C] dataset";
            return null;
        }

        SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            DeflateChunkReader? reader = Open(path, file, data, dims, chunks, headerAddress, cacheBytes, out reason);
            if (reader is null)
            {
                file.Dispose();
            }

            return reader;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever this reading does not understand, PureHDF reads (or refuses in its words).
            file.Dispose();
            reason = $"chunk index not read here ({e.Message.ReplaceLineEndings(" ")})";
            return null;
        }
    }

    /// <summary>Rows [<paramref name="startRow"/>, +<paramref name="rowCount"/>) of every column, row-major, into <paramref name="destination"/>.</summary>
    public void Read(long startRow, int rowCount, Span<byte> destination)
    {
        // One read at a time: a chunk inflated in part is carried on by one thread only.
        lock (_readGate)
        {
            // A long read goes in pieces of as many rows of chunks as the cache holds, so the chunks
            // it inflates never outgrow the cache (the destination aside), however long the read.
            long rowBytes = (long)_columns * _elementBytes;
            long piece = (long)Math.Max(1, _capacity / _columnChunks) * _chunkRows;
            long row = startRow;
            long end = startRow + Math.Max(0, rowCount);
            do
            {
                long until = Math.Min(end, (row / _chunkRows * _chunkRows) + piece);
                ReadRows(row, (int)(until - row), destination[(int)((row - startRow) * rowBytes)..]);
                row = until;
            }
            while (row < end);
        }
    }

    public void Dispose()
    {
        lock (_readGate)
        {
            lock (_gate)
            {
                _disposed = true;
                foreach (Cached entry in _cache.Values)
                {
                    entry.Finish();
                }

                _cache.Clear();
                _spare.Clear();
            }

            _file.Dispose();
        }
    }

    private void ReadRows(long startRow, int rowCount, Span<byte> destination)
    {
        long rowBytes = (long)_columns * _elementBytes;
        if (startRow < 0 || rowCount < 0 || startRow + rowCount > _rows || destination.Length < rowCount * rowBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(startRow), $"rows {startRow}+{rowCount} of {_rows} into {destination.Length} bytes");
        }

        if (rowCount == 0)
        {
            return;
        }

        long firstRowChunk = startRow / _chunkRows;
        long lastRowChunk = (startRow + rowCount - 1) / _chunkRows;
        var wanted = new List<long>();
        for (long r = firstRowChunk; r <= lastRowChunk; r++)
        {
            for (int c = 0; c < _columnChunks; c++)
            {
                wanted.Add((r * _columnChunks) + c);
            }
        }

        // Bytes of each chunk the rows need: chunks are row-major, so rows up to the last one asked for.
        int chunkRowBytes = _chunkColumns * _elementBytes;
        int[] needBytes = [.. wanted.Select(chunk => (int)((Math.Min(startRow + rowCount, (chunk / _columnChunks * _chunkRows) + _chunkRows) - (chunk / _columnChunks * _chunkRows)) * chunkRowBytes))];
        byte[][] chunks = Fetch(wanted, needBytes);
        unsafe
        {
            fixed (byte* target = destination)
            {
                nint to = (nint)target;
                void Copy(int i)
                {
                    long chunk = wanted[i];
                    long chunkFirstRow = chunk / _columnChunks * _chunkRows;
                    int firstColumn = (int)(chunk % _columnChunks) * _chunkColumns;
                    int columns = Math.Min(_chunkColumns, _columns - firstColumn);
                    long from = Math.Max(startRow, chunkFirstRow);
                    long until = Math.Min(startRow + rowCount, chunkFirstRow + _chunkRows);
                    int copyBytes = columns * _elementBytes;
                    ReadOnlySpan<byte> source = chunks[i];
                    for (long row = from; row < until; row++)
                    {
                        var into = new Span<byte>((byte*)(to + (nint)(((row - startRow) * rowBytes) + ((long)firstColumn * _elementBytes))), copyBytes);
                        source.Slice((int)(row - chunkFirstRow) * chunkRowBytes, copyBytes).CopyTo(into);
                    }
                }

                if (wanted.Count == 1 || (long)rowCount * rowBytes < (1 << 20))
                {
                    for (int i = 0; i < wanted.Count; i++)
                    {
                        Copy(i);
                    }
                }
                else
                {
                    Parallel.For(0, wanted.Count, Copy);
                }
            }
        }
    }

    /// <summary>
    /// The chunks asked for, each inflated at least to its first <paramref name="needBytes"/> bytes:
    /// cached ones as they are, the others (and the rest of those inflated in part) at once over the cores.
    /// </summary>
    private byte[][] Fetch(List<long> wanted, int[] needBytes)
    {
        var result = new byte[wanted.Count][];
        var work = new List<(long Chunk, Cached Entry, int Need)>();
        var needed = new HashSet<long>(wanted);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int missing = wanted.Count(w => !_cache.ContainsKey(w));

            // Room for the missing ones, dropping the least recently used chunks not needed now.
            while (_cache.Count + missing > _capacity)
            {
                KeyValuePair<long, Cached> oldest = _cache.Where(e => !needed.Contains(e.Key)).MinBy(e => e.Value.LastUse);
                if (oldest.Value is null)
                {
                    break;
                }

                _cache.Remove(oldest.Key);
                oldest.Value.Finish();
                _spare.Push(oldest.Value.Data);
            }

            for (int i = 0; i < wanted.Count; i++)
            {
                if (!_cache.TryGetValue(wanted[i], out Cached? entry))
                {
                    entry = new Cached(_spare.Count > 0 ? _spare.Pop() : GC.AllocateUninitializedArray<byte>(_chunkBytes));
                    _cache[wanted[i]] = entry;
                    ChunksInflated++;
                }

                entry.LastUse = ++_uses;
                result[i] = entry.Data;
                if (entry.Valid < needBytes[i])
                {
                    work.Add((wanted[i], entry, needBytes[i]));
                }
            }

            // Buffers beyond what the cache can hold go back to the runtime.
            _spare.Clear();
        }

        try
        {
            if (work.Count == 1)
            {
                Advance(work[0].Chunk, work[0].Entry, work[0].Need);
            }
            else if (work.Count > 1)
            {
                Parallel.For(0, work.Count, w => Advance(work[w].Chunk, work[w].Entry, work[w].Need));
            }
        }
        catch (Exception e)
        {
            // A chunk that failed is not kept half made.
            lock (_gate)
            {
                foreach ((long chunk, Cached entry, _) in work)
                {
                    _cache.Remove(chunk);
                    entry.Finish();
                }
            }

            // The first chunk's own one-line error, not the parallel loop's wrapper.
            Exception first = e is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[0] : e;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        return result;
    }

    /// <summary>
    /// Inflates chunk <paramref name="chunk"/> at least to byte <paramref name="need"/>. A deflated
    /// chunk without shuffle is inflated only as far as the rows asked for (a window that ends in a
    /// chunk needs its first rows only), and its inflater kept to go on from there; a shuffled chunk
    /// needs all its bytes (each element's bytes are spread over the whole chunk).
    /// </summary>
    private void Advance(long chunk, Cached entry, int need)
    {
        ChunkEntry stored = _index[chunk];
        string where = string.Create(CultureInfo.InvariantCulture, $"chunk {chunk} ({stored.Size} bytes at byte {stored.Address})");
        if (entry.Inflater is null)
        {
            // Bit i of a chunk's filter mask set: filter i of the pipeline was not applied to it.
            bool deflate = _deflateBit != 0 && (stored.FilterMask & _deflateBit) == 0;
            bool shuffle = _shuffleBit != 0 && (stored.FilterMask & _shuffleBit) == 0;
            if (!deflate && stored.Size != _chunkBytes)
            {
                throw new InvalidRecordingException(_path, where, $"{stored.Size} stored bytes", $"the chunk's {_chunkBytes} bytes (not compressed)");
            }

            if (deflate && !shuffle)
            {
                // The stored bytes are read as the inflater asks for them: none are held in memory.
                entry.Inflater = new ZLibStream(new StoredBytes(_file, stored.Address, stored.Size, _path, where), CompressionMode.Decompress);
            }
            else
            {
                Whole(stored, entry.Data, deflate, shuffle, where);
                entry.Valid = _chunkBytes;
                return;
            }
        }

        try
        {
            Span<byte> target = entry.Data.AsSpan(0, _chunkBytes);
            while (entry.Valid < need)
            {
                int n = entry.Inflater.Read(target[entry.Valid..]);
                if (n == 0)
                {
                    throw new InvalidRecordingException(_path, where, $"{entry.Valid} bytes inflated", $"the chunk's {_chunkBytes} bytes");
                }

                entry.Valid += n;
            }
        }
        catch (InvalidDataException)
        {
            throw new InvalidRecordingException(_path, where, "bytes that do not inflate", "a zlib stream (HDF5's deflate filter)");
        }

        if (entry.Valid == _chunkBytes)
        {
            entry.Finish();
        }
    }

    /// <summary>Reads a chunk's stored bytes and undoes its filters into <paramref name="output"/>, whole.</summary>
    private void Whole(ChunkEntry entry, byte[] output, bool deflate, bool shuffle, string where)
    {
        byte[] stored = ArrayPool<byte>.Shared.Rent((int)entry.Size);
        byte[]? shuffled = shuffle ? ArrayPool<byte>.Shared.Rent(_chunkBytes) : null;
        try
        {
            Span<byte> raw = stored.AsSpan(0, (int)entry.Size);
            ReadExactly(raw, entry.Address, where);
            Span<byte> unfiltered = shuffle ? shuffled.AsSpan(0, _chunkBytes) : output.AsSpan(0, _chunkBytes);
            if (deflate)
            {
                InflateInto(stored, (int)entry.Size, unfiltered, where);
            }
            else
            {
                raw.CopyTo(unfiltered);
            }

            if (shuffle)
            {
                ChunkFilters.Unshuffle(unfiltered, _elementBytes, output.AsSpan(0, _chunkBytes));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
            if (shuffled is not null)
            {
                ArrayPool<byte>.Shared.Return(shuffled);
            }
        }
    }

    private void ReadExactly(Span<byte> into, long offset, string where)
    {
        int read = 0;
        while (read < into.Length)
        {
            int n = RandomAccess.Read(_file, into[read..], offset + read);
            if (n == 0)
            {
                throw new InvalidRecordingException(_path, where, "the end of the file", $"{into.Length} bytes from byte {offset}");
            }

            read += n;
        }
    }

    /// <summary>One zlib stream (HDF5's deflate filter) that must give exactly the chunk's bytes.</summary>
    private void InflateInto(byte[] stored, int storedBytes, Span<byte> destination, string where)
    {
        try
        {
            using var source = new MemoryStream(stored, 0, storedBytes, writable: false);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            int got = zlib.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);

            if (got != destination.Length)
            {
                throw new InvalidRecordingException(_path, where, $"{got} bytes inflated", $"the chunk's {destination.Length} bytes");
            }
        }
        catch (InvalidDataException)
        {
            throw new InvalidRecordingException(_path, where, "bytes that do not inflate", "a zlib stream (HDF5's deflate filter)");
        }
    }

    /// <summary>Where a chunk's stored bytes are, how many, and which filters were skipped for it.</summary>
    private readonly record struct ChunkEntry(long Address, uint Size, uint FilterMask);

    /// <summary>A chunk in the cache: its first <see cref="Valid"/> bytes inflated, and while it is inflated only in part, its inflater.</summary>
    private sealed class Cached(byte[] data)
    {
        public byte[] Data { get; } = data;

        public int Valid { get; set; }

        public long LastUse { get; set; }

        public ZLibStream? Inflater { get; set; }

        /// <summary>Lets go of the inflater (inflated whole, or evicted).</summary>
        public void Finish()
        {
            Inflater?.Dispose();
            Inflater = null;
        }
    }

    /// <summary>A chunk's stored bytes as a stream, read with positioned reads (no shared file position) as the inflater asks.</summary>
    private sealed class StoredBytes(SafeFileHandle file, long address, uint size, string path, string where) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            int want = (int)Math.Min(buffer.Length, size - _read);
            if (want <= 0)
            {
                return 0;
            }

            int n = RandomAccess.Read(file, buffer[..want], address + _read);
            if (n == 0)
            {
                throw new InvalidRecordingException(path, where, "the end of the file", $"{size} bytes from byte {address}");
            }

            _read += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// The dataset's layout, filter pipeline and chunk index, read by <see cref="Hdf5Structures"/>
    /// (superblock, object header, messages, version 1 B-tree); null with the reason when the storage
    /// is one this reading leaves to PureHDF.
    /// </summary>
    private static DeflateChunkReader? Open(string path, SafeFileHandle file, NativeDataset data, ulong[] dims, ulong[] chunkDims, ulong headerAddress, long cacheBytes, out string reason)
    {
        if (Hdf5Structures.Open(path, file) is not { } structures)
        {
            reason = "no HDF5 superblock";
            return null;
        }

        string where = $"HDF5 object header at byte {headerAddress}";
        Hdf5Structures.HeaderMessage? layoutMessage = null;
        Hdf5Structures.HeaderMessage? pipelineMessage = null;
        foreach (Hdf5Structures.HeaderMessage message in structures.ReadObjectHeader(headerAddress, where).Messages)
        {
            if (message.Type is 8 or 11 && (message.Flags & 0x02) != 0)
            {
                reason = "a shared layout or filter message";
                return null;
            }

            if (message.Type == 8)
            {
                layoutMessage = message;
            }
            else if (message.Type == 11)
            {
                pipelineMessage = message;
            }
        }

        if (layoutMessage is not { } layoutFound)
        {
            reason = "no layout message";
            return null;
        }

        Hdf5Structures.DataLayout layout = structures.Layout(layoutFound.Body.Span, layoutFound.Where);
        if (layout.Version != 3 || layout.Class != 2)
        {
            reason = layout.Version == 4 ? "layout message version 4 (chunk indexes of version 4 are read by PureHDF)" : $"a layout of version {layout.Version}, class {layout.Class} (not chunks in a version 1 B-tree)";
            return null;
        }

        int rank = layout.Chunk.Length - 1;
        int elementBytes = (int)layout.Chunk[rank];
        if (rank != dims.Length || elementBytes != data.Type.Size || !layout.Chunk.Take(rank).Select(c => (ulong)c).SequenceEqual(chunkDims))
        {
            reason = "a layout message that disagrees with PureHDF's reading";
            return null;
        }

        structures.ChunkShape(layout.Chunk, null, (uint)elementBytes, layoutFound.Where);
        (uint deflateBit, uint shuffleBit, string? refused) = pipelineMessage is { } pipeline
            ? Hdf5Structures.DeflateAndShuffle(structures.FilterPipeline(pipeline.Body.Span, pipeline.Where), elementBytes)
            : (0, 0, null);
        if (refused is not null)
        {
            reason = refused;
            return null;
        }

        bool deflate = deflateBit != 0;
        int chunkRows = (int)layout.Chunk[0];
        int chunkColumns = rank == 2 ? (int)layout.Chunk[1] : 1;
        long chunkBytes = (long)chunkRows * chunkColumns * elementBytes;
        long rows = checked((long)dims[0]);
        int columns = rank == 2 ? checked((int)dims[1]) : 1;
        long rowChunks = (rows + chunkRows - 1) / chunkRows;
        long columnChunks = (columns + chunkColumns - 1) / chunkColumns;
        if (chunkBytes > Array.MaxLength / 2 || rowChunks * columnChunks > MaxChunks)
        {
            reason = $"{rowChunks * columnChunks} chunks of {chunkBytes} bytes (more than this reading indexes)";
            return null;
        }

        var index = new ChunkEntry[rowChunks * columnChunks];
        int found = 0;
        if (layout.Address != Hdf5Structures.Undefined)
        {
            structures.ChunkTree(layout.Address, rank + 1, layoutFound.Where, (offsets, address, size, mask) =>
            {
                ulong row = offsets[0];
                ulong column = rank == 2 ? offsets[1] : 0;
                if (row % (ulong)chunkRows != 0 || column % (ulong)chunkColumns != 0 || row / (ulong)chunkRows >= (ulong)rowChunks || column / (ulong)chunkColumns >= (ulong)columnChunks)
                {
                    throw structures.Damaged(layoutFound.Where, $"a chunk at element ({row}, {column})", "one on the dataset's chunk grid");
                }

                long slot = ((long)(row / (ulong)chunkRows) * columnChunks) + (long)(column / (ulong)chunkColumns);
                if (size == 0 || (!deflate && size != chunkBytes))
                {
                    throw structures.Damaged(layoutFound.Where, $"chunk {slot} of {size} bytes at byte {address}", deflate ? "at least 1 byte" : $"the chunk's {chunkBytes} bytes (not compressed)");
                }

                if (index[slot].Size == 0)
                {
                    found++;
                }

                index[slot] = new ChunkEntry(structures.Base + (long)address, size, mask);
            });
        }

        if (found != index.Length)
        {
            reason = $"{found} of {index.Length} chunks written (the others are fill values)";
            return null;
        }

        reason = string.Empty;
        return new DeflateChunkReader(path, file, rows, columns, chunkRows, chunkColumns, elementBytes, deflateBit, shuffleBit, index, cacheBytes);
    }
}

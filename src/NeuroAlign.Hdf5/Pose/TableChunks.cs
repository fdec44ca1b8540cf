using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Microsoft.Win32.SafeHandles;
using NeuroAlign.Hdf5.Compression;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>
/// Reads a PyTables table (a 1-D chunked dataset of compound records) chunk by chunk itself:
/// <see cref="Hdf5Structures"/> reads the table's object header (dataspace, datatype, layout,
/// filter pipeline) and its version 1 chunk B-tree; each chunk's stored bytes are read with one
/// positioned read into one buffer reused for every chunk, and its records decoded from there (no
/// filter, as pandas' <c>to_hdf</c> writes by default), or from one more reused buffer (zlib, with
/// or without shuffle, as <c>complib="zlib"</c> writes). PureHDF's reading put every chunk in a
/// fresh array and cost about 0.6 ms per read. A memory mapping was measured too: its page faults
/// cost more than copying the bytes (docs/benchmarks.md, "Pose windows"). Other storage (Blosc,
/// LZO, bzip2, Fletcher32, layout version 4, chunks never written) is left to PureHDF, with the reason.
/// </summary>
internal static class TableChunks
{
    /// <summary>
    /// The largest chunk read here (PyTables chunks tables by kilobytes to a megabyte or so; the
    /// three buffers then stay under 52 MiB whatever a damaged layout says); tables of larger
    /// chunks are left to PureHDF.
    /// </summary>
    private const int MaxChunkBytes = 16 << 20;

    /// <summary>
    /// Decodes every record of <paramref name="table"/> through <paramref name="decoder"/> and true,
    /// with <paramref name="how"/> saying how it was read; or false, nothing decoded, with the reason
    /// the table is left to PureHDF.
    /// </summary>
    /// <exception cref="InvalidRecordingException">A damaged structure, chunk or record.</exception>
    public static bool TryRead(string path, NativeDataset table, int frames, RecordDecoder decoder, out string how)
    {
        if (PureHdfInternals.ObjectHeaderAddress(table) is not { } headerAddress)
        {
            how = "the table's object header address is not known";
            return false;
        }

        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (Index(path, handle, headerAddress, frames, decoder.RecordSize, out how) is not { } storage)
        {
            return false;
        }

        Decode(path, handle, storage, frames, decoder);
        string filters = storage.DeflateBit == 0 ? "not compressed" : storage.ShuffleBit == 0 ? "zlib" : "shuffle + zlib";
        how = string.Create(CultureInfo.InvariantCulture, $"{storage.Chunks.Length} chunk{(storage.Chunks.Length == 1 ? string.Empty : "s")} of {storage.ChunkRows} rows ({filters}) read one by one into one buffer");
        return true;
    }

    /// <summary>The table's chunks by row, or null with the reason this reading leaves it to PureHDF.</summary>
    private static Storage? Index(string path, SafeFileHandle handle, ulong headerAddress, int frames, int recordSize, out string reason)
    {
        if (Hdf5Structures.Open(path, handle) is not { } file)
        {
            reason = "no HDF5 superblock";
            return null;
        }

        string where = $"HDF5 object header at byte {headerAddress}";
        var found = new Dictionary<int, Hdf5Structures.HeaderMessage>();
        foreach (Hdf5Structures.HeaderMessage message in file.ReadObjectHeader(headerAddress, where).Messages)
        {
            if (message.Type is 1 or 3 or 8 or 11)
            {
                if ((message.Flags & 0x02) != 0)
                {
                    reason = $"a shared message of type {message.Type}";
                    return null;
                }

                found[message.Type] = message;
            }
        }

        if (!found.TryGetValue(1, out var spaceMessage) || !found.TryGetValue(3, out var typeMessage) || !found.TryGetValue(8, out var layoutMessage))
        {
            reason = "no dataspace, datatype or layout message";
            return null;
        }

        (ulong[] dims, ulong[] max) = file.Dataspace(spaceMessage.Body.Span, spaceMessage.Where);
        (int typeClass, uint typeSize) = file.Datatype(typeMessage.Body.Span, typeMessage.Where);
        if (dims is not [var rows] || rows != (ulong)frames || typeClass != 6 || typeSize != recordSize)
        {
            reason = "a dataspace or datatype that disagrees with PureHDF's reading";
            return null;
        }

        Hdf5Structures.DataLayout layout = file.Layout(layoutMessage.Body.Span, layoutMessage.Where);
        if (layout.Version != 3 || layout.Class != 2)
        {
            reason = $"a layout of version {layout.Version}, class {layout.Class} (not chunks in a version 1 B-tree)";
            return null;
        }

        file.ChunkShape(layout.Chunk, (dims, max), typeSize, layoutMessage.Where);
        (uint deflateBit, uint shuffleBit, string? refused) = found.TryGetValue(11, out var pipeline)
            ? Hdf5Structures.DeflateAndShuffle(file.FilterPipeline(pipeline.Body.Span, pipeline.Where), recordSize)
            : (0, 0, null);
        if (refused is not null)
        {
            reason = refused;
            return null;
        }

        int chunkRows = (int)layout.Chunk[0];
        if ((long)chunkRows * recordSize > MaxChunkBytes)
        {
            reason = $"chunks of {chunkRows} records of {recordSize} bytes (more than this reading buffers)";
            return null;
        }

        var chunks = new Chunk[(frames + chunkRows - 1) / chunkRows];
        int written = 0;
        if (layout.Address != Hdf5Structures.Undefined)
        {
            file.ChunkTree(layout.Address, 2, layoutMessage.Where, (offsets, address, size, mask) =>
            {
                if (offsets[0] % (ulong)chunkRows != 0 || offsets[1] != 0)
                {
                    throw file.Damaged(layoutMessage.Where, $"a chunk at record ({offsets[0]}, {offsets[1]})", $"one at a multiple of the {chunkRows}-record chunk");
                }

                if (offsets[0] >= (ulong)frames)
                {
                    return; // beyond the table's rows (a table shrunk after it was written): never read
                }

                int slot = (int)(offsets[0] / (ulong)chunkRows);
                if (chunks[slot].Size == 0)
                {
                    written++;
                }

                chunks[slot] = new Chunk(file.Base + (long)address, size, mask);
            });
        }

        if (written != chunks.Length)
        {
            reason = $"{written} of {chunks.Length} chunks written (the others are fill values)";
            return null;
        }

        reason = string.Empty;
        return new Storage(chunks, chunkRows, recordSize, deflateBit, shuffleBit);
    }

    private static void Decode(string path, SafeFileHandle handle, Storage storage, int frames, RecordDecoder decoder)
    {
        int chunkBytes = storage.ChunkRows * storage.RecordSize;
        if (storage.Chunks.Length == 0)
        {
            return;
        }

        // A deflated chunk is smaller than its records (libhdf5 stores one that would grow
        // unfiltered, with the filter's mask bit set); the margin is zlib's worst case and then some.
        long largest = storage.DeflateBit == 0 ? chunkBytes : chunkBytes + (chunkBytes / 8L) + 4096;
        byte[] stored = GC.AllocateUninitializedArray<byte>((int)Math.Min(largest, storage.Chunks.Max(c => (long)c.Size)));
        byte[]? inflated = storage.DeflateBit != 0 ? GC.AllocateUninitializedArray<byte>(chunkBytes) : null;
        byte[]? unshuffled = storage.ShuffleBit != 0 ? GC.AllocateUninitializedArray<byte>(chunkBytes) : null;
        for (int i = 0; i < storage.Chunks.Length; i++)
        {
            Chunk chunk = storage.Chunks[i];
            string where = string.Create(CultureInfo.InvariantCulture, $"table chunk {i} ({chunk.Size} bytes at byte {chunk.Address})");
            bool deflated = storage.DeflateBit != 0 && (chunk.FilterMask & storage.DeflateBit) == 0;
            if (deflated ? chunk.Size > stored.Length : chunk.Size != chunkBytes)
            {
                throw new InvalidRecordingException(path, where, $"{chunk.Size} stored bytes", deflated ? $"at most {stored.Length} (the chunk's {chunkBytes} bytes, deflated)" : $"the chunk's {chunkBytes} bytes (not compressed)");
            }

            Span<byte> bytes = stored.AsSpan(0, (int)chunk.Size);
            ReadExactly(path, handle, bytes, chunk.Address, where);
            ReadOnlySpan<byte> records = bytes;

            // Bit i of a chunk's filter mask set: filter i of the pipeline was not applied to it.
            if (deflated)
            {
                Inflate(path, bytes, inflated!, where);
                records = inflated;
            }

            if (storage.ShuffleBit != 0 && (chunk.FilterMask & storage.ShuffleBit) == 0)
            {
                ChunkFilters.Unshuffle(records, storage.RecordSize, unshuffled);
                records = unshuffled;
            }

            int first = i * storage.ChunkRows;
            int rows = Math.Min(storage.ChunkRows, frames - first);
            decoder.Decode(records[..(rows * storage.RecordSize)], first, rows);
        }
    }

    private static void ReadExactly(string path, SafeFileHandle handle, Span<byte> into, long offset, string where)
    {
        int read = 0;
        while (read < into.Length)
        {
            int n = RandomAccess.Read(handle, into[read..], offset + read);
            if (n == 0)
            {
                throw new InvalidRecordingException(path, where, "the end of the file", $"{into.Length} bytes from byte {offset}");
            }

            read += n;
        }
    }

    /// <summary>One zlib stream (HDF5's deflate filter) that must give exactly the chunk's bytes.</summary>
    private static unsafe void Inflate(string path, ReadOnlySpan<byte> stored, byte[] destination, string where)
    {
        try
        {
            fixed (byte* source = stored)
            {
                using var bytes = new UnmanagedMemoryStream(source, stored.Length);
                using var zlib = new ZLibStream(bytes, CompressionMode.Decompress);
                int got = zlib.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
                if (got != destination.Length)
                {
                    throw new InvalidRecordingException(path, where, $"{got} bytes inflated", $"the chunk's {destination.Length} bytes");
                }
            }
        }
        catch (InvalidDataException)
        {
            throw new InvalidRecordingException(path, where, "bytes that do not inflate", "a zlib stream (HDF5's deflate filter)");
        }
    }

    /// <summary>Where a chunk's stored bytes are (from the start of the file), how many, and which filters were skipped for it.</summary>
    private readonly record struct Chunk(long Address, uint Size, uint FilterMask);

    private sealed record Storage(Chunk[] Chunks, int ChunkRows, int RecordSize, uint DeflateBit, uint ShuffleBit);
}

/// <summary>
/// Decodes DeepLabCut's table records (an int64 <c>index</c>, the frame, and <c>values_block_N</c>
/// arrays of float64 or float32) into the resident float32 [frames, I, K, 3] array: each block's
/// value e goes to its grid place, as the column labels say.
/// </summary>
internal sealed class RecordDecoder
{
    private readonly string _path;
    private readonly string _where;
    private readonly int _indexOffset;
    private readonly Block[] _blocks;
    private readonly float[] _values;
    private readonly int _valuesPerFrame;

    public RecordDecoder(string path, string where, int recordSize, int indexOffset, (int Offset, int ElementSize, int[] Targets)[] blocks, float[] values, int valuesPerFrame)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        _path = path;
        _where = where;
        RecordSize = recordSize;
        _indexOffset = indexOffset;
        _values = values;
        _valuesPerFrame = valuesPerFrame;

        // A block whose values go to consecutive grid places (x, y, likelihood of each bodypart in
        // turn, as DeepLabCut's columns are) is converted as one run.
        _blocks = blocks.Select(b => new Block(b.Offset, b.ElementSize, b.Targets,
            b.Targets.Length > 0 && b.Targets.Select((t, e) => t - e).All(d => d == b.Targets[0]) ? b.Targets[0] : -1)).ToArray();
    }

    public int RecordSize { get; }

    /// <summary>Records of rows [<paramref name="firstRow"/>, +<paramref name="rows"/>); row i must be frame i.</summary>
    public void Decode(ReadOnlySpan<byte> records, int firstRow, int rows)
    {
        int recordSize = RecordSize;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<byte> record = records.Slice(r * recordSize, recordSize);
            long frame = BinaryPrimitives.ReadInt64LittleEndian(record[_indexOffset..]);
            if (frame != firstRow + r)
            {
                throw new InvalidRecordingException(_path, $"{_where}/table row {firstRow + r}, index", frame.ToString(CultureInfo.InvariantCulture), $"{firstRow + r} (row i of a pose file is frame i of its video)");
            }

            Span<float> target = _values.AsSpan((firstRow + r) * _valuesPerFrame, _valuesPerFrame);
            foreach (Block block in _blocks)
            {
                // Little-endian IEEE values, as PyTables writes them on the machines DeepLabCut runs on
                // (the reader always assumed little-endian).
                int[] targets = block.Targets;
                ReadOnlySpan<byte> field = record.Slice(block.Offset, targets.Length * block.ElementSize);
                if (block.ElementSize == 8 && block.Run >= 0)
                {
                    Narrow(MemoryMarshal.Cast<byte, double>(field), target.Slice(block.Run, targets.Length));
                }
                else if (block.ElementSize == 8)
                {
                    ReadOnlySpan<double> doubles = MemoryMarshal.Cast<byte, double>(field);
                    for (int e = 0; e < targets.Length; e++)
                    {
                        target[targets[e]] = (float)doubles[e];
                    }
                }
                else if (block.Run >= 0)
                {
                    MemoryMarshal.Cast<byte, float>(field).CopyTo(target.Slice(block.Run, targets.Length));
                }
                else
                {
                    ReadOnlySpan<float> singles = MemoryMarshal.Cast<byte, float>(field);
                    for (int e = 0; e < targets.Length; e++)
                    {
                        target[targets[e]] = singles[e];
                    }
                }
            }
        }
    }

    /// <summary>float64 to float32, rounded to nearest as a cast rounds (and numpy's astype), several at once.</summary>
    private static void Narrow(ReadOnlySpan<double> from, Span<float> to)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= from.Length; i += 8)
            {
                Vector256.Narrow(Vector256.Create(from.Slice(i, 4)), Vector256.Create(from.Slice(i + 4, 4))).CopyTo(to[i..]);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= from.Length; i += 4)
            {
                Vector128.Narrow(Vector128.Create(from.Slice(i, 2)), Vector128.Create(from.Slice(i + 2, 2))).CopyTo(to[i..]);
            }
        }

        for (; i < from.Length; i++)
        {
            to[i] = (float)from[i];
        }
    }

    /// <summary>A values block: its offset in the record, element size, each value's grid place, and the first place when they are consecutive (else -1).</summary>
    private readonly record struct Block(int Offset, int ElementSize, int[] Targets, int Run);
}

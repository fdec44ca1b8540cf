using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NeuroAlign.Hdf5;

/// <summary>
/// The one reader of the HDF5 structures NeuroAlign parses itself (HDF5 File Format Specification:
/// "Superblock", "Version 1 Data Object Header", "Version 2 Data Object Header", "Object Header
/// Continuation Message", "Dataspace", "Datatype", "Data Layout" and "Filter Pipeline" messages,
/// "Version 1 B-trees"): the superblock (versions 0–3), an object header's messages with its
/// continuation blocks followed (version 2 checksums verified), the messages that describe a
/// dataset, and the version 1 B-tree that indexes a chunked dataset's chunks. Every size and
/// address is checked against the file before it is used: a structure that is not what it must be
/// is a one-line <see cref="InvalidRecordingException"/> naming the file, the structure and its
/// byte, what was found and what was expected.
/// </summary>
/// <remarks>
/// Three users: <see cref="Hdf5MetadataCheck"/> (every file, before PureHDF parses it),
/// <see cref="Nwb.DeflateChunkReader"/> (NWB series read chunk by chunk) and
/// <see cref="Pose.DeepLabCutH5"/> (PyTables tables decoded from a memory mapping). Addresses are
/// relative to the base address (the superblock's byte: 0, or after a user block), as in the file.
/// </remarks>
internal sealed class Hdf5Structures
{
    /// <summary>HDF5's undefined address (all bits set, at any offset size).</summary>
    public const ulong Undefined = ulong.MaxValue;

    /// <summary>HDF5's largest rank (H5S_MAX_RANK).</summary>
    public const int MaxRank = 32;

    /// <summary>What a group B-tree or a chunk B-tree may be deep: libhdf5's trees of a few levels index billions of entries.</summary>
    public const int MaxTreeLevel = 32;

    /// <summary>Filters in one pipeline at most (H5Z_MAX_NFILTERS).</summary>
    public const int MaxFilters = 32;

    /// <summary>Continuation blocks of one object header at most.</summary>
    private const int MaxHeaderBlocks = 4096;

    private readonly SafeFileHandle _handle;
    private readonly HashSet<ulong> _nodes = [];

    private Hdf5Structures(string path, SafeFileHandle handle, long fileBase, long length)
    {
        Path = path;
        _handle = handle;
        Base = fileBase;
        Length = length;
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The byte of the file where address 0 is: the superblock's (0 unless a user block precedes it).</summary>
    public long Base { get; }

    /// <summary>Bytes from the base address to the end of the file.</summary>
    public long Length { get; }

    /// <summary>The superblock's version (0 to 3).</summary>
    public int Version { get; private set; }

    /// <summary>Bytes of an address (2, 4 or 8).</summary>
    public int OffsetSize { get; private set; }

    /// <summary>Bytes of a length (2, 4 or 8).</summary>
    public int LengthSize { get; private set; }

    /// <summary>Version 0/1: K of group B-tree leaves (symbol table nodes hold up to 2K entries).</summary>
    public int GroupLeafK { get; private set; }

    /// <summary>Version 0/1: K of group B-tree internal nodes.</summary>
    public int GroupInternalK { get; private set; }

    /// <summary>K of chunk B-tree nodes (up to 2K entries): version 1 states it, version 0 has HDF5's default 32.</summary>
    public int ChunkK { get; private set; } = 32;

    /// <summary>Version 0/1: the root group's symbol table entry; version 2/3: empty.</summary>
    public ReadOnlyMemory<byte> RootEntry { get; private set; }

    /// <summary>Version 2/3: the root group's object header address; version 0/1: the one in <see cref="RootEntry"/>.</summary>
    public ulong RootAddress { get; private set; } = Undefined;

    /// <summary>
    /// Finds the superblock (at byte 0, or after a user block at 512, 1024, 2048…, as libhdf5
    /// searches) and reads it; null if the file has none (not HDF5: whoever opens it next says so
    /// in its own words).
    /// </summary>
    /// <exception cref="InvalidRecordingException">A superblock that is not what it must be.</exception>
    public static Hdf5Structures? Open(string path, SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        long fileLength = RandomAccess.GetLength(handle);
        ReadOnlySpan<byte> signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];
        Span<byte> head = stackalloc byte[8];
        for (long at = 0; at + 12 <= fileLength; at = at == 0 ? 512 : at * 2)
        {
            if (RandomAccess.Read(handle, head, at) == 8 && head.SequenceEqual(signature))
            {
                var file = new Hdf5Structures(path, handle, at, fileLength - at);
                file.ReadSuperblock();
                return file;
            }
        }

        return null;
    }

    /// <summary>
    /// The messages of the object header at <paramref name="address"/>: version 1 (no signature,
    /// messages aligned to 8 bytes, at most the declared count) or version 2 (OHDR, checksummed,
    /// OCHK continuations); continuation messages (type 0x10) are followed, not listed.
    /// </summary>
    public ObjectHeader ReadObjectHeader(ulong address, string where)
    {
        RequireWithin(address, 4, where);
        byte[] prefix = Read((long)address, (int)Math.Min(Length - (long)address, 32), where);
        if (prefix.Length >= 16 && prefix[0] == 1 && !prefix.AsSpan(0, 4).SequenceEqual("OHDR"u8))
        {
            int declared = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(2));
            uint chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
            var header = new ObjectHeader(1, false);
            var blocks = new Queue<(ulong At, ulong Size, string Where)>();
            blocks.Enqueue((address + 16, chunkSize, where));
            var seen = new HashSet<ulong> { address + 16 };
            while (blocks.TryDequeue(out var block))
            {
                if (block.Size > (ulong)Hdf5MetadataCheck.MaxHeaderChunkBytes)
                {
                    throw Damaged(block.Where, $"a chunk of {block.Size} bytes", $"at most {Hdf5MetadataCheck.MaxHeaderChunkBytes} (the header is damaged)");
                }

                RequireWithin(block.At, block.Size, block.Where);
                Messages(Read((long)block.At, (int)block.Size, block.Where), 0, (int)block.Size, header, block.Where, blocks, seen);
            }

            if (header.Messages.Count > declared)
            {
                throw Damaged(where, $"{header.Messages.Count} messages where the header declares {declared}", "at most the declared count");
            }

            header.Messages.RemoveAll(m => m.Type == 0x10);
            return header;
        }

        if (prefix.Length < 4 || !prefix.AsSpan(0, 4).SequenceEqual("OHDR"u8))
        {
            throw Damaged(where, $"bytes {Convert.ToHexString(prefix.AsSpan(0, Math.Min(4, prefix.Length)))}", "an object header (signature OHDR, or version 1)");
        }

        if (prefix.Length < 7)
        {
            throw Damaged(where, $"{prefix.Length} bytes", "a whole object header prefix");
        }

        byte flags = prefix[5];
        int position = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int sizeBytes = 1 << (flags & 0x03);
        if (prefix.Length < position + sizeBytes)
        {
            throw Damaged(where, $"{prefix.Length} bytes", "a whole object header prefix");
        }

        ulong firstSize = Unsigned(prefix.AsSpan(position, sizeBytes));
        var v2 = new ObjectHeader(2, (flags & 0x04) != 0);
        var more = new Queue<(ulong At, ulong Size, string Where)>();
        var visited = new HashSet<ulong> { address };
        byte[] first = ReadChecked((long)address, position + sizeBytes, firstSize, where);
        Messages(first, position + sizeBytes, first.Length - 4, v2, where, more, visited);
        while (more.TryDequeue(out var block))
        {
            if (block.Size < 8)
            {
                throw Damaged(block.Where, $"a continuation block of {block.Size} bytes", "at least 8 (signature and checksum)");
            }

            string at = $"HDF5 object header continuation at byte {block.At}";
            RequireWithin(block.At, block.Size, block.Where);
            byte[] bytes = ReadChecked((long)block.At, 4, block.Size - 8, at);
            if (!bytes.AsSpan(0, 4).SequenceEqual("OCHK"u8))
            {
                throw Damaged(at, "no OCHK signature", "a continuation block");
            }

            Messages(bytes, 4, bytes.Length - 4, v2, at, more, visited);
        }

        v2.Messages.RemoveAll(m => m.Type == 0x10);
        return v2;
    }

    /// <summary>A dataspace message's dimensions and maximum dimensions (unlimited: <see cref="ulong.MaxValue"/>); a scalar or null dataspace has none.</summary>
    public (ulong[] Dims, ulong[] Max) Dataspace(ReadOnlySpan<byte> dataspace, string where)
    {
        if (dataspace.Length < 4)
        {
            throw Damaged(where, $"a dataspace of {dataspace.Length} bytes", "at least 4");
        }

        int version = dataspace[0];
        int rank = dataspace[1];
        bool hasMax = (dataspace[2] & 0x01) != 0;
        if (version is not (1 or 2) || rank > MaxRank)
        {
            throw Damaged(where, $"a dataspace of version {version} and rank {rank}", $"version 1 or 2, rank at most {MaxRank}");
        }

        int position = version == 1 ? 8 : 4;
        int needed = position + (rank * LengthSize * (hasMax ? 2 : 1));
        if (dataspace.Length < needed)
        {
            throw Damaged(where, $"a dataspace of rank {rank} in {dataspace.Length} bytes", $"{needed} bytes");
        }

        ulong[] dims = new ulong[rank];
        ulong[] max = new ulong[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = Unsigned(dataspace.Slice(position + (d * LengthSize), LengthSize));
            max[d] = hasMax ? Unsigned(dataspace.Slice(position + ((rank + d) * LengthSize), LengthSize)) : dims[d];
            if (hasMax && LengthSize < 8 && max[d] == (1UL << (8 * LengthSize)) - 1)
            {
                max[d] = ulong.MaxValue;
            }

            if (max[d] != ulong.MaxValue && dims[d] > max[d])
            {
                throw Damaged(where, $"dimension {d} of {dims[d]} above its maximum {max[d]}", "dimensions within their maximum");
            }
        }

        return (dims, max);
    }

    /// <summary>A datatype message's class (0 fixed-point, 1 floating-point, 6 compound, 9 variable-length…) and element size; 0 bytes is refused.</summary>
    public (int Class, uint Size) Datatype(ReadOnlySpan<byte> datatype, string where)
    {
        if (datatype.Length < 8)
        {
            throw Damaged(where, $"a datatype message of {datatype.Length} bytes", "at least 8");
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(datatype[4..]);
        return size == 0 ? throw Damaged(where, "an element size of 0 bytes", "at least 1") : (datatype[0] & 0x0F, size);
    }

    /// <summary>
    /// A data layout message, its fields bounds-checked: versions 1 and 2 (libhdf5 before 1.6.3:
    /// dimensionality, class, address, dimensions), version 3 (compact, contiguous, or chunked with
    /// a version 1 B-tree: dimensionality, the tree's address, the chunk's dimensions, last the
    /// element size) and version 4 (its class; a chunked one's indexes are read by the caller).
    /// </summary>
    public DataLayout Layout(ReadOnlySpan<byte> layout, string where)
    {
        if (layout.Length < 2)
        {
            throw Damaged(where, $"a layout message of {layout.Length} bytes", "at least 2");
        }

        int version = layout[0];
        if (version is 1 or 2)
        {
            if (layout.Length < 8 + OffsetSize)
            {
                throw Damaged(where, $"a layout message of {layout.Length} bytes", $"at least {8 + OffsetSize}");
            }

            int dimensionality = layout[1];
            int layoutClass = layout[2];
            if (dimensionality < 1 || dimensionality > MaxRank + 1 || layout.Length < 8 + OffsetSize + (4 * dimensionality))
            {
                throw Damaged(where, $"a layout of dimensionality {dimensionality} in {layout.Length} bytes", $"1 to {MaxRank + 1} dimensions that fit the message");
            }

            ulong address = Offset(layout[8..]);
            return new DataLayout(version, layoutClass, address, 0, layoutClass == 2 ? Words(layout[(8 + OffsetSize)..], dimensionality) : [], 0);
        }

        if (version is not (3 or 4))
        {
            throw Damaged(where, $"a layout message of version {version}", "version 1 to 4");
        }

        switch (layout[1])
        {
            case 0 when layout.Length >= 4:
                int size = BinaryPrimitives.ReadUInt16LittleEndian(layout[2..]);
                if (size > layout.Length - 4)
                {
                    throw Damaged(where, $"compact data of {size} bytes", $"at most the {layout.Length - 4} bytes of the layout message");
                }

                return new DataLayout(version, 0, Undefined, (ulong)size, [], 4);
            case 1 when layout.Length >= 2 + OffsetSize + LengthSize:
                return new DataLayout(version, 1, Offset(layout[2..]), Unsigned(layout.Slice(2 + OffsetSize, LengthSize)), [], 0);
            case 2 when version == 3:
                int dimensionality = layout[2];
                if (dimensionality < 2 || dimensionality > MaxRank + 1 || layout.Length < 3 + OffsetSize + (4 * dimensionality))
                {
                    throw Damaged(where, $"a chunked layout of dimensionality {dimensionality} in {layout.Length} bytes", $"2 to {MaxRank + 1} dimensions that fit the message");
                }

                return new DataLayout(3, 2, Offset(layout[3..]), 0, Words(layout[(3 + OffsetSize)..], dimensionality), 0);
            case 2:
                return new DataLayout(4, 2, Undefined, 0, [], 0);
            case 3:
                return new DataLayout(version, 3, Undefined, 0, [], 0); // virtual: its source files are not opened here
            case 0 or 1:
                throw Damaged(where, $"a layout message of {layout.Length} bytes", "room for its fields");
            default:
                throw Damaged(where, $"layout class {layout[1]}", "0 (compact), 1 (contiguous), 2 (chunked) or 3 (virtual)");
        }
    }

    /// <summary>
    /// Chunk dimensions of a layout (rank + 1 words, the last the element size): none 0, the chunk
    /// under 4 GiB (the format's limit), the element size the datatype's, as many as the
    /// dataspace's rank + 1, none above a fixed maximum dimension.
    /// </summary>
    public void ChunkShape(uint[] chunk, (ulong[] Dims, ulong[] Max)? space, uint elementSize, string where)
    {
        ulong bytes = 1;
        for (int d = 0; d < chunk.Length; d++)
        {
            if (chunk[d] == 0)
            {
                throw Damaged(where, $"chunk dimension {d} of 0", "at least 1");
            }

            bytes *= chunk[d];
            if (bytes > uint.MaxValue)
            {
                throw Damaged(where, $"chunks of more than {uint.MaxValue} bytes ({string.Join(" x ", chunk)})", "chunks under 4 GiB");
            }
        }

        if (elementSize > 0 && chunk[^1] != elementSize)
        {
            throw Damaged(where, $"a chunk element size of {chunk[^1]} bytes", $"the datatype's {elementSize}");
        }

        if (space is { } s && s.Dims.Length > 0)
        {
            if (s.Dims.Length != chunk.Length - 1)
            {
                throw Damaged(where, $"chunks of rank {chunk.Length - 1}", $"the dataspace's rank {s.Dims.Length}");
            }

            for (int d = 0; d < s.Dims.Length; d++)
            {
                if (s.Max[d] != ulong.MaxValue && s.Max[d] > 0 && chunk[d] > s.Max[d])
                {
                    throw Damaged(where, $"chunk dimension {d} of {chunk[d]}", $"at most the fixed maximum dimension {s.Max[d]}");
                }
            }
        }
    }

    /// <summary>
    /// A filter pipeline message: each filter's id, flags, name and client values, all inside the
    /// message (version 1: names and value lists padded to 8 bytes; version 2: no padding, and no
    /// name for HDF5's own filters, ids below 256).
    /// </summary>
    public List<Filter> FilterPipeline(ReadOnlySpan<byte> pipeline, string where)
    {
        if (pipeline.Length < 2)
        {
            throw Damaged(where, $"a filter pipeline of {pipeline.Length} bytes", "at least 2");
        }

        int version = pipeline[0];
        int count = pipeline[1];
        if (version is not (1 or 2) || count > MaxFilters)
        {
            throw Damaged(where, $"a filter pipeline of version {version} with {count} filters", $"version 1 or 2, at most {MaxFilters} filters");
        }

        var filters = new List<Filter>(count);
        int at = version == 1 ? 8 : 2;
        for (int f = 0; f < count; f++)
        {
            string field = $"{where}, filter {f}";
            bool named = version == 1;
            Need(pipeline, at, 4, field);
            int id = BinaryPrimitives.ReadUInt16LittleEndian(pipeline[at..]);
            named |= id >= 256;
            int fixedBytes = named ? 8 : 6;
            Need(pipeline, at, fixedBytes, field);
            int nameLength = named ? BinaryPrimitives.ReadUInt16LittleEndian(pipeline[(at + 2)..]) : 0;
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(pipeline[(at + fixedBytes - 4)..]);
            int valueCount = BinaryPrimitives.ReadUInt16LittleEndian(pipeline[(at + fixedBytes - 2)..]);
            at += fixedBytes;
            int nameBytes = version == 1 ? (nameLength + 7) / 8 * 8 : nameLength;
            Need(pipeline, at, nameBytes, field + " name");
            at += nameBytes;
            int valueBytes = (4 * valueCount) + (version == 1 && valueCount % 2 == 1 ? 4 : 0);
            Need(pipeline, at, valueBytes, field + " client values");
            filters.Add(new Filter(id, flags, Words(pipeline[at..], valueCount)));
            at += valueBytes;
        }

        return filters;
    }

    /// <summary>
    /// The filter-mask bits of deflate and shuffle in a pipeline (0: absent), for the pipelines h5py,
    /// pynwb and PyTables write with zlib: none, deflate, or shuffle then deflate; or, for any other,
    /// the reason it is left to PureHDF.
    /// </summary>
    public static (uint DeflateBit, uint ShuffleBit, string? Refused) DeflateAndShuffle(List<Filter> filters, int elementBytes)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Any(f => f.Id == 2 && f.Values.Length >= 1 && f.Values[0] != elementBytes))
        {
            return (0, 0, "a shuffle filter of another element size");
        }

        return filters.Select(f => f.Id).ToArray() switch
        {
            [] => (0, 0, null),
            [1] => (1, 0, null),
            [2, 1] => (2, 1, null),
            var ids => (0, 0, $"filters {string.Join(", ", ids.Select(FilterName))}: not none, deflate, or shuffle + deflate"),
        };
    }

    /// <summary>A filter's name and id, as messages show it: "bzip2 (307)".</summary>
    public static string FilterName(int id)
    {
        string? name = id switch
        {
            1 => "deflate",
            2 => "shuffle",
            3 => "Fletcher32",
            4 => "szip",
            5 => "N-bit",
            6 => "scale-offset",
            305 => "LZO",
            307 => "bzip2",
            32001 => "Blosc",
            32004 => "LZ4",
            32008 => "bitshuffle",
            32015 => "Zstandard",
            _ => null,
        };
        string number = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name is null ? number : $"{name} ({number})";
    }

    /// <summary>
    /// Visits every chunk under a chunk B-tree (node type 1: each key the chunk's stored size, its
    /// filter mask and its offsets in elements, <paramref name="dimensionality"/> of them, the last
    /// 0; children are nodes one level down, or chunks at level 0). Nodes are checked as
    /// <see cref="TreeNode"/> says; each chunk's bytes must lie inside the file.
    /// </summary>
    public void ChunkTree(ulong root, int dimensionality, string where, ChunkVisitor visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ulong[] offsets = new ulong[dimensionality];
        ChunkNode(root, dimensionality, level: -1, where, offsets, visit);
    }

    /// <summary>
    /// Reads a version 1 B-tree node's header and its used entries (that many children between one
    /// more keys), checking signature, type, level (one below its parent's, or at most
    /// <see cref="MaxTreeLevel"/> at the root: <paramref name="level"/> -1), entry count (at most 2K),
    /// sibling addresses, and that no node is reached twice in this file.
    /// </summary>
    public (int Entries, int Level, byte[] Node) TreeNode(ulong address, int type, int keyBytes, int k, int level, string where)
    {
        string at = $"HDF5 B-tree node at byte {address}";
        int headerBytes = 8 + (2 * OffsetSize);
        RequireAddress(address, (ulong)headerBytes, where + " (B-tree node)");
        if (!_nodes.Add(address))
        {
            throw Damaged(at, "a node reached twice", "a tree (referred to by " + where + ")");
        }

        byte[] header = Read((long)address, headerBytes, at);
        if (!header.AsSpan(0, 4).SequenceEqual("TREE"u8) || header[4] != type)
        {
            throw Damaged(at, $"bytes {Convert.ToHexString(header.AsSpan(0, 5))}", $"a B-tree node of type {type} (TREE) (referred to by {where})");
        }

        int nodeLevel = header[5];
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
        if (level >= 0 ? nodeLevel != level : nodeLevel > MaxTreeLevel)
        {
            throw Damaged(at, $"level {nodeLevel}", level >= 0 ? $"{level} (one below its parent)" : $"at most {MaxTreeLevel}");
        }

        if (entries > 2 * k)
        {
            throw Damaged(at, $"{entries} entries", $"at most {2 * k} (2K)");
        }

        RequireAddress(Offset(header.AsSpan(8)), 8, at + " left sibling");
        RequireAddress(Offset(header.AsSpan(8 + OffsetSize)), 8, at + " right sibling");
        long bytes = headerBytes + ((long)entries * (keyBytes + OffsetSize)) + keyBytes;
        RequireWithin(address, (ulong)bytes, at);
        return (entries, nodeLevel, Read((long)address, (int)bytes, at));
    }

    /// <summary>Whether the B-tree or symbol table node at <paramref name="address"/> is reached for the first time in this file (a node reached twice is a cycle, or a damaged tree).</summary>
    public bool FirstVisitOfNode(ulong address) => _nodes.Add(address);

    /// <summary><paramref name="count"/> bytes at <paramref name="offset"/> (from the base address), all inside the file.</summary>
    public byte[] Read(long offset, int count, string where)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
        {
            throw Damaged(where, $"{count} bytes at byte {offset}", $"bytes inside the {Length}-byte file");
        }

        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = RandomAccess.Read(_handle, buffer.AsSpan(read), Base + offset + read);
            if (n == 0)
            {
                throw Damaged(where, $"{read} bytes at byte {offset}", $"{count}");
            }

            read += n;
        }

        return buffer;
    }

    /// <summary>Refuses <paramref name="length"/> bytes at <paramref name="address"/> unless all are inside the file.</summary>
    public void RequireWithin(ulong address, ulong length, string where)
    {
        if (address > (ulong)Length || length > (ulong)Length - address)
        {
            throw Damaged(where, $"{length} bytes at byte {address}", $"bytes inside the {Length}-byte file");
        }
    }

    /// <summary>An address that is undefined or inside the file with <paramref name="bytes"/> after it.</summary>
    public void RequireAddress(ulong address, ulong bytes, string where)
    {
        if (address != Undefined)
        {
            RequireWithin(address, bytes, where);
        }
    }

    /// <summary>An address; all bits set (HDF5's "undefined address") at any offset size is <see cref="Undefined"/>.</summary>
    public ulong Offset(ReadOnlySpan<byte> at)
    {
        ulong value = Unsigned(at[..OffsetSize]);
        return OffsetSize < 8 && value == (1UL << (8 * OffsetSize)) - 1 ? Undefined : value;
    }

    /// <summary>A little-endian unsigned number of 1 to 8 bytes.</summary>
    public static ulong Unsigned(ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    /// <summary>The one-line error of a damaged structure.</summary>
    public InvalidRecordingException Damaged(string where, string found, string expected) => new(Path, where, found, expected);

    private static uint[] Words(ReadOnlySpan<byte> bytes, int count)
    {
        uint[] words = new uint[count];
        for (int i = 0; i < count; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
        }

        return words;
    }

    private void Need(ReadOnlySpan<byte> message, int at, int bytes, string where)
    {
        if (bytes < 0 || at + bytes > message.Length)
        {
            throw Damaged(where, $"{bytes} bytes at message byte {at}", $"at most the {message.Length - at} bytes left in the message");
        }
    }

    /// <summary>
    /// Superblock versions 0 and 1: sizes, the B-tree ranks, the end-of-file address and the root
    /// group's symbol table entry; versions 2 and 3: sizes, the root's object header address, and
    /// the checksum.
    /// </summary>
    private void ReadSuperblock()
    {
        const string Where = "HDF5 superblock";
        byte[] start = Read(0, (int)Math.Min(Length, 128), Where);
        Version = start[8];
        if (Version > 3)
        {
            throw Damaged(Where, $"version {Version}", "version 0 to 3");
        }

        (OffsetSize, LengthSize) = Version < 2 ? (start[13], start[14]) : (start[9], start[10]);
        if (OffsetSize is not (2 or 4 or 8) || LengthSize is not (2 or 4 or 8))
        {
            throw Damaged(Where, $"sizes of offsets {OffsetSize} and lengths {LengthSize}", "2, 4 or 8 bytes each");
        }

        if (Version >= 2)
        {
            int superblockBytes = 12 + (4 * OffsetSize);
            if (start.Length < superblockBytes + 4)
            {
                throw Damaged(Where, $"{Length} bytes of file", $"at least {superblockBytes + 4}");
            }

            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(superblockBytes));
            uint computed = Hdf5MetadataCheck.Lookup3(start.AsSpan(0, superblockBytes));
            if (computed != stored)
            {
                throw Damaged(Where, $"checksum {stored:x8}", $"{computed:x8} (the file is damaged)");
            }

            RootAddress = Offset(start.AsSpan(12 + (3 * OffsetSize)));
            return;
        }

        GroupLeafK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(16));
        GroupInternalK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(18));
        int position = 24;
        if (Version == 1)
        {
            ChunkK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(24));
            position = 28;
        }

        if (GroupLeafK == 0 || GroupInternalK == 0 || ChunkK == 0)
        {
            throw Damaged(Where, $"B-tree ranks {GroupLeafK}, {GroupInternalK} and {ChunkK} (group leaf, group internal, chunk)", "ranks of at least 1");
        }

        int entryBytes = (2 * OffsetSize) + 24;
        int bytes = position + (4 * OffsetSize) + entryBytes;
        if (start.Length < bytes)
        {
            throw Damaged(Where, $"{Length} bytes of file", $"at least {bytes}");
        }

        // libhdf5 refuses a file shorter than this address ("truncated file"); after a user block
        // it writes the address counted from the start of the file, not from the base.
        ulong endOfFile = Offset(start.AsSpan(position + (2 * OffsetSize)));
        if (endOfFile != Undefined && endOfFile > (ulong)(Length + Base))
        {
            throw Damaged(Where, $"an end-of-file address of {endOfFile} in a file of {Length + Base} bytes", "a file at least that long (it was cut short)");
        }

        RootEntry = start.AsMemory(position + (4 * OffsetSize), entryBytes);
        RootAddress = Offset(RootEntry.Span[OffsetSize..]);
    }

    /// <summary>Reads a block of <paramref name="prefixBytes"/> + <paramref name="bodyBytes"/> + a 4-byte checksum at <paramref name="start"/> and verifies the checksum.</summary>
    public byte[] ReadChecked(long start, long prefixBytes, ulong bodyBytes, string where)
    {
        if (bodyBytes > (ulong)Hdf5MetadataCheck.MaxHeaderChunkBytes)
        {
            throw Damaged(where, $"a chunk of {bodyBytes} bytes", $"at most {Hdf5MetadataCheck.MaxHeaderChunkBytes} (the header is damaged)");
        }

        long total = prefixBytes + (long)bodyBytes + 4;
        RequireWithin((ulong)start, (ulong)total, where);
        byte[] block = Read(start, (int)total, where);
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan((int)(total - 4)));
        uint computed = Hdf5MetadataCheck.Lookup3(block.AsSpan(0, (int)(total - 4)));
        if (computed != stored)
        {
            throw Damaged(where, $"checksum {stored:x8}", $"{computed:x8} (the file is damaged)");
        }

        return block;
    }

    /// <summary>The messages of one block of an object header [<paramref name="from"/>, <paramref name="end"/>): version 2 (type 1 byte, size 2, flags 1, creation order 2 if tracked) or version 1 (type 2 bytes, size 2, flags 1, 3 reserved).</summary>
    private void Messages(byte[] block, int from, int end, ObjectHeader header, string where, Queue<(ulong At, ulong Size, string Where)> continuations, HashSet<ulong> seen)
    {
        bool v1 = header.Version == 1;
        int headerBytes = v1 ? 8 : header.CreationOrder ? 6 : 4;
        int position = from;
        while (end - position >= headerBytes)
        {
            int type = v1 ? BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(position)) : block[position];
            int size = BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(position + (v1 ? 2 : 1)));
            byte flags = block[position + (v1 ? 4 : 3)];
            int body = position + headerBytes;
            if (body + size > end)
            {
                throw Damaged(where, $"a message of type {type} of {size} bytes at chunk byte {position - from}", $"at most the {end - body} bytes left in the chunk");
            }

            if (v1 && size % 8 != 0)
            {
                throw Damaged(where, $"a message of type {type} of {size} bytes at chunk byte {position - from}", "a multiple of 8 bytes (version 1 messages are aligned)");
            }

            string at = $"{where}, message of type {type}";
            header.Messages.Add(new HeaderMessage(type, flags, block.AsMemory(body, size), at));
            if (type == 0x10 && (flags & 0x02) == 0 && size >= OffsetSize + LengthSize)
            {
                ulong next = Offset(block.AsSpan(body));
                ulong length = Unsigned(block.AsSpan(body + OffsetSize, LengthSize));
                if (seen.Add(next))
                {
                    if (seen.Count > MaxHeaderBlocks)
                    {
                        throw Damaged(at, $"more than {MaxHeaderBlocks} continuation blocks", "an object header of a few blocks");
                    }

                    continuations.Enqueue((next, length, v1 ? $"HDF5 object header continuation at byte {next}" : at));
                }
            }

            position = body + size;
        }
    }

    private void ChunkNode(ulong address, int dimensionality, int level, string where, ulong[] offsets, ChunkVisitor visit)
    {
        int keyBytes = 8 + (8 * dimensionality);
        (int entries, int nodeLevel, byte[] node) = TreeNode(address, 1, keyBytes, ChunkK, level, where);
        string at = $"HDF5 chunk B-tree node at byte {address}";
        int first = 8 + (2 * OffsetSize);
        for (int i = 0; i < entries; i++)
        {
            int key = first + (i * (keyBytes + OffsetSize));
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(key));
            ulong child = Offset(node.AsSpan(key + keyBytes));
            if (nodeLevel == 0)
            {
                RequireWithin(child, stored, $"{at}, chunk {i}");
                uint mask = BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(key + 4));
                for (int d = 0; d < dimensionality; d++)
                {
                    offsets[d] = BinaryPrimitives.ReadUInt64LittleEndian(node.AsSpan(key + 8 + (8 * d)));
                }

                visit(offsets, child, stored, mask);
            }
            else
            {
                ChunkNode(child, dimensionality, nodeLevel - 1, $"{at}, child {i}", offsets, visit);
            }
        }
    }

    /// <summary>Receives one chunk of a chunk B-tree: its offsets in elements (rank + 1, the last 0), its address, stored bytes and filter mask (bit i set: filter i was skipped).</summary>
    public delegate void ChunkVisitor(ReadOnlySpan<ulong> offsets, ulong address, uint size, uint filterMask);

    /// <summary>An object header's messages (continuations followed and left out), in the order stored.</summary>
    public sealed class ObjectHeader(int version, bool creationOrder)
    {
        public int Version { get; } = version;

        public bool CreationOrder { get; } = creationOrder;

        public List<HeaderMessage> Messages { get; } = [];
    }

    /// <summary>One message: its type, flags (bit 1: shared, stored elsewhere), body, and where it is for messages.</summary>
    public readonly record struct HeaderMessage(int Type, byte Flags, ReadOnlyMemory<byte> Body, string Where);

    /// <summary>
    /// A layout: its message version, class (0 compact, 1 contiguous, 2 chunked, 3 virtual), address
    /// (contiguous data, or the chunk B-tree's of versions 1–3), size (contiguous or compact bytes),
    /// chunk dimensions (rank + 1, the last the element size, except versions 1–2) and where compact
    /// data starts in the message.
    /// </summary>
    public sealed record DataLayout(int Version, int Class, ulong Address, ulong Size, uint[] Chunk, int CompactAt);

    /// <summary>One filter of a pipeline: HDF5's id (1 deflate, 2 shuffle, 3 Fletcher32, 32001 Blosc…), flags (bit 0: optional), client values.</summary>
    public sealed record Filter(int Id, int Flags, uint[] Values);
}

using System.Buffers.Binary;

namespace NeuroAlign.Hdf5;

/// <summary>
/// The metadata check of files with a version 0 or 1 superblock (h5py's default, so most NWB,
/// DeepLabCut/PyTables and SLEAP files), and the dataset checks both versions share. These files
/// carry no checksums, so every structure is checked by what it must be: signatures, versions,
/// counts that fit the node they are in, addresses and sizes inside the file (HDF5 File Format
/// Specification: "Superblock", "Version 1 Data Object Header", "Symbol Table Entry", "Version 1
/// B-trees", "Symbol Table Node", "Local Heap", "Data Layout Message").
/// </summary>
internal static partial class Hdf5MetadataCheck
{
    /// <summary>What a group B-tree or a chunk B-tree may be deep: libhdf5's trees of a few levels index billions of entries.</summary>
    private const int MaxTreeLevel = 32;

    /// <summary>HDF5's largest rank (H5S_MAX_RANK).</summary>
    private const int MaxRank = 32;

    /// <summary>The data of a contiguous dataset of variable-length elements read to check the heap objects it points to; larger ones are not (their heap objects are read by PureHDF one collection at a time).</summary>
    private const int MaxVariableLengthDataBytes = 1 << 20;

    /// <summary>The messages of one object header that describe a dataset, gathered over all its chunks.</summary>
    private sealed class ObjectInfo(int version, bool creationOrder)
    {
        public int Version { get; } = version;

        public bool CreationOrder { get; } = creationOrder;

        public int Messages { get; set; }

        public byte[]? Dataspace { get; set; }

        public byte[]? Datatype { get; set; }

        public byte[]? Layout { get; set; }

        public bool Filtered { get; set; }
    }

    private sealed partial class Walker
    {
        private readonly HashSet<ulong> _nodes = [];
        private int _groupLeafK;
        private int _groupInternalK;
        private int _chunkK = 32;

        /// <summary>
        /// Superblock version 0 or 1: sizes, the B-tree ranks, the base and end-of-file addresses and the
        /// root group's symbol table entry; then every object reachable from the root.
        /// </summary>
        private void RunVersion1(byte[] start)
        {
            const string Where = "HDF5 superblock";
            int version = start[8];
            _offsetSize = start[13];
            _lengthSize = start[14];
            if (_offsetSize is not (2 or 4 or 8) || _lengthSize is not (2 or 4 or 8))
            {
                throw Damaged(Where, $"sizes of offsets {_offsetSize} and lengths {_lengthSize}", "2, 4 or 8 bytes each");
            }

            _groupLeafK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(16));
            _groupInternalK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(18));
            int position = 24;
            if (version == 1)
            {
                _chunkK = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(24));
                position = 28;
            }

            if (_groupLeafK == 0 || _groupInternalK == 0 || _chunkK == 0)
            {
                throw Damaged(Where, $"B-tree ranks {_groupLeafK}, {_groupInternalK} and {_chunkK} (group leaf, group internal, chunk)", "ranks of at least 1");
            }

            int entryBytes = (2 * _offsetSize) + 24;
            int bytes = position + (4 * _offsetSize) + entryBytes;
            if (start.Length < bytes)
            {
                throw Damaged(Where, $"{_length} bytes of file", $"at least {bytes}");
            }

            // libhdf5 refuses a file shorter than this address ("truncated file"); after a user block
            // it writes the address counted from the start of the file, not from the base.
            ulong endOfFile = Offset(start.AsSpan(position + (2 * _offsetSize)));
            if (endOfFile != Undefined && endOfFile > (ulong)(_length + _base))
            {
                throw Damaged(Where, $"an end-of-file address of {endOfFile} in a file of {_length + _base} bytes", "a file at least that long (it was cut short)");
            }

            ReadOnlySpan<byte> root = start.AsSpan(position + (4 * _offsetSize), entryBytes);
            SymbolTableEntry(root, Where + " root group entry");
            while (_headers.Count > 0)
            {
                ObjectHeader(_headers.Dequeue());
            }
        }

        /// <summary>A symbol table entry: name offset, object header address, cache type (0, 1 with a B-tree and heap address, 2 with a link value offset), scratch pad.</summary>
        private void SymbolTableEntry(ReadOnlySpan<byte> entry, string where)
        {
            ulong header = Offset(entry[_offsetSize..]);
            uint cacheType = BinaryPrimitives.ReadUInt32LittleEndian(entry[(2 * _offsetSize)..]);
            if (cacheType > 2)
            {
                throw Damaged(where, $"cache type {cacheType}", "0, 1 or 2");
            }

            if (cacheType == 1)
            {
                ReadOnlySpan<byte> scratch = entry[((2 * _offsetSize) + 8)..];
                RequireAddress(Offset(scratch), 8, where + " (cached B-tree address)");
                RequireAddress(Offset(scratch[_offsetSize..]), 8, where + " (cached local heap address)");
            }

            Enqueue(header, where);
        }

        /// <summary>A version 1 object header: version, reserved, message count, reference count, size of the first chunk, padding to 16 bytes; messages aligned to 8 bytes, no checksum.</summary>
        private void ObjectHeaderVersion1(ulong address, byte[] prefix, string where)
        {
            int declared = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(2));
            uint chunkSize = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
            var info = new ObjectInfo(1, creationOrder: false);
            Chunk(address + 16, chunkSize, info, where);
            if (info.Messages > declared)
            {
                throw Damaged(where, $"{info.Messages} messages where the header declares {declared}", "at most the declared count");
            }

            Dataset(info, where);
        }

        private void ContinuationVersion1(ulong address, ulong length, ObjectInfo info, string where)
        {
            if (!_seen.Add(address))
            {
                return;
            }

            Chunk(address, length, info, $"HDF5 object header continuation at byte {address}");
        }

        private void Chunk(ulong address, ulong size, ObjectInfo info, string where)
        {
            if (size > (ulong)MaxHeaderChunkBytes)
            {
                throw Damaged(where, $"a chunk of {size} bytes", $"at most {MaxHeaderChunkBytes} (the header is damaged)");
            }

            RequireWithin(address, size, where);
            Messages(Read((long)address, (int)size, where), info, where);
        }

        /// <summary>A message stored elsewhere: in a committed object's header (versions 1 and 2, and version 3 of type 2), which is walked too, or in the shared message heap (not read here).</summary>
        private void SharedMessage(int type, ReadOnlySpan<byte> body, ObjectInfo info, string where)
        {
            if (body.Length < 2)
            {
                throw Damaged(where, $"a shared message of {body.Length} bytes", "at least 2");
            }

            int at = body[0] switch
            {
                1 => 8,
                2 => 2,
                3 when body[1] == 2 => 2,
                3 => -1,
                _ => throw Damaged(where, $"a shared message of version {body[0]}", "version 1, 2 or 3"),
            };
            if (at >= 0)
            {
                if (body.Length < at + _offsetSize)
                {
                    throw Damaged(where, $"a shared message of {body.Length} bytes", $"{at + _offsetSize}");
                }

                Enqueue(Offset(body[at..]), where + " (committed object)");
            }

            if (type == 0x01)
            {
                info.Dataspace = null;
            }
        }

        /// <summary>
        /// A fill value message: the value's size (4 bytes) must fit the message. PureHDF allocates
        /// it before reading: one flipped bit of an NWB dataset's fill value size made it allocate
        /// 1.3 GiB (the version 0/1 flip sweep). Old (type 4): size, value; version 1 and 2: allocation
        /// and write times, a defined flag, then size and value (version 2: only if defined);
        /// version 3: flags (bit 5: a value follows), then size and value.
        /// </summary>
        private void FillValue(int type, ReadOnlySpan<byte> body, string where)
        {
            int at = -1;
            if (type == 0x04)
            {
                at = 0;
            }
            else if (body.Length >= 1 && body[0] is 1 or 2)
            {
                at = body[0] == 1 || (body.Length >= 4 && body[3] == 1) ? 4 : -1;
            }
            else if (body.Length >= 1 && body[0] == 3)
            {
                at = body.Length >= 2 && (body[1] & 0x20) != 0 ? 2 : -1;
            }
            else if (body.Length >= 1)
            {
                throw Damaged(where, $"a fill value message of version {body[0]}", "version 1, 2 or 3");
            }

            if (at < 0)
            {
                return;
            }

            if (body.Length < at + 4)
            {
                throw Damaged(where, $"a fill value message of {body.Length} bytes", $"at least {at + 4}");
            }

            uint size = BinaryPrimitives.ReadUInt32LittleEndian(body[at..]);
            if (size > body.Length - at - 4)
            {
                throw Damaged(where, $"a fill value of {size} bytes", $"at most the {body.Length - at - 4} bytes of the message");
            }
        }

        /// <summary>An old-style group: its B-tree of symbol table nodes, whose names are in its local heap.</summary>
        private void SymbolTable(ulong tree, ulong heap, string where)
        {
            byte[] names = LocalHeap(heap, where);
            GroupNode(tree, names, level: -1, where);
        }

        /// <summary>A local heap: signature, version 0, data segment size, free list offset, data segment address; the segment read whole (it holds a group's link names).</summary>
        private byte[] LocalHeap(ulong address, string where)
        {
            string at = $"HDF5 local heap at byte {address}";
            int headerBytes = 8 + (2 * _lengthSize) + _offsetSize;
            RequireAddress(address, (ulong)headerBytes, where + " (local heap)");
            byte[] header = Read((long)address, headerBytes, at);
            if (!header.AsSpan(0, 4).SequenceEqual("HEAP"u8) || header[4] != 0)
            {
                throw Damaged(at, $"bytes {Convert.ToHexString(header.AsSpan(0, 5))}", "a local heap (HEAP, version 0) (referred to by " + where + ")");
            }

            ulong size = Unsigned(header.AsSpan(8, _lengthSize));
            ulong data = Offset(header.AsSpan(8 + (2 * _lengthSize)));
            if (size > (ulong)MaxHeaderChunkBytes)
            {
                throw Damaged(at, $"a data segment of {size} bytes", $"at most {MaxHeaderChunkBytes} (a group's names)");
            }

            RequireAddress(data, size, at + " data segment");
            return Read((long)data, (int)size, at);
        }

        /// <summary>A group B-tree node (TREE, type 0): its keys are name offsets into the heap; its children are nodes one level down, or symbol table nodes at level 0.</summary>
        private void GroupNode(ulong address, byte[] names, int level, string where)
        {
            (int entries, int nodeLevel, byte[] node) = TreeNode(address, 0, _lengthSize, _groupInternalK, level, where);
            string at = $"HDF5 group B-tree node at byte {address}";
            int keyAndChild = _lengthSize + _offsetSize;
            int first = 8 + (2 * _offsetSize);
            for (int i = 0; i <= entries; i++)
            {
                NameAt(names, Unsigned(node.AsSpan(first + (i * keyAndChild), _lengthSize)), $"{at}, key {i}");
            }

            for (int i = 0; i < entries; i++)
            {
                ulong child = Offset(node.AsSpan(first + (i * keyAndChild) + _lengthSize));
                if (nodeLevel == 0)
                {
                    SymbolTableNode(child, names, $"{at}, child {i}");
                }
                else
                {
                    GroupNode(child, names, nodeLevel - 1, $"{at}, child {i}");
                }
            }
        }

        /// <summary>
        /// Reads a version 1 B-tree node's header and its used entries (that many children between
        /// one more keys), checking signature, type, level (one below its parent's),
        /// entry count (at most 2K) and sibling addresses.
        /// </summary>
        private (int Entries, int Level, byte[] Node) TreeNode(ulong address, int type, int keyBytes, int k, int level, string where)
        {
            string at = $"HDF5 B-tree node at byte {address}";
            int headerBytes = 8 + (2 * _offsetSize);
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
            RequireAddress(Offset(header.AsSpan(8 + _offsetSize)), 8, at + " right sibling");
            long bytes = headerBytes + ((long)entries * (keyBytes + _offsetSize)) + keyBytes;
            RequireWithin(address, (ulong)bytes, at);
            return (entries, nodeLevel, Read((long)address, (int)bytes, at));
        }

        /// <summary>A symbol table node (SNOD, version 1): at most 2 × the leaf K entries, each a name in the heap and an object to walk.</summary>
        private void SymbolTableNode(ulong address, byte[] names, string where)
        {
            string at = $"HDF5 symbol table node at byte {address}";
            RequireAddress(address, 8, where + " (symbol table node)");
            if (!_nodes.Add(address))
            {
                throw Damaged(at, "a node reached twice", "a tree (referred to by " + where + ")");
            }

            byte[] header = Read((long)address, 8, at);
            if (!header.AsSpan(0, 4).SequenceEqual("SNOD"u8) || header[4] != 1)
            {
                throw Damaged(at, $"bytes {Convert.ToHexString(header.AsSpan(0, 5))}", $"a symbol table node (SNOD, version 1) (referred to by {where})");
            }

            int symbols = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            if (symbols > 2 * _groupLeafK)
            {
                throw Damaged(at, $"{symbols} symbols", $"at most {2 * _groupLeafK} (2 × the group leaf K)");
            }

            int entryBytes = (2 * _offsetSize) + 24;
            RequireWithin(address + 8, (ulong)(symbols * entryBytes), at);
            byte[] entries = Read((long)address + 8, symbols * entryBytes, at);
            for (int i = 0; i < symbols; i++)
            {
                ReadOnlySpan<byte> entry = entries.AsSpan(i * entryBytes, entryBytes);
                NameAt(names, Unsigned(entry[.._offsetSize]), $"{at}, entry {i}");
                SymbolTableEntry(entry, $"{at}, entry {i}");
            }
        }

        /// <summary>A link name: an offset inside the group's local heap, the name ending with a NUL inside it.</summary>
        private void NameAt(byte[] names, ulong offset, string where)
        {
            if (offset >= (ulong)names.Length || names.AsSpan((int)offset).IndexOf((byte)0) < 0)
            {
                throw Damaged(where, $"a name at heap offset {offset}", $"a NUL-terminated name inside the {names.Length}-byte local heap");
            }
        }

        /// <summary>The dataset an object header describes, if it is one: its layout against its dataspace and datatype, and its chunk index.</summary>
        private void Dataset(ObjectInfo info, string where)
        {
            if (info.Layout is not { Length: >= 2 } layout)
            {
                return;
            }

            string at = where + " (dataset)";
            (ulong[] dims, ulong[] max)? space = info.Dataspace is null ? null : Dimensions(info.Dataspace, at);
            uint elementSize = info.Datatype is { Length: >= 8 } type ? BinaryPrimitives.ReadUInt32LittleEndian(type.AsSpan(4)) : 0;
            if (info.Datatype is not null && elementSize == 0)
            {
                throw Damaged(at, "an element size of 0 bytes", "at least 1");
            }

            int version = layout[0];
            if (version >= 3 && version <= 4)
            {
                DatasetLayout(layout, version, info, space, elementSize, at);
            }
            else if (version is 1 or 2)
            {
                OldLayout(layout, space, at);
            }
            else
            {
                throw Damaged(at, $"a layout message of version {version}", "version 1 to 4");
            }
        }

        private void DatasetLayout(byte[] layout, int version, ObjectInfo info, (ulong[] Dims, ulong[] Max)? space, uint elementSize, string at)
        {
            switch (layout[1])
            {
                case 0 when layout.Length >= 4:
                    int size = BinaryPrimitives.ReadUInt16LittleEndian(layout.AsSpan(2));
                    if (size > layout.Length - 4)
                    {
                        throw Damaged(at, $"compact data of {size} bytes", $"at most the {layout.Length - 4} bytes of the layout message");
                    }

                    if (info.Datatype is not null && info.Dataspace is not null)
                    {
                        ElementsFit(info.Datatype, info.Dataspace, layout.AsSpan(4, size), at + " (compact data)");
                    }

                    break;
                case 1 when layout.Length >= 2 + _offsetSize + _lengthSize:
                    ulong address = Offset(layout.AsSpan(2));
                    ulong bytes = Unsigned(layout.AsSpan(2 + _offsetSize, _lengthSize));
                    if (address != Undefined)
                    {
                        RequireWithin(address, bytes, at + " (contiguous data)");
                    }

                    if (space is { } s && elementSize > 0)
                    {
                        ulong elements = Elements(info.Dataspace!, bytes / elementSize, at + " (contiguous data)");
                        if (info.Datatype is { } datatype && (datatype[0] & 0x0F) == 9 && address != Undefined && elements * elementSize <= MaxVariableLengthDataBytes)
                        {
                            byte[] data = Read((long)address, (int)(elements * elementSize), at);
                            ElementsFit(datatype, info.Dataspace!, data, at + " (contiguous data)");
                        }
                    }

                    break;
                case 2 when version == 3:
                    ChunkedVersion3(layout, space, elementSize, at);
                    break;
                case 2:
                    Layout(layout, at);
                    break;
                case 3:
                    break; // virtual: its source files are not opened here
                case 0 or 1:
                    throw Damaged(at, $"a layout message of {layout.Length} bytes", "room for its fields");
                default:
                    throw Damaged(at, $"layout class {layout[1]}", "0 (compact), 1 (contiguous), 2 (chunked) or 3 (virtual)");
            }
        }

        /// <summary>Layout version 3, chunked: dimensionality (rank + 1), the B-tree's address, the chunk's dimensions and, last, the element size.</summary>
        private void ChunkedVersion3(byte[] layout, (ulong[] Dims, ulong[] Max)? space, uint elementSize, string at)
        {
            int dimensionality = layout[2];
            if (dimensionality < 2 || dimensionality > MaxRank + 1 || layout.Length < 3 + _offsetSize + (4 * dimensionality))
            {
                throw Damaged(at, $"a chunked layout of dimensionality {dimensionality} in {layout.Length} bytes", $"2 to {MaxRank + 1} dimensions that fit the message");
            }

            ulong tree = Offset(layout.AsSpan(3));
            uint[] chunk = new uint[dimensionality];
            for (int d = 0; d < dimensionality; d++)
            {
                chunk[d] = BinaryPrimitives.ReadUInt32LittleEndian(layout.AsSpan(3 + _offsetSize + (4 * d)));
            }

            ChunkShape(chunk, space, elementSize, at);
            if (tree != Undefined)
            {
                ChunkNode(tree, dimensionality, level: -1, at);
            }
        }

        /// <summary>Chunk dimensions: none 0, the last the element size, as many as the dataspace's rank + 1, none above a fixed maximum dimension, and the chunk under 4 GiB (the format's limit).</summary>
        private void ChunkShape(uint[] chunk, (ulong[] Dims, ulong[] Max)? space, uint elementSize, string at)
        {
            ulong bytes = 1;
            for (int d = 0; d < chunk.Length; d++)
            {
                if (chunk[d] == 0)
                {
                    throw Damaged(at, $"chunk dimension {d} of 0", "at least 1");
                }

                bytes *= chunk[d];
                if (bytes > uint.MaxValue)
                {
                    throw Damaged(at, $"chunks of more than {uint.MaxValue} bytes ({string.Join(" x ", chunk)})", "chunks under 4 GiB");
                }
            }

            if (elementSize > 0 && chunk[^1] != elementSize)
            {
                throw Damaged(at, $"a chunk element size of {chunk[^1]} bytes", $"the datatype's {elementSize}");
            }

            if (space is { } s && s.Dims.Length > 0)
            {
                if (s.Dims.Length != chunk.Length - 1)
                {
                    throw Damaged(at, $"chunks of rank {chunk.Length - 1}", $"the dataspace's rank {s.Dims.Length}");
                }

                for (int d = 0; d < s.Dims.Length; d++)
                {
                    if (s.Max[d] != ulong.MaxValue && s.Max[d] > 0 && chunk[d] > s.Max[d])
                    {
                        throw Damaged(at, $"chunk dimension {d} of {chunk[d]}", $"at most the fixed maximum dimension {s.Max[d]}");
                    }
                }
            }
        }

        /// <summary>A chunk B-tree node (TREE, type 1): keys of chunk size, filter mask and offsets; children are chunks (level 0, inside the file) or nodes one level down.</summary>
        private void ChunkNode(ulong address, int dimensionality, int level, string where)
        {
            int keyBytes = 8 + (8 * dimensionality);
            (int entries, int nodeLevel, byte[] node) = TreeNode(address, 1, keyBytes, _chunkK, level, where);
            string at = $"HDF5 chunk B-tree node at byte {address}";
            int first = 8 + (2 * _offsetSize);
            for (int i = 0; i < entries; i++)
            {
                int key = first + (i * (keyBytes + _offsetSize));
                uint stored = BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(key));
                ulong child = Offset(node.AsSpan(key + keyBytes));
                if (nodeLevel == 0)
                {
                    RequireWithin(child, stored, $"{at}, chunk {i}");
                }
                else
                {
                    ChunkNode(child, dimensionality, nodeLevel - 1, $"{at}, child {i}");
                }
            }
        }

        /// <summary>Layout versions 1 and 2 (libhdf5 before 1.6.3): dimensionality, class, the address (chunked: of the B-tree), the dimensions.</summary>
        private void OldLayout(byte[] layout, (ulong[] Dims, ulong[] Max)? space, string at)
        {
            if (layout.Length < 8 + _offsetSize)
            {
                throw Damaged(at, $"a layout message of {layout.Length} bytes", $"at least {8 + _offsetSize}");
            }

            int dimensionality = layout[1];
            int layoutClass = layout[2];
            ulong address = Offset(layout.AsSpan(8));
            if (dimensionality < 1 || dimensionality > MaxRank + 1 || layout.Length < 8 + _offsetSize + (4 * dimensionality))
            {
                throw Damaged(at, $"a layout of dimensionality {dimensionality} in {layout.Length} bytes", $"1 to {MaxRank + 1} dimensions that fit the message");
            }

            if (layoutClass == 2)
            {
                uint[] chunk = new uint[dimensionality];
                for (int d = 0; d < dimensionality; d++)
                {
                    chunk[d] = BinaryPrimitives.ReadUInt32LittleEndian(layout.AsSpan(8 + _offsetSize + (4 * d)));
                }

                ChunkShape(chunk, space, 0, at);
                if (address != Undefined)
                {
                    ChunkNode(address, dimensionality, level: -1, at);
                }
            }
            else if (layoutClass == 1)
            {
                RequireAddress(address, 1, at + " (contiguous data)");
            }
        }

        /// <summary>A dataspace's dimensions and maximum dimensions (unlimited: <see cref="ulong.MaxValue"/>); a scalar or null dataspace has none.</summary>
        private (ulong[] Dims, ulong[] Max) Dimensions(byte[] dataspace, string where)
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
            int needed = position + (rank * _lengthSize * (hasMax ? 2 : 1));
            if (dataspace.Length < needed)
            {
                throw Damaged(where, $"a dataspace of rank {rank} in {dataspace.Length} bytes", $"{needed} bytes");
            }

            ulong[] dims = new ulong[rank];
            ulong[] max = new ulong[rank];
            for (int d = 0; d < rank; d++)
            {
                dims[d] = Unsigned(dataspace.AsSpan(position + (d * _lengthSize), _lengthSize));
                max[d] = hasMax ? Unsigned(dataspace.AsSpan(position + ((rank + d) * _lengthSize), _lengthSize)) : dims[d];
                if (hasMax && _lengthSize < 8 && max[d] == (1UL << (8 * _lengthSize)) - 1)
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

        /// <summary>An address that is undefined or inside the file with <paramref name="bytes"/> after it.</summary>
        private void RequireAddress(ulong address, ulong bytes, string where)
        {
            if (address != Undefined)
            {
                RequireWithin(address, bytes, where);
            }
        }
    }
}

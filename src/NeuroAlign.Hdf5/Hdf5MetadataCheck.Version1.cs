using System.Buffers.Binary;

namespace NeuroAlign.Hdf5;

/// <summary>
/// The metadata check of files with a version 0 or 1 superblock (h5py's default, so most NWB,
/// DeepLabCut/PyTables and SLEAP files), and the dataset checks both versions share. These files
/// carry no checksums, so every structure is checked by what it must be: signatures, versions,
/// counts that fit the node they are in, addresses and sizes inside the file (HDF5 File Format
/// Specification: "Superblock", "Version 1 Data Object Header", "Symbol Table Entry", "Version 1
/// B-trees", "Symbol Table Node", "Local Heap", "Data Layout Message"). The superblock, object
/// headers, dataset messages and chunk B-trees are read by <see cref="Hdf5Structures"/>, the reader
/// the NWB and DeepLabCut chunk readers use too; this walks the groups (symbol tables, local heaps,
/// group B-trees) and checks each dataset's messages against one another.
/// </summary>
internal static partial class Hdf5MetadataCheck
{
    /// <summary>The data of a contiguous dataset of variable-length elements read to check the heap objects it points to; larger ones are not (their heap objects are read by PureHDF one collection at a time).</summary>
    private const int MaxVariableLengthDataBytes = 1 << 20;

    /// <summary>The messages of one object header that describe a dataset, gathered over all its chunks.</summary>
    private sealed class ObjectInfo
    {
        public byte[]? Dataspace { get; set; }

        public byte[]? Datatype { get; set; }

        public byte[]? Layout { get; set; }

        public byte[]? Pipeline { get; set; }
    }

    private sealed partial class Walker
    {
        /// <summary>
        /// Superblock version 0 or 1 (read and checked by <see cref="Hdf5Structures"/>: sizes, the
        /// B-tree ranks, the end-of-file address): the root group's symbol table entry, then every
        /// object reachable from the root.
        /// </summary>
        private void RunVersion1()
        {
            SymbolTableEntry(_file.RootEntry.Span, "HDF5 superblock root group entry");
            while (_headers.Count > 0)
            {
                ObjectHeader(_headers.Dequeue());
            }
        }

        /// <summary>A symbol table entry: name offset, object header address, cache type (0, 1 with a B-tree and heap address, 2 with a link value offset), scratch pad.</summary>
        private void SymbolTableEntry(ReadOnlySpan<byte> entry, string where)
        {
            ulong header = Offset(entry[_file.OffsetSize..]);
            uint cacheType = BinaryPrimitives.ReadUInt32LittleEndian(entry[(2 * _file.OffsetSize)..]);
            if (cacheType > 2)
            {
                throw Damaged(where, $"cache type {cacheType}", "0, 1 or 2");
            }

            if (cacheType == 1)
            {
                ReadOnlySpan<byte> scratch = entry[((2 * _file.OffsetSize) + 8)..];
                _file.RequireAddress(Offset(scratch), 8, where + " (cached B-tree address)");
                _file.RequireAddress(Offset(scratch[_file.OffsetSize..]), 8, where + " (cached local heap address)");
            }

            Enqueue(header, where);
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
                if (body.Length < at + _file.OffsetSize)
                {
                    throw Damaged(where, $"a shared message of {body.Length} bytes", $"{at + _file.OffsetSize}");
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
            int headerBytes = 8 + (2 * _file.LengthSize) + _file.OffsetSize;
            _file.RequireAddress(address, (ulong)headerBytes, where + " (local heap)");
            byte[] header = Read((long)address, headerBytes, at);
            if (!header.AsSpan(0, 4).SequenceEqual("HEAP"u8) || header[4] != 0)
            {
                throw Damaged(at, $"bytes {Convert.ToHexString(header.AsSpan(0, 5))}", "a local heap (HEAP, version 0) (referred to by " + where + ")");
            }

            ulong size = Unsigned(header.AsSpan(8, _file.LengthSize));
            ulong data = Offset(header.AsSpan(8 + (2 * _file.LengthSize)));
            if (size > (ulong)MaxHeaderChunkBytes)
            {
                throw Damaged(at, $"a data segment of {size} bytes", $"at most {MaxHeaderChunkBytes} (a group's names)");
            }

            _file.RequireAddress(data, size, at + " data segment");
            return Read((long)data, (int)size, at);
        }

        /// <summary>A group B-tree node (TREE, type 0): its keys are name offsets into the heap; its children are nodes one level down, or symbol table nodes at level 0.</summary>
        private void GroupNode(ulong address, byte[] names, int level, string where)
        {
            (int entries, int nodeLevel, byte[] node) = _file.TreeNode(address, 0, _file.LengthSize, _file.GroupInternalK, level, where);
            string at = $"HDF5 group B-tree node at byte {address}";
            int keyAndChild = _file.LengthSize + _file.OffsetSize;
            int first = 8 + (2 * _file.OffsetSize);
            for (int i = 0; i <= entries; i++)
            {
                NameAt(names, Unsigned(node.AsSpan(first + (i * keyAndChild), _file.LengthSize)), $"{at}, key {i}");
            }

            for (int i = 0; i < entries; i++)
            {
                ulong child = Offset(node.AsSpan(first + (i * keyAndChild) + _file.LengthSize));
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

        /// <summary>A symbol table node (SNOD, version 1): at most 2 × the leaf K entries, each a name in the heap and an object to walk.</summary>
        private void SymbolTableNode(ulong address, byte[] names, string where)
        {
            string at = $"HDF5 symbol table node at byte {address}";
            _file.RequireAddress(address, 8, where + " (symbol table node)");
            if (!_file.FirstVisitOfNode(address))
            {
                throw Damaged(at, "a node reached twice", "a tree (referred to by " + where + ")");
            }

            byte[] header = Read((long)address, 8, at);
            if (!header.AsSpan(0, 4).SequenceEqual("SNOD"u8) || header[4] != 1)
            {
                throw Damaged(at, $"bytes {Convert.ToHexString(header.AsSpan(0, 5))}", $"a symbol table node (SNOD, version 1) (referred to by {where})");
            }

            int symbols = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            if (symbols > 2 * _file.GroupLeafK)
            {
                throw Damaged(at, $"{symbols} symbols", $"at most {2 * _file.GroupLeafK} (2 × the group leaf K)");
            }

            int entryBytes = (2 * _file.OffsetSize) + 24;
            RequireWithin(address + 8, (ulong)(symbols * entryBytes), at);
            byte[] entries = Read((long)address + 8, symbols * entryBytes, at);
            for (int i = 0; i < symbols; i++)
            {
                ReadOnlySpan<byte> entry = entries.AsSpan(i * entryBytes, entryBytes);
                NameAt(names, Unsigned(entry[.._file.OffsetSize]), $"{at}, entry {i}");
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

        /// <summary>The dataset an object header describes, if it is one: its layout against its dataspace and datatype, its filter pipeline, and its chunk index.</summary>
        private void Dataset(ObjectInfo info, string where)
        {
            if (info.Layout is not { Length: >= 2 } layout)
            {
                return;
            }

            string at = where + " (dataset)";
            (ulong[] Dims, ulong[] Max)? space = info.Dataspace is null ? null : _file.Dataspace(info.Dataspace, at);
            uint elementSize = info.Datatype is null ? 0 : _file.Datatype(info.Datatype, at).Size;
            if (info.Pipeline is not null)
            {
                _ = _file.FilterPipeline(info.Pipeline, at + " filter pipeline");
            }

            Hdf5Structures.DataLayout parsed = _file.Layout(layout, at);
            switch (parsed.Class)
            {
                case 0 when parsed.Version >= 3 && info.Datatype is not null && info.Dataspace is not null:
                    ElementsFit(info.Datatype, info.Dataspace, layout.AsSpan(parsed.CompactAt, (int)parsed.Size), at + " (compact data)");
                    break;
                case 1 when parsed.Version <= 2:
                    _file.RequireAddress(parsed.Address, 1, at + " (contiguous data)");
                    break;
                case 1:
                    _file.RequireAddress(parsed.Address, parsed.Size, at + " (contiguous data)");
                    if (space is not null && elementSize > 0)
                    {
                        ulong elements = Elements(info.Dataspace!, parsed.Size / elementSize, at + " (contiguous data)");
                        if (info.Datatype is { } datatype && (datatype[0] & 0x0F) == 9 && parsed.Address != Undefined && elements * elementSize <= MaxVariableLengthDataBytes)
                        {
                            byte[] data = Read((long)parsed.Address, (int)(elements * elementSize), at);
                            ElementsFit(datatype, info.Dataspace!, data, at + " (contiguous data)");
                        }
                    }

                    break;
                case 2 when parsed.Version == 4:
                    Layout(layout, at);
                    break;
                case 2:
                    // Versions 1 and 2 state no element size (the datatype's is not compared).
                    _file.ChunkShape(parsed.Chunk, space, parsed.Version <= 2 ? 0 : elementSize, at);
                    if (parsed.Address != Undefined)
                    {
                        _file.ChunkTree(parsed.Address, parsed.Chunk.Length, at, static (_, _, _, _) => { });
                    }

                    break;
                default:
                    break;
            }
        }
    }
}

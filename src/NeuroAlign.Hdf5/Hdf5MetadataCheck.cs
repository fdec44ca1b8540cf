using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NeuroAlign.Hdf5;

/// <summary>
/// Checks the metadata of an HDF5 file before PureHDF parses it, as libhdf5 does and PureHDF does
/// not: the checksums of the superblock (version 2 and 3), of every object header reachable by hard
/// links from the root group (OHDR and its OCHK continuations), and of fixed-array chunk indexes; and
/// every size an object header states (a message, an attribute's data, a global heap collection
/// holding its strings, a contiguous dataset) against the bytes that are really there.
/// </summary>
/// <remarks>
/// Why: PureHDF allocates whatever a size field says before it reads it, so one flipped bit in an
/// attribute's dataspace or a heap collection's length made it allocate 1–1.3 GiB before it failed
/// (issue 17's merge fuzzer). A checksum mismatch is the cheapest, surest sign of such damage. Files
/// with a version 0/1 superblock carry no checksums: their structures are checked one by one
/// (Hdf5MetadataCheck.Version1.cs); groups stored densely (fractal heaps) are not descended into.
/// The walk reads only metadata: object headers, heaps and index nodes, never chunk data.
/// </remarks>
internal static partial class Hdf5MetadataCheck
{
    /// <summary>An object header chunk larger than this is refused: HDF5 messages are at most 64 KiB each, and PureHDF writes a few of them per object.</summary>
    internal const long MaxHeaderChunkBytes = 16L << 20;

    /// <summary>Objects visited at most; more means a link cycle the address set did not catch or a file that is not an export.</summary>
    private const int MaxObjects = 1_000_000;

    private const ulong Undefined = ulong.MaxValue;

    /// <summary>Checks <paramref name="path"/>; a damaged structure gives a one-line <see cref="InvalidRecordingException"/>.</summary>
    public static void Check(string path)
    {
        if (!File.Exists(path))
        {
            return; // the caller's own "no such file" says it better
        }

        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        new Walker(path, handle).Run();
    }

    /// <summary>HDF5's metadata checksum: Bob Jenkins' lookup3 <c>hashlittle</c> with an initial value of 0 (HDF5 file format specification, "Checksum").</summary>
    internal static uint Lookup3(ReadOnlySpan<byte> key, uint initial = 0)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)key.Length + initial;
        while (key.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(key);
            b += BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
            Mix(ref a, ref b, ref c);
            key = key[12..];
        }

        if (key.Length == 0)
        {
            return c;
        }

        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        key.CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        Final(ref a, ref b, ref c);
        return c;
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= uint.RotateLeft(c, 4); c += b;
        b -= a; b ^= uint.RotateLeft(a, 6); a += c;
        c -= b; c ^= uint.RotateLeft(b, 8); b += a;
        a -= c; a ^= uint.RotateLeft(c, 16); c += b;
        b -= a; b ^= uint.RotateLeft(a, 19); a += c;
        c -= b; c ^= uint.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= uint.RotateLeft(b, 14);
        a ^= c; a -= uint.RotateLeft(c, 11);
        b ^= a; b -= uint.RotateLeft(a, 25);
        c ^= b; c -= uint.RotateLeft(b, 16);
        a ^= c; a -= uint.RotateLeft(c, 4);
        b ^= a; b -= uint.RotateLeft(a, 14);
        c ^= b; c -= uint.RotateLeft(b, 24);
    }

    private sealed partial class Walker(string path, SafeFileHandle handle)
    {
        private readonly HashSet<ulong> _seen = [];
        private readonly Queue<ulong> _headers = new();

        /// <summary>The structures' reader: superblock, object headers, dataset messages, chunk B-trees (Hdf5Structures.cs); addresses count from its base.</summary>
        private Hdf5Structures _file = null!;

        public void Run()
        {
            if (Hdf5Structures.Open(path, handle) is not { } file)
            {
                return; // not HDF5: PureHDF refuses it in its own words
            }

            _file = file;
            if (file.Version < 2)
            {
                RunVersion1();
                return;
            }

            Enqueue(file.RootAddress, "HDF5 superblock root group address");
            while (_headers.Count > 0)
            {
                ObjectHeader(_headers.Dequeue());
            }
        }

        private void Enqueue(ulong address, string what)
        {
            if (address == Undefined)
            {
                return;
            }

            RequireWithin(address, 4, what);
            if (_seen.Add(address))
            {
                if (_seen.Count > MaxObjects)
                {
                    throw Damaged(what, $"more than {MaxObjects} objects", "an export's few hundred");
                }

                _headers.Enqueue(address);
            }
        }

        /// <summary>An object header's messages (continuations followed by the reader), then the dataset it describes, if it is one.</summary>
        private void ObjectHeader(ulong address)
        {
            string where = $"HDF5 object header at byte {address}";
            Hdf5Structures.ObjectHeader header = _file.ReadObjectHeader(address, where);
            var info = new ObjectInfo();
            foreach (Hdf5Structures.HeaderMessage message in header.Messages)
            {
                Message(message.Type, message.Flags, message.Body.Span, info, message.Where);
            }

            Dataset(info, where);
        }

        private void Message(int type, byte flags, ReadOnlySpan<byte> body, ObjectInfo info, string where)
        {
            if ((flags & 0x02) != 0)
            {
                SharedMessage(type, body, info, where);
                return;
            }

            switch (type)
            {
                case 0x01:
                    info.Dataspace = body.ToArray();
                    break;
                case 0x03:
                    info.Datatype = body.ToArray();
                    break;
                case 0x0B:
                    info.Pipeline = body.ToArray();
                    break;
                case 0x04 or 0x05:
                    FillValue(type, body, where);
                    break;
                case 0x11:
                    if (body.Length < 2 * _file.OffsetSize)
                    {
                        throw Damaged(where, $"a symbol table message of {body.Length} bytes", $"{2 * _file.OffsetSize}");
                    }

                    SymbolTable(Offset(body), Offset(body[_file.OffsetSize..]), where);
                    break;
                case 0x06:
                    Link(body, where);
                    break;
                case 0x0C:
                    Attribute(body, where);
                    break;
                case 0x08:
                    info.Layout = body.ToArray();
                    break;
                default:
                    break;
            }
        }

        private void Link(ReadOnlySpan<byte> body, string where)
        {
            if (body.Length < 2)
            {
                return;
            }

            byte flags = body[1];
            int position = 2;
            int linkType = 0;
            if ((flags & 0x08) != 0)
            {
                linkType = body.Length > position ? body[position] : -1;
                position++;
            }

            position += ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
            int lengthBytes = 1 << (flags & 0x03);
            if (body.Length < position + lengthBytes)
            {
                throw Damaged(where, $"a link message of {body.Length} bytes", "room for its name's length");
            }

            ulong nameLength = Unsigned(body.Slice(position, lengthBytes));
            position += lengthBytes;
            if ((ulong)(body.Length - position) < nameLength)
            {
                throw Damaged(where, $"a link name of {nameLength} bytes", $"at most the {body.Length - position} bytes of the message");
            }

            position += (int)nameLength;
            if (linkType == 0 && body.Length >= position + _file.OffsetSize)
            {
                Enqueue(Offset(body[position..]), where + " (hard link)");
            }
        }

        private void Attribute(ReadOnlySpan<byte> body, string where)
        {
            if (body.Length < 8)
            {
                throw Damaged(where, $"an attribute message of {body.Length} bytes", "at least 8");
            }

            byte version = body[0];
            int nameSize = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
            int typeSize = BinaryPrimitives.ReadUInt16LittleEndian(body[4..]);
            int spaceSize = BinaryPrimitives.ReadUInt16LittleEndian(body[6..]);
            int position = version == 3 ? 9 : 8;
            int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
            long dataStart = (long)position + Pad(nameSize) + Pad(typeSize) + Pad(spaceSize);
            if (dataStart > body.Length)
            {
                throw Damaged(where, $"attribute name, datatype and dataspace of {dataStart - position} bytes", $"at most the {body.Length - position} bytes of the message");
            }

            if (version >= 2 && (body[1] & 0x03) != 0)
            {
                return; // a shared (committed) datatype or dataspace: its header is walked from the reference
            }

            ReadOnlySpan<byte> datatype = body.Slice(position + Pad(nameSize), typeSize);
            ReadOnlySpan<byte> dataspace = body.Slice(position + Pad(nameSize) + Pad(typeSize), spaceSize);
            ReadOnlySpan<byte> data = body[(int)dataStart..];
            ElementsFit(datatype, dataspace, data, where + " (attribute)");
        }

        /// <summary>The data a datatype and dataspace describe fits in <paramref name="data"/>; variable-length elements point into global heap collections that fit in the file.</summary>
        private void ElementsFit(ReadOnlySpan<byte> datatype, ReadOnlySpan<byte> dataspace, ReadOnlySpan<byte> data, string where)
        {
            if (datatype.Length < 8)
            {
                return;
            }

            uint elementSize = BinaryPrimitives.ReadUInt32LittleEndian(datatype[4..]);
            ulong elements = Elements(dataspace, (ulong)Math.Max(data.Length, 1), where);
            if (elementSize == 0 || elements > (ulong)data.Length / elementSize)
            {
                throw Damaged(where, $"{elements} elements of {elementSize} bytes", $"at most the {data.Length} bytes stored");
            }

            if ((datatype[0] & 0x0F) == 9 && elementSize >= 8 + (uint)_file.OffsetSize)
            {
                for (ulong i = 0; i < elements; i++)
                {
                    ReadOnlySpan<byte> element = data.Slice((int)(i * elementSize), (int)elementSize);
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(element);
                    ulong collection = Offset(element[4..]);
                    if (length > 0 && collection != 0 && collection != Undefined)
                    {
                        HeapCollection(collection, where);
                    }
                }
            }
        }

        /// <summary>The number of elements a dataspace message describes, each dimension bounded before the product is formed.</summary>
        private ulong Elements(ReadOnlySpan<byte> dataspace, ulong bound, string where)
        {
            if (dataspace.Length < 4)
            {
                throw Damaged(where, $"a dataspace of {dataspace.Length} bytes", "at least 4");
            }

            byte version = dataspace[0];
            int rank = dataspace[1];
            if (version == 2 && dataspace[3] == 2)
            {
                return 0; // null dataspace
            }

            int position = version == 1 ? 8 : 4;
            if (dataspace.Length < position + (rank * _file.LengthSize))
            {
                throw Damaged(where, $"a dataspace of rank {rank} in {dataspace.Length} bytes", $"{position + (rank * _file.LengthSize)} bytes");
            }

            ulong product = 1;
            for (int d = 0; d < rank; d++)
            {
                ulong dimension = Unsigned(dataspace.Slice(position + (d * _file.LengthSize), _file.LengthSize));
                if (dimension == 0)
                {
                    return 0;
                }

                if (dimension > bound || product > bound / dimension)
                {
                    throw Damaged(where, $"a dataspace dimension of {dimension}", $"a size that fits the {bound} bytes stored");
                }

                product *= dimension;
            }

            return product;
        }

        private void HeapCollection(ulong address, string where)
        {
            RequireWithin(address, 16, where + " (global heap collection)");
            if (!_seen.Add(address | (1UL << 63)))
            {
                return;
            }

            byte[] header = Read((long)address, 8 + _file.LengthSize, where);
            string at = $"HDF5 global heap collection at byte {address}";
            if (!header.AsSpan(0, 4).SequenceEqual("GCOL"u8))
            {
                throw Damaged(at, "no GCOL signature", "a global heap collection (referred to by " + where + ")");
            }

            ulong size = Unsigned(header.AsSpan(8, _file.LengthSize));
            if (size < 16 || size > (ulong)MaxHeaderChunkBytes || size > (ulong)_file.Length || address > (ulong)_file.Length - size)
            {
                throw Damaged(at, $"a collection of {size} bytes", $"at most the {Math.Min(MaxHeaderChunkBytes, _file.Length - (long)address)} bytes to the end of the file");
            }

            // Its objects: index (2), reference count (2), reserved (4), size, data padded to 8 bytes; index 0 is the free space that ends it.
            byte[] collection = Read((long)address, (int)size, at);
            int position = 8 + _file.LengthSize;
            int objectHeader = 8 + _file.LengthSize;
            while (collection.Length - position >= objectHeader)
            {
                int index = BinaryPrimitives.ReadUInt16LittleEndian(collection.AsSpan(position));
                ulong objectSize = Unsigned(collection.AsSpan(position + 8, _file.LengthSize));
                if (index == 0)
                {
                    break;
                }

                ulong room = (ulong)(collection.Length - position - objectHeader);
                if (objectSize > room)
                {
                    throw Damaged(at, $"object {index} of {objectSize} bytes at collection byte {position}", $"at most the {room} bytes left in the collection");
                }

                position += objectHeader + (int)((objectSize + 7) & ~7UL);
            }
        }

        private void Layout(ReadOnlySpan<byte> body, string where)
        {
            if (body.Length < 2 || body[0] < 3)
            {
                return;
            }

            byte layoutClass = body[1];
            if (layoutClass == 1 && body.Length >= 2 + _file.OffsetSize + _file.LengthSize)
            {
                ulong address = Offset(body[2..]);
                ulong size = Unsigned(body.Slice(2 + _file.OffsetSize, _file.LengthSize));
                if (address != Undefined)
                {
                    RequireWithin(address, size, where + " (contiguous data)");
                }
            }
            else if (layoutClass == 2 && body[0] == 4 && body.Length >= 5)
            {
                int rank = body[3];
                int encoded = body[4];
                int position = 5 + (rank * encoded);
                if (body.Length >= position + 2 + _file.OffsetSize && body[position] == 3)
                {
                    // Fixed array index: page bits, then the header's address.
                    ulong header = Offset(body[(position + 2)..]);
                    if (header != Undefined)
                    {
                        FixedArray(header, where);
                    }
                }
            }
        }

        private void FixedArray(ulong address, string where)
        {
            string at = $"HDF5 fixed array header at byte {address}";
            int headerBytes = 8 + _file.LengthSize + _file.OffsetSize;
            RequireWithin(address, (ulong)headerBytes + 4, at);
            byte[] header = ReadChecked((long)address, headerBytes, 0, at);
            if (!header.AsSpan(0, 4).SequenceEqual("FAHD"u8))
            {
                throw Damaged(at, "no FAHD signature", "a fixed array header (referred to by " + where + ")");
            }

            int entrySize = header[6];
            int pageBits = header[7];
            ulong entries = Unsigned(header.AsSpan(8, _file.LengthSize));
            ulong dataBlock = Offset(header.AsSpan(8 + _file.LengthSize));
            if (entrySize == 0 || entries > (ulong)_file.Length / (ulong)entrySize)
            {
                throw Damaged(at, $"{entries} entries of {entrySize} bytes", $"at most the {_file.Length} bytes of the file");
            }

            if (dataBlock == Undefined || pageBits >= 63 || entries > 1UL << pageBits)
            {
                return; // not yet written, or paged (each page has its own checksum, read by PureHDF as needed)
            }

            string blockAt = $"HDF5 fixed array data block at byte {dataBlock}";
            byte[] block = ReadChecked((long)dataBlock, 6 + _file.OffsetSize, entries * (ulong)entrySize, blockAt);
            if (!block.AsSpan(0, 4).SequenceEqual("FADB"u8))
            {
                throw Damaged(blockAt, "no FADB signature", "a fixed array data block");
            }
        }

        private void RequireWithin(ulong address, ulong length, string where) => _file.RequireWithin(address, length, where);

        private byte[] Read(long offset, int count, string where) => _file.Read(offset, count, where);

        private byte[] ReadChecked(long start, long prefixBytes, ulong bodyBytes, string where) => _file.ReadChecked(start, prefixBytes, bodyBytes, where);

        private ulong Offset(ReadOnlySpan<byte> at) => _file.Offset(at);

        private static ulong Unsigned(ReadOnlySpan<byte> bytes) => Hdf5Structures.Unsigned(bytes);

        private InvalidRecordingException Damaged(string where, string found, string expected) => _file.Damaged(where, found, expected);
    }
}

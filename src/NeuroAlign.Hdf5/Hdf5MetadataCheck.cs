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

    /// <summary>The 8 bytes an HDF5 superblock starts with.</summary>
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];

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

        /// <summary>Bytes from the superblock (the base address, 0 unless a user block precedes it) to the end of the file; addresses count from the base.</summary>
        private long _length = RandomAccess.GetLength(handle);
        private long _base;
        private int _offsetSize;
        private int _lengthSize;

        public void Run()
        {
            if (_length < 12)
            {
                return; // PureHDF says "too small" in its own words.
            }

            // The superblock is at byte 0, or after a user block at 512, 1024, 2048… (as libhdf5 searches).
            long fileLength = _length;
            for (long at = 512; !Read(0, 8, "HDF5 superblock").AsSpan().SequenceEqual(Signature); at *= 2)
            {
                if (at + 12 > fileLength)
                {
                    return; // not HDF5: PureHDF refuses it in its own words
                }

                _base = at;
                _length = fileLength - at;
            }

            byte[] start = Read(0, (int)Math.Min(_length, 128), "HDF5 superblock");
            if (start[8] < 2)
            {
                RunVersion1(start);
                return;
            }

            _offsetSize = start[9];
            _lengthSize = start[10];
            if (_offsetSize is not (2 or 4 or 8) || _lengthSize is not (2 or 4 or 8))
            {
                throw Damaged("HDF5 superblock", $"sizes of offsets {_offsetSize} and lengths {_lengthSize}", "2, 4 or 8 bytes each");
            }

            int superblockBytes = 12 + (4 * _offsetSize);
            if (start.Length < superblockBytes + 4)
            {
                throw Damaged("HDF5 superblock", $"{_length} bytes of file", $"at least {superblockBytes + 4}");
            }

            VerifyChecksum(start.AsSpan(0, superblockBytes), BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(superblockBytes)), "HDF5 superblock");
            ulong root = Offset(start.AsSpan(12 + (3 * _offsetSize)));
            Enqueue(root, "HDF5 superblock root group address");
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

        private void ObjectHeader(ulong address)
        {
            string where = $"HDF5 object header at byte {address}";
            byte[] prefix = Read((long)address, (int)Math.Min(_length - (long)address, 32), where);
            if (prefix.Length >= 16 && prefix[0] == 1 && !prefix.AsSpan(0, 4).SequenceEqual("OHDR"u8))
            {
                ObjectHeaderVersion1(address, prefix, where);
                return;
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

            ulong chunkSize = Unsigned(prefix.AsSpan(position, sizeBytes));
            long chunkStart = (long)address + position + sizeBytes;
            byte[] header = ReadChecked((long)address, chunkStart - (long)address, chunkSize, where);
            var info = new ObjectInfo(2, (flags & 0x04) != 0);
            Messages(header.AsSpan((int)(chunkStart - (long)address), (int)chunkSize), info, where);
            Dataset(info, where);
        }

        /// <summary>Reads a block of <paramref name="prefixBytes"/> + <paramref name="bodyBytes"/> + a 4-byte checksum at <paramref name="start"/> and verifies the checksum.</summary>
        private byte[] ReadChecked(long start, long prefixBytes, ulong bodyBytes, string where)
        {
            if (bodyBytes > (ulong)MaxHeaderChunkBytes)
            {
                throw Damaged(where, $"a chunk of {bodyBytes} bytes", $"at most {MaxHeaderChunkBytes} (the header is damaged)");
            }

            long total = prefixBytes + (long)bodyBytes + 4;
            RequireWithin((ulong)start, (ulong)total, where);
            byte[] block = Read(start, (int)total, where);
            VerifyChecksum(block.AsSpan(0, (int)(total - 4)), BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan((int)(total - 4))), where);
            return block;
        }

        /// <summary>The messages of one chunk of an object header: version 2 (type 1 byte, size 2, flags 1, creation order 2 if tracked) or version 1 (type 2 bytes, size 2, flags 1, 3 reserved).</summary>
        private void Messages(ReadOnlySpan<byte> chunk, ObjectInfo info, string where)
        {
            int headerBytes = info.Version == 1 ? 8 : info.CreationOrder ? 6 : 4;
            int position = 0;
            while (chunk.Length - position >= headerBytes)
            {
                int type = info.Version == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(chunk[position..]) : chunk[position];
                int size = BinaryPrimitives.ReadUInt16LittleEndian(chunk[(position + (info.Version == 1 ? 2 : 1))..]);
                byte flags = chunk[position + (info.Version == 1 ? 4 : 3)];
                int body = position + headerBytes;
                if (body + size > chunk.Length)
                {
                    throw Damaged(where, $"a message of type {type} of {size} bytes at chunk byte {position}", $"at most the {chunk.Length - body} bytes left in the chunk");
                }

                if (info.Version == 1 && size % 8 != 0)
                {
                    throw Damaged(where, $"a message of type {type} of {size} bytes at chunk byte {position}", "a multiple of 8 bytes (version 1 messages are aligned)");
                }

                info.Messages++;
                Message(type, flags, chunk.Slice(body, size), info, $"{where}, message of type {type}");
                position = body + size;
            }
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
                    info.Filtered = true;
                    break;
                case 0x04 or 0x05:
                    FillValue(type, body, where);
                    break;
                case 0x11:
                    if (body.Length < 2 * _offsetSize)
                    {
                        throw Damaged(where, $"a symbol table message of {body.Length} bytes", $"{2 * _offsetSize}");
                    }

                    SymbolTable(Offset(body), Offset(body[_offsetSize..]), where);
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
                case 0x10:
                    if (body.Length >= _offsetSize + _lengthSize)
                    {
                        ulong at = Offset(body);
                        ulong length = Unsigned(body.Slice(_offsetSize, _lengthSize));
                        Continuation(at, length, info, where);
                    }

                    break;
                default:
                    break;
            }
        }

        private void Continuation(ulong address, ulong length, ObjectInfo info, string where)
        {
            if (info.Version == 1)
            {
                ContinuationVersion1(address, length, info, where);
                return;
            }

            if (length < 8)
            {
                throw Damaged(where, $"a continuation block of {length} bytes", "at least 8 (signature and checksum)");
            }

            RequireWithin(address, length, where);
            if (!_seen.Add(address))
            {
                return;
            }

            string at = $"HDF5 object header continuation at byte {address}";
            byte[] block = ReadChecked((long)address, 4, length - 8, at);
            if (!block.AsSpan(0, 4).SequenceEqual("OCHK"u8))
            {
                throw Damaged(at, "no OCHK signature", "a continuation block");
            }

            Messages(block.AsSpan(4, (int)(length - 8)), info, at);
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
            if (linkType == 0 && body.Length >= position + _offsetSize)
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

            if ((datatype[0] & 0x0F) == 9 && elementSize >= 8 + (uint)_offsetSize)
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
            if (dataspace.Length < position + (rank * _lengthSize))
            {
                throw Damaged(where, $"a dataspace of rank {rank} in {dataspace.Length} bytes", $"{position + (rank * _lengthSize)} bytes");
            }

            ulong product = 1;
            for (int d = 0; d < rank; d++)
            {
                ulong dimension = Unsigned(dataspace.Slice(position + (d * _lengthSize), _lengthSize));
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

            byte[] header = Read((long)address, 8 + _lengthSize, where);
            string at = $"HDF5 global heap collection at byte {address}";
            if (!header.AsSpan(0, 4).SequenceEqual("GCOL"u8))
            {
                throw Damaged(at, "no GCOL signature", "a global heap collection (referred to by " + where + ")");
            }

            ulong size = Unsigned(header.AsSpan(8, _lengthSize));
            if (size < 16 || size > (ulong)MaxHeaderChunkBytes || size > (ulong)_length || address > (ulong)_length - size)
            {
                throw Damaged(at, $"a collection of {size} bytes", $"at most the {Math.Min(MaxHeaderChunkBytes, _length - (long)address)} bytes to the end of the file");
            }

            // Its objects: index (2), reference count (2), reserved (4), size, data padded to 8 bytes; index 0 is the free space that ends it.
            byte[] collection = Read((long)address, (int)size, at);
            int position = 8 + _lengthSize;
            int objectHeader = 8 + _lengthSize;
            while (collection.Length - position >= objectHeader)
            {
                int index = BinaryPrimitives.ReadUInt16LittleEndian(collection.AsSpan(position));
                ulong objectSize = Unsigned(collection.AsSpan(position + 8, _lengthSize));
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
            if (layoutClass == 1 && body.Length >= 2 + _offsetSize + _lengthSize)
            {
                ulong address = Offset(body[2..]);
                ulong size = Unsigned(body.Slice(2 + _offsetSize, _lengthSize));
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
                if (body.Length >= position + 2 + _offsetSize && body[position] == 3)
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
            int headerBytes = 8 + _lengthSize + _offsetSize;
            RequireWithin(address, (ulong)headerBytes + 4, at);
            byte[] header = ReadChecked((long)address, headerBytes, 0, at);
            if (!header.AsSpan(0, 4).SequenceEqual("FAHD"u8))
            {
                throw Damaged(at, "no FAHD signature", "a fixed array header (referred to by " + where + ")");
            }

            int entrySize = header[6];
            int pageBits = header[7];
            ulong entries = Unsigned(header.AsSpan(8, _lengthSize));
            ulong dataBlock = Offset(header.AsSpan(8 + _lengthSize));
            if (entrySize == 0 || entries > (ulong)_length / (ulong)entrySize)
            {
                throw Damaged(at, $"{entries} entries of {entrySize} bytes", $"at most the {_length} bytes of the file");
            }

            if (dataBlock == Undefined || pageBits >= 63 || entries > 1UL << pageBits)
            {
                return; // not yet written, or paged (each page has its own checksum, read by PureHDF as needed)
            }

            string blockAt = $"HDF5 fixed array data block at byte {dataBlock}";
            byte[] block = ReadChecked((long)dataBlock, 6 + _offsetSize, entries * (ulong)entrySize, blockAt);
            if (!block.AsSpan(0, 4).SequenceEqual("FADB"u8))
            {
                throw Damaged(blockAt, "no FADB signature", "a fixed array data block");
            }
        }

        private void VerifyChecksum(ReadOnlySpan<byte> covered, uint stored, string where)
        {
            uint computed = Lookup3(covered);
            if (computed != stored)
            {
                throw Damaged(where, $"checksum {stored:x8}", $"{computed:x8} (the file is damaged)");
            }
        }

        private void RequireWithin(ulong address, ulong length, string where)
        {
            if (address > (ulong)_length || length > (ulong)_length - address)
            {
                throw Damaged(where, $"{length} bytes at byte {address}", $"bytes inside the {_length}-byte file");
            }
        }

        private byte[] Read(long offset, int count, string where)
        {
            byte[] buffer = new byte[count];
            int read = RandomAccess.Read(handle, buffer, _base + offset);
            if (read < count)
            {
                throw Damaged(where, $"{read} bytes at byte {offset}", $"{count}");
            }

            return buffer;
        }

        /// <summary>An address; all bits set (HDF5's "undefined address") at any offset size is <see cref="Undefined"/>.</summary>
        private ulong Offset(ReadOnlySpan<byte> at)
        {
            ulong value = Unsigned(at[.._offsetSize]);
            return _offsetSize < 8 && value == (1UL << (8 * _offsetSize)) - 1 ? Undefined : value;
        }

        private static ulong Unsigned(ReadOnlySpan<byte> bytes)
        {
            ulong value = 0;
            for (int i = bytes.Length - 1; i >= 0; i--)
            {
                value = (value << 8) | bytes[i];
            }

            return value;
        }

        private InvalidRecordingException Damaged(string where, string found, string expected) =>
            new(path, where, found, expected);
    }
}

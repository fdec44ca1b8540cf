using System.Buffers.Binary;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>Byte-level helpers for tests that damage or patch HDF5 files on purpose.</summary>
internal static class Hdf5Bytes
{
    /// <summary>Where the object header (version 2) at <paramref name="start"/> ends: prefix, chunk 0 and checksum.</summary>
    public static int HeaderEnd(byte[] file, int start)
    {
        byte flags = file[start + 5];
        int position = start + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int sizeBytes = 1 << (flags & 0x03);
        long chunk = 0;
        for (int b = sizeBytes - 1; b >= 0; b--)
        {
            chunk = (chunk << 8) | file[position + b];
        }

        return (int)Math.Min(file.Length, position + sizeBytes + chunk + 4);
    }

    public static List<int> Occurrences(byte[] data, byte[] signature)
    {
        var found = new List<int>();
        for (int i = data.AsSpan().IndexOf(signature); i >= 0;)
        {
            found.Add(i);
            int next = data.AsSpan(i + 1).IndexOf(signature);
            i = next < 0 ? -1 : i + 1 + next;
        }

        return found;
    }

    /// <summary>Recomputes the checksum of every version 2 object header, so a deliberate patch (say, an unknown filter id) is a well-formed file rather than a damaged one.</summary>
    public static void RestampObjectHeaders(byte[] file)
    {
        foreach (int start in Occurrences(file, "OHDR"u8.ToArray()))
        {
            int end = HeaderEnd(file, start);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(end - 4), Hdf5MetadataCheck.Lookup3(file.AsSpan(start, end - 4 - start)));
        }
    }
}

using System.Buffers.Binary;
using System.Text;

namespace NeuroAlign.TestData;

/// <summary>Writes little-endian version 1.0 .npy vectors the way numpy.save does (header padded to 64 bytes).</summary>
public static class NpyWriter
{
    public static void WriteInt64(string path, IReadOnlyList<long> values) =>
        Write(path, "<i8", values.Count, 8, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, values[i]));

    public static void WriteFloat64(string path, IReadOnlyList<double> values) =>
        Write(path, "<f8", values.Count, 8, (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, values[i]));

    public static void WriteInt16(string path, IReadOnlyList<short> values) =>
        Write(path, "<i2", values.Count, 2, (span, i) => BinaryPrimitives.WriteInt16LittleEndian(span, values[i]));

    private delegate void ElementWriter(Span<byte> destination, int index);

    private static void Write(string path, string descr, int count, int size, ElementWriter write)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({count},), }}";
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', ((unpadded + 63) / 64 * 64) - unpadded) + "\n";
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Write(length);
        file.Write(Encoding.Latin1.GetBytes(header));
        var element = new byte[size];
        for (int i = 0; i < count; i++)
        {
            write(element, i);
            file.Write(element);
        }
    }
}

using System.Buffers.Binary;
using NeuroAlign.Memory;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Npy;

/// <summary>
/// A memory-mapped .npy array read element by element or block by block, in either byte order,
/// converted to long or double. For the small side files of recordings (Open Ephys
/// sample_numbers.npy, timestamps.npy, TTL states.npy); bulk sample data goes through
/// <see cref="NpyReader"/> and <see cref="InterleavedBinaryStream"/> instead.
/// </summary>
public sealed class NpyArray : IDisposable
{
    private readonly MappedFile _file;
    private readonly int _elementBytes;

    private NpyArray(NpyHeader header, MappedFile file)
    {
        Header = header;
        _file = file;
        _elementBytes = header.ElementType.SizeOf();
    }

    /// <summary>The parsed header.</summary>
    public NpyHeader Header { get; }

    /// <summary>The file.</summary>
    public string Path => Header.Path;

    /// <summary>Number of elements.</summary>
    public long Count => Header.ElementCount;

    /// <summary>Maps <paramref name="path"/>; with <paramref name="allowedTypes"/>, other dtypes are an error.</summary>
    public static NpyArray Open(string path, params SampleType[] allowedTypes)
    {
        ArgumentNullException.ThrowIfNull(allowedTypes);
        NpyHeader header = NpyHeader.Read(path);
        if (allowedTypes.Length > 0 && !allowedTypes.Contains(header.ElementType))
        {
            throw new InvalidRecordingException(
                path, "header 'descr'", $"'{header.Descr}' ({header.ElementType.ToText()})", string.Join(" or ", allowedTypes.Select(t => t.ToText())));
        }

        return new NpyArray(header, MappedFile.OpenRead(path));
    }

    /// <summary>Like <see cref="Open"/>, and requires a one-dimensional array (or [N, 1]).</summary>
    public static NpyArray OpenVector(string path, params SampleType[] allowedTypes)
    {
        NpyArray array = Open(path, allowedTypes);
        IReadOnlyList<long> shape = array.Header.Shape;
        if (shape.Count == 1 || (shape.Count == 2 && shape[1] == 1))
        {
            return array;
        }

        array.Dispose();
        throw new InvalidRecordingException(path, "header 'shape'", $"({string.Join(", ", shape)})", "a vector: shape (N,) or (N, 1)");
    }

    /// <summary>Element <paramref name="index"/> (flat, C order) as a long; floats are truncated toward zero.</summary>
    public long GetInt64(long index)
    {
        ReadOnlySpan<byte> b = Element(index);
        bool big = Header.BigEndian;
        return Header.ElementType switch
        {
            SampleType.UInt8 => b[0],
            SampleType.Int8 => (sbyte)b[0],
            SampleType.Int16 => big ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
            SampleType.UInt16 => big ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            SampleType.Int32 => big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
            SampleType.UInt32 => big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            SampleType.Int64 => big ? BinaryPrimitives.ReadInt64BigEndian(b) : BinaryPrimitives.ReadInt64LittleEndian(b),
            SampleType.UInt64 => checked((long)(big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b))),
            _ => (long)GetDouble(index),
        };
    }

    /// <summary>Element <paramref name="index"/> (flat, C order) as a double.</summary>
    public double GetDouble(long index)
    {
        ReadOnlySpan<byte> b = Element(index);
        bool big = Header.BigEndian;
        return Header.ElementType switch
        {
            SampleType.Float32 => big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
            SampleType.Float64 => big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
            SampleType.UInt64 => big ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b),
            _ => GetInt64(index),
        };
    }

    /// <summary>Copies elements [start, start + destination.Length) as longs.</summary>
    public void CopyTo(long start, Span<long> destination)
    {
        if (!Header.BigEndian && BitConverter.IsLittleEndian)
        {
            // Native byte order: whole blocks at a time (spike_times.npy of 10^8 samples is read this way).
            int n = destination.Length;
            switch (Header.ElementType)
            {
                case SampleType.Int64:
                    _file.GetSpan<long>(Offset(start, n), n).CopyTo(destination);
                    return;
                case SampleType.UInt64:
                    ReadOnlySpan<ulong> u64 = _file.GetSpan<ulong>(Offset(start, n), n);
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = checked((long)u64[i]);
                    }

                    return;
                case SampleType.Int32:
                    ReadOnlySpan<int> i32 = _file.GetSpan<int>(Offset(start, n), n);
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = i32[i];
                    }

                    return;
                case SampleType.UInt32:
                    ReadOnlySpan<uint> u32 = _file.GetSpan<uint>(Offset(start, n), n);
                    for (int i = 0; i < n; i++)
                    {
                        destination[i] = u32[i];
                    }

                    return;
            }
        }

        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = GetInt64(start + i);
        }
    }

    /// <summary>
    /// A hint that elements [start, start + count) will not be read again soon: their pages leave
    /// the process (a pass over a 10^8-element array keeps its resident size flat).
    /// </summary>
    public void Release(long start, long count)
    {
        if (count > 0)
        {
            _file.Release(Offset(start, 0), count * _elementBytes);
        }
    }

    /// <summary>The whole array as longs (for small side files: event lists).</summary>
    public long[] ReadAllInt64()
    {
        var values = new long[checked((int)Count)];
        CopyTo(0, values);
        return values;
    }

    /// <summary>A view of this vector as sample times: seconds = value × <paramref name="secondsPerUnit"/>.</summary>
    public ITimestamps AsTimestamps(double secondsPerUnit = 1.0) => new NpyTimestamps(this, secondsPerUnit);

    public void Dispose() => _file.Dispose();

    private ReadOnlySpan<byte> Element(long index) => _file.GetSpan(Offset(index, 1), _elementBytes);

    private long Offset(long index, int count)
    {
        if (index < 0 || count < 0 || index + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"elements [{index}, {index + count}) are outside 0..{Count} of {Path}");
        }

        return Header.DataOffsetBytes + (index * _elementBytes);
    }

    private sealed class NpyTimestamps(NpyArray array, double secondsPerUnit) : ITimestamps
    {
        public long Count => array.Count;

        public double this[long index] => array.Header.ElementType is SampleType.Float32 or SampleType.Float64
            ? array.GetDouble(index) * secondsPerUnit
            : array.GetInt64(index) * secondsPerUnit;
    }
}

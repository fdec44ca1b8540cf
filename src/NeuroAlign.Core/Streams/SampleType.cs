namespace NeuroAlign.Streams;

/// <summary>The element type of a stream's samples, as stored on disk.</summary>
public enum SampleType
{
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

/// <summary>Sizes, names and conversions of <see cref="SampleType"/>.</summary>
public static class SampleTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this SampleType type) => type switch
    {
        SampleType.UInt8 or SampleType.Int8 => 1,
        SampleType.Int16 or SampleType.UInt16 => 2,
        SampleType.Int32 or SampleType.UInt32 or SampleType.Float32 => 4,
        SampleType.Int64 or SampleType.UInt64 or SampleType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The numpy-style name: int16, float32…</summary>
    public static string ToText(this SampleType type) => type switch
    {
        SampleType.UInt8 => "uint8",
        SampleType.Int8 => "int8",
        SampleType.Int16 => "int16",
        SampleType.UInt16 => "uint16",
        SampleType.Int32 => "int32",
        SampleType.UInt32 => "uint32",
        SampleType.Int64 => "int64",
        SampleType.UInt64 => "uint64",
        SampleType.Float32 => "float32",
        SampleType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a numpy-style name; <paramref name="allowed"/> limits what a caller accepts.</summary>
    public static SampleType Parse(string text, params SampleType[] allowed)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(allowed);
        foreach (SampleType type in allowed.Length > 0 ? allowed : Enum.GetValues<SampleType>())
        {
            if (string.Equals(type.ToText(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return type;
            }
        }

        var names = string.Join(", ", (allowed.Length > 0 ? allowed : Enum.GetValues<SampleType>()).Select(t => t.ToText()));
        throw new NeuroAlignException($"unknown dtype '{text}': expected one of {names}");
    }

    /// <summary>Element <paramref name="index"/> of <paramref name="bytes"/> (machine byte order) as a double.</summary>
    public static double ReadAsDouble(this SampleType type, ReadOnlySpan<byte> bytes, int index) => type switch
    {
        SampleType.UInt8 => bytes[index],
        SampleType.Int8 => (sbyte)bytes[index],
        SampleType.Int16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes)[index],
        SampleType.UInt16 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes)[index],
        SampleType.Int32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes)[index],
        SampleType.UInt32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes)[index],
        SampleType.Int64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes)[index],
        SampleType.UInt64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes)[index],
        SampleType.Float32 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)[index],
        SampleType.Float64 => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes)[index],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

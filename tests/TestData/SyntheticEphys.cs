using System.Buffers.Binary;

namespace NeuroAlign.TestData;

/// <summary>Synthetic interleaved int16 recordings whose every value is known.</summary>
public static class SyntheticEphys
{
    /// <summary>The value of channel c at sample k: a hash, so a wrong sample or channel is caught.</summary>
    public static short Value(long sample, int channel)
    {
        ulong x = (ulong)((sample * 1_000_003L) + (channel * 7919L) + 12345);
        x ^= x >> 17;
        x *= 0xed5ad4bbUL;
        x ^= x >> 11;
        return (short)(x & 0xFFFF);
    }

    /// <summary>Writes samples × channels int16 little-endian, with an optional header of zeros.</summary>
    public static void WriteInt16(string path, long samples, int channels, int headerBytes = 0)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(new byte[headerBytes]);
        var row = new byte[channels * 2];
        for (long k = 0; k < samples; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * 2), Value(k, c));
            }

            file.Write(row);
        }
    }
}

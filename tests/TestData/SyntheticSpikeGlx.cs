using System.Buffers.Binary;

namespace NeuroAlign.TestData;

/// <summary>
/// SpikeGLX recordings for tests: a real .meta from ../shared/data/spikeglx (its fileSizeBytes will
/// disagree: the real size wins) beside a small synthetic .bin whose every value is known.
/// </summary>
public static class SyntheticSpikeGlx
{
    /// <summary>The imec SY word's sync input bit (Metadata_30.md, syncImInputSlot).</summary>
    public const int SyncBit = 6;

    /// <summary>Copies a real .meta into <paramref name="folder"/> as &lt;baseName&gt;.meta, optionally editing or dropping (null) lines.</summary>
    public static string CopyMeta(string folder, string realMeta, Func<string, string?>? editLine = null, string baseName = "rec")
    {
        string[] lines = File.ReadAllLines(RepoPaths.Shared("spikeglx", realMeta));
        string path = Path.Combine(folder, baseName + ".meta");
        File.WriteAllLines(path, editLine is null ? lines : lines.Select(editLine).Where(l => l != null).Select(l => l!));
        return path;
    }

    /// <summary>The value at (sample, column): <see cref="SyntheticEphys.Value"/>, or <see cref="SyncWord"/> in the sync column.</summary>
    public static short Value(long sample, int column, int syncColumn) =>
        column == syncColumn ? SyncWord(sample) : SyntheticEphys.Value(sample, column);

    /// <summary>
    /// The SY word at sample k: bit 6 is a 1000-sample square wave, high 300 samples of each period
    /// (high at sample 0, rising at 750, 1750…, falling at 50, 1050…); bit 0 toggles every 7 samples,
    /// so the word changes far more often than bit 6.
    /// </summary>
    public static short SyncWord(long k) =>
        (short)(((k + 250) % 1000 < 300 ? 1 << SyncBit : 0) | ((k / 7) % 2 == 1 ? 1 : 0));

    /// <summary>Writes samples × channels int16 with <see cref="Value"/>; <paramref name="extraBytes"/> pads (positive) or truncates (negative).</summary>
    public static void WriteBin(string path, long samples, int channels, int syncColumn, int extraBytes = 0)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var row = new byte[channels * 2];
        for (long k = 0; k < samples; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * 2), Value(k, c, syncColumn));
            }

            file.Write(row);
        }

        file.Write(new byte[Math.Max(0, extraBytes)]);
        if (extraBytes < 0)
        {
            file.SetLength(file.Length + extraBytes);
        }
    }
}

using System.Globalization;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Mtscomp;

/// <summary>
/// SpikeGLX recordings compressed by mtscomp (IBL's public data): X.ap.cbin with its X.ap.ch beside
/// it, and the original X.ap.meta. The .meta is read as for a .bin (rate, channels, gains, t0); the
/// .ch says how the samples are compressed and must agree with it on the channel count.
/// </summary>
public static class MtscompReader
{
    public const string CompressedExtension = ".cbin";
    public const string HeaderExtension = ".ch";

    /// <summary>Whether <paramref name="path"/> names a .cbin, or a .meta with a .cbin (and no .bin) beside it.</summary>
    public static bool IsCompressed(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        return extension.Equals(CompressedExtension, StringComparison.OrdinalIgnoreCase)
            || (extension.Equals(".meta", StringComparison.OrdinalIgnoreCase)
                && !File.Exists(Path.ChangeExtension(path, ".bin"))
                && File.Exists(Path.ChangeExtension(path, CompressedExtension)));
    }

    /// <summary>Opens a .cbin (or its .meta) with the .ch and the .meta beside it.</summary>
    /// <exception cref="NeuroAlignException">A file missing, or the .ch malformed or disagreeing with the .cbin or the .meta.</exception>
    public static EphysRecording OpenSpikeGlx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string cbin = Path.ChangeExtension(path, CompressedExtension);
        string ch = Path.ChangeExtension(path, HeaderExtension);
        if (!File.Exists(cbin))
        {
            throw new NeuroAlignException($"{path}: no {Path.GetFileName(cbin)} beside it");
        }

        if (!File.Exists(ch))
        {
            throw new NeuroAlignException($"{cbin}: no {Path.GetFileName(ch)} beside it: an mtscomp .cbin needs its .ch (the chunk index)");
        }

        return SpikeGlxReader.Open(Path.ChangeExtension(path, ".meta"), cbin, data =>
        {
            MtscompStream stream = MtscompStream.Open(
                cbin, ch, samples => new RegularClock(data.StartSeconds, data.RateHz, samples), data.ChannelIds, data.Gains, SpikeGlxReader.FormatName);
            try
            {
                MtscompHeader h = stream.Header;
                if (h.ElementType != SampleType.Int16)
                {
                    throw new InvalidRecordingException(ch, "field 'dtype'", h.ElementType.ToText(), "int16, as SpikeGLX writes its samples");
                }

                return new SpikeGlxReader.SpikeGlxOpenedData(stream, Describe(stream, data.RateHz));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        });
    }

    /// <summary>Facts of the compression for `info`.</summary>
    internal static List<KeyValuePair<string, string>> Describe(MtscompStream stream, double metaRateHz)
    {
        MtscompHeader h = stream.Header;
        long largest = Enumerable.Range(0, h.ChunkCount).Max(i => h.ChunkBounds[i + 1] - h.ChunkBounds[i]);
        long compressed = h.ChunkOffsets[^1];
        long raw = h.SampleCount * stream.FrameBytes;
        var details = new List<KeyValuePair<string, string>>
        {
            new("compression", $"mtscomp {(h.Version.Length > 0 ? h.Version : "(no version)")}, zlib of differences along {(h.TimeDiff && h.SpatialDiff ? "time and channels" : h.TimeDiff ? "time" : h.SpatialDiff ? "channels" : "nothing")}, chunk order {(h.ChannelMajor ? "F (channel by channel)" : "C (sample by sample)")}; {compressed} bytes for {raw} ({(raw == 0 ? 0 : 100.0 * compressed / raw):0.#} %)"),
            new("chunks", $"{h.ChunkCount}, up to {largest} samples ({largest / metaRateHz:0.###} s) each; {stream.CacheCapacityChunks} cached at most ({stream.CacheCapacityChunks * largest * stream.FrameBytes / 1048576.0:0.#} MB), from {Path.GetFileName(h.Path)}"),
        };
        if (Math.Abs(h.SampleRateHz - metaRateHz) > 1e-6 * metaRateHz)
        {
            details.Add(new("rate", $"{metaRateHz.ToString("R", CultureInfo.InvariantCulture)} Hz from the .meta; the .ch says {h.SampleRateHz.ToString("R", CultureInfo.InvariantCulture)} Hz (the .meta's calibrated rate wins)"));
        }

        return details;
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace NeuroAlign.TestData;

/// <summary>
/// A test-only mtscomp compressor for int16 interleaved samples, written from the format's
/// description (int-brain-lab/mtscomp README and .ch fields), independently of the reader: per
/// chunk, the first sample as it is and then each sample minus the one before (int16 wrapping),
/// optionally also each channel minus the one before it, laid out sample by sample (C) or channel
/// by channel (F), one zlib stream per chunk; the .ch JSON lists bounds and byte offsets.
/// </summary>
public static class MtscompWriter
{
    /// <summary>Compresses <paramref name="data"/> (samples × <paramref name="channels"/> int16, interleaved) into <paramref name="cbinPath"/> and <paramref name="chPath"/>.</summary>
    public static void Write(
        string cbinPath, string chPath, short[] data, int channels, double rateHz, int chunkSamples, bool channelMajor = true, bool spatialDiff = false, bool timeDiff = true)
    {
        int samples = data.Length / channels;
        var bounds = new List<long> { 0 };
        var offsets = new List<long> { 0 };
        using (var cbin = File.Create(cbinPath))
        {
            for (int start = 0; start < samples; start += chunkSamples)
            {
                int n = Math.Min(chunkSamples, samples - start);
                var diff = new short[n * channels];
                for (int r = 0; r < n; r++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        int at = ((start + r) * channels) + c;
                        short v = data[at];
                        if (timeDiff && r > 0)
                        {
                            v = (short)(v - data[at - channels]);
                        }

                        diff[(r * channels) + c] = v;
                    }
                }

                if (spatialDiff)
                {
                    // Applied after the time difference, as the compressor does; undone first by the reader.
                    for (int r = 0; r < n; r++)
                    {
                        for (int c = channels - 1; c > 0; c--)
                        {
                            diff[(r * channels) + c] = (short)(diff[(r * channels) + c] - diff[(r * channels) + c - 1]);
                        }
                    }
                }

                var bytes = new byte[n * channels * 2];
                for (int r = 0; r < n; r++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        int position = channelMajor ? (c * n) + r : (r * channels) + c;
                        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(position * 2), diff[(r * channels) + c]);
                    }
                }

                using var compressed = new MemoryStream();
                using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    z.Write(bytes);
                }

                cbin.Write(compressed.ToArray());
                bounds.Add(start + n);
                offsets.Add(cbin.Position);
            }
        }

        string list(List<long> v) => "[" + string.Join(", ", v.Select(x => x.ToString(CultureInfo.InvariantCulture))) + "]";
        var json = new StringBuilder();
        json.Append("{\n  \"algorithm\": \"zlib\",\n");
        json.Append(CultureInfo.InvariantCulture, $"  \"chunk_bounds\": {list(bounds)},\n  \"chunk_offsets\": {list(offsets)},\n");
        json.Append(CultureInfo.InvariantCulture, $"  \"chunk_order\": \"{(channelMajor ? "F" : "C")}\",\n  \"comp_level\": -1,\n");
        json.Append(CultureInfo.InvariantCulture, $"  \"do_spatial_diff\": {(spatialDiff ? "true" : "false")},\n  \"do_time_diff\": {(timeDiff ? "true" : "false")},\n");
        json.Append(CultureInfo.InvariantCulture, $"  \"dtype\": \"int16\",\n  \"n_channels\": {channels},\n  \"sample_rate\": {rateHz.ToString("R", CultureInfo.InvariantCulture)},\n");
        json.Append(CultureInfo.InvariantCulture, $"  \"shape\": [{samples}, {channels}],\n  \"version\": \"1.0\"\n}}\n");
        File.WriteAllText(chPath, json.ToString());
    }
}

using System.Globalization;
using System.Text.Json;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.Mtscomp;

/// <summary>
/// The .ch file of an mtscomp pair (int-brain-lab/mtscomp, format 1.0): JSON naming the dtype, the
/// channel count, the rate, and the chunks: chunk i holds samples [chunk_bounds[i],
/// chunk_bounds[i+1]) and is bytes [chunk_offsets[i], chunk_offsets[i+1]) of the .cbin, one zlib
/// stream of the chunk's differences along time (do_time_diff), and across channels
/// (do_spatial_diff), laid out in chunk_order: "F" (each channel's samples together, the default
/// since chunk_order exists) or "C" (samples interleaved, as before it existed).
/// </summary>
public sealed class MtscompHeader
{
    /// <summary>Largest decompressed chunk accepted: the chunk cache holds a few, so a header asking for more is refused.</summary>
    public const long MaxChunkBytes = 1L << 30;

    private MtscompHeader(
        string path, SampleType elementType, int channelCount, double sampleRateHz, long[] bounds, long[] offsets, bool channelMajor, bool timeDiff, bool spatialDiff, string version)
    {
        Path = path;
        ElementType = elementType;
        ChannelCount = channelCount;
        SampleRateHz = sampleRateHz;
        ChunkBounds = bounds;
        ChunkOffsets = offsets;
        ChannelMajor = channelMajor;
        TimeDiff = timeDiff;
        SpatialDiff = spatialDiff;
        Version = version;
    }

    /// <summary>The .ch file.</summary>
    public string Path { get; }

    public SampleType ElementType { get; }

    public int ChannelCount { get; }

    public double SampleRateHz { get; }

    /// <summary>Chunk i holds samples [ChunkBounds[i], ChunkBounds[i + 1]).</summary>
    public IReadOnlyList<long> ChunkBounds { get; }

    /// <summary>Chunk i is bytes [ChunkOffsets[i], ChunkOffsets[i + 1]) of the .cbin.</summary>
    public IReadOnlyList<long> ChunkOffsets { get; }

    /// <summary>Whether a chunk's bytes are channel by channel (chunk_order F) rather than sample by sample (C).</summary>
    public bool ChannelMajor { get; }

    public bool TimeDiff { get; }

    public bool SpatialDiff { get; }

    public string Version { get; }

    public int ChunkCount => ChunkBounds.Count - 1;

    public long SampleCount => ChunkBounds[^1];

    /// <summary>Reads and checks a .ch file against the size of its .cbin.</summary>
    /// <exception cref="InvalidRecordingException">Malformed JSON, a field missing or of the wrong kind, chunks that do not tile the samples or the .cbin.</exception>
    public static MtscompHeader Load(string path, long cbinBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > 256L << 20)
            {
                throw new InvalidRecordingException(path, "size", $"{info.Length} bytes", "a .ch JSON header of at most 256 MB");
            }

            text = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {Memory.FileErrors.Describe(e)}", e);
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            return Parse(path, doc.RootElement, cbinBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidRecordingException(path, $"byte {e.BytePositionInLine ?? 0} of line {(e.LineNumber ?? 0) + 1}", "text that is not JSON", "the mtscomp .ch JSON header");
        }
    }

    private static MtscompHeader Parse(string path, JsonElement root, long cbinBytes)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRecordingException(path, "the top level", $"a JSON {root.ValueKind}", "an object");
        }

        string algorithm = Text(path, root, "algorithm", "zlib");
        if (algorithm != "zlib")
        {
            throw new InvalidRecordingException(path, "field 'algorithm'", $"'{Printable.Excerpt(algorithm, 40)}'", "'zlib' (the only algorithm mtscomp writes)");
        }

        string dtype = Text(path, root, "dtype", null);
        SampleType type = dtype switch
        {
            "int16" or "<i2" or "i2" => SampleType.Int16,
            "uint16" or "<u2" or "u2" => SampleType.UInt16,
            "int32" or "<i4" or "i4" => SampleType.Int32,
            _ => throw new InvalidRecordingException(
                path, "field 'dtype'", $"'{Printable.Excerpt(dtype, 40)}'", "int16, uint16 or int32, little-endian (integers whose differences add back exactly)"),
        };
        long channels = Whole(path, root, "n_channels");
        if (channels is < 1 or > 65536)
        {
            throw new InvalidRecordingException(path, "field 'n_channels'", channels.ToString(CultureInfo.InvariantCulture), "1 to 65536 channels");
        }

        double rate = Number(path, root, "sample_rate");
        if (!(rate > 0) || !double.IsFinite(rate))
        {
            throw new InvalidRecordingException(path, "field 'sample_rate'", rate.ToString("R", CultureInfo.InvariantCulture), "a positive rate in Hz");
        }

        long[] bounds = Whole(path, root, "chunk_bounds", out int boundCount);
        long[] offsets = Whole(path, root, "chunk_offsets", out int offsetCount);
        if (boundCount < 2 || offsetCount != boundCount)
        {
            throw new InvalidRecordingException(
                path, "fields 'chunk_bounds' and 'chunk_offsets'", $"{boundCount} bounds and {offsetCount} offsets", "as many offsets as bounds, at least 2 of each (one more than the chunks)");
        }

        long frameBytes = channels * type.SizeOf();
        for (int i = 0; i < boundCount; i++)
        {
            if (i == 0 ? bounds[0] != 0 : bounds[i] <= bounds[i - 1])
            {
                throw new InvalidRecordingException(
                    path, $"chunk_bounds[{i}]", bounds[i].ToString(CultureInfo.InvariantCulture), i == 0 ? "0 (the first chunk starts at sample 0)" : $"more than chunk_bounds[{i - 1}] = {bounds[i - 1]} (chunks hold at least one sample, in order)");
            }

            if (i == 0 ? offsets[0] != 0 : offsets[i] <= offsets[i - 1])
            {
                throw new InvalidRecordingException(
                    path, $"chunk_offsets[{i}]", offsets[i].ToString(CultureInfo.InvariantCulture), i == 0 ? "0 (the first chunk starts the .cbin)" : $"more than chunk_offsets[{i - 1}] = {offsets[i - 1]} (each chunk is a non-empty zlib stream)");
            }

            if (i > 0 && (bounds[i] - bounds[i - 1]) * frameBytes > MaxChunkBytes)
            {
                throw new InvalidRecordingException(
                    path, $"chunk {i - 1}", $"{bounds[i] - bounds[i - 1]} samples × {frameBytes} bytes", $"at most {MaxChunkBytes} bytes decompressed per chunk (chunks are cached whole)");
            }
        }

        if (offsets[^1] != cbinBytes)
        {
            throw new InvalidRecordingException(
                path, $"chunk_offsets[{offsetCount - 1}]", $"{offsets[^1]} (the end of the last chunk)", $"the .cbin's size, {cbinBytes} bytes (the .ch and the .cbin are not a pair, or one is truncated)");
        }

        string order = root.TryGetProperty("chunk_order", out _) ? Text(path, root, "chunk_order", null) : "C";
        if (order is not ("C" or "F"))
        {
            throw new InvalidRecordingException(path, "field 'chunk_order'", $"'{Printable.Excerpt(order, 20)}'", "'C' or 'F'");
        }

        return new MtscompHeader(
            path,
            type,
            (int)channels,
            rate,
            bounds,
            offsets,
            order == "F",
            Flag(path, root, "do_time_diff", true),
            Flag(path, root, "do_spatial_diff", false),
            root.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "");
    }

    private static string Text(string path, JsonElement root, string name, string? fallback)
    {
        if (!root.TryGetProperty(name, out JsonElement e))
        {
            return fallback ?? throw new InvalidRecordingException(path, $"field '{name}'", "no such field", $"a '{name}' (required to read the .cbin)");
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidRecordingException(path, $"field '{name}'", $"a JSON {e.ValueKind}", "a string");
    }

    private static bool Flag(string path, JsonElement root, string name, bool fallback) =>
        !root.TryGetProperty(name, out JsonElement e) ? fallback
        : e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidRecordingException(path, $"field '{name}'", $"a JSON {e.ValueKind}", "true or false"),
        };

    private static double Number(string path, JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double d)
            ? d
            : throw new InvalidRecordingException(path, $"field '{name}'", root.TryGetProperty(name, out JsonElement f) ? $"a JSON {f.ValueKind}" : "no such field", "a number");

    private static long Whole(string path, JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v)
            ? v
            : throw new InvalidRecordingException(path, $"field '{name}'", root.TryGetProperty(name, out JsonElement f) ? $"a JSON {f.ValueKind} '{Printable.Excerpt(f.GetRawText(), 40)}'" : "no such field", "a whole number");

    private static long[] Whole(string path, JsonElement root, string name, out int count)
    {
        if (!root.TryGetProperty(name, out JsonElement e) || e.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRecordingException(path, $"field '{name}'", root.TryGetProperty(name, out JsonElement f) ? $"a JSON {f.ValueKind}" : "no such field", "a list of whole numbers");
        }

        count = e.GetArrayLength();
        var values = new long[count];
        int i = 0;
        foreach (JsonElement item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0)
            {
                throw new InvalidRecordingException(path, $"{name}[{i}]", $"'{Printable.Excerpt(item.GetRawText(), 40)}'", "a whole number of 0 or more");
            }

            i++;
        }

        return values;
    }
}

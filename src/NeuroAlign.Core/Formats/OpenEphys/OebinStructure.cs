using System.Globalization;
using System.Text.Json;
using K = NeuroAlign.Formats.OpenEphys.OpenEphysConstants;

namespace NeuroAlign.Formats.OpenEphys;

/// <summary>One channel of a continuous stream in structure.oebin.</summary>
/// <param name="Name">channel_name, e.g. "CH334", "ADC0", "CH_SYNC".</param>
/// <param name="BitVolts">bit_volts: the value of one count in <paramref name="Units"/>.</param>
/// <param name="Units">units as written; often empty, meaning microvolts for headstage channels.</param>
/// <param name="Description">description as written.</param>
public sealed record OebinChannel(string Name, double BitVolts, string Units, string Description);

/// <summary>A continuous stream of structure.oebin: one continuous.dat.</summary>
/// <param name="Index">Position in the "continuous" array.</param>
/// <param name="FolderName">folder_name, e.g. "OneBox-111.ProbeA/" (relative to continuous/).</param>
/// <param name="StreamName">stream_name, e.g. "ProbeA".</param>
/// <param name="SourceProcessorName">source_processor_name.</param>
/// <param name="SampleRateHz">sample_rate.</param>
/// <param name="Channels">The channels, in the order they are interleaved.</param>
public sealed record OebinContinuousStream(
    int Index, string FolderName, string StreamName, string SourceProcessorName, double SampleRateHz, IReadOnlyList<OebinChannel> Channels)
{
    /// <summary>folder_name without its trailing slash.</summary>
    public string FolderId => FolderName.TrimEnd('/', '\\');
}

/// <summary>An event stream of structure.oebin (TTL lines, messages).</summary>
/// <param name="FolderName">folder_name, e.g. "OneBox-111.ProbeA/TTL/" (relative to events/).</param>
/// <param name="ChannelName">channel_name.</param>
/// <param name="StreamName">stream_name: the continuous stream whose sample numbers stamp the events.</param>
/// <param name="Type">type: "int16" for TTL events, "string" for messages.</param>
public sealed record OebinEventStream(string FolderName, string ChannelName, string StreamName, string Type)
{
    /// <summary>Whether this holds TTL line events (states.npy) rather than text messages.</summary>
    public bool IsTtl => Type == "int16" && FolderName.TrimEnd('/', '\\').EndsWith("TTL", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// structure.oebin, the JSON index of an Open Ephys binary recording: GUI version, continuous
/// streams with per-channel bit_volts and units, and event streams.
/// </summary>
public sealed class OebinStructure
{
    private OebinStructure(string path, string guiVersion, IReadOnlyList<OebinContinuousStream> continuous, IReadOnlyList<OebinEventStream> events)
    {
        Path = path;
        GuiVersion = guiVersion;
        Continuous = continuous;
        Events = events;
    }

    /// <summary>The structure.oebin file.</summary>
    public string Path { get; }

    /// <summary>The recording folder (the file's folder): continuous/ and events/ are in it.</summary>
    public string RecordingFolder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".";

    /// <summary>"GUI version" as written.</summary>
    public string GuiVersion { get; }

    public IReadOnlyList<OebinContinuousStream> Continuous { get; }

    public IReadOnlyList<OebinEventStream> Events { get; }

    /// <summary>Reads and validates structure.oebin.</summary>
    /// <exception cref="InvalidRecordingException">Malformed JSON, a missing or mistyped field, or an unsupported GUI version.</exception>
    public static OebinStructure Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {Memory.FileErrors.Describe(e)}", e);
        }

        return Parse(path, bytes);
    }

    /// <summary>Parses the bytes of a structure.oebin; <paramref name="path"/> is for messages.</summary>
    public static OebinStructure Parse(string path, ReadOnlySpan<byte> json)
    {
        Utf8Text.Require(path, json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidRecordingException(
                path, $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}", "malformed JSON", "the JSON index the Open Ephys GUI writes");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRecordingException(path, "the top level", $"a JSON {Kind(root)}", "a JSON object");
            }

            string version = GetString(path, root, K.GuiVersionKey, K.GuiVersionKey);
            CheckVersion(path, version);

            var continuous = new List<OebinContinuousStream>();
            foreach ((JsonElement stream, int i) in GetArray(path, root, K.ContinuousKey, K.ContinuousKey).Select((s, i) => (s, i)))
            {
                continuous.Add(ParseContinuous(path, stream, i));
            }

            var events = new List<OebinEventStream>();
            if (root.TryGetProperty(K.EventsKey, out JsonElement eventArray) && eventArray.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (JsonElement e in eventArray.EnumerateArray())
                {
                    string where = $"{K.EventsKey}[{i++}]";
                    events.Add(new OebinEventStream(
                        GetString(path, e, K.FolderNameKey, where),
                        OptionalString(e, K.ChannelNameKey),
                        OptionalString(e, K.StreamNameKey),
                        OptionalString(e, K.TypeKey)));
                }
            }

            return new OebinStructure(path, version, continuous, events);
        }
    }

    private static void CheckVersion(string path, string text)
    {
        // "0.6.7", "1.0.0": compare major.minor; anything unparsable is unknown.
        string[] parts = text.Split('.');
        if (parts.Length < 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor)
            || new Version(major, minor) < K.FirstSupportedVersion
            || major >= K.FirstUnknownMajorVersion)
        {
            throw new InvalidRecordingException(
                path,
                $"\"{K.GuiVersionKey}\"",
                $"'{text}'",
                $"0.6 to 1.x: the binary format with sample_numbers.npy (older GUIs wrote sample counts in timestamps.npy)");
        }
    }

    private static OebinContinuousStream ParseContinuous(string path, JsonElement stream, int index)
    {
        string where = $"{K.ContinuousKey}[{index}]";
        if (stream.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRecordingException(path, where, $"a JSON {Kind(stream)}", "an object describing a stream");
        }

        string folder = GetString(path, stream, K.FolderNameKey, where);
        double rate = GetNumber(path, stream, K.SampleRateKey, where);
        if (!(rate > 0))
        {
            throw new InvalidRecordingException(path, $"{where}.{K.SampleRateKey}", rate.ToString("R"), "a positive rate in Hz");
        }

        double count = GetNumber(path, stream, K.ChannelCountKey, where);
        JsonElement[] channelArray = GetArray(path, stream, K.ChannelsKey, $"{where}.{K.ChannelsKey}");
        if (count != channelArray.Length || count < 1)
        {
            throw new InvalidRecordingException(
                path, $"{where}.{K.ChannelCountKey}", $"{count} (with {channelArray.Length} entries in '{K.ChannelsKey}')", "a positive count equal to the number of channel entries");
        }

        var channels = new OebinChannel[channelArray.Length];
        for (int c = 0; c < channelArray.Length; c++)
        {
            string channelWhere = $"{where}.{K.ChannelsKey}[{c}]";
            JsonElement ch = channelArray[c];
            if (ch.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRecordingException(path, channelWhere, $"a JSON {Kind(ch)}", "an object describing a channel");
            }

            double bitVolts = GetNumber(path, ch, K.BitVoltsKey, channelWhere);
            if (!(bitVolts > 0))
            {
                throw new InvalidRecordingException(path, $"{channelWhere}.{K.BitVoltsKey}", bitVolts.ToString("R"), "a positive value per count");
            }

            channels[c] = new OebinChannel(
                GetString(path, ch, K.ChannelNameKey, channelWhere), bitVolts, OptionalString(ch, K.UnitsKey), OptionalString(ch, K.DescriptionKey));
        }

        return new OebinContinuousStream(
            index, folder, OptionalString(stream, K.StreamNameKey), OptionalString(stream, K.SourceProcessorNameKey), rate, channels);
    }

    private static string GetString(string path, JsonElement element, string key, string where) =>
        TryGetProperty(path, element, key, where, out JsonElement value)
            ? value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new InvalidRecordingException(path, Field(where, key), $"a JSON {Kind(value)}", "a string")
            : throw new InvalidRecordingException(path, Field(where, key), "no such field", "a string");

    private static double GetNumber(string path, JsonElement element, string key, string where) =>
        TryGetProperty(path, element, key, where, out JsonElement value)
            ? value.ValueKind == JsonValueKind.Number
                ? value.TryGetDouble(out double number) && double.IsFinite(number)
                    ? number
                    : throw new InvalidRecordingException(path, Field(where, key), Printable.Excerpt(value.GetRawText()), "a finite number (a double)")
                : throw new InvalidRecordingException(path, Field(where, key), $"a JSON {Kind(value)}", "a number")
            : throw new InvalidRecordingException(path, Field(where, key), "no such field", "a number");

    private static JsonElement[] GetArray(string path, JsonElement element, string key, string where) =>
        TryGetProperty(path, element, key, where, out JsonElement value)
            ? value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().ToArray()
                : throw new InvalidRecordingException(path, where, $"a JSON {Kind(value)}", "an array")
            : throw new InvalidRecordingException(path, where, "no such field", "an array");

    private static string OptionalString(JsonElement element, string key) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>TryGetProperty for an element that must be an object: anything else (an array, a number) is the file's error, not an InvalidOperationException.</summary>
    private static bool TryGetProperty(string path, JsonElement element, string key, string where, out JsonElement value)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRecordingException(path, where, $"a JSON {Kind(element)}", $"an object with \"{key}\"");
        }

        return element.TryGetProperty(key, out value);
    }

    private static string Field(string where, string key) => where == key ? $"\"{key}\"" : $"{where}.{key}";

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}

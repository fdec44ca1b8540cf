using System.Globalization;
using System.Text.Json;
using NeuroAlign.Memory;

namespace NeuroAlign.Formats.Bids;

/// <summary>One key of merged sidecar metadata and the file it came from.</summary>
/// <param name="Value">The JSON value (independent of any document).</param>
/// <param name="SourcePath">The sidecar that set it (the nearest one holding the key).</param>
public sealed record BidsValue(JsonElement Value, string SourcePath);

/// <summary>
/// The JSON sidecar metadata that applies to a data file under the BIDS inheritance principle
/// (BIDS §The Inheritance Principle): every applicable <c>.json</c> from the dataset root down to
/// the file's own folder, loaded top-down so nearer files override farther ones key by key.
/// </summary>
public sealed class BidsMetadata
{
    private readonly Dictionary<string, BidsValue> _values;

    private BidsMetadata(Dictionary<string, BidsValue> values, IReadOnlyList<string> sidecars)
    {
        _values = values;
        Sidecars = sidecars;
    }

    /// <summary>No metadata (no sidecar found).</summary>
    public static BidsMetadata Empty { get; } = new(new Dictionary<string, BidsValue>(StringComparer.Ordinal), []);

    /// <summary>The sidecars that were merged, farthest (dataset root) first, nearest last.</summary>
    public IReadOnlyList<string> Sidecars { get; }

    /// <summary>Every merged key.</summary>
    public IReadOnlyDictionary<string, BidsValue> Values => _values;

    /// <summary>The merged value of <paramref name="key"/>, if any sidecar sets it.</summary>
    public bool TryGet(string key, out BidsValue value) => _values.TryGetValue(key, out value!);

    /// <summary>Whether some sidecar sets <paramref name="key"/>.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>
    /// Finds and merges the sidecars of <paramref name="dataPath"/>. The dataset root is the nearest
    /// folder above the file holding <c>dataset_description.json</c>, else the folder holding the
    /// file's <c>sub-*</c> folder, else the file's own folder.
    /// </summary>
    /// <exception cref="InvalidRecordingException">Two applicable sidecars at one level (rule 4), or a sidecar that is not a JSON object.</exception>
    public static BidsMetadata Discover(string dataPath)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        var data = BidsFileName.Parse(dataPath);
        var levels = new List<string>();
        string? folder = Path.GetDirectoryName(Path.GetFullPath(dataPath));
        string? root = FindDatasetRoot(folder);
        for (string? level = folder; level is not null; level = Path.GetDirectoryName(level))
        {
            levels.Add(level);
            if (root is null || string.Equals(level, root, StringComparison.Ordinal))
            {
                break;
            }
        }

        var sidecars = new List<string>();
        foreach (string level in levels)
        {
            string[] applicable = Directory.EnumerateFiles(level, "*.json")
                .Where(f => !string.Equals(Path.GetFileName(f), "dataset_description.json", StringComparison.Ordinal))
                .Where(f => BidsFileName.Parse(f).IsApplicableTo(data))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (applicable.Length > 1)
            {
                throw new InvalidRecordingException(
                    dataPath,
                    $"sidecars in {level}",
                    $"{applicable.Length} applicable files ({string.Join(", ", applicable.Select(Path.GetFileName))})",
                    "at most one per folder level (BIDS inheritance principle, rule 4)");
            }

            sidecars.AddRange(applicable);
        }

        sidecars.Reverse();
        return FromFiles(sidecars);
    }

    /// <summary>Merges the given sidecars, farthest first: later files override earlier ones key by key.</summary>
    public static BidsMetadata FromFiles(IReadOnlyList<string> sidecarsFarthestFirst)
    {
        ArgumentNullException.ThrowIfNull(sidecarsFarthestFirst);
        var values = new Dictionary<string, BidsValue>(StringComparer.Ordinal);
        foreach (string sidecar in sidecarsFarthestFirst)
        {
            using JsonDocument document = ParseJson(sidecar);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                values[property.Name] = new BidsValue(property.Value.Clone(), sidecar);
            }
        }

        return new BidsMetadata(values, sidecarsFarthestFirst.ToArray());
    }

    /// <summary>Reads a JSON object from <paramref name="path"/>; malformed JSON is reported with its line and column.</summary>
    public static JsonDocument ParseJson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot read: {FileErrors.Describe(e)}", e);
        }

        // JsonDocument decodes strings only when asked, so invalid UTF-8 would surface later as an
        // InvalidOperationException from whatever read the key; it is checked here, once.
        Utf8Text.Require(path, bytes);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            // JsonException counts lines and bytes from 0; editors count from 1.
            long line = (e.LineNumber ?? 0) + 1;
            long column = (e.BytePositionInLine ?? 0) + 1;
            string reason = e.Message;
            int cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            reason = (cut > 0 ? reason[..cut] : reason).Replace('\n', ' ').Replace('\r', ' ').TrimEnd('.', ' ');
            throw new InvalidRecordingException(path, $"line {line}, column {column}", $"malformed JSON ({reason})", "a valid JSON object");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            JsonValueKind kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new InvalidRecordingException(path, "line 1", $"a JSON {kind.ToString().ToLowerInvariant()}", "a JSON object of key-value metadata");
        }

        return document;
    }

    /// <summary>A positive (or, with <paramref name="allowZero"/>, non-negative) finite number of seconds, or null when absent.</summary>
    public double? GetSeconds(string key, bool allowZero = false, bool allowNegative = false)
    {
        if (!TryGet(key, out BidsValue value))
        {
            return null;
        }

        double number = AsNumber(value, key);
        bool valid = double.IsFinite(number) && (allowNegative || number > 0 || (allowZero && number == 0));
        if (!valid)
        {
            throw new InvalidRecordingException(
                value.SourcePath, key, number.ToString("R", CultureInfo.InvariantCulture), allowNegative ? "a finite number of seconds" : allowZero ? "zero or more seconds" : "a positive number of seconds");
        }

        return number;
    }

    /// <summary>An array of finite numbers, or null when absent.</summary>
    public double[]? GetNumberArray(string key)
    {
        if (!TryGet(key, out BidsValue value))
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRecordingException(value.SourcePath, key, $"a JSON {value.Value.ValueKind.ToString().ToLowerInvariant()}", "an array of numbers");
        }

        var numbers = new double[value.Value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in value.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double number) || !double.IsFinite(number))
            {
                throw new InvalidRecordingException(value.SourcePath, $"{key}[{i}]", Printable.Excerpt(item.GetRawText()), "a finite number");
            }

            numbers[i++] = number;
        }

        return numbers;
    }

    /// <summary>An array of strings, or null when absent.</summary>
    public string[]? GetStringArray(string key)
    {
        if (!TryGet(key, out BidsValue value))
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRecordingException(value.SourcePath, key, $"a JSON {value.Value.ValueKind.ToString().ToLowerInvariant()}", "an array of strings");
        }

        return value.Value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String
            ? item.GetString()!
            : throw new InvalidRecordingException(value.SourcePath, $"{key}[{i}]", Printable.Excerpt(item.GetRawText()), "a string")).ToArray();
    }

    /// <summary>A string, or null when absent.</summary>
    public string? GetString(string key)
    {
        if (!TryGet(key, out BidsValue value))
        {
            return null;
        }

        return value.Value.ValueKind == JsonValueKind.String
            ? value.Value.GetString()
            : throw new InvalidRecordingException(value.SourcePath, key, Printable.Excerpt(value.Value.GetRawText()), "a string");
    }

    private static double AsNumber(BidsValue value, string key) =>
        value.Value.ValueKind == JsonValueKind.Number
            ? value.Value.TryGetDouble(out double number) && double.IsFinite(number)
                ? number
                : throw new InvalidRecordingException(value.SourcePath, key, Printable.Excerpt(value.Value.GetRawText()), "a finite number (a double)")
            : throw new InvalidRecordingException(value.SourcePath, key, value.Value.GetRawText(), "a number");

    private static string? FindDatasetRoot(string? folder)
    {
        // The nearer of: a folder holding dataset_description.json, the parent of a sub-* folder.
        for (string? level = folder; level is not null; level = Path.GetDirectoryName(level))
        {
            if (File.Exists(Path.Combine(level, "dataset_description.json")))
            {
                return level;
            }

            if (Path.GetFileName(level).StartsWith("sub-", StringComparison.Ordinal))
            {
                return Path.GetDirectoryName(level);
            }
        }

        return null;
    }
}

using System.Globalization;

namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>A SpikeGLX "~name=(header)(entry)(entry)…" table, split but not interpreted.</summary>
/// <param name="Name">The key without its '~'.</param>
/// <param name="Header">The first parenthesised group, split at commas.</param>
/// <param name="Entries">The following groups, as written.</param>
public sealed record SpikeGlxTable(string Name, IReadOnlyList<string> Header, IReadOnlyList<string> Entries);

/// <summary>
/// A SpikeGLX .meta file: one "key=value" per line; keys starting with '~' hold tables
/// (Metadata_30.md). Typed getters name the key and the file when a value is missing or malformed.
/// </summary>
public sealed class SpikeGlxMeta
{
    private readonly Dictionary<string, string> _values;

    private SpikeGlxMeta(string path, Dictionary<string, string> values)
    {
        Path = path;
        _values = values;
    }

    /// <summary>The .meta file.</summary>
    public string Path { get; }

    /// <summary>Every key (tables with their '~') and its text.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>typeThis: imec, nidq or obx.</summary>
    public string StreamType => GetString(SpikeGlxConstants.TypeThis);

    /// <summary>Reads and parses a .meta file.</summary>
    public static SpikeGlxMeta Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {Memory.FileErrors.Describe(e)}", e);
        }

        return Parse(path, text);
    }

    /// <summary>Parses the text of a .meta file; <paramref name="path"/> is for messages.</summary>
    public static SpikeGlxMeta Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r').TrimStart('\uFEFF');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            // Values may themselves hold '=' (CatGT's command line), so the key ends at the first one.
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new InvalidRecordingException(path, $"line {lineNumber}", $"'{Shorten(line)}'", "key=value");
            }

            // A key given twice is two answers to one question (a hand edit, two files pasted
            // together): which one SpikeGLX meant cannot be known, so neither is picked.
            string key = line[..eq].Trim();
            if (lineOf.TryGetValue(key, out int first))
            {
                throw new InvalidRecordingException(
                    path, $"key '{Printable.Excerpt(key, 40)}' on lines {first} and {lineNumber}", "two values", "each key once");
            }

            lineOf[key] = lineNumber;
            values[key] = line[(eq + 1)..].Trim();
        }

        if (values.Count == 0)
        {
            throw new InvalidRecordingException(path, "line 1", "an empty file", "SpikeGLX key=value metadata");
        }

        return new SpikeGlxMeta(path, values);
    }

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or null when absent.</summary>
    public string? TryGetString(string key) => _values.TryGetValue(key, out string? v) ? v : null;

    /// <summary>The value of a required key.</summary>
    /// <exception cref="InvalidRecordingException">The key is absent.</exception>
    public string GetString(string key) =>
        TryGetString(key) ?? throw new InvalidRecordingException(Path, $"key '{key}'", "no such key", $"a '{key}=' line (required to read this file)");

    public int GetInt(string key) => ParseInt(key, GetString(key));

    public int? TryGetInt(string key) => TryGetString(key) is { Length: > 0 } v ? ParseInt(key, v) : null;

    public long GetLong(string key) => ParseLong(key, GetString(key));

    public long? TryGetLong(string key) => TryGetString(key) is { Length: > 0 } v ? ParseLong(key, v) : null;

    public double GetDouble(string key) => ParseDouble(key, GetString(key));

    public double? TryGetDouble(string key) => TryGetString(key) is { Length: > 0 } v ? ParseDouble(key, v) : null;

    /// <summary>A comma-separated list of integers with exactly <paramref name="count"/> items ("384,384,1").</summary>
    public int[] GetIntList(string key, int count)
    {
        string text = GetString(key);
        string[] parts = text.Split(',');
        if (parts.Length != count)
        {
            throw new InvalidRecordingException(Path, $"key '{key}'", $"'{text}' ({parts.Length} values)", $"{count} comma-separated integers");
        }

        return parts.Select(p => ParseInt(key, p)).ToArray();
    }

    /// <summary>
    /// A printer-like channel list ("0:150,768", ranges inclusive) as written by SpikeGLX for
    /// snsSaveChanSubset and niXDChans1; "all" gives 0..<paramref name="allCount"/>-1.
    /// </summary>
    public IReadOnlyList<int> GetChannelList(string key, int allCount)
    {
        string text = GetString(key);
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Enumerable.Range(0, Math.Clamp(allCount, 0, ReaderLimits.MaxChannels)).ToArray();
        }

        return ParseChannelList(key, text);
    }

    /// <summary>Parses a printer-like list ("2,4,8,12:150"; empty → none).</summary>
    public IReadOnlyList<int> ParseChannelList(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var channels = new List<int>();
        if (text.Trim().Length == 0)
        {
            return channels;
        }

        foreach (string rawPart in text.Split(','))
        {
            string part = rawPart.Trim();
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            bool ok;
            int first, last;
            if (colon >= 0)
            {
                ok = int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out first)
                    & int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out last);
            }
            else
            {
                ok = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out first);
                last = first;
            }

            if (!ok || last < first)
            {
                throw new InvalidRecordingException(
                    Path, $"key '{key}'", $"'{Shorten(part)}' in '{Shorten(text)}'", "channel numbers and increasing ranges such as 0:383,768");
            }

            // Checked before the range is expanded: "0:2147483647" would otherwise be a 2^31-entry list.
            if ((long)channels.Count + last - first + 1 > ReaderLimits.MaxChannels)
            {
                throw new InvalidRecordingException(
                    Path, $"key '{key}'", $"'{Shorten(part)}' in '{Shorten(text)}', more than {ReaderLimits.MaxChannels} channels", $"at most {ReaderLimits.MaxChannels} channels");
            }

            // A long counter: with last = int.MaxValue an int one would wrap and never end (a hang the long fuzz run found).
            for (long c = first; c <= last; c++)
            {
                channels.Add((int)c);
            }
        }

        return channels;
    }

    /// <summary>The table "~<paramref name="name"/>", or null when absent.</summary>
    public SpikeGlxTable? TryGetTable(string name)
    {
        string key = "~" + name;
        if (TryGetString(key) is not { } text)
        {
            return null;
        }

        if (text.Length < 2 || text[0] != '(' || text[^1] != ')')
        {
            throw new InvalidRecordingException(Path, $"key '{key}'", $"'{Shorten(text)}'", "(header)(entry)(entry)…");
        }

        string[] groups = text[1..^1].Split(")(");
        foreach (string g in groups)
        {
            if (g.Contains('(', StringComparison.Ordinal) || g.Contains(')', StringComparison.Ordinal))
            {
                throw new InvalidRecordingException(Path, $"key '{key}'", $"the group '({Shorten(g)})'", "(header)(entry)(entry)… with no nested parentheses");
            }
        }

        return new SpikeGlxTable(name, groups[0].Split(','), groups[1..]);
    }

    /// <summary>The table "~<paramref name="name"/>", required.</summary>
    public SpikeGlxTable GetTable(string name) =>
        TryGetTable(name) ?? throw new InvalidRecordingException(Path, $"key '~{name}'", "no such key", $"a '~{name}=' table (required to read this file)");

    private int ParseInt(string key, string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new InvalidRecordingException(Path, $"key '{key}'", $"'{Shorten(text)}'", "an integer");

    private long ParseLong(string key, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new InvalidRecordingException(Path, $"key '{key}'", $"'{Shorten(text)}'", "an integer");

    private double ParseDouble(string key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new InvalidRecordingException(Path, $"key '{key}'", $"'{Shorten(text)}'", "a finite number");

    internal static string Shorten(string text) => Printable.Excerpt(text, 40);
}

namespace NeuroAlign.Sessions;

/// <summary>
/// A per-stream setting's values: one for every stream it concerns (<c>linear</c>), or values by
/// stream name or modality (<c>ephys=linear,left=previous</c>). A stream's value is the one given for
/// its name, else for its modality, else for all.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class StreamValues<T> : IStreamNamed
    where T : notnull
{
    private readonly Dictionary<string, T> _byName = new(StringComparer.Ordinal);

    /// <summary>The value given without a name, for every stream; default when none was.</summary>
    public T? All { get; private set; }

    /// <summary>Whether a value without a name was given.</summary>
    public bool HasAll { get; private set; }

    /// <summary>The names (streams or modalities) given a value of their own.</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>Whether anything was given.</summary>
    public bool IsEmpty => !HasAll && _byName.Count == 0;

    /// <summary>The value for a stream: by its name, else its modality's, else the one for all.</summary>
    public bool TryGet(string stream, string modality, out T value)
    {
        if (_byName.TryGetValue(stream, out T? named) || _byName.TryGetValue(modality, out named))
        {
            value = named;
            return true;
        }

        value = All!;
        return HasAll;
    }

    /// <summary>The value for a stream, or <paramref name="fallback"/>.</summary>
    public T Get(string stream, string modality, T fallback) => TryGet(stream, modality, out T value) ? value : fallback;

    /// <summary>The value given for exactly this name (no modality or all fallback).</summary>
    public bool TryGetNamed(string name, out T value) => _byName.TryGetValue(name, out value!);

    /// <summary>
    /// Adds one occurrence: <c>VALUE</c> (for all) or <c>NAME=VALUE[,NAME=VALUE…]</c>. A value that
    /// starts with a name and '=' is a named one only where the name is a plain word, so a path such
    /// as <c>run=1.bin</c> given for all must exist as a file to be read as a value.
    /// </summary>
    internal void Add(Setting setting, string text, Func<string, T> parse)
    {
        if (!StreamNames.LooksNamed(text))
        {
            if (HasAll)
            {
                throw new SettingException(setting, $"given twice without a stream name ('{All}' and '{text}'); name the streams, e.g. NAME=VALUE");
            }

            All = parse(text.Trim());
            HasAll = true;
            return;
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !StreamNames.IsName(part[..eq]))
            {
                throw new SettingException(setting, $"'{part}' is not NAME=VALUE (in '{text}')");
            }

            string name = part[..eq];
            if (!_byName.TryAdd(name, parse(part[(eq + 1)..])))
            {
                throw new SettingException(setting, $"{name} is given twice");
            }
        }
    }
}

/// <summary>The names a per-stream setting's values were given for, whatever their type.</summary>
public interface IStreamNamed
{
    /// <summary>The names (streams or modalities) given a value of their own.</summary>
    IReadOnlyCollection<string> Names { get; }
}

/// <summary>How streams are named in settings: <c>NAME=VALUE</c>, NAME a plain word.</summary>
public static class StreamNames
{
    /// <summary>Whether a value is given per name: NAME=… with NAME a plain word, and not an existing file.</summary>
    public static bool LooksNamed(string text)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && IsName(text[..eq].Trim()) && !File.Exists(text) && !Directory.Exists(text);
    }

    /// <summary>Stream names are plain words: letters, digits, '_' and '-', starting with a letter.</summary>
    public static bool IsName(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}

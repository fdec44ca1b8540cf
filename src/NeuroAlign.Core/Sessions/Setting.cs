using System.Globalization;

namespace NeuroAlign.Sessions;

/// <summary>
/// A setting a user gives: an option on the command line, a column of a sessions manifest, a field
/// of a plan built in code. Readers and fitters name settings in their messages through this type,
/// never through a flag's text: the front end decides how a setting is shown (the command line
/// renders <c>--video-sync</c>, a library user sees <c>'video-sync'</c>), see <see cref="Display"/>.
/// </summary>
public abstract class Setting
{
    private protected Setting(string key, string? valueName, string help, string? defaultText, SettingScope scope, bool repeatable)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(help);
        Key = key;
        ValueName = valueName;
        Help = help;
        DefaultText = defaultText;
        Scope = scope;
        Repeatable = repeatable;
    }

    /// <summary>How settings appear in messages; the command line replaces it with its flags once, at start-up.</summary>
    public static Func<string, string> Display { get; set; } = key => $"'{key}'";

    /// <summary>The setting's name: lower case words joined by dashes (<c>video-sync</c>).</summary>
    public string Key { get; }

    /// <summary>What the value is, for help (<c>SECONDS</c>, <c>STREAM:LINE</c>); null for a switch that takes none.</summary>
    public string? ValueName { get; }

    /// <summary>One line of help.</summary>
    public string Help { get; }

    /// <summary>The default as users would type it, or null when there is none to show.</summary>
    public string? DefaultText { get; }

    /// <summary>Whether one value serves all, or values may be given per stream (<c>left=30,body=60</c>).</summary>
    public SettingScope Scope { get; }

    /// <summary>Whether the setting may be given more than once (values accumulate).</summary>
    public bool Repeatable { get; }

    /// <summary>Whether the setting is a switch (present or not) rather than a value.</summary>
    public bool IsSwitch => ValueName is null;

    /// <summary>The setting as the front end shows it.</summary>
    public override string ToString() => Display(Key);

    /// <summary>Parses one value as given; throws <see cref="SettingException"/> naming this setting.</summary>
    internal abstract object ParseBoxed(string text);

    /// <summary>Adds one occurrence to a per-stream setting's values (<see cref="StreamValues{T}"/>, created when null).</summary>
    internal abstract object AddPerStream(object? values, string text);

    /// <summary>A switch.</summary>
    public static Setting<bool> Switch(string key, string help) => new(key, null, help, null, SettingScope.Session, false, _ => true);

    /// <summary>A value parsed by <paramref name="parse"/>, which throws <see cref="SettingException"/> or returns.</summary>
    public static Setting<T> Of<T>(string key, string valueName, string help, Func<string, T> parse, string? defaultText = null, SettingScope scope = SettingScope.Session, bool repeatable = false)
        where T : notnull => new(key, valueName, help, defaultText, scope, repeatable, parse);

    /// <summary>Text kept as given (a path, a name), refused only when empty.</summary>
    public static Setting<string> Text(string key, string valueName, string help, string? defaultText = null, SettingScope scope = SettingScope.Session, bool repeatable = false) =>
        new(key, valueName, help, defaultText, scope, repeatable, null);

    /// <summary>A finite number (invariant culture: 2.5, never 2,5), optionally at least <paramref name="minimum"/>.</summary>
    public static Setting<double> Number(string key, string valueName, string help, double? minimum = null, bool exclusiveMinimum = false, string? defaultText = null, SettingScope scope = SettingScope.Session) =>
        Of(key, valueName, help, text => ParseNumber(key, text, minimum, exclusiveMinimum), defaultText, scope);

    /// <summary>A whole number at least <paramref name="minimum"/>.</summary>
    public static Setting<long> Whole(string key, string valueName, string help, long minimum, string? defaultText = null, SettingScope scope = SettingScope.Session) =>
        Of(key, valueName, help, text => ParseWhole(key, text, minimum), defaultText, scope);

    /// <summary>A whole number at least <paramref name="minimum"/> that fits an <see cref="int"/> (processes, CPUs, levels).</summary>
    public static Setting<int> Count(string key, string valueName, string help, int minimum, string? defaultText = null) =>
        Of(key, valueName, help, text => int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new SettingException(key, $"'{text}' is not a whole number ≥ {minimum}"), defaultText);

    /// <summary>Runs a parser whose errors name no setting, and names <paramref name="key"/> in them.</summary>
    public static T Naming<T>(string key, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (NeuroAlignException e) when (e is not SettingException)
        {
            throw new SettingException(key, e.Message);
        }
    }

    /// <summary>A finite number; the message names the setting by key so that it reads the same from every front end.</summary>
    internal static double ParseNumber(string key, string text, double? minimum, bool exclusiveMinimum)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new SettingException(key, $"'{text}' is not a finite number");
        }

        if (minimum is { } min && (value < min || (exclusiveMinimum && value == min)))
        {
            throw new SettingException(key, min != 0 ? $"{text} is below {min.ToString("G", CultureInfo.InvariantCulture)}"
                : value < 0 ? $"{text} is negative; expected {(exclusiveMinimum ? "a positive number" : "zero or more")}"
                : $"{text} is not positive");
        }

        return value;
    }

    internal static long ParseWhole(string key, string text, long minimum) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) && value >= minimum
            ? value
            : throw new SettingException(key, $"'{text}' is not a whole number ≥ {minimum}");
}

/// <summary>Whether a setting has one value for the whole command or may differ per stream.</summary>
public enum SettingScope
{
    /// <summary>One value for everything.</summary>
    Session,

    /// <summary>One value for every stream it concerns, or values per stream name or modality: <c>left=30,fmri=0.5</c>.</summary>
    PerStream,
}

/// <summary>A setting whose values are of type <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The parsed value type.</typeparam>
public sealed class Setting<T> : Setting
    where T : notnull
{
    private readonly Func<string, T>? _parse;

    internal Setting(string key, string? valueName, string help, string? defaultText, SettingScope scope, bool repeatable, Func<string, T>? parse)
        : base(key, valueName, help, defaultText, scope, repeatable) => _parse = parse;

    /// <summary>Parses one value; throws <see cref="SettingException"/> naming the setting.</summary>
    public T Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_parse is not null)
        {
            return _parse(text);
        }

        // Text settings: kept as given, but an empty value is always a mistake.
        return text.Length > 0 ? (T)(object)text : throw new SettingException(Key, "an empty value");
    }

    internal override object ParseBoxed(string text) => Parse(text);

    internal override object AddPerStream(object? values, string text)
    {
        var perStream = (StreamValues<T>?)values ?? new StreamValues<T>();
        perStream.Add(this, text, Parse);
        return perStream;
    }
}

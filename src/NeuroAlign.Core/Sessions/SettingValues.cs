namespace NeuroAlign.Sessions;

/// <summary>
/// The settings of one command, parsed as they were given: by <see cref="Setting"/> object, never
/// by a flag's text. A front end adds each occurrence with <see cref="Add"/>, which parses it (so a
/// bad value fails before any file is opened); the code that owns a setting reads it typed.
/// </summary>
public sealed class SettingValues
{
    private readonly Dictionary<Setting, object> _values = [];
    private readonly List<(Setting Setting, string? Text)> _given = [];

    /// <summary>Every occurrence as given, in order (a switch's text is null): how a command hands the same work to another process.</summary>
    public IReadOnlyList<(Setting Setting, string? Text)> Given => _given;

    /// <summary>Adds one occurrence of <paramref name="setting"/>; <paramref name="text"/> is null for a switch.</summary>
    public void Add(Setting setting, string? text)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (setting.IsSwitch)
        {
            _values[setting] = true;
            _given.Add((setting, null));
            return;
        }

        ArgumentNullException.ThrowIfNull(text);
        if (setting.Scope == SettingScope.PerStream)
        {
            _values[setting] = setting.AddPerStream(_values.GetValueOrDefault(setting), text);
        }
        else if (setting.Repeatable)
        {
            object value = setting.ParseBoxed(text);
            if (!_values.TryGetValue(setting, out object? list))
            {
                _values[setting] = list = new List<object>();
            }

            ((List<object>)list).Add(value);
        }
        else
        {
            if (_values.TryGetValue(setting, out object? earlier))
            {
                throw new SettingException(setting, $"given twice ('{Given.First(g => g.Setting == setting).Text}' and '{text}'); it takes one value");
            }

            _values[setting] = setting.ParseBoxed(text);
        }

        _given.Add((setting, text));
    }

    /// <summary>Whether the setting was given.</summary>
    public bool Has(Setting setting) => _values.ContainsKey(setting);

    /// <summary>The value of a one-value setting, if given.</summary>
    public bool TryGet<T>(Setting<T> setting, out T value)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (setting.Scope == SettingScope.PerStream || setting.Repeatable)
        {
            throw new InvalidOperationException($"{setting.Key} takes several values; use PerStream or All");
        }

        if (_values.TryGetValue(setting, out object? v))
        {
            value = (T)v;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The value of a one-value setting, or <paramref name="fallback"/>.</summary>
    public T Get<T>(Setting<T> setting, T fallback)
        where T : notnull => TryGet(setting, out T value) ? value : fallback;

    /// <summary>The value of a one-value setting, or null.</summary>
    public T? Find<T>(Setting<T> setting)
        where T : class => TryGet(setting, out T value) ? value : null;

    /// <summary>The value of a one-value setting of a value type, or null.</summary>
    public T? FindValue<T>(Setting<T> setting)
        where T : struct => TryGet(setting, out T value) ? value : null;

    /// <summary>Every value of a repeatable setting, in order.</summary>
    public IReadOnlyList<T> All<T>(Setting<T> setting)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(setting);
        return _values.TryGetValue(setting, out object? list) ? ((List<object>)list).Cast<T>().ToArray() : [];
    }

    /// <summary>The values of a per-stream setting.</summary>
    public StreamValues<T> PerStream<T>(Setting<T> setting)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(setting);
        return _values.TryGetValue(setting, out object? v) ? (StreamValues<T>)v : new StreamValues<T>();
    }

    /// <summary>The stream or modality names a per-stream setting was given values for (none when not given).</summary>
    public IReadOnlyCollection<string> NamesGiven(Setting setting) =>
        _values.TryGetValue(setting, out object? v) && v is IStreamNamed named ? named.Names : [];

    /// <summary>A copy without the given settings (how a command hands part of its work on).</summary>
    public SettingValues Without(params Setting[] leaveOut)
    {
        var copy = new SettingValues();
        foreach (var (setting, text) in _given.Where(g => !leaveOut.Contains(g.Setting)))
        {
            copy.Add(setting, text);
        }

        return copy;
    }
}

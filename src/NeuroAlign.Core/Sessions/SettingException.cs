namespace NeuroAlign.Sessions;

/// <summary>
/// A setting the user gave that cannot be used: a value that does not parse, names a stream that is
/// not loaded, or contradicts another setting. The message names the setting as the front end shows
/// it (<see cref="Setting.Display"/>), so the command line says <c>option --rate: …</c> and a
/// library user <c>option 'rate': …</c>. The command line exits with 2 (a wrong command line).
/// </summary>
public sealed class SettingException : NeuroAlignException
{
    public SettingException(string key, string detail)
        : base($"option {Setting.Display(key)}: {detail}")
    {
        Key = key;
        Detail = detail;
    }

    /// <summary>A value of a setting that cannot be used: <c>option --video-sync ephys:x: expected STREAM:LINE</c>.</summary>
    public SettingException(string key, string value, string detail)
        : base($"option {Setting.Display(key)} {value}: {detail}")
    {
        Key = key;
        Detail = detail;
    }

    public SettingException(Setting setting, string detail)
        : this((setting ?? throw new ArgumentNullException(nameof(setting))).Key, detail)
    {
    }

    /// <summary>A mistake that concerns how settings combine rather than one setting's value.</summary>
    public SettingException(string message)
        : base(message)
    {
        Key = string.Empty;
        Detail = message;
    }

    public SettingException()
    {
        Key = Detail = string.Empty;
    }

    public SettingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
        Detail = message;
    }

    /// <summary>The setting at fault, or empty when the mistake is in how several combine.</summary>
    public string Key { get; }

    /// <summary>What is wrong, without the setting's name.</summary>
    public string Detail { get; }
}

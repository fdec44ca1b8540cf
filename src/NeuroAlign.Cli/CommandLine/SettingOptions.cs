using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Sessions;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>
/// The command line's view of Core's settings: each <see cref="Setting"/> is the option
/// <c>--KEY</c>, and what the user typed becomes typed <see cref="SettingValues"/>. Option values
/// are never looked up by their text below this point.
/// </summary>
internal static class SettingOptions
{
    /// <summary>The modalities this tool offers: one line each (docs/architecture.md, "Adding a modality").</summary>
    public static readonly ModalityRegistry Modalities = new(
    [
        new EphysModality(),
        new VideoModality(),
        new FmriModality(),
        new NeuroAlign.Hdf5.Pose.PoseModality(),
    ]);

    /// <summary>The settings that describe a session: paths, each modality's own, and sync.</summary>
    public static readonly IReadOnlyList<Setting> Session = [.. Modalities.PathSettings, .. Modalities.StreamSettings, .. SyncSettings.All];

    /// <summary>The settings of an export besides the session's (compression and scale-out are the CLI's own options).</summary>
    public static readonly IReadOnlyList<Setting> Export = [.. ExportSettings.All.Where(s => s != ExportSettings.Shard)];

    /// <summary>How the command line shows a setting: as its flag.</summary>
    public static string Flag(string key) => "--" + key;

    /// <summary>The option spec of a setting, its help ending with its default.</summary>
    public static OptionSpec Spec(Setting setting) => new(
        Flag(setting.Key),
        setting.ValueName,
        setting.DefaultText is { } d ? $"{setting.Help} (default: {d})" : setting.Help,
        Repeatable: setting.Repeatable || setting.Scope == SettingScope.PerStream);

    public static OptionSpec[] Specs(IEnumerable<Setting> settings) => [.. settings.Select(Spec)];

    /// <summary>The typed values of every given option that is one of <paramref name="settings"/>; others are left to the command.</summary>
    public static SettingValues Read(ParsedArgs args, IEnumerable<Setting> settings)
    {
        ArgumentNullException.ThrowIfNull(args);
        var byFlag = settings.ToDictionary(s => Flag(s.Key), StringComparer.Ordinal);
        var values = new SettingValues();
        foreach (var (name, value) in args.Given)
        {
            if (byFlag.TryGetValue(name, out Setting? setting))
            {
                values.Add(setting, value);
            }
        }

        return values;
    }
}

using NeuroAlign.Formats.Containers;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Modalities.Physio;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Modalities.Table;
using NeuroAlign.Sessions;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>
/// The command line's view of settings: each <see cref="Setting"/> is the option <c>--KEY</c>,
/// and what the user typed becomes typed <see cref="SettingValues"/> (<see cref="ParsedArgs"/>).
/// Option values are never looked up by their text.
/// </summary>
internal static class SettingOptions
{
    /// <summary>The modalities this tool offers: one line each (docs/architecture.md, "Adding a modality").</summary>
    public static readonly ModalityRegistry Modalities = new(
    [
        new EphysModality(),
        new SpikesModality(),
        new VideoModality(),
        new FmriModality(),
        new PhysioModality(),
        new TableModality(),
        new NeuroAlign.Hdf5.Pose.PoseModality(),
    ]);

    /// <summary>What each modality reads from files holding objects of several modalities (NWB, as FILE#ADDRESS): one line per opener (docs/architecture.md, "Adding a source format").</summary>
    public static readonly IReadOnlyList<IContainerOpener> ContainerOpeners = ContainerSources.Register(
    [
        new NwbEphysOpener(),
        new NwbSpikesOpener(),
        new NwbTimesOpener(),
        new NwbVideoOpener(),
        new NwbTableOpener(),
        new NwbPoseOpener(),
        new NwbPhysioOpener(),
    ]);

    /// <summary>The settings that describe a session: paths, each modality's own, and sync.</summary>
    public static readonly IReadOnlyList<Setting> Session = [.. Modalities.PathSettings, .. Modalities.StreamSettings, .. SyncSettings.All];

    /// <summary>The settings of an export besides the session's, compression and scale-out.</summary>
    public static readonly IReadOnlyList<Setting> Export = [.. ExportSettings.All.Where(s => s != ExportSettings.Shard)];

    /// <summary>The streams a command line names (export, sync): at least one, and no stray arguments.</summary>
    public static IReadOnlyList<StreamRequest> Requests(ParsedArgs args)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with {string.Join(", ", Modalities.Modalities.Select(m => Flag(m.Name)))}");
        }

        IReadOnlyList<StreamRequest> requests = Modalities.Requests(args.Values);
        return requests.Count > 0 ? requests : throw new UsageException($"no input: give {string.Join(", ", Modalities.PathSettings.Select(s => $"{s} PATH"))} (see --help)");
    }

    /// <summary>How the command line shows a setting: as its flag.</summary>
    public static string Flag(string key) => "--" + key;

    /// <summary>A setting's help ending with its default.</summary>
    public static string HelpLine(Setting setting) => setting.DefaultText is { } d ? $"{setting.Help} (default: {d})" : setting.Help;

    /// <summary>Whether the value names a file or folder (by the placeholder's convention: PATH, FILE, DIR, JSON).</summary>
    public static bool TakesPath(Setting setting) => setting.ValueName is "PATH" or "[NAME=]PATH" or "FILE" or "JSON";
}

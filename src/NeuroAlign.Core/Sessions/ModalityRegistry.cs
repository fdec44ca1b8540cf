namespace NeuroAlign.Sessions;

/// <summary>
/// The modalities a front end offers, in one list: each brings its path setting (<c>--video</c>),
/// its own settings, and its per-sample sync settings. The command line builds its options from
/// here, so a modality registered once is usable everywhere.
/// </summary>
public sealed class ModalityRegistry
{
    private readonly Dictionary<IModality, Setting<string>> _paths = [];

    public ModalityRegistry(IEnumerable<IModality> modalities)
    {
        ArgumentNullException.ThrowIfNull(modalities);
        Modalities = modalities.ToArray();
        foreach (IModality m in Modalities)
        {
            if (Modalities.Count(o => o.Name == m.Name) > 1)
            {
                throw new ArgumentException($"two modalities are named {m.Name}", nameof(modalities));
            }

            _paths[m] = Setting.Text(m.Name, "[NAME=]PATH", $"{m.PathHelp}; repeat for more streams, each named NAME= (default {m.Name}, {m.Name}_1, …)", repeatable: true);
        }
    }

    public IReadOnlyList<IModality> Modalities { get; }

    /// <summary>The setting that takes a modality's paths, <c>[NAME=]PATH</c>, repeatable.</summary>
    public Setting<string> PathSetting(IModality modality) => _paths[modality];

    /// <summary>The path settings of every modality.</summary>
    public IReadOnlyList<Setting> PathSettings => [.. Modalities.Select(m => _paths[m])];

    /// <summary>Every modality's own settings: how its files open (without the paths and sync), each once.</summary>
    public IReadOnlyList<Setting> OpenSettings => [.. Modalities.SelectMany(m => m.Settings).Distinct()];

    /// <summary>Every modality's own settings and per-sample sync settings (without the paths), each once.</summary>
    public IReadOnlyList<Setting> StreamSettings =>
        [.. Modalities.SelectMany(m => m.Settings.Concat(SyncSettingsOf(m))).Distinct()];

    /// <summary>A modality by name, or null.</summary>
    public IModality? Find(string name) => Modalities.FirstOrDefault(m => m.Name == name);

    /// <summary>The modality <c>info</c> opens a path as: the first that claims it, else the last resort (ephys reads any binary).</summary>
    public IModality ForPath(string path) => Modalities.FirstOrDefault(m => m.Claims(path)) ?? Modalities.OrderBy(m => m.ReferencePriority).First();

    /// <summary>
    /// The streams the settings ask for, named: <c>NAME=PATH</c> gives the name; otherwise the
    /// modality's name, then NAME_1, NAME_2… for more unnamed streams of one modality (as ephys,
    /// ephys_1 always were).
    /// </summary>
    public IReadOnlyList<StreamRequest> Requests(SettingValues settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var requests = new List<StreamRequest>();
        foreach (IModality modality in Modalities.OrderBy(m => m.ReferencePriority))
        {
            Setting<string> setting = _paths[modality];
            int unnamed = 0, index = 0;
            foreach (string given in settings.All(setting))
            {
                string name, path;
                if (StreamNames.LooksNamed(given))
                {
                    int eq = given.IndexOf('=', StringComparison.Ordinal);
                    (name, path) = (given[..eq].Trim(), given[(eq + 1)..]);
                    if (path.Length == 0)
                    {
                        throw new SettingException(setting, $"'{given}' names stream {name} but no path");
                    }
                }
                else
                {
                    (name, path) = (unnamed == 0 ? modality.Name : $"{modality.Name}_{unnamed}", given);
                    unnamed++;
                }

                if (OutputSchema.ReservedGroups.Contains(name))
                {
                    throw new SettingException(setting, $"'{name}' is a group of the output's own ({string.Join(", ", OutputSchema.ReservedGroups)}); choose another stream name");
                }

                if (requests.FirstOrDefault(r => r.Name == name) is { } twin)
                {
                    throw new SettingException(setting, $"two streams are named {name} ({twin.Path} and {path}); name them apart, e.g. {modality.Name} left={path}");
                }

                requests.Add(new StreamRequest(name, modality, path, index++));
            }
        }

        // A per-stream setting of a modality with no stream would be silently ignored.
        foreach (IModality modality in Modalities.Where(m => requests.All(r => r.Modality != m)))
        {
            if (modality.Settings.Concat(SyncSettingsOf(modality)).FirstOrDefault(s => s.Scope == SettingScope.PerStream && settings.Has(s)) is { } unused)
            {
                throw new SettingException($"option {unused} needs {_paths[modality]} PATH");
            }
        }

        return requests;
    }

    private static IEnumerable<Setting> SyncSettingsOf(IModality m) =>
        m.PerSampleSync is { } s ? new Setting?[] { s.Pulses, s.Led, s.LedRegion }.OfType<Setting>() : [];
}

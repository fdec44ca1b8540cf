using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>
/// What makes the shards of one export belong together: the command's options (all but where the
/// output goes and how the work is split) and every input file's path, size and modification time.
/// Shards whose fingerprints differ were written from different inputs or commands, and merge
/// refuses to join them (issue 10).
/// </summary>
internal static class InputsFingerprint
{
    /// <summary>Options that only say where the output goes or how the work is split.</summary>
    public static readonly Setting[] IgnoredOptions = [ExportSettings.Out, ExportSettings.Shard, ExportSharding.Shards, ExportSharding.Jobs];

    /// <summary>Options left out of the fingerprint too: where a cache lives does not change the data (and the cache changes as shards fill it), nor does permission to replace a file.</summary>
    private static readonly Setting[] CacheOptions = [FmriSettings.Cache, ExportSettings.Overwrite];

    private static readonly string[] OutputExtensions = [".h5", ".hdf5", ".partial"];

    /// <summary>The SHA-256 (hex) of <see cref="Describe"/>.</summary>
    public static string Compute(SettingValues args, IReadOnlyList<Setting> settings) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Describe(args, settings))));

    /// <summary>
    /// The text that is hashed: one line per option, sorted by name (values in the order given),
    /// with the values of path options (<see cref="SettingOptions.TakesPath"/>) made absolute; then one line per input file
    /// (absolute path, bytes, modification time in UTC ticks), including files named inside other
    /// options' values (a file of pulse times in --sync-line ephys_1=FILE). An input's files are the file itself,
    /// its companions that share its name up to the first dot (a SpikeGLX .meta beside its .bin, a
    /// BIDS .json beside its .nii.gz; not .h5 files), and every file under an input folder (Open Ephys).
    /// </summary>
    public static string Describe(SettingValues args, IReadOnlyList<Setting> settings)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(settings);
        var pathOptions = settings.Where(SettingOptions.TakesPath).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var text = new StringBuilder();
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var options = args.Given
            .Where(g => !IgnoredOptions.Contains(g.Setting) && !CacheOptions.Contains(g.Setting))
            .Select((g, order) => (Name: SettingOptions.Flag(g.Setting.Key), Value: g.Text, Order: order))
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .ThenBy(g => g.Order);
        foreach (var (name, value, _) in options)
        {
            string shown = value ?? string.Empty;
            if (value != null && pathOptions.Contains(name[2..]) && PathOf(value) is { } full)
            {
                shown = full;
                AddInputFiles(PathFragment.Split(full).Path, files);
            }
            else if (value != null)
            {
                // Options such as --sync-line ephys_1=pulses.txt may name a file of pulse times inside their value.
                foreach (string part in value.Split(',').Select(p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]))
                {
                    if (PathOf(part) is { } named)
                    {
                        AddInputFiles(PathFragment.Split(named).Path, files);
                    }
                }
            }

            text.Append("option ").Append(name).Append('=').Append(shown).Append('\n');
        }

        foreach (string file in files)
        {
            var info = new FileInfo(file);
            text.Append(CultureInfo.InvariantCulture, $"file {file} {info.Length} {info.LastWriteTimeUtc.Ticks}\n");
        }

        return text.ToString();
    }

    private static string? PathOf(string value)
    {
        if (value.Length == 0 || value.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            return null;
        }

        // A part named inside a file or folder (PATH#experiment3/recording1) keeps its fragment.
        var (path, fragment) = PathFragment.Split(value);
        string full = Path.GetFullPath(path);
        return !File.Exists(full) && !Directory.Exists(full) ? null : fragment is null ? full : $"{full}#{fragment}";
    }

    private static void AddInputFiles(string path, SortedSet<string> files)
    {
        if (Directory.Exists(path))
        {
            foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                files.Add(file);
            }

            return;
        }

        files.Add(path);
        string name = Path.GetFileName(path);
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string? folder = Path.GetDirectoryName(path);
        if (dot > 0 && folder != null)
        {
            // Outputs (ours or a previous run's) are not inputs, even when they share the name.
            foreach (string companion in Directory.EnumerateFiles(folder, name[..(dot + 1)] + "*")
                .Where(f => !OutputExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)))
            {
                files.Add(companion);
            }
        }
    }
}

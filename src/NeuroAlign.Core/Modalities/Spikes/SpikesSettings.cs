using NeuroAlign.Sessions;

namespace NeuroAlign.Modalities.Spikes;

/// <summary>The settings of sorted-spike streams; each may be given per stream when several sorted probes are loaded.</summary>
public static class SpikesSettings
{
    /// <summary>Bins per second when no output rate is given: 1 ms bins.</summary>
    public const double DefaultBinRateHz = 1000;

    public static readonly Setting<string> Of = Setting.Text(
        "spikes-of", "STREAM", "the ephys stream the spikes were sorted from (their sample k is its sample k, so they follow its clock and sync); per stream: NAME=STREAM",
        "the ephys stream whose file params.py dat_path names, else the only one at sample_rate", SettingScope.PerStream);

    public static readonly Setting<SpikeUnitSelection> Units = Setting.Of(
        "spike-units", "LABELS|IDS", "units to keep: labels (good,mua) or cluster ids (3,7,12-20); per stream, joined by +: probeA=good+mua,probeB=3+7",
        text => SpikeUnitSelection.Parse("spike-units", text), "every unit not labelled noise", SettingScope.PerStream);

    public static readonly Setting<string> Clusters = Setting.Text(
        "spike-clusters", "FILE", "other sorters: the unit id of each spike (.npy), with the spike path a times .npy (integers: samples; floats: seconds); per stream: NAME=FILE",
        scope: SettingScope.PerStream);

    public static readonly Setting<double> SampleRate = Setting.Number(
        "spike-sample-rate", "HZ", "other sorters: the sorted recording's sample rate, when the spikes are of no loaded stream", 0, exclusiveMinimum: true, defaultText: "the rate of the stream the spikes are of");

    public static readonly Setting<bool> Sort = Setting.Switch(
        "spike-sort", "sort spike times that are not in increasing order (in memory, 16 bytes per spike) instead of refusing them");

    public static IReadOnlyList<Setting> All { get; } = [Of, Units, Clusters, SampleRate, Sort];
}

/// <summary>Which units of a sort are kept: by label (good, mua) or by cluster id; null members mean the default (every unit not labelled noise).</summary>
public sealed record SpikeUnitSelection(IReadOnlyList<string>? Labels, IReadOnlyList<(long First, long Last)>? IdRanges)
{
    /// <summary>Every unit not labelled noise.</summary>
    public static SpikeUnitSelection Default { get; } = new(null, null);

    /// <summary>Labels (good,mua) or ids and ranges (3,7,12-20); not both.</summary>
    public static SpikeUnitSelection Parse(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // '+' separates too: per stream, ',' separates the streams (probeA=good+mua,probeB=good).
        string[] parts = [.. text.Split(',', '+').Select(p => p.Trim())];
        if (parts.Any(p => p.Length == 0))
        {
            throw new SettingException(key, $"'{text}' has an empty item: expected labels (good,mua) or cluster ids (3,7,12-20)");
        }

        bool numeric = parts.All(p => char.IsAsciiDigit(p[0]));
        if (!numeric)
        {
            if (parts.Any(p => char.IsAsciiDigit(p[0])))
            {
                throw new SettingException(key, $"'{text}' mixes labels and ids: give labels (good,mua) or cluster ids (3,7,12-20)");
            }

            return new SpikeUnitSelection(parts, null);
        }

        var ranges = new List<(long, long)>();
        foreach (string p in parts)
        {
            int dash = p.IndexOf('-', StringComparison.Ordinal);
            string a = dash < 0 ? p : p[..dash], b = dash < 0 ? p : p[(dash + 1)..];
            if (!long.TryParse(a, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long first)
                || !long.TryParse(b, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long last) || last < first)
            {
                throw new SettingException(key, $"'{p}' is not a cluster id or range: expected e.g. 3,7,12-20");
            }

            ranges.Add((first, last));
        }

        return new SpikeUnitSelection(null, ranges);
    }

    /// <summary>Whether a unit of this id and label is kept.</summary>
    public bool Keeps(long id, string label) =>
        Labels is { } labels ? labels.Contains(label, StringComparer.Ordinal)
        : IdRanges is { } ranges ? ranges.Any(r => id >= r.First && id <= r.Last)
        : label != "noise";

    public override string ToString() =>
        Labels is { } labels ? $"labels {string.Join(",", labels)}"
        : IdRanges is { } ranges ? $"ids {string.Join(",", ranges.Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}"))}"
        : "every unit not labelled noise";
}

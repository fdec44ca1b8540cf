using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Sync;

namespace NeuroAlign.Sessions;

/// <summary>Where a stream's pulses come from: a line of a loaded stream, or a file of pulse times.</summary>
/// <param name="Stream">The stream recording the line (by its output name), or null for a file.</param>
/// <param name="Line">The line number as <c>info</c> lists it, or null for a file.</param>
/// <param name="File">A file of pulse times, or null for a line.</param>
public sealed partial record PulseSource(string? Stream, int? Line, string? File)
{
    /// <summary>Parses <c>STREAM:LINE</c> (<c>ephys_1:3</c>) or a file path.</summary>
    public static PulseSource Parse(string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match m = StreamLine().Match(text);
        if (m.Success && !System.IO.File.Exists(text))
        {
            return int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int line)
                ? new PulseSource(m.Groups[1].Value, line, null)
                : throw new SettingException(key, text, $"line '{m.Groups[2].Value}' is not a line number");
        }

        if (text.Contains(':', StringComparison.Ordinal) && !System.IO.File.Exists(text))
        {
            throw new SettingException(key, text, "expected STREAM:LINE (e.g. ephys:1, ephys_1:3) or a file of pulse times");
        }

        return text.Length > 0 ? new PulseSource(null, null, text) : throw new SettingException(key, "an empty value");
    }

    public override string ToString() => File ?? $"{Stream}:{Line}";

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9_-]*):([0-9]+)$")]
    private static partial Regex StreamLine();
}

/// <summary>A line number of the stream itself, an analog channel of it by threshold, or a file of its pulse times (own clock): the shared sync pulses of one stream.</summary>
/// <param name="Line">The line, or null.</param>
/// <param name="File">The file, or null.</param>
/// <param name="Threshold">An analog channel read by threshold with hysteresis (CHANNEL>LEVEL[~BAND]), or null.</param>
public sealed record LineOrFile(int? Line, string? File, ThresholdSpec? Threshold = null)
{
    public static LineOrFile Parse(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int line) ? new LineOrFile(line, null)
        : LineEdges.IsThreshold(text) ? new LineOrFile(null, null, LineEdges.ParseThreshold("sync-line", text, text))
        : new LineOrFile(null, text);
}

/// <summary>The settings that put streams on the reference clock (docs/sync.md).</summary>
public static class SyncSettings
{
    public static readonly Setting<LineOrFile> SyncLine = Setting.Of(
        "sync-line", "LINE", "shared sync pulses on the ephys streams: a line number, an analog channel by threshold with hysteresis (XA0>2.5V[~0.2V]), a FILE of pulse times (own clock), or per stream: ephys=6,ephys_1=0", LineOrFile.Parse, "SpikeGLX imec SY bit 6; NIDQ the .meta's syncNiChan; Open Ephys TTL line 1", SettingScope.PerStream);

    public static readonly Setting<long> NidqSyncLine = Setting.Whole(
        "nidq-sync-line", "N", "the NIDQ digital line carrying the sync pulses when the .meta does not name it (syncNiChanType=0, syncNiChan)", 0);

    public static readonly Setting<EdgeKind> SyncEdge = Setting.Of(
        "sync-edge", "EDGE", "which edges are pulses: rising or falling", text => Setting.Naming("sync-edge", () => EdgeKinds.Parse(text)), "rising");

    public static readonly Setting<double> SyncMinWidth = Setting.Number(
        "sync-min-width", "SECONDS", "drop glitches (high or low) shorter than this", minimum: 0, defaultText: "2 samples of the line's stream");

    public static readonly Setting<int> SyncSkip = Setting.Of(
        "sync-skip", "M=K,...", "pulses before the first frame/volume, e.g. video=3 (default: from the counts; extra scanner triggers are dummy scans)",
        text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw new SettingException("sync-skip", $"'{text}' is not a whole number ≥ 0"),
        scope: SettingScope.PerStream);

    public static readonly Setting<bool> AllowCountMismatch = Setting.Switch(
        "allow-count-mismatch", "pair frames/volumes with pulses as well as possible when their counts cannot be reconciled");

    public static readonly Setting<double> MaxDriftPpm = Setting.Number(
        "max-drift-ppm", "PPM", "largest clock drift accepted from shared pulses", minimum: 0, exclusiveMinimum: true, defaultText: ClockFitOptions.DefaultMaxDriftPpm.ToString(CultureInfo.InvariantCulture));

    public static readonly Setting<double> Offset = Setting.Of(
        "offset", "M=SECONDS,...", "fixed offset by hand instead of sync, e.g. video=0.125: reference = own clock + offset",
        text => Setting.ParseNumber("offset", text, null, false), scope: SettingScope.PerStream);

    /// <summary>Every session-wide sync setting.</summary>
    public static IReadOnlyList<Setting> All { get; } = [SyncLine, NidqSyncLine, SyncEdge, SyncMinWidth, SyncSkip, AllowCountMismatch, MaxDriftPpm, Offset];
}

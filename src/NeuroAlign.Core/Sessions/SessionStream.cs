using System.Globalization;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Sessions;

/// <summary>One opened stream of a session: its output name, its modality, its map to the reference, and how that was found.</summary>
/// <param name="Name">The output group's name: ephys, ephys_1, video, left, fmri…</param>
/// <param name="Modality">What it is.</param>
/// <param name="Opened">The stream and what came with it (digital lines, default sync line).</param>
/// <param name="Map">Own clock → reference clock.</param>
/// <param name="Fit">The sync fit or given offset; null for the reference and unsynchronised streams.</param>
/// <param name="Placement">How the stream was put on the reference clock, in words.</param>
public sealed record SessionStream(string Name, IModality Modality, OpenedStream Opened, ClockMap Map, ClockFit? Fit, string Placement)
{
    public ISampleStream Stream => Opened.Stream;

    /// <summary>Lines recorded with the stream (empty when it has none).</summary>
    public IReadOnlyList<DigitalLineSet> DigitalLines => Opened.DigitalLines;

    /// <summary>The stream's clock composed with its map: reference times of its samples.</summary>
    public StreamTimeline Timeline => new(Stream.Clock, Map);

    /// <summary>
    /// The set of digital lines holding line number <paramref name="line"/> (as <c>info</c> lists
    /// them), or a one-line error naming the stream: it has no digital lines (then
    /// <paramref name="withoutLines"/> says what to do instead), or not that one (its lines are listed).
    /// </summary>
    public DigitalLineSet LineSetOf(int line, string withoutLines) =>
        DigitalLines.FirstOrDefault(s => s.Lines.Any(l => l.Number == line))
            ?? throw new NeuroAlignException(DigitalLines.Count == 0
                ? $"{Name} ({Stream.SourcePath}): no digital lines: a {Stream.FormatName} recording carries none; {withoutLines}"
                : $"{Name} ({Stream.SourcePath}): no digital line {line}: {string.Join("; ", DigitalLines.Select(s => s.Describe()))}");

    /// <summary>The recording holding the channel a threshold reads (all its channels, whatever the channel selection) and its position there.</summary>
    /// <param name="threshold">The channel and levels.</param>
    /// <param name="key">The setting that named it, for messages.</param>
    /// <param name="text">Its value as given, for messages.</param>
    public (ContinuousStream Recording, int Position) AnalogChannel(ThresholdSpec threshold, string key, string text)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        SessionStream owner = this;
        ContinuousStream stream = owner.Stream as ContinuousStream
            ?? throw new SettingException(key, text, $"{owner.Name} ({owner.Stream.SourcePath}) has no channels to threshold");
        if (stream is ChannelSubsetStream subset)
        {
            stream = subset.Source;
        }

        IReadOnlyList<string> names = stream.ChannelLayout?.Names ?? [];
        int position = -1;
        for (int i = 0; i < names.Count && position < 0; i++)
        {
            position = string.Equals(names[i], threshold.Channel, StringComparison.OrdinalIgnoreCase) ? i : -1;
        }

        if (position < 0 && int.TryParse(threshold.Channel, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            for (int i = 0; i < stream.ChannelIds.Count && position < 0; i++)
            {
                position = stream.ChannelIds[i] == id ? i : -1;
            }
        }

        if (position < 0)
        {
            string listed = names.Count == 0 ? $"channel ids {string.Join(",", stream.ChannelIds.Take(10))}{(stream.ChannelIds.Count > 10 ? ",…" : "")}" : $"channels {string.Join(", ", names.Take(12))}{(names.Count > 12 ? ", …" : "")}";
            throw new SettingException(key, text, $"{owner.Name} ({stream.SourcePath}) has no channel '{threshold.Channel}' ({listed})");
        }

        if (ChannelUnits.Natural(stream)[position] == ChannelUnits.Counts)
        {
            throw new SettingException(key, text, $"{owner.Name} channel {names.ElementAtOrDefault(position) ?? threshold.Channel} is a digital word or has no voltage unit: give one of its lines by number ({string.Join("; ", owner.DigitalLines.Select(s => s.Describe()))})");
        }

        return (stream, position);
    }
}

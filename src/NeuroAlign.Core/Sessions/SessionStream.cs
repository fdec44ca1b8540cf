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
}

using NeuroAlign.Filtering;
using NeuroAlign.Streams;
using NeuroAlign.Sync;

namespace NeuroAlign.Sessions;

/// <summary>
/// One kind of data a session can hold (ephys, video, fMRI, and the kinds that come as plug-ins):
/// how a path opens, which settings it takes, how it is tied to the reference clock, and what its
/// group in the output carries besides the common datasets. Adding a modality is one folder with a
/// class implementing this, and one line in the registry (docs/architecture.md, "Adding a modality").
/// </summary>
public interface IModality
{
    /// <summary>The modality's name: its setting that takes paths (<c>video</c>), its streams' default name, the output's <c>modality</c> attribute.</summary>
    string Name { get; }

    /// <summary>What kind of data it is, for modalities that look for each other's streams (physio for its fMRI run).</summary>
    ModalityKind Kind { get; }

    /// <summary>
    /// What <c>--filter</c> rules can say about its streams: the scope (its name), the variables with
    /// their units, extent and help, and whether unscoped rules apply (docs/filter.md). A modality
    /// that declares nothing offers no variable: no rule applies to it.
    /// </summary>
    FilterScope FilterScope => FilterScope.None(Name);

    /// <summary>The scope of one opened stream: <see cref="FilterScope"/> with the variables its file adds (physio and table columns).</summary>
    FilterScope FilterScopeOf(ISampleStream stream) => FilterScope;

    /// <summary>What a path of this modality is, for help: "behaviour video (any format ffmpeg reads)".</summary>
    string PathHelp { get; }

    /// <summary>Lower comes first: the reference clock is the first stream of the lowest priority present, and streams open in this order.</summary>
    int ReferencePriority { get; }

    /// <summary>
    /// How a stream of this modality is tied to the reference clock when it is not the reference:
    /// null for continuous recordings with digital lines, tied by shared sync pulses; else one pulse
    /// per sample (a camera strobe per frame, a scanner trigger per volume) or an LED in view.
    /// </summary>
    PerSampleSync? PerSampleSync { get; }

    /// <summary>The settings the modality reads (besides its path setting), for the front end to offer.</summary>
    IReadOnlyList<Setting> Settings { get; }

    /// <summary>Whether <c>info</c> should open <paramref name="path"/> as this modality (by its name or contents).</summary>
    bool Claims(string path);

    /// <summary>Checks the settings that need no file, before anything is opened; throws <see cref="SettingException"/>.</summary>
    void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams);

    /// <summary>
    /// Opens one stream of this modality. The caller disposes the result's stream.
    /// <paramref name="opened"/> holds the session's streams opened before it (every stream of a
    /// lower <see cref="ReferencePriority"/>), on the reference clock: a modality derived from a
    /// recording (spikes from ephys, pose from a camera, physio from an fMRI run) finds its source
    /// there and says so in <see cref="OpenedStream.ClockOf"/>.
    /// </summary>
    OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened);

    /// <summary>Attributes and datasets of the stream's output group beyond the common ones (gains, channel ids, slice timing…).</summary>
    void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output);
}

/// <summary>How streams tied by one pulse per sample are placed: the settings and the words for them.</summary>
/// <param name="Pulses">Pulses of a line (STREAM:LINE) or a file on the reference clock, one per sample: <c>video-sync</c>.</param>
/// <param name="SampleNoun">What a sample is called: frame, volume.</param>
/// <param name="Method">The fit's method name: strobe, trigger.</param>
/// <param name="ExtraPulsesLead">Whether extra pulses are expected before the first sample (dummy scans).</param>
public sealed record PerSampleSync(Setting<PulseSource> Pulses, string SampleNoun, string Method, bool ExtraPulsesLead)
{
    /// <summary>An LED in view whose drive pulses are recorded (<c>video-led</c>); null when the modality has no frames to see it in.</summary>
    public Setting<PulseSource>? Led { get; init; }

    /// <summary>The LED's region of the frame (<c>video-led-roi</c>).</summary>
    public Setting<FrameRegion>? LedRegion { get; init; }
}

/// <summary>A stream the user asked for: its name in the output, its modality and its path.</summary>
/// <param name="Name">The output group's name: given by the user (<c>left</c>) or the modality's default (<c>video</c>, <c>video_1</c>).</param>
/// <param name="Modality">What it is.</param>
/// <param name="Path">The file or folder.</param>
/// <param name="Index">Its place among the streams of its modality (0 for the first).</param>
public sealed record StreamRequest(string Name, IModality Modality, string Path, int Index);

/// <summary>What a modality hands back from <see cref="IModality.Open"/>.</summary>
/// <param name="Stream">The stream, on its own clock.</param>
/// <param name="DigitalLines">Lines recorded with it (sync, strobes, events); empty when it has none.</param>
public sealed record OpenedStream(ISampleStream Stream, IReadOnlyList<DigitalLineSet> DigitalLines)
{
    /// <summary>
    /// The acquisition system whose sample counter the stream's clock counts from (SpikeGLX's
    /// firstSample, Open Ephys sample numbers), or null. Streams of one system keep their start
    /// relative to each other before any sync.
    /// </summary>
    public string? AcquisitionClock { get; init; }

    /// <summary>The line carrying the shared sync pulses when none is named, or null (then <see cref="NoSyncLineReason"/> says why).</summary>
    public int? DefaultSyncLine { get; init; }

    /// <summary>Why there is no default sync line, and what to give instead.</summary>
    public string? NoSyncLineReason { get; init; }

    /// <summary>
    /// The name of an already opened stream whose own clock this stream's sample times are on, or
    /// null. Data derived from a recording inherit its clock: spike times count samples of the
    /// sorted recording, pose rows are frames of their camera, physio starts relative to its run.
    /// The session then maps the stream through that stream's map (its sync fit included) and fits
    /// nothing of its own.
    /// </summary>
    public string? ClockOf { get; init; }

    /// <summary>
    /// Whether the stream's own times are reference-clock times already (a table timed on the
    /// reference clock; a physio file that leads, timed from its run's first volume): it is placed
    /// with the identity map, and when it is the reference its own zero, not its first sample, is
    /// time zero.
    /// </summary>
    public bool TimesOnReferenceClock { get; init; }
}

/// <summary>Where a session's notices go while it opens: warnings about files, said once.</summary>
public interface ISessionLog
{
    void Warn(string message);
}

/// <summary>A group's extra attributes and datasets, filled by <see cref="IModality.DescribeOutput"/>.</summary>
public sealed class StreamOutputDescription
{
    public Dictionary<string, object> Attributes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Array> Datasets { get; } = new(StringComparer.Ordinal);
}

using NeuroAlign.Filtering;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Alignment;

/// <summary>
/// One modality of an export: a stream, its map to the reference clock, the grid it is sampled on
/// in each window, how grid times pick samples, and optionally the filter whose mask goes with the data.
/// </summary>
public sealed class AlignedStream
{
    public AlignedStream(
        string name,
        ISampleStream stream,
        ClockMap map,
        SamplingGrid grid,
        IndexMode mode,
        IReadOnlyDictionary<string, object>? attributes = null,
        IReadOnlyDictionary<string, Array>? extraDatasets = null,
        CompiledFilter? filter = null,
        IReadOnlyDictionary<string, object>? syncAttributes = null,
        IReadOnlyDictionary<string, Array>? syncDatasets = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(grid);
        Name = name;
        Stream = stream;
        Timeline = new StreamTimeline(stream.Clock, map);
        Grid = grid;
        Mode = mode;
        Attributes = attributes ?? new Dictionary<string, object>();
        ExtraDatasets = extraDatasets ?? new Dictionary<string, Array>();
        if (filter is not null
            && (filter.Target.ElementType != OutputElementType || filter.Target.ElementsPerSample != stream.ElementsPerSample()))
        {
            throw new ArgumentException(
                $"the filter was compiled for {filter.Target.ElementsPerSample} × {filter.Target.ElementType.ToText()} per sample, but {name} outputs {stream.ElementsPerSample()} × {OutputElementType.ToText()}",
                nameof(filter));
        }

        Filter = filter;
        SyncAttributes = syncAttributes;
        SyncDatasets = syncDatasets;
    }

    /// <summary>Output group name: ephys, ephys_1, video, fmri…</summary>
    public string Name { get; }

    public ISampleStream Stream { get; }

    public StreamTimeline Timeline { get; }

    public SamplingGrid Grid { get; }

    public IndexMode Mode { get; }

    /// <summary>Attributes written on the modality's group (format, rates, clock…).</summary>
    public IReadOnlyDictionary<string, object> Attributes { get; }

    /// <summary>Per-modality datasets written once (gain_to_uV, channel_ids…).</summary>
    public IReadOnlyDictionary<string, Array> ExtraDatasets { get; }

    /// <summary>The rules that apply to this modality, compiled for its output; null when none does (no mask).</summary>
    public CompiledFilter? Filter { get; }

    /// <summary>How the stream's clock was tied to the reference (written as /sync/&lt;name&gt; attributes); null when it was not fitted.</summary>
    public IReadOnlyDictionary<string, object>? SyncAttributes { get; }

    /// <summary>The fit's pulses, residuals and knots (written as /sync/&lt;name&gt; datasets); null when it was not fitted.</summary>
    public IReadOnlyDictionary<string, Array>? SyncDatasets { get; }

    /// <summary>Element type of the output data: the stored type, or float32 when samples are interpolated (never for binned events).</summary>
    public SampleType OutputElementType => Mode == IndexMode.Linear && Events is null ? SampleType.Float32 : Stream.ElementType;

    /// <summary>When the stream is events (sorted spikes): its windows are binned on the grid and listed, not sampled.</summary>
    public IEventStream? Events => Stream as IEventStream;
}

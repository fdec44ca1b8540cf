namespace NeuroAlign.Sessions;

/// <summary>One dataset of a stream's group: its name, element type, shape and meaning (docs/output-format.md).</summary>
/// <param name="Name">The dataset's name inside the stream's group.</param>
/// <param name="ElementType">Its element type as h5py shows it, or "as the data" when it follows the stream.</param>
/// <param name="Shape">Its shape in terms of W (windows), N (points per window) and the sample's shape.</param>
/// <param name="PerWindow">Whether its first axis is the window: merged shards concatenate these.</param>
/// <param name="Meaning">What it holds.</param>
public sealed record DatasetSchema(string Name, string ElementType, string Shape, bool PerWindow, string Meaning);

/// <summary>
/// The output file's layout in one place: the HDF5 sink writes these names, the reader, the shard
/// merger and <c>info</c> read them. Schema 2 added stream groups named by the user and the
/// <see cref="ModalityAttribute"/> on every stream group, so readers find streams by what they are.
/// </summary>
public static class OutputSchema
{
    /// <summary>The schema this version writes; readers accept 1 and 2.</summary>
    public const long Version = 2;

    /// <summary>Schema versions readers accept: 1 (named by modality only) and 2.</summary>
    public static readonly IReadOnlyList<long> ReadableVersions = [1, 2];

    // Root attributes.
    public const string SchemaVersionAttribute = "schema_version";
    public const string NeuroAlignVersionAttribute = "neuroalign_version";
    public const string CreatedAttribute = "created_utc";
    public const string CommandLineAttribute = "command_line";
    public const string ReferenceStreamAttribute = "reference_stream";
    public const string BeforeAttribute = "before_s";
    public const string AfterAttribute = "after_s";
    public const string WindowSourceAttribute = "window_source";
    public const string FilterAttribute = "filter";

    // Stream group attributes read back (info); the group carries more, each described in docs/output-format.md.
    public const string SourcePathAttribute = "source_path";
    public const string OutputRateAttribute = "output_rate_hz";

    // /sync/<stream> attributes read back (info).
    public const string SyncMethodAttribute = "method";
    public const string SyncDriftAttribute = "drift_ppm";
    public const string SyncMaxResidualAttribute = "max_residual_s";

    /// <summary>The group of per-window facts; <see cref="WindowTime"/> is its one dataset.</summary>
    public const string WindowsGroup = "windows";

    /// <summary>float64 [W]: the requested times, reference clock, seconds.</summary>
    public const string WindowTime = "time";

    /// <summary>The group of clock fits: one subgroup per fitted stream, its figures as attributes.</summary>
    public const string SyncGroup = "sync";

    /// <summary>/sync/&lt;m&gt;: each matched pulse on the stream's own clock, float64 [P] (strobes: its exposure's nominal own time).</summary>
    public const string PulseOwnTime = "pulse_own_time_s";

    /// <summary>/sync/&lt;m&gt;: each matched pulse on the reference clock, float64 [P].</summary>
    public const string PulseTime = "pulse_time_s";

    /// <summary>/sync/&lt;m&gt;: each matched pulse's residual from the fit (reference minus fitted), float64 [P].</summary>
    public const string PulseResidual = "pulse_residual_s";

    /// <summary>/sync/&lt;m&gt;, shared pulses: the stream's pulses that found no partner, on the reference clock (through the fit), float64 [U].</summary>
    public const string UnmatchedStreamPulseTime = "unmatched_stream_pulse_time_s";

    /// <summary>/sync/&lt;m&gt;, shared pulses: the reference's pulses that found no partner, on the reference clock, float64 [U].</summary>
    public const string UnmatchedReferencePulseTime = "unmatched_reference_pulse_time_s";

    /// <summary>/sync/&lt;m&gt;, piecewise-linear fits only: the knots on the own and reference clocks, float64 [K].</summary>
    public const string KnotOwnTime = "knot_own_time_s";

    /// <summary>See <see cref="KnotOwnTime"/>.</summary>
    public const string KnotTime = "knot_time_s";

    /// <summary>/m attributes: the span the recording covers on the reference clock, seconds.</summary>
    public const string ReferenceStartAttribute = "reference_start_s";

    /// <summary>See <see cref="ReferenceStartAttribute"/>.</summary>
    public const string ReferenceEndAttribute = "reference_end_s";

    /// <summary>
    /// Stream groups whose recording has gaps (a SpikeGLX run's triggers) hold them on the reference
    /// clock in this dataset: float64 [G, 2], each gap's start and end.
    /// </summary>
    public const string ReferenceGaps = "reference_gaps_s";

    /// <summary>Video groups: how many frames repeat the one before (VideoStream.FindRepeated), int64.</summary>
    public const string FramesRepeatedAttribute = "frames_repeated";

    /// <summary>Video groups with repeated frames: their frame numbers, int64 [R].</summary>
    public const string RepeatedFrames = "repeated_frames";

    /// <summary>Video groups with repeated frames: their times on the reference clock, float64 [R].</summary>
    public const string RepeatedFrameTimes = "repeated_frame_times_s";

    /// <summary>Every stream group carries this attribute: ephys, video, fmri…</summary>
    public const string ModalityAttribute = "modality";

    public const string Data = "data";
    public const string Timestamps = "timestamps";
    public const string SourceIndex = "source_index";
    public const string SourceTime = "source_time";
    public const string Mask = "mask";
    public const string KeptFraction = "kept_fraction";

    /// <summary>Binned events (spikes): the counts per window, bin and unit, in place of <see cref="Data"/>.</summary>
    public const string Counts = "counts";

    /// <summary>Ragged datasets' offsets, int64 [W+1]: window w's rows are [offsets[w], offsets[w+1]).</summary>
    public const string WindowOffsets = "window_offsets";

    /// <summary>Spike lists: reference-clock seconds, float64 [S].</summary>
    public const string SpikeTimes = "spike_times";

    /// <summary>Spike lists: index into unit_ids, int32 [S].</summary>
    public const string SpikeUnits = "spike_units";

    /// <summary>The ragged columns readers know, in the order they are written.</summary>
    public static readonly IReadOnlyList<string> RaggedColumns = [SpikeTimes, SpikeUnits];

    /// <summary>Names a stream's per-window data may have: sampled data, or binned counts.</summary>
    public static readonly IReadOnlyList<string> DataNames = [Data, Counts];

    /// <summary>Group names a stream may not take: the file's own.</summary>
    public static readonly IReadOnlyList<string> ReservedGroups = [WindowsGroup, SyncGroup];

    /// <summary>The datasets of every stream group, in the order they are written.</summary>
    public static readonly IReadOnlyList<DatasetSchema> StreamDatasets =
    [
        new(Data, "as the data", "[W, N, sample shape…]", true, "the aligned samples"),
        new(Timestamps, "float64", "[W, N]", true, "the window's grid: reference-clock time each output row stands for"),
        new(SourceIndex, "int64", "[W, N]", true, "index of the source sample used; -1 where the time falls outside the recording (data zero there)"),
        new(SourceTime, "float64", "[W, N]", true, "reference-clock time of that source sample; NaN where source_index is -1"),
        new(Mask, "uint8", "as data", true, "with a filter: 1 = the value passes"),
        new(KeptFraction, "float64", "[W]", true, "with a filter: the fraction of the window's values that pass"),
        new(Counts, "uint16", "[W, N, U]", true, "binned events (spikes) in place of data: events of unit u in bin [grid time, next grid time)"),
        new(WindowOffsets, "int64", "[W+1]", true, "ragged datasets (CSR): window w's rows are [window_offsets[w], window_offsets[w+1])"),
        new(SpikeTimes, "float64", "[S]", true, "spike lists: reference-clock time of each spike of each window, sorted within a window"),
        new(SpikeUnits, "int32", "[S]", true, "spike lists: the spike's unit, an index into unit_ids"),
    ];

    /// <summary>Names of the per-window datasets of a stream group (merged shards concatenate them).</summary>
    public static IReadOnlyList<string> PerWindowDatasets { get; } = [.. StreamDatasets.Where(d => d.PerWindow).Select(d => d.Name)];
}

using System.Globalization;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Sessions;
using NeuroAlign.Time;

namespace NeuroAlign.Modalities.Spikes;

/// <summary>
/// Sorted spikes (Kilosort 2.5/3/4 and phy folders; times and ids files of other sorters) on the
/// clock of the ephys stream they were sorted from; binned on the window grid and listed per
/// window in the output (docs/formats/kilosort.md).
/// </summary>
public sealed class SpikesModality : IModality
{
    public string Name => "spikes";

    public ModalityKind Kind => ModalityKind.Spikes;

    public string PathHelp => "sorted spikes: a Kilosort/phy folder or its params.py; other sorters: a spike-times .npy or table (with spike-clusters)";

    /// <summary>
    /// After ephys, whose streams the spikes are sorted from; equal to video's, but registered
    /// before it, so that without ephys the spikes lead (on their params.py sample_rate from 0).
    /// </summary>
    public int ReferencePriority => 1;

    public PerSampleSync? PerSampleSync => null;

    public IReadOnlyList<Setting> Settings => SpikesSettings.All;

    public bool Claims(string path) => SortedSpikes.IsKilosort(path);

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(streams);
        Session.RequirePaths(settings, SpikesSettings.Clusters, streams);
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(opened);
        if (ContainerSources.Find<ISpikesOpener>(request.Path, "sorted spikes (a Units table)") is { } container)
        {
            return OpenContainer(container, request, settings, opened);
        }

        string? clusters = settings.PerStream(SpikesSettings.Clusters).TryGet(request.Name, Name, out string? c) ? c : null;
        SessionStream? named = settings.PerStream(SpikesSettings.Of).TryGet(request.Name, Name, out string? of) ? NamedSource(request, of, opened) : null;
        double? rate = named?.Stream.Clock.MeanRateHz
            ?? (settings.TryGet(SpikesSettings.SampleRate, out double given) ? given : (double?)null)
            ?? (Ephys(opened).ToArray() is [{ } only] ? only.Stream.Clock.MeanRateHz : (double?)null);
        var options = new SortedSpikesOptions(clusters, settings.Has(SpikesSettings.Sort), rate);
        SortedSpikes spikes = SortedSpikes.Open(request.Path, options);
        try
        {
            SessionStream? source = named ?? DefaultSource(request, spikes, opened);
            SpikeUnitSelection selection = settings.PerStream(SpikesSettings.Units).Get(request.Name, Name, SpikeUnitSelection.Default);
            SortedUnit[] units = [.. spikes.Units.Where(u => selection.Keeps(u.Id, u.Label))];
            if (units.Length == 0)
            {
                throw new SettingException(SpikesSettings.Units, $"{request.Name} ({request.Path}): {selection} keeps none of the {spikes.Units.Count} units ({string.Join(", ", spikes.Units.GroupBy(u => u.Label).Select(g => $"{g.Count()} {g.Key}"))})");
            }

            SampleClock clock;
            string clockSource;
            if (source is not null)
            {
                clock = source.Stream.Clock;
                clockSource = $"sample k of {source.Name} ({source.Stream.SourcePath})";
                if (spikes.LastSample >= clock.SampleCount)
                {
                    throw new InvalidRecordingException(spikes.SourcePath, "last spike", $"sample {spikes.LastSample}", $"a sample of {source.Name} ({source.Stream.SourcePath}), which has {clock.SampleCount} (are these spikes of another recording? name it with {SpikesSettings.Of})");
                }
            }
            else
            {
                long count = spikes.DatSampleCount ?? (spikes.LastSample + 1);
                if (spikes.LastSample >= count)
                {
                    throw new InvalidRecordingException(spikes.SourcePath, "last spike", $"sample {spikes.LastSample}", $"a sample of the sorted file {spikes.DatPaths[0]}, which has {count}");
                }

                clock = new RegularClock(0, spikes.SampleRateHz, Math.Max(1, count));
                clockSource = $"no ephys stream loaded: regular at {spikes.SampleRateHz.ToString("R", CultureInfo.InvariantCulture)} Hz from 0 ({(spikes.DatSampleCount is null ? "to the last spike" : "the length of dat_path")})";
            }

            var stream = new SpikeStream(spikes, units, clock, clockSource);
            return new OpenedStream(stream, []) { ClockOf = source?.Name };
        }
        catch
        {
            spikes.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Units of a container file (NWB): spike times in the file's seconds, on an explicit clock of
    /// the distinct times. The first stream of that file opened places every later one
    /// (<see cref="OpenedStream.ClockOf"/>); leading the session, the file's zero is time zero.
    /// </summary>
    private OpenedStream OpenContainer(ISpikesOpener container, StreamRequest request, SettingValues settings, IReadOnlyList<SessionStream> opened)
    {
        if (settings.PerStream(SpikesSettings.Of).TryGet(request.Name, Name, out _) || settings.PerStream(SpikesSettings.Clusters).TryGet(request.Name, Name, out _))
        {
            throw new SettingException(SpikesSettings.Of, $"{request.Name} ({request.Path}): spikes of a container file are timed in its own seconds; {SpikesSettings.Of} and {SpikesSettings.Clusters} apply to sorter folders");
        }

        ContainerSpikes read = container.ReadSpikes(request.Path);
        try
        {
            SpikeUnitSelection selection = settings.PerStream(SpikesSettings.Units).Get(request.Name, Name, SpikeUnitSelection.Default);
            SortedUnit[] units = [.. read.Spikes.Units.Where(u => selection.Keeps(u.Id, u.Label))];
            if (units.Length == 0)
            {
                throw new SettingException(SpikesSettings.Units, $"{request.Name} ({request.Path}): {selection} keeps none of the {read.Spikes.Units.Count} units ({string.Join(", ", read.Spikes.Units.GroupBy(u => u.Label).Select(g => $"{g.Count()} {g.Key}"))})");
            }

            var stream = new SpikeStream(read.Spikes, units, read.Clock, read.ClockDescription);
            return ContainerSources.OnFileClock(container.Format, request.Path, new OpenedStream(stream, []), opened);
        }
        catch
        {
            read.Spikes.Dispose();
            throw;
        }
    }

    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is not SpikeStream spikes)
        {
            return;
        }

        output.Attributes["sorter"] = spikes.Spikes.Sorter;
        output.Attributes["sample_rate_hz"] = spikes.Spikes.SampleRateHz;
        output.Attributes["label_source"] = spikes.Spikes.LabelSource;
        output.Attributes["axes"] = "counts: window, bin, unit (unit_ids order); spike lists: spike_times, spike_units in CSR form by window_offsets";
        if (stream.Opened.ClockOf is null)
        {
            output.Attributes["clock_assumption"] = isReference
                ? $"reference stream: {spikes.ClockSource}; its sample 0 is time zero"
                : $"{spikes.ClockSource}; {stream.Placement}";
        }

        IReadOnlyList<SortedUnit> units = spikes.Units;
        output.Datasets["unit_ids"] = units.Select(u => u.Id).ToArray();
        output.Datasets["unit_labels"] = units.Select(u => u.Label).ToArray();
        if (units.Any(u => u.Channel is not null))
        {
            output.Datasets["unit_channel"] = units.Select(u => u.Channel ?? -1).ToArray();
        }

        if (units.Any(u => u.DepthMicrometres is not null))
        {
            output.Datasets["unit_depth_um"] = units.Select(u => (float)(u.DepthMicrometres ?? double.NaN)).ToArray();
        }
    }

    private static IEnumerable<SessionStream> Ephys(IReadOnlyList<SessionStream> opened) => opened.Where(s => s.Modality.Kind == ModalityKind.Ephys);

    private static SessionStream NamedSource(StreamRequest request, string name, IReadOnlyList<SessionStream> opened) =>
        Ephys(opened).FirstOrDefault(s => s.Name == name)
            ?? throw new SettingException(SpikesSettings.Of, $"{request.Name}: no ephys stream '{name}' is loaded (ephys streams: {Names(Ephys(opened))})");

    /// <summary>The ephys stream whose file dat_path names, else the only one at sample_rate; null without ephys streams.</summary>
    private static SessionStream? DefaultSource(StreamRequest request, SortedSpikes spikes, IReadOnlyList<SessionStream> opened)
    {
        SessionStream[] ephys = [.. Ephys(opened)];
        if (ephys.Length == 0)
        {
            return null;
        }

        foreach (string dat in spikes.DatPaths)
        {
            string file = Path.GetFileName(dat.Replace('\\', '/'));
            SessionStream[] named = [.. ephys.Where(s => string.Equals(Path.GetFileName(s.Stream.SourcePath), file, StringComparison.Ordinal))];
            if (named.Length == 1)
            {
                return named[0];
            }
        }

        SessionStream[] atRate = [.. ephys.Where(s => Math.Abs(s.Stream.Clock.MeanRateHz - spikes.SampleRateHz) <= 1e-3 * spikes.SampleRateHz)];
        return atRate.Length == 1
            ? atRate[0]
            : throw new SettingException(SpikesSettings.Of, $"{request.Name} ({request.Path}): which ephys stream were the spikes sorted from? {(spikes.DatPaths.Count == 0 ? "params.py names no dat_path" : $"none is dat_path {string.Join(", ", spikes.DatPaths)}")} and {(atRate.Length == 0 ? "none" : $"{atRate.Length}")} run at sample_rate {spikes.SampleRateHz:R} Hz (loaded: {Names(ephys)}); name it, e.g. {request.Name}={ephys[0].Name}");
    }

    private static string Names(IEnumerable<SessionStream> streams) => streams.Any() ? string.Join(", ", streams.Select(s => s.Name)) : "none";
}

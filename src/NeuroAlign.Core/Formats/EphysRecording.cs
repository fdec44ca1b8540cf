using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Formats;

/// <summary>
/// An ephys recording opened by <see cref="EphysReader"/>: the memory-mapped samples plus what the
/// format's metadata says about them (channel names, gains, where t0 came from, digital lines,
/// warnings). Reads go straight to the mapping.
/// </summary>
public sealed class EphysRecording : ContinuousStream
{
    private readonly ContinuousStream _data;
    private readonly string[] _channelNames;
    private readonly KeyValuePair<string, string>[] _formatDetails;
    private readonly DigitalLineSet[] _digitalLines;
    private readonly string[] _warnings;
    private readonly IDisposable[] _owned;

    /// <param name="data">The samples (a mapping, a run of mappings, a compressed file); owned (disposed with the recording).</param>
    /// <param name="channelNames">Names as the source gives them (null: the channel ids as text).</param>
    /// <param name="formatDetails">Facts for `info`, after the common ones.</param>
    /// <param name="digitalLines">Sync and TTL lines recorded with the stream.</param>
    /// <param name="warnings">Things the metadata got wrong that the reader worked around.</param>
    /// <param name="owned">Further resources to dispose with the recording (mapped side files).</param>
    /// <param name="sites">Each channel's probe site (null where it has none), with where they came from, and its brain location when the metadata names one; null when the metadata gives no geometry.</param>
    /// <param name="units">Each channel's natural unit (<see cref="ChannelLayout.Units"/>); null when the metadata gives none.</param>
    public EphysRecording(
        ContinuousStream data,
        IReadOnlyList<string>? channelNames,
        IEnumerable<KeyValuePair<string, string>> formatDetails,
        IEnumerable<DigitalLineSet> digitalLines,
        IEnumerable<string> warnings,
        IEnumerable<IDisposable>? owned = null,
        ChannelLayout? sites = null,
        IReadOnlyList<string>? units = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(formatDetails);
        ArgumentNullException.ThrowIfNull(digitalLines);
        ArgumentNullException.ThrowIfNull(warnings);
        _data = data;
        _channelNames = channelNames?.ToArray() ?? data.ChannelIds.Select(id => id.ToString()).ToArray();
        if (_channelNames.Length != data.ChannelCount)
        {
            throw new ArgumentException($"{_channelNames.Length} channel names for {data.ChannelCount} channels", nameof(channelNames));
        }

        _formatDetails = formatDetails.ToArray();
        _digitalLines = digitalLines.ToArray();
        _warnings = warnings.Select(Printable.Escape).ToArray();
        _owned = owned?.ToArray() ?? [];
        _layout = new ChannelLayout(_channelNames, sites?.Sites ?? [], sites?.SiteSource, units?.ToArray(), sites?.Locations);
        if (_layout.Locations is { Count: > 0 } locations && locations.Count != _channelNames.Length)
        {
            throw new ArgumentException($"{locations.Count} locations for {_channelNames.Length} channels", nameof(sites));
        }

        if (_layout.Sites.Count is not 0 && _layout.Sites.Count != _channelNames.Length)
        {
            throw new ArgumentException($"{_layout.Sites.Count} sites for {_channelNames.Length} channels", nameof(sites));
        }

        if (units is not null && units.Count != _channelNames.Length)
        {
            throw new ArgumentException($"{units.Count} units for {_channelNames.Length} channels", nameof(units));
        }
    }

    private readonly ChannelLayout _layout;

    public override ChannelLayout? ChannelLayout => _layout;

    /// <summary>The samples as the format stores them: an <see cref="InterleavedBinaryStream"/> for one mapped file.</summary>
    public ContinuousStream Data => _data;

    /// <summary>Channel names as the source gives them ("AP12", "SY0", "CH334"), one per channel.</summary>
    public IReadOnlyList<string> ChannelNames => _channelNames;

    /// <summary>Digital words and TTL lines recorded with the stream, for sync-pulse extraction.</summary>
    public IReadOnlyList<DigitalLineSet> DigitalLines => _digitalLines;

    /// <summary>Disagreements found in the metadata and how they were resolved (the reader went on).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    public override string SourcePath => _data.SourcePath;

    public override string FormatName => _data.FormatName;

    public override SampleClock Clock => _data.Clock;

    public override SampleType ElementType => _data.ElementType;

    public override int ChannelCount => _data.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _data.ChannelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _data.GainsToMicrovolts;

    public override IReadOnlyList<double> OffsetsMicrovolts => _data.OffsetsMicrovolts;

    public override IReadOnlyList<int> DigitalChannelPositions =>
        _digitalLines.OfType<DigitalWordLineSet>().Select(d => d.Column).Distinct().Order().ToArray();

    /// <summary>Channels, gains, the format's own facts, digital lines and warnings.</summary>
    public override IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            var details = new List<KeyValuePair<string, string>>(base.Details);
            details.AddRange(_formatDetails);
            if (_layout.Units is { Count: > 0 } units)
            {
                // What a physical-units export writes for each channel.
                details.Add(new("natural units", string.Join(", ", units.Select((u, c) => (Unit: u, Name: _channelNames[c])).GroupBy(x => x.Unit).Select(g =>
                    $"{g.Count()} {g.Key} ({(g.Count() <= 4 ? string.Join(", ", g.Select(x => x.Name)) : $"{g.First().Name}..{g.Last().Name}")})"))));
            }

            foreach (DigitalLineSet set in _digitalLines)
            {
                details.Add(new("digital lines", set.Describe()));
            }

            foreach (string warning in _warnings)
            {
                details.Add(new("warning", warning));
            }

            // Names, units and folders come from the files: what `info` prints stays one printable line each.
            return details.Select(d => new KeyValuePair<string, string>(Printable.Escape(d.Key), Printable.Escape(d.Value))).ToList();
        }
    }

    public override bool TryGetWindow(long startSample, int sampleCount, out ReadOnlySpan<byte> window) =>
        _data.TryGetWindow(startSample, sampleCount, out window);

    public override bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples) =>
        _data.TryGetSourceMemory(startSample, sampleCount, out samples);

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination) =>
        _data.ReadBlock(startSample, sampleCount, destination);

    public override void ReleaseSamples(long startSample, long sampleCount) => _data.ReleaseSamples(startSample, sampleCount);

    /// <summary>Asks the kernel to start reading samples [start, start + count).</summary>
    public void Prefetch(long startSample, long sampleCount) => (_data as InterleavedBinaryStream)?.Prefetch(startSample, sampleCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _data.Dispose();
            foreach (IDisposable d in _owned)
            {
                d.Dispose();
            }
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using NeuroAlign.Memory;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Bids;

/// <summary>How to open a BIDS physiological recording.</summary>
/// <param name="CacheDirectory">Folder for the parsed binary copy (see <see cref="DerivedFileCache"/>); null for the default.</param>
/// <param name="SidecarPath">A JSON sidecar to use instead of discovery.</param>
/// <param name="RunStartSeconds">
/// The time of the run's first volume onset on the clock the stream's times are to be on: 0 for
/// the physio file's own clock (sample k at StartTime + k / SamplingFrequency), or volume 0's time on
/// its fMRI stream's own clock, so the physio samples fall on that run's clock.
/// </param>
public sealed record BidsPhysioOptions(string? CacheDirectory = null, string? SidecarPath = null, double RunStartSeconds = 0);

/// <summary>
/// A BIDS physiological or other continuous recording (<c>*_physio.tsv.gz</c>, BIDS §Physiological
/// recordings): a headerless, tab-separated, gzipped table whose columns are named by the sidecar's
/// <c>Columns</c>, sampled at <c>SamplingFrequency</c> from <c>StartTime</c> (seconds relative to the
/// first volume of the run; negative when recording started earlier). The table is parsed once into
/// a float64 cache file, then memory-mapped: sample k is at StartTime + k / SamplingFrequency.
/// </summary>
public sealed class BidsPhysioStream : ContinuousStream
{
    /// <summary>The stream's format name.</summary>
    public const string Format = "bids-physio";

    private const string ParseKind = "bids-physio-float64-1";

    private readonly InterleavedBinaryStream _data;
    private readonly string _path;

    private BidsPhysioStream(
        string path, InterleavedBinaryStream data, string[] columns, double rateHz, double startSeconds, BidsMetadata sidecars, DerivedFile cache)
    {
        _path = path;
        _data = data;
        Columns = columns;
        SamplingFrequencyHz = rateHz;
        StartTimeSeconds = startSeconds;
        Sidecars = sidecars.Sidecars;
        Cache = cache;
    }

    /// <summary>Column names from the sidecar's Columns, one per channel.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>SamplingFrequency, Hz.</summary>
    public double SamplingFrequencyHz { get; }

    /// <summary>StartTime: own-clock time of sample 0, seconds from the run's first volume onset.</summary>
    public double StartTimeSeconds { get; }

    /// <summary>The sidecars merged, farthest first.</summary>
    public IReadOnlyList<string> Sidecars { get; }

    /// <summary>The parsed float64 copy the samples are read from.</summary>
    public DerivedFile Cache { get; }

    public override string SourcePath => _path;

    public override string FormatName => Format;

    public override SampleClock Clock => _data.Clock;

    /// <summary>Float64: the table's numbers, n/a as NaN.</summary>
    public override SampleType ElementType => SampleType.Float64;

    public override int ChannelCount => Columns.Count;

    public override IReadOnlyList<int> ChannelIds => _data.ChannelIds;

    /// <summary>1.0 for every column: physio units vary per column (see the sidecar), they are not microvolts.</summary>
    public override IReadOnlyList<double> GainsToMicrovolts => _data.GainsToMicrovolts;

    public override IReadOnlyList<KeyValuePair<string, string>> Details =>
    [
        new("columns", string.Join(", ", Columns)),
        new("sampling frequency", SamplingFrequencyHz.ToString("R", CultureInfo.InvariantCulture) + " Hz"),
        new("start time", StartTimeSeconds.ToString("R", CultureInfo.InvariantCulture) + " s (relative to the first volume of the run)"),
        new("values", "parsed from text as float64; n/a as NaN"),
        new("sidecars", string.Join(", ", Sidecars)),
        new("parsed cache", $"{Cache.Path} ({(Cache.Reused ? "reused" : $"made in {Cache.PassDuration.TotalSeconds:F2} s")})"),
    ];

    /// <summary>Opens <paramref name="path"/> (a .tsv.gz, or a plain .tsv) with its inherited sidecars.</summary>
    /// <exception cref="InvalidRecordingException">A missing or invalid SamplingFrequency, StartTime or Columns, or a malformed row.</exception>
    public static BidsPhysioStream Open(string path, BidsPhysioOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new BidsPhysioOptions();
        BidsMetadata sidecars = options.SidecarPath is not null ? BidsMetadata.FromFiles([options.SidecarPath]) : BidsMetadata.Discover(path);
        string where = sidecars.Sidecars.Count == 0 ? $"no sidecar found for {Path.GetFileName(path)}" : string.Join(", ", sidecars.Sidecars.Select(Path.GetFileName));
        double rate = sidecars.GetSeconds("SamplingFrequency")
            ?? throw new InvalidRecordingException(path, "SamplingFrequency", $"no value ({where})", "the sampling frequency in Hz, in the physio sidecar (BIDS: REQUIRED)");
        double start = sidecars.GetSeconds("StartTime", allowNegative: true)
            ?? throw new InvalidRecordingException(path, "StartTime", $"no value ({where})", "the start time in seconds relative to the first volume (BIDS: REQUIRED)");
        string[] columns = sidecars.GetStringArray("Columns")
            ?? throw new InvalidRecordingException(path, "Columns", $"no value ({where})", "the column names, in the physio sidecar (BIDS: REQUIRED)");
        if (columns.Length == 0)
        {
            throw new InvalidRecordingException(sidecars.Values["Columns"].SourcePath, "Columns", "an empty list", "one name per column of the table");
        }

        DerivedFile cache = DerivedFileCache.GetOrCreate(
            path, ParseKind, ".f64", options.CacheDirectory, expectedLengthBytes: null, (source, destination) => Parse(path, columns, Path.GetFileName(sidecars.Values["Columns"].SourcePath), source, destination));
        var layout = new InterleavedLayout(cache.Path, 0, columns.Length, SampleType.Float64);
        InterleavedBinaryStream data = InterleavedBinaryStream.Open(
            layout, samples => new RegularClock(options.RunStartSeconds + start, rate, samples), channelIds: null, gainsToMicrovolts: null, Format);
        return new BidsPhysioStream(path, data, columns, rate, start, sidecars, cache);
    }

    /// <summary>The one-time pass: tab-separated text rows (gzip detected and streamed by the table reader) → little-endian float64 samples × columns.</summary>
    private static void Parse(string path, string[] columns, string sidecar, Stream source, Stream destination)
    {
        var options = new TableOptions
        {
            Separator = '\t',
            Header = TableHeader.Absent,
            ColumnNames = columns,
            ColumnNamesSource = $"the sidecar's Columns ({sidecar})",
            Comments = false,
        };
        using TableCursor rows = TableReader.Open(source, path, options);
        byte[] row = new byte[columns.Length * sizeof(double)];
        while (rows.MoveNext())
        {
            for (int c = 0; c < columns.Length; c++)
            {
                double number = rows.Number(c, "a number or n/a (physio files have no header line)");
                BinaryPrimitives.WriteDoubleLittleEndian(row.AsSpan(c * sizeof(double)), number);
            }

            destination.Write(row);
        }
    }

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination) =>
        _data.ReadBlock(startSample, sampleCount, destination);

    public override bool TryGetWindow(long startSample, int sampleCount, out ReadOnlySpan<byte> window) =>
        _data.TryGetWindow(startSample, sampleCount, out window);

    public override bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples) =>
        _data.TryGetSourceMemory(startSample, sampleCount, out samples);

    public override void ReleaseSamples(long startSample, long sampleCount) => _data.ReleaseSamples(startSample, sampleCount);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _data.Dispose();
        }
    }
}

using System.Globalization;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Video;

/// <summary>
/// A behaviour video as a stream of frames: sample k is frame k in presentation order, an 8-bit
/// gray [H, W] or RGB [H, W, 3] image; the clock is every frame's presentation time from the
/// container (or from a timestamps file), never a nominal frame rate. Frames are decoded on
/// demand by ffmpeg, a window at a time, frame-accurately. Not thread-safe: one reader at a time.
/// </summary>
public sealed class VideoStream : ISampleStream
{
    /// <summary>The format name used in outputs and `info`.</summary>
    public const string Format = "video";

    private readonly FrameIndex _index;
    private readonly FrameDecoder _decoder;
    private readonly int[] _shape;
    private IReadOnlyList<KeyValuePair<string, string>>? _details;
    private long[]? _repeated;
    private bool _disposed;

    private VideoStream(string path, FrameIndex index, FfmpegTools tools, VideoOptions options, SampleClock clock, string timestampSource, string? indexPath, bool indexFromCache)
    {
        SourcePath = path;
        _index = index;
        Clock = clock;
        Color = options.Color;
        FrameSize size = options.OutputSize ?? new FrameSize(index.Info.Width, index.Info.Height);
        FrameWidth = size.Width;
        FrameHeight = size.Height;
        _shape = Color == VideoColor.Rgb ? [size.Height, size.Width, 3] : [size.Height, size.Width];
        TimestampSource = timestampSource;
        IndexPath = indexPath;
        IndexLoadedFromCache = indexFromCache;
        _decoder = new FrameDecoder(tools, path, index, Color, size, options.OutputSize is not null && options.OutputSize != new FrameSize(index.Info.Width, index.Info.Height));
    }

    /// <summary>
    /// Opens a video: reads (or loads from the index cache) every frame's presentation time and,
    /// when <see cref="VideoOptions.TimestampsPath"/> is given, replaces them with the file's times.
    /// </summary>
    public static VideoStream Open(string path, VideoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VideoOptions();
        if (!File.Exists(path))
        {
            throw new NeuroAlignException(System.IO.Directory.Exists(path) ? $"{path}: is a folder, expected a video file" : $"{path}: no such file");
        }

        FfmpegTools tools = FfmpegTools.Locate(options.FfmpegDirectory);
        FrameIndexCache cache = FrameIndexCache.For(options.IndexCacheDirectory);
        FrameIndex? index = cache.TryLoad(path);
        bool fromCache = index is not null;
        string? indexPath = fromCache ? cache.IndexPathFor(path) : null;
        if (index is null)
        {
            index = VideoProbe.Run(tools, path);
            indexPath = cache.TryStore(path, index);
        }

        SampleClock clock;
        string source;
        if (options.FrameClock is { } frameClock)
        {
            // A container's times for the frames (NWB ImageSeries): checked against the frame count there.
            clock = frameClock(index.FrameCount);
            source = options.FrameClockSource ?? "frame times given by a container";
        }
        else if (options.TimestampsPath is { } timestampsPath)
        {
            double[] times = FrameTimestampsFile.Read(timestampsPath);
            if (times.LongLength != index.FrameCount)
            {
                throw new InvalidRecordingException(
                    timestampsPath, "frame times", $"{times.Length} times", $"{index.FrameCount}, one per frame of {path}");
            }

            source = $"file {timestampsPath}";
            clock = new ExplicitClock(times, null, source);
        }
        else
        {
            source = index.FromDecodedFrames
                ? $"decoded frame timestamps, time base {index.TimeBaseText} (the container's packets carry no pts)"
                : $"container packet pts, time base {index.TimeBaseText}";
            double? lastDuration = index.LastFrameDurationTicks > 0 ? index.SecondsOf(index.LastFrameDurationTicks) : null;
            clock = new ExplicitClock(index.Seconds(), lastDuration, $"{path} {source}");
        }

        return new VideoStream(path, index, tools, options, clock, source, indexPath, fromCache);
    }

    public string SourcePath { get; }

    public string FormatName => Format;

    /// <summary>Presentation time of every frame, seconds on the video's own clock.</summary>
    public SampleClock Clock { get; }

    public SampleType ElementType => SampleType.UInt8;

    public IReadOnlyList<int> SampleShape => _shape;

    /// <summary>Gray or RGB.</summary>
    public VideoColor Color { get; }

    /// <summary>Width of the frames delivered, pixels.</summary>
    public int FrameWidth { get; }

    /// <summary>Height of the frames delivered, pixels.</summary>
    public int FrameHeight { get; }

    /// <summary>Width as stored in the file, pixels.</summary>
    public int StoredWidth => _index.Info.Width;

    /// <summary>Height as stored in the file, pixels.</summary>
    public int StoredHeight => _index.Info.Height;

    /// <summary>ffmpeg's name of the codec.</summary>
    public string CodecName => _index.Info.CodecName;

    /// <summary>The container's nominal frame rate (r_frame_rate), as a fraction; informative only.</summary>
    public string NominalFrameRate => _index.Info.NominalRate;

    /// <summary>Frames in the video.</summary>
    public long FrameCount => _index.FrameCount;

    /// <summary>Where the frame times come from.</summary>
    public string TimestampSource { get; }

    /// <summary>The index file in the cache, or null when none could be written.</summary>
    public string? IndexPath { get; }

    /// <summary>True when the frame times were read from a valid cached index instead of probing the video.</summary>
    public bool IndexLoadedFromCache { get; }

    /// <summary>Time from the first frame to the end of the last, seconds.</summary>
    public double DurationSeconds => Clock.EndSeconds - Clock.StartSeconds;

    /// <summary>Shortest interval between consecutive frames, seconds (NaN with one frame).</summary>
    public double MinFrameIntervalSeconds => Intervals().Min;

    /// <summary>Longest interval between consecutive frames, seconds (NaN with one frame).</summary>
    public double MaxFrameIntervalSeconds => Intervals().Max;

    /// <summary>
    /// Frames that repeat the one before (<see cref="FindRepeated"/>): shown less than
    /// <see cref="RepeatedFraction"/> of the median frame interval after it, increasing frame numbers.
    /// </summary>
    public IReadOnlyList<long> RepeatedFrames => _repeated ??= FindRepeated(Clock);

    /// <summary>
    /// A frame that follows the one before by less than this fraction of the median frame interval
    /// is a repeated frame: a camera exposes once per interval, so a frame that soon is the same
    /// exposure written again (a grabber re-sending its buffer, a recorder logging it twice). Half an
    /// interval is the line StrobeSync draws between an extra pulse and a missing one.
    /// </summary>
    public const double RepeatedFraction = 0.5;

    /// <summary>
    /// Frames k whose time follows frame k − 1's by less than <see cref="RepeatedFraction"/> of the
    /// median interval. (A time equal to the one before never gets here: such a video or timestamps
    /// file is refused when opened, naming the frame.)
    /// </summary>
    public static long[] FindRepeated(SampleClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (clock.SampleCount < 3 || clock.SampleCount > int.MaxValue)
        {
            return [];
        }

        var times = new double[clock.SampleCount];
        for (int k = 0; k < times.Length; k++)
        {
            times[k] = clock.TimeOf(k);
        }

        double limit = RepeatedFraction * Sync.PulseTrain.MedianInterval(times);
        var repeated = new List<long>();
        for (int k = 1; k < times.Length; k++)
        {
            if (times[k] - times[k - 1] < limit)
            {
                repeated.Add(k);
            }
        }

        return [.. repeated];
    }

    /// <summary>ffmpeg processes started for decoding so far (a sorted export needs one).</summary>
    public int DecoderStarts => _decoder.ProcessesStarted;

    /// <summary>Frames ffmpeg has delivered so far.</summary>
    public long FramesDecoded => _decoder.FramesReceived;

    public IReadOnlyList<KeyValuePair<string, string>> Details => _details ??= BuildDetails();

    /// <summary>Copies frame <paramref name="index"/> into <paramref name="destination"/> (H × W [× 3] bytes).</summary>
    public void ReadFrame(long index, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length < _decoder.FrameBytes)
        {
            throw new ArgumentException("destination is smaller than one frame", nameof(destination));
        }

        _decoder.ReadFrame(index, destination[.._decoder.FrameBytes]);
    }

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        // A read after Dispose would otherwise start a new ffmpeg that nothing ends.
        ObjectDisposedException.ThrowIf(_disposed, this);
        int frame = _decoder.FrameBytes;
        if (destination.Length < (long)indices.Length * frame)
        {
            throw new ArgumentException("destination is smaller than the frames asked for", nameof(destination));
        }

        // Visit the frames in increasing order whatever the caller's order, so one forward pass
        // of the decoder serves the whole request.
        bool sorted = true;
        for (int i = 1; i < indices.Length && sorted; i++)
        {
            sorted = indices[i] >= indices[i - 1];
        }

        int[] order = Enumerable.Range(0, indices.Length).ToArray();
        if (!sorted)
        {
            long[] keys = indices.ToArray();
            Array.Sort(keys, order);
        }

        foreach (int position in order)
        {
            long index = indices[position];
            Span<byte> target = destination.Slice(position * frame, frame);
            if (index == -1)
            {
                target.Clear();
            }
            else
            {
                _decoder.ReadFrame(index, target);
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _decoder.Dispose();
    }

    private (double Min, double Max) Intervals()
    {
        if (Clock.SampleCount < 2)
        {
            return (double.NaN, double.NaN);
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (long k = 1; k < Clock.SampleCount; k++)
        {
            double interval = Clock.TimeOf(k) - Clock.TimeOf(k - 1);
            min = Math.Min(min, interval);
            max = Math.Max(max, interval);
        }

        return (min, max);
    }

    private List<KeyValuePair<string, string>> BuildDetails()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        (double min, double max) = Intervals();
        string size = StoredWidth == FrameWidth && StoredHeight == FrameHeight
            ? $"{StoredWidth}x{StoredHeight}"
            : $"{StoredWidth}x{StoredHeight} (scaled to {FrameWidth}x{FrameHeight})";
        return
        [
            new("codec", $"{CodecName} in {_index.Info.FormatName}"),
            new("size", size),
            new("color", Color == VideoColor.Rgb ? "rgb24" : "gray (8-bit luma)"),
            new("frames", FrameCount.ToString(c)),
            new("mean rate", Clock.SampleCount < 2 ? "n/a" : string.Create(c, $"{Clock.MeanRateHz:F6} Hz (measured from the frame times)")),
            new("nominal rate", $"{NominalFrameRate} (container r_frame_rate)"),
            new("frame interval", Clock.SampleCount < 2 ? "n/a" : string.Create(c, $"min {min * 1e3:F6} ms, max {max * 1e3:F6} ms")),
            new("repeated", RepeatedFrames.Count == 0 ? "none" : string.Create(c, $"{RepeatedFrames.Count} frames under half the median interval after the one before (first: frame {RepeatedFrames[0]})")),
            new("first frame", string.Create(c, $"{Clock.StartSeconds:R} s")),
            new("duration", string.Create(c, $"{DurationSeconds:F6} s")),
            new("timestamps", TimestampSource),
            new("index", IndexPath is null ? "not cached" : (IndexLoadedFromCache ? $"{IndexPath} (cached)" : IndexPath)),
        ];
    }
}

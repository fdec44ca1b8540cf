using System.Globalization;
using NeuroAlign.Streams;

namespace NeuroAlign.Sync;

/// <summary>A rectangle of a frame, in pixels of the frames as delivered: columns X..X+Width-1, rows Y..Y+Height-1.</summary>
/// <param name="X">First column.</param>
/// <param name="Y">First row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
public readonly record struct FrameRegion(int X, int Y, int Width, int Height)
{
    /// <summary>Parses "X,Y,W,H" (non-negative X and Y, positive W and H).</summary>
    /// <exception cref="NeuroAlignException">Not four such integers.</exception>
    public static FrameRegion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var v = new int[4];
        if (parts.Length != 4 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out v[i])).All(ok => ok) || v[2] == 0 || v[3] == 0)
        {
            throw new NeuroAlignException($"'{text}' is not a region: expected X,Y,W,H in pixels (e.g. 10,20,8,8), width and height at least 1");
        }

        return new FrameRegion(v[0], v[1], v[2], v[3]);
    }

    /// <summary>"X,Y,W,H" as the user writes it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{X},{Y},{Width},{Height}");
}

/// <summary>How <see cref="LedPulses.Detect"/> reads an LED's pulses from a video.</summary>
public sealed record LedPulseOptions
{
    /// <summary>Default <see cref="MinimumContrast"/>, gray levels (of 255).</summary>
    public const double DefaultMinimumContrast = 4;

    /// <summary>The part of the frame whose mean is taken; null for the whole frame.</summary>
    public FrameRegion? Region { get; init; }

    /// <summary>Rising edges (the LED turns on, the default) or falling edges (it turns off).</summary>
    public EdgeKind Edge { get; init; } = EdgeKind.Rising;

    /// <summary>
    /// Smallest difference between the robust high and low levels of the mean intensity (its 95th
    /// and 5th percentiles), gray levels: below it there is no pulse to see, only noise.
    /// </summary>
    public double MinimumContrast { get; init; } = DefaultMinimumContrast;

    /// <summary>Largest batch of frames read at once, bytes (at least one frame is read): keeps memory bounded.</summary>
    public int BatchBytes { get; init; } = 16 << 20;
}

/// <summary>
/// An LED's pulses as a video saw them (issue 7: "an LED pulse visible in the video's mean
/// intensity"): each frame's mean intensity over the frame or a region, thresholded halfway between
/// its robust low and high levels (5th and 95th percentiles); a pulse is the first frame above the
/// threshold (rising) or below it (falling), timed at that frame's presentation time on the video's
/// own clock. The train is then matched against the LED's drive pulses recorded on an ephys line,
/// like any shared pulse train (<see cref="SharedPulseSync"/>). Frames are read in order in bounded
/// batches, so a video decoder makes one forward pass.
/// </summary>
public static class LedPulses
{
    /// <summary>Percentiles taken as the LED's off and on levels: robust to a few odd frames.</summary>
    public const double LowPercentile = 5, HighPercentile = 95;

    /// <summary>
    /// The mean intensity of every frame over <paramref name="region"/> (all channels of an RGB frame
    /// together), in frame order.
    /// </summary>
    /// <param name="frames">uint8 frames [H, W] or [H, W, C].</param>
    /// <param name="region">The region; null for the whole frame.</param>
    /// <param name="batchBytes">Largest read, bytes (at least one frame).</param>
    /// <exception cref="NeuroAlignException">Not uint8 frames, or the region leaves the frame.</exception>
    public static double[] MeanIntensities(ISampleStream frames, FrameRegion? region, int batchBytes = 16 << 20)
    {
        ArgumentNullException.ThrowIfNull(frames);
        IReadOnlyList<int> shape = frames.SampleShape;
        if (frames.ElementType != SampleType.UInt8 || shape.Count is < 2 or > 3)
        {
            throw new NeuroAlignException(
                $"{frames.SourcePath}: LED pulses need 8-bit frames [H, W] or [H, W, C], found {frames.ElementType} samples of shape [{string.Join(", ", shape)}]");
        }

        int height = shape[0], width = shape[1], channels = shape.Count == 3 ? shape[2] : 1;
        FrameRegion r = region ?? new FrameRegion(0, 0, width, height);
        if ((long)r.X + r.Width > width || (long)r.Y + r.Height > height)
        {
            throw new NeuroAlignException(
                $"{frames.SourcePath}: LED region {r} (x,y,w,h) leaves the {width}x{height} frame");
        }

        long count = frames.Clock.SampleCount;
        int frameBytes = height * width * channels;
        int batch = (int)Math.Clamp(batchBytes / frameBytes, 1, Math.Max(1, count));
        var buffer = new byte[(long)batch * frameBytes];
        var indices = new long[batch];
        var means = new double[count];
        double pixels = (double)r.Width * r.Height * channels;
        for (long first = 0; first < count; first += batch)
        {
            int n = (int)Math.Min(batch, count - first);
            for (int i = 0; i < n; i++)
            {
                indices[i] = first + i;
            }

            frames.ReadSamples(indices.AsSpan(0, n), buffer.AsSpan(0, n * frameBytes));
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> frame = buffer.AsSpan(i * frameBytes, frameBytes);
                long sum = 0;
                for (int y = r.Y; y < r.Y + r.Height; y++)
                {
                    foreach (byte b in frame.Slice(((y * width) + r.X) * channels, r.Width * channels))
                    {
                        sum += b;
                    }
                }

                means[first + i] = sum / pixels;
            }
        }

        return means;
    }

    /// <summary>
    /// The LED's pulses in <paramref name="frames"/>, on the video's own clock, with the frame
    /// interval as their time resolution.
    /// </summary>
    /// <param name="frames">uint8 frames; its clock gives each frame's presentation time.</param>
    /// <param name="options">Region, edge, contrast.</param>
    /// <param name="streamName">The stream's name in messages (video).</param>
    /// <exception cref="NeuroAlignException">Too little contrast to call it a pulse, or no edge of the kind asked for.</exception>
    public static PulseTrain Detect(ISampleStream frames, LedPulseOptions options, string streamName)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(options);
        double[] means = MeanIntensities(frames, options.Region, options.BatchBytes);
        string where = options.Region is { } region ? $"region {region}" : "the whole frame";
        string source = $"{streamName} LED mean intensity over {where}, {options.Edge.ToText()} edges";
        if (means.Length < 2)
        {
            throw new NeuroAlignException($"{streamName} ({frames.SourcePath}): {source}: {means.Length} frame(s), need at least two to see a pulse");
        }

        double[] sorted = (double[])means.Clone();
        Array.Sort(sorted);
        double low = Percentile(sorted, LowPercentile), high = Percentile(sorted, HighPercentile);
        if (!(high - low >= options.MinimumContrast))
        {
            throw new NeuroAlignException(string.Create(
                CultureInfo.InvariantCulture,
                $"{streamName} ({frames.SourcePath}): no LED pulse visible in the mean intensity over {where}: its {LowPercentile:G}th and {HighPercentile:G}th percentiles are {low:F2} and {high:F2} gray levels, a contrast of {high - low:F2}, expected at least {options.MinimumContrast:G}; give the LED's region with {Sessions.Setting.Display("video-led-roi")} X,Y,W,H"));
        }

        double threshold = (low + high) / 2;
        var times = new List<double>();
        bool wasAbove = means[0] > threshold;
        for (int k = 1; k < means.Length; k++)
        {
            bool above = means[k] > threshold;
            if (above != wasAbove && above == (options.Edge == EdgeKind.Rising))
            {
                times.Add(frames.Clock.TimeOf(k));
            }

            wasAbove = above;
        }

        if (times.Count == 0)
        {
            throw new NeuroAlignException(string.Create(
                CultureInfo.InvariantCulture,
                $"{streamName} ({frames.SourcePath}): {source}: no {options.Edge.ToText()} edge across the threshold {threshold:F2} (levels {low:F2} to {high:F2}) in {means.Length} frames"));
        }

        return new PulseTrain(
            string.Create(CultureInfo.InvariantCulture, $"{source} (threshold {threshold:F1} between {low:F1} and {high:F1})"),
            [.. times],
            1 / frames.Clock.MeanRateHz);
    }

    /// <summary>Linear interpolation between closest ranks of an ascending array.</summary>
    private static double Percentile(double[] sorted, double percent)
    {
        double position = percent / 100 * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}

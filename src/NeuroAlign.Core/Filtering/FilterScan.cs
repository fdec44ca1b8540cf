using System.Diagnostics;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Filtering;

/// <summary>How far a scan has got, reported after each window.</summary>
/// <param name="WindowsDone">Windows evaluated so far.</param>
/// <param name="WindowCount">Windows in all.</param>
/// <param name="BytesRead">Bytes of recording evaluated so far.</param>
/// <param name="Elapsed">Time since the scan started.</param>
public readonly record struct FilterScanProgress(int WindowsDone, int WindowCount, long BytesRead, TimeSpan Elapsed);

/// <summary>What fraction of a whole recording a filter keeps.</summary>
/// <param name="Samples">Samples of the recording (points).</param>
/// <param name="Values">Values evaluated: samples × elements per sample.</param>
/// <param name="Kept">Values that pass.</param>
/// <param name="BytesRead">Bytes of recording evaluated.</param>
/// <param name="Elapsed">Time the scan took.</param>
public sealed record FilterScanResult(long Samples, long Values, long Kept, long BytesRead, TimeSpan Elapsed)
{
    /// <summary>Kept / Values (0 for an empty recording).</summary>
    public double KeptFraction => Values == 0 ? 0 : (double)Kept / Values;
}

/// <summary>
/// Evaluates a filter over a whole recording, window by window (zero-copy from the mapping where
/// the stream allows), to report the fraction it keeps. Memory is one window, whatever the file's size:
/// mapped windows are read ahead and unmapped once evaluated, so even the resident size stays flat.
/// </summary>
public static class FilterScan
{
    /// <summary>Bytes of recording per window: large enough to amortise the per-window work, small enough to stay in cache-friendly sizes.</summary>
    public const int WindowBytes = 8 << 20;

    /// <param name="stream">The recording, as stored (the filter must be compiled for its element type).</param>
    /// <param name="filter">The compiled rules.</param>
    /// <param name="map">From the stream's clock to the reference clock, for <c>t</c>.</param>
    /// <param name="progress">Receives a report after each window.</param>
    /// <param name="cancellationToken">Stops the scan between windows.</param>
    public static FilterScanResult Run(
        ISampleStream stream,
        CompiledFilter filter,
        ClockMap map,
        IProgress<FilterScanProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(map);
        if (filter.Target.ElementType != stream.ElementType || filter.Target.ElementsPerSample != stream.ElementsPerSample())
        {
            throw new ArgumentException(
                $"the filter was compiled for {filter.Target.ElementsPerSample} × {filter.Target.ElementType.ToText()} per sample, but {stream.SourcePath} holds {stream.ElementsPerSample()} × {stream.ElementType.ToText()}",
                nameof(filter));
        }

        long samples = stream.Clock.SampleCount;
        int bytesPerSample = stream.BytesPerSample();
        int window = (int)Math.Clamp(WindowBytes / bytesPerSample, 1, Math.Max(1, samples));
        int windowCount = checked((int)((samples + window - 1) / window));
        var buffer = new byte[(long)window * bytesPerSample];
        var mask = new byte[(long)window * stream.ElementsPerSample()];
        var indices = new long[window];
        double[] times = filter.UsesTime ? new double[window] : [];
        var clock = Stopwatch.StartNew();
        long kept = 0, bytes = 0;
        for (int w = 0; w < windowCount; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long first = (long)w * window;
            int n = (int)Math.Min(window, samples - first);
            var mapped = stream as InterleavedBinaryStream;

            // Read ahead one window, so the disk works while this one is evaluated.
            mapped?.Prefetch(first + n, Math.Min(window, samples - first - n));
            ReadOnlySpan<byte> data;
            if (stream is not ContinuousStream continuous || !continuous.TryGetWindow(first, n, out data))
            {
                for (int i = 0; i < n; i++)
                {
                    indices[i] = first + i;
                }

                stream.ReadSamples(indices.AsSpan(0, n), buffer.AsSpan(0, n * bytesPerSample));
                data = buffer.AsSpan(0, n * bytesPerSample);
            }

            for (int i = 0; i < times.Length && i < n; i++)
            {
                times[i] = map.ToReference(stream.Clock.TimeOf(first + i));
            }

            kept += filter.Evaluate(data, times.AsSpan(0, Math.Min(times.Length, n)), [], mask.AsSpan(0, n * stream.ElementsPerSample()));
            bytes += data.Length;
            stream.ReleaseSamples(first, n);
            progress?.Report(new FilterScanProgress(w + 1, windowCount, bytes, clock.Elapsed));
        }

        return new FilterScanResult(samples, samples * stream.ElementsPerSample(), kept, bytes, clock.Elapsed);
    }
}

using System.Diagnostics;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Alignment;

/// <summary>How far an export has got, reported after each window.</summary>
/// <param name="WindowsDone">Windows written so far.</param>
/// <param name="WindowCount">Windows in all.</param>
/// <param name="BytesWritten">Bytes of aligned data produced so far (before compression).</param>
/// <param name="Elapsed">Time since the export started.</param>
public readonly record struct AlignmentProgress(int WindowsDone, int WindowCount, long BytesWritten, TimeSpan Elapsed);

/// <summary>What an export did, per modality.</summary>
/// <param name="Name">Modality name.</param>
/// <param name="PointsPerWindow">N.</param>
/// <param name="SamplesOutside">Grid points that fell outside the recording (source_index -1, data zero).</param>
/// <param name="WindowsIncomplete">Windows with at least one point outside.</param>
/// <param name="KeptFraction">When a filter applies: the fraction of mask elements that are 1 over all windows; null otherwise.</param>
public sealed record ModalitySummary(string Name, int PointsPerWindow, long SamplesOutside, int WindowsIncomplete, double? KeptFraction = null);

/// <summary>What an export did.</summary>
public sealed record AlignmentSummary(int WindowCount, long BytesWritten, TimeSpan Elapsed, IReadOnlyList<ModalitySummary> Modalities);

/// <summary>
/// Samples every modality on its grid in each window and streams the result to a sink, one window
/// at a time: memory is a few window buffers, whatever the recordings' sizes.
/// </summary>
public static class Aligner
{
    public static AlignmentSummary Run(
        IReadOnlyList<AlignedStream> streams,
        IReadOnlyList<double> windowTimes,
        IAlignedSink sink,
        IReadOnlyDictionary<string, object> rootAttributes,
        IProgress<AlignmentProgress>? progress = null,
        IReadOnlyList<WindowLabel>? windowLabels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(windowTimes);
        if (windowLabels?.FirstOrDefault(l => l.Count != windowTimes.Count) is { } mismatched)
        {
            throw new ArgumentException($"label {mismatched.Name} has {mismatched.Count} values for {windowTimes.Count} windows", nameof(windowLabels));
        }

        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(rootAttributes);
        if (streams.Count == 0)
        {
            throw new NeuroAlignException("nothing to align: no stream is loaded");
        }

        if (windowTimes.Count == 0)
        {
            throw new NeuroAlignException($"no windows to export: give {Sessions.ExportSettings.Time} (or another source of window times)");
        }

        foreach (double t in windowTimes)
        {
            if (!double.IsFinite(t))
            {
                throw new NeuroAlignException($"window time {t}: expected a finite number of seconds");
            }
        }

        // Which grid points fall outside each recording is pure clock arithmetic, so it is counted
        // before any data is read: the figures go into the output's attributes up front.
        var outside = streams.Select(s => CountOutside(s, windowTimes)).ToArray();
        var layouts = streams.Select((s, i) => new ModalityLayout(
            s.Name,
            s.OutputElementType,
            s.Stream.SampleShape,
            s.Grid.PointCount,
            new Dictionary<string, object>(s.Attributes)
            {
                ["samples_outside"] = outside[i].Samples,
                ["windows_incomplete"] = (long)outside[i].Windows,
                [Sessions.OutputSchema.ReferenceStartAttribute] = s.Timeline.StartReferenceSeconds,
                [Sessions.OutputSchema.ReferenceEndAttribute] = s.Timeline.EndReferenceSeconds,
            }.WithFilter(s.Filter),
            WithGaps(s.ExtraDatasets, s.Timeline),
            HasMask: s.Filter is not null,
            SyncAttributes: s.SyncAttributes,
            Ragged: s.Events is { } events ? new RaggedLayout(EventBinner.ListColumns, CountListed(s, events, windowTimes)) : null,
            DataName: s.Events is null ? Sessions.OutputSchema.Data : Sessions.OutputSchema.Counts,
            SyncDatasets: s.SyncDatasets)).ToArray();
        var root = new Dictionary<string, object>(rootAttributes)
        {
            ["windows_incomplete"] = (long)CountIncompleteWindows(streams, windowTimes),
        };
        sink.Begin(new ExportLayout(windowTimes, layouts, root) { WindowLabels = windowLabels ?? [] });

        var samplers = streams.Select((s, i) => new WindowSampler(s, layouts[i], sink.TakesSourceData)).ToArray();
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        for (int w = 0; w < windowTimes.Count; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int m = 0; m < samplers.Length; m++)
            {
                WindowBuffer buffer = samplers[m].Sample(windowTimes[w]);
                sink.Write(w, m, buffer);
                bytes += buffer.DataBytes.Length;
            }

            progress?.Report(new AlignmentProgress(w + 1, windowTimes.Count, bytes, clock.Elapsed));
        }

        sink.Complete();
        var summaries = streams.Select((s, i) => new ModalitySummary(
            s.Name, s.Grid.PointCount, outside[i].Samples, outside[i].Windows, samplers[i].KeptFraction)).ToArray();
        return new AlignmentSummary(windowTimes.Count, bytes, clock.Elapsed, summaries);
    }

    /// <summary>
    /// The events each window of an event stream lists, counted before any window is written (the
    /// sink sizes its ragged datasets from them): two binary searches a window, plus a scan of the
    /// window's unit ids when some units are left out.
    /// </summary>
    private static long[] CountListed(AlignedStream stream, IEventStream events, IReadOnlyList<double> windowTimes)
    {
        var binner = new EventBinner(events, stream.Timeline, stream.Grid);
        return [.. windowTimes.Select(binner.CountListed)];
    }

    /// <summary>Grid points of <paramref name="stream"/> outside its recording, and windows with any.</summary>
    public static (long Samples, int Windows) CountOutside(AlignedStream stream, IReadOnlyList<double> windowTimes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(windowTimes);
        long samples = 0;
        int windows = 0;
        foreach (double t in windowTimes)
        {
            int n = CountOutside(stream, t);
            samples += n;
            windows += n > 0 ? 1 : 0;
        }

        return (samples, windows);
    }

    private static int CountOutside(AlignedStream stream, double windowTime)
    {
        SamplingGrid grid = stream.Grid;
        bool Inside(int k) => !stream.Timeline.Locate(grid.TimeAt(windowTime, k), IndexMode.Previous).IsOutside;

        // Clock maps are monotonic: a window whose first and last points are inside is inside,
        // unless the recording has gaps (a run of files), where points between may fall in one.
        if (!stream.Timeline.Clock.HasGaps && Inside(0) && Inside(grid.PointCount - 1))
        {
            return 0;
        }

        int count = 0;
        for (int k = 0; k < grid.PointCount; k++)
        {
            count += Inside(k) ? 0 : 1;
        }

        return count;
    }

    private static int CountIncompleteWindows(IReadOnlyList<AlignedStream> streams, IReadOnlyList<double> windowTimes)
    {
        int count = 0;
        foreach (double t in windowTimes)
        {
            count += streams.Any(s => CountOutside(s, t) > 0) ? 1 : 0;
        }

        return count;
    }

    /// <summary>The group's once-written datasets plus, when the recording has gaps, where they fall on the reference clock.</summary>
    private static IReadOnlyDictionary<string, Array> WithGaps(IReadOnlyDictionary<string, Array> datasets, StreamTimeline timeline)
    {
        IReadOnlyList<(double StartSeconds, double EndSeconds)> gaps = timeline.Clock.Gaps;
        if (gaps.Count == 0)
        {
            return datasets;
        }

        var table = new double[gaps.Count, 2];
        for (int g = 0; g < gaps.Count; g++)
        {
            table[g, 0] = timeline.Map.ToReference(gaps[g].StartSeconds);
            table[g, 1] = timeline.Map.ToReference(gaps[g].EndSeconds);
        }

        return new Dictionary<string, Array>(datasets) { [Sessions.OutputSchema.ReferenceGaps] = table };
    }

    /// <summary>The group's attributes plus, when a filter applies, the rules that made its mask.</summary>
    private static Dictionary<string, object> WithFilter(this Dictionary<string, object> attributes, CompiledFilter? filter)
    {
        if (filter is not null)
        {
            attributes["filter"] = filter.RuleText;
        }

        return attributes;
    }

    /// <summary>Samples one modality, reusing its buffers window after window.</summary>
    private sealed class WindowSampler
    {
        private readonly AlignedStream _stream;
        private readonly WindowBuffer _buffer;
        private readonly double[] _fractions;
        private readonly long[] _upper;
        private readonly byte[]? _lowerRaw;
        private readonly byte[]? _upperRaw;
        private readonly bool _sourceDataAllowed;
        private readonly EventBinner? _binner;
        private long _maskOnes;
        private long _maskElements;
        private long _previousFirst = -1;
        private long _previousLast = -1;

        public WindowSampler(AlignedStream stream, ModalityLayout layout, bool sinkTakesSourceData)
        {
            _stream = stream;
            _buffer = new WindowBuffer(layout);

            // Data in place needs samples output as stored: no interpolation, and no filter (which reads Data).
            _sourceDataAllowed = sinkTakesSourceData && stream.Events is null && stream.Mode != IndexMode.Linear && stream.Filter is null
                && stream.OutputElementType == stream.Stream.ElementType;
            _binner = stream.Events is { } events ? new EventBinner(events, stream.Timeline, stream.Grid) : null;
            int n = layout.PointsPerWindow;
            _fractions = new double[n];
            _upper = new long[n];
            if (stream.Mode == IndexMode.Linear)
            {
                int raw = checked(n * stream.Stream.BytesPerSample());
                _lowerRaw = new byte[raw];
                _upperRaw = new byte[raw];
            }
        }

        /// <summary>Ones over all mask elements so far, or null without a filter.</summary>
        public double? KeptFraction => _stream.Filter is null ? null : _maskElements == 0 ? 0 : (double)_maskOnes / _maskElements;

        public WindowBuffer Sample(double windowTime)
        {
            SamplingGrid grid = _stream.Grid;
            StreamTimeline timeline = _stream.Timeline;
            long last = timeline.Clock.SampleCount - 1;
            for (int k = 0; k < grid.PointCount; k++)
            {
                double t = grid.TimeAt(windowTime, k);
                SampleLocation where = timeline.Locate(t, _stream.Mode);
                _buffer.Timestamps[k] = t;
                _buffer.SourceIndex[k] = where.Index;
                _fractions[k] = where.Fraction;
                _upper[k] = where.IsOutside ? -1 : Math.Min(where.Index + 1, last);
                _buffer.SourceTime[k] = where.IsOutside ? double.NaN : timeline.ReferenceTimeOf(where.Index);
            }

            _buffer.SourceData = default;
            if (_binner is not null)
            {
                // Events are binned on the grid, not read at its points.
                _binner.Bin(windowTime, _buffer);
                return _buffer;
            }

            if (_sourceDataAllowed && IsOneRun(_buffer.SourceIndex)
                && _stream.Stream.TryGetSourceMemory(_buffer.SourceIndex[0], _buffer.SourceIndex.Length, out ReadOnlyMemory<byte> inPlace))
            {
                // Nothing is read here: the sink reads the recording when it writes, and releases it
                // after. What the last window read is released now.
                _buffer.SourceData = inPlace;
                ReleasePrevious(_previousLast);
                (_previousFirst, _previousLast) = (-1, -1);
                return _buffer;
            }

            if (_stream.Mode != IndexMode.Linear)
            {
                _stream.Stream.ReadSamples(_buffer.SourceIndex, _buffer.DataBytes);
            }
            else
            {
                _stream.Stream.ReadSamples(_buffer.SourceIndex, _lowerRaw);
                _stream.Stream.ReadSamples(_upper, _upperRaw);
                Interpolate(_stream.Stream.ElementType, _stream.Stream.ElementsPerSample());
            }

            ReleasePassed(_buffer.SourceIndex, _stream.Mode == IndexMode.Linear ? _upper : _buffer.SourceIndex);

            // The filter judges the values as they are output (interpolated ones included), at the grid's times.
            if (_stream.Filter is { } filter)
            {
                _buffer.MaskOnes = filter.Evaluate(_buffer.DataBytes, _buffer.Timestamps, _buffer.SourceIndex, _buffer.Mask);
                _maskOnes += _buffer.MaskOnes;
                _maskElements += _buffer.Mask!.Length;
            }

            return _buffer;
        }

        /// <summary>Whether the indices are consecutive samples, all inside the recording.</summary>
        private static bool IsOneRun(long[] indices)
        {
            if (indices.Length == 0 || indices[0] < 0)
            {
                return false;
            }

            for (int k = 1; k < indices.Length; k++)
            {
                if (indices[k] != indices[0] + k)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Hands back the samples of the previous window that this one does not use, once this one
        /// is read: with windows in time order, a mapped recording's pages leave the process as
        /// the export passes them, so its resident size stays flat however long the recording.
        /// </summary>
        private void ReleasePassed(long[] lower, long[] upper)
        {
            // Grid times increase within a window and clocks are monotonic: the first and last
            // samples inside the recording bound every sample the window read.
            int first = Array.FindIndex(lower, i => i >= 0);
            if (first < 0)
            {
                return;
            }

            long firstSample = lower[first];
            long lastSample = upper[Array.FindLastIndex(upper, i => i >= 0)];
            ReleasePrevious(Math.Min(_previousLast, firstSample - 1));
            (_previousFirst, _previousLast) = (firstSample, lastSample);
        }

        /// <summary>Hands back the samples the previous window read, up to <paramref name="lastSample"/>.</summary>
        private void ReleasePrevious(long lastSample)
        {
            if (_previousFirst >= 0 && lastSample >= _previousFirst)
            {
                _stream.Stream.ReleaseSamples(_previousFirst, lastSample - _previousFirst + 1);
            }
        }

        private void Interpolate(SampleType type, int elementsPerSample)
        {
            Span<float> output = (float[])_buffer.Data;
            for (int k = 0; k < _fractions.Length; k++)
            {
                double f = _fractions[k];
                int start = k * elementsPerSample;
                ReadOnlySpan<byte> lower = _lowerRaw.AsSpan(start * type.SizeOf(), elementsPerSample * type.SizeOf());
                ReadOnlySpan<byte> upper = _upperRaw.AsSpan(start * type.SizeOf(), elementsPerSample * type.SizeOf());
                for (int e = 0; e < elementsPerSample; e++)
                {
                    double a = type.ReadAsDouble(lower, e);
                    double b = f == 0 ? a : type.ReadAsDouble(upper, e);
                    output[start + e] = (float)(a + ((b - a) * f));
                }
            }
        }
    }
}

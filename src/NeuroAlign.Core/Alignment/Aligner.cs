using System.Diagnostics;
using System.Runtime.InteropServices;
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
public sealed record ModalitySummary(string Name, int PointsPerWindow, long SamplesOutside, int WindowsIncomplete);

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
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(windowTimes);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(rootAttributes);
        if (streams.Count == 0)
        {
            throw new NeuroAlignException("nothing to align: give at least one of --ephys, --video, --fmri");
        }

        if (windowTimes.Count == 0)
        {
            throw new NeuroAlignException("no windows to export: give --time (or another source of window times)");
        }

        foreach (double t in windowTimes)
        {
            if (!double.IsFinite(t))
            {
                throw new NeuroAlignException($"window time {t}: expected a finite number of seconds");
            }
        }

        var layouts = streams.Select(s => new ModalityLayout(
            s.Name, s.OutputElementType, s.Stream.SampleShape, s.Grid.PointCount, s.Attributes, s.ExtraDatasets)).ToArray();
        sink.Begin(new ExportLayout(windowTimes, layouts, rootAttributes));

        var samplers = streams.Select((s, i) => new WindowSampler(s, layouts[i])).ToArray();
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        for (int w = 0; w < windowTimes.Count; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int m = 0; m < samplers.Length; m++)
            {
                WindowBuffer buffer = samplers[m].Sample(windowTimes[w]);
                sink.Write(w, m, buffer);
                bytes += buffer.Data.Length;
            }

            progress?.Report(new AlignmentProgress(w + 1, windowTimes.Count, bytes, clock.Elapsed));
        }

        var summaries = samplers.Select(s => s.Summary).ToArray();
        var finalRoot = new Dictionary<string, object>
        {
            ["windows_incomplete"] = (long)samplers.Select(s => s.IncompleteWindows).DefaultIfEmpty().Max(),
        };
        var finalModality = summaries.Select(s => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["samples_outside"] = s.SamplesOutside,
            ["windows_incomplete"] = (long)s.WindowsIncomplete,
        }).ToArray();
        sink.Complete(finalRoot, finalModality);
        return new AlignmentSummary(windowTimes.Count, bytes, clock.Elapsed, summaries);
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
        private long _samplesOutside;

        public WindowSampler(AlignedStream stream, ModalityLayout layout)
        {
            _stream = stream;
            _buffer = new WindowBuffer(layout);
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

        public int IncompleteWindows { get; private set; }

        public ModalitySummary Summary =>
            new(_stream.Name, _stream.Grid.PointCount, _samplesOutside, IncompleteWindows);

        public WindowBuffer Sample(double windowTime)
        {
            SamplingGrid grid = _stream.Grid;
            StreamTimeline timeline = _stream.Timeline;
            long last = timeline.Clock.SampleCount - 1;
            int outside = 0;
            for (int k = 0; k < grid.PointCount; k++)
            {
                double t = grid.TimeAt(windowTime, k);
                SampleLocation where = timeline.Locate(t, _stream.Mode);
                _buffer.Timestamps[k] = t;
                _buffer.SourceIndex[k] = where.Index;
                _fractions[k] = where.Fraction;
                _upper[k] = where.IsOutside ? -1 : Math.Min(where.Index + 1, last);
                _buffer.SourceTime[k] = where.IsOutside ? double.NaN : timeline.ReferenceTimeOf(where.Index);
                outside += where.IsOutside ? 1 : 0;
            }

            if (outside > 0)
            {
                _samplesOutside += outside;
                IncompleteWindows++;
            }

            if (_stream.Mode != IndexMode.Linear)
            {
                _stream.Stream.ReadSamples(_buffer.SourceIndex, _buffer.Data);
            }
            else
            {
                _stream.Stream.ReadSamples(_buffer.SourceIndex, _lowerRaw);
                _stream.Stream.ReadSamples(_upper, _upperRaw);
                Interpolate(_stream.Stream.ElementType, _stream.Stream.ElementsPerSample());
            }

            return _buffer;
        }

        private void Interpolate(SampleType type, int elementsPerSample)
        {
            Span<float> output = MemoryMarshal.Cast<byte, float>(_buffer.Data.AsSpan());
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

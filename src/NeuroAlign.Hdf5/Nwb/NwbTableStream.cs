using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Streams;
using NeuroAlign.Time;
using PureHDF;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// An NWB TimeSeries (SpatialSeries, any subtype, extensions' included) as a timestamped table
/// (<c>--table FILE.nwb#ADDRESS</c>): data [T] or [T, C] numbers, each value data × conversion
/// (× channel_conversion[c], when given) + offset, in the series' unit, as float32. The rows are
/// read lazily through the series' continuous stream (<see cref="NwbSeriesStream"/>: hyperslabs of
/// data, a bounded chunk cache), a block of rows at a time, so a long series is never read whole.
/// </summary>
public sealed class NwbTableStream : ITableStream
{
    /// <summary>Bytes of raw rows read at once: the rows a window spans, at most this much of them.</summary>
    private const int BlockBytes = 4 << 20;

    private readonly NwbSeriesStream _series;
    private readonly double[] _factors;
    private readonly double _offset;
    private readonly int[] _shape;
    private readonly int _blockRows;
    private byte[] _block = [];
    private bool _disposed;

    private NwbTableStream(NwbSeriesStream series, string[] columns, double[] factors, double offset, string timeColumn, KeyValuePair<string, string>[] attributes, KeyValuePair<string, string>[] details)
    {
        _series = series;
        Columns = columns;
        _factors = factors;
        _offset = offset;
        _shape = [columns.Length];
        TimeColumn = timeColumn;
        OutputAttributes = attributes;
        Details = [.. details, .. series.NwbDetails.Where(d => d.Key is "nwb object" or "data" or "storage" or "timing")];
        _blockRows = Math.Max(1, BlockBytes / series.FrameBytes);
    }

    public string SourcePath => _series.SourcePath;

    public string FormatName => "nwb";

    public SampleClock Clock => _series.Clock;

    public SampleType ElementType => SampleType.Float32;

    public IReadOnlyList<int> SampleShape => _shape;

    public string TimeColumn { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<KeyValuePair<string, string>> OutputAttributes { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Details { get; }

    /// <summary>Opens the series an address names as a table; the stream owns the file.</summary>
    public static NwbTableStream Open(NwbFile file, NwbObject series)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(series);
        string path = file.SourcePath;
        IH5Group g = file.Group(series);
        if (file.IsA(series.Type, "ImageSeries"))
        {
            throw new InvalidRecordingException(path, $"#{series.Path}", $"neurodata_type {series.Type} (frames)", "a TimeSeries of [samples] or [samples, columns] numbers (an ImageSeries opens as a video)");
        }

        if (g.LinkExists("data") && g.Get("data") is IH5Dataset d && d.Space.Rank is not (1 or 2))
        {
            throw new InvalidRecordingException(path, $"{series.Path}/data", $"shape {NwbData.Shape(d)}", "[samples] or [samples, columns] numbers");
        }

        NwbSeriesStream stream = NwbSeriesStream.Open(file, series, out _);
        try
        {
            IH5Dataset data = g.Dataset("data");
            int channels = stream.ChannelCount;
            string where = $"{series.Path}/data";
            string unit = data.AttributeExists("unit") ? NwbFile.TextAttribute(path, data, "unit", where) : string.Empty;
            double conversion = NwbFile.NumberAttribute(path, data, "conversion", where) ?? 1;
            double offset = NwbFile.NumberAttribute(path, data, "offset", where) ?? 0;
            double[] factors = [.. Enumerable.Repeat(conversion, channels)];
            if (g.LinkExists("channel_conversion"))
            {
                // Checked one per channel by the series' stream.
                double[] per = NwbData.Numbers(path, g.Dataset("channel_conversion"), $"{series.Path}/channel_conversion");
                factors = [.. per.Select(c => conversion * c)];
            }

            if (!double.IsFinite(conversion) || !double.IsFinite(offset) || factors.Any(f => !double.IsFinite(f)))
            {
                throw new InvalidRecordingException(path, where, string.Create(CultureInfo.InvariantCulture, $"conversion {conversion} and offset {offset}"), "finite numbers");
            }

            bool spatial = file.IsA(series.Type, "SpatialSeries");
            string[] columns = spatial && channels <= 3
                ? [.. new[] { "x", "y", "z" }.Take(channels)]
                : stream.ChannelCount == 1 && data.Space.Rank == 1
                    ? [series.Name]
                    : [.. Enumerable.Range(0, channels).Select(c => string.Create(CultureInfo.InvariantCulture, $"{series.Name}_{c}"))];
            var attributes = new List<KeyValuePair<string, string>>
            {
                new("nwb_object", $"{series.Path} ({series.Type})"),
                new("unit", unit),
                new("scaling", string.Create(CultureInfo.InvariantCulture, $"data × {conversion:R}{(g.LinkExists("channel_conversion") ? " × channel_conversion[c]" : string.Empty)} + {offset:R}")),
            };
            if (g.LinkExists("reference_frame"))
            {
                // SpatialSeries: what the coordinates are relative to ("top left corner of the arena").
                attributes.Add(new("reference_frame", NwbFile.ScalarText(g, "reference_frame")));
            }

            string timeColumn = g.LinkExists("timestamps") ? $"{series.Path}/timestamps" : $"{series.Path}/starting_time + rate";
            var details = new List<KeyValuePair<string, string>>
            {
                new("columns", Printable.Escape(string.Join(", ", columns))),
                new("values", Printable.Escape($"float32: {attributes[2].Value}, in {(unit.Length == 0 ? "(no unit)" : unit)}")),
                new("rows", stream.Clock.SampleCount.ToString(CultureInfo.InvariantCulture)),
                new("time span", stream.Clock.SampleCount == 0 ? "no rows" : string.Create(CultureInfo.InvariantCulture, $"{stream.Clock.StartSeconds:R} s to {stream.Clock.TimeOf(stream.Clock.SampleCount - 1):R} s (the file's seconds)")),
            };
            if (attributes.Count > 3)
            {
                details.Add(new("reference frame", Printable.Escape(attributes[3].Value)));
            }

            return new NwbTableStream(stream, columns, factors, offset, timeColumn, [.. attributes], [.. details]);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int channels = _shape[0];
        Span<float> target = MemoryMarshal.Cast<byte, float>(destination);
        if (target.Length < (long)indices.Length * channels)
        {
            throw new ArgumentException("destination is smaller than the samples asked for", nameof(destination));
        }

        long count = Clock.SampleCount;
        foreach (long k in indices)
        {
            if (k < -1 || k >= count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), k, $"sample index outside 0..{count - 1} (or -1 for outside the recording)");
            }
        }

        // Indices are read in groups whose rows span at most one block: one hyperslab per group
        // (a window's grid repeats and steps through rows; it never reads a row twice in a group).
        int frame = _series.FrameBytes;
        SampleType type = _series.ElementType;
        int i = 0;
        while (i < indices.Length)
        {
            if (indices[i] == -1)
            {
                target.Slice(i * channels, channels).Clear();
                i++;
                continue;
            }

            long low = indices[i], high = low;
            int end = i + 1;
            for (; end < indices.Length; end++)
            {
                long k = indices[end];
                if (k != -1 && (Math.Max(high, k) - Math.Min(low, k) + 1 > _blockRows))
                {
                    break;
                }

                if (k != -1)
                {
                    low = Math.Min(low, k);
                    high = Math.Max(high, k);
                }
            }

            int rows = (int)(high - low + 1);
            if (_block.Length < rows * frame)
            {
                _block = new byte[Math.Min((long)_blockRows, Math.Max(rows, 64)) * frame];
            }

            _series.ReadBlock(low, rows, _block.AsSpan(0, rows * frame));
            for (; i < end; i++)
            {
                Span<float> sample = target.Slice(i * channels, channels);
                if (indices[i] == -1)
                {
                    sample.Clear();
                    continue;
                }

                ReadOnlySpan<byte> row = _block.AsSpan((int)(indices[i] - low) * frame, frame);
                for (int c = 0; c < channels; c++)
                {
                    sample[c] = (float)((type.ReadAsDouble(row, c) * _factors[c]) + _offset);
                }
            }
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _series.Dispose();
        }

        _disposed = true;
    }
}

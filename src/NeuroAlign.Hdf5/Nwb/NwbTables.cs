using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Tables;
using NeuroAlign.Time;
using PureHDF;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>NWB tables: <c>Units</c> as sorted spikes, <c>TimeIntervals</c> (and any DynamicTable with a time column) and event TimeSeries as times with labels.</summary>
internal static class NwbTables
{
    /// <summary>Columns that label a unit, first found wins (text columns only).</summary>
    private static readonly string[] LabelColumns = ["quality", "label", "KSLabel", "unit_quality", "group_label"];

    /// <summary>
    /// A Units table: <c>spike_times</c> ragged through <c>spike_times_index</c> (each entry the end
    /// of its unit's spikes), ids from <c>id</c>, a label column when one is present, and the
    /// observed span from <c>obs_intervals</c>. The spikes are merged in time order in memory (16
    /// bytes a spike); sample k of the clock is the k-th distinct spike time, so times are kept exactly.
    /// </summary>
    public static ContainerSpikes ReadUnits(NwbFile file, NwbObject units)
    {
        string path = file.SourcePath;
        IH5Group g = file.Group(units);
        string where = units.Path;
        if (!g.LinkExists("spike_times") || !g.LinkExists("spike_times_index"))
        {
            throw new InvalidRecordingException(path, where, "no spike_times with spike_times_index", "a Units table with spike times");
        }

        double[] times = NwbData.Numbers(path, g.Dataset("spike_times"), $"{where}/spike_times");
        long[] ends = NwbData.Integers(path, g.Dataset("spike_times_index"), $"{where}/spike_times_index");
        CheckRagged(path, $"{where}/spike_times_index", ends, times.LongLength, $"{where}/spike_times");
        long[] ids = g.LinkExists("id") ? NwbData.Integers(path, g.Dataset("id"), $"{where}/id") : [.. Enumerable.Range(0, ends.Length).Select(i => (long)i)];
        if (ids.Length != ends.Length)
        {
            throw new InvalidRecordingException(path, $"{where}/id", $"{ids.Length} ids", $"one per unit: {ends.Length}, as spike_times_index holds");
        }

        if (ids.Distinct().Count() != ids.Length || ids.Any(id => id < 0 || id > SortedSpikes.MaxClusterId))
        {
            throw new InvalidRecordingException(path, $"{where}/id", $"ids {string.Join(", ", ids.Take(8))}", $"distinct unit ids from 0 to {SortedSpikes.MaxClusterId}");
        }

        (string labelSource, Dictionary<long, string>? labels) = UnitLabels(file, g, where, ids);

        // Every spike with its unit, ordered by time (ties by unit), then each distinct time one sample.
        var order = new (double Time, long Unit)[times.Length];
        long begin = 0;
        for (int u = 0; u < ends.Length; u++)
        {
            for (long i = begin; i < ends[u]; i++)
            {
                double t = times[i];
                if (!double.IsFinite(t))
                {
                    throw new InvalidRecordingException(path, string.Create(CultureInfo.InvariantCulture, $"{where}/spike_times[{i}]"), $"{t}", "a finite time in seconds");
                }

                order[i] = (t, ids[u]);
            }

            begin = ends[u];
        }

        Array.Sort(order);
        (double first, double last) = ObservedSpan(file, g, where);
        var clockTimes = new List<double>(order.Length + 2);
        double start = Math.Min(first, order.Length == 0 ? first : order[0].Time);
        if (order.Length == 0 || start < order[0].Time)
        {
            clockTimes.Add(start);
        }

        var samples = new long[order.Length];
        var unitIds = new long[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            if (clockTimes.Count == 0 || order[i].Time > clockTimes[^1])
            {
                clockTimes.Add(order[i].Time);
            }

            samples[i] = clockTimes.Count - 1;
            unitIds[i] = order[i].Unit;
        }

        if (last > clockTimes[^1])
        {
            clockTimes.Add(last);
        }

        var clock = new ExplicitClock([.. clockTimes], 0, $"{path}#{where} spike times");
        string observed = g.LinkExists("obs_intervals") ? "obs_intervals" : "from 0 s (or the first spike, if earlier) to the last spike";
        SortedSpikes spikes = SortedSpikes.FromArrays(path + "#" + where, "nwb", $"NWB Units table {where}", double.NaN, samples, unitIds, labels, labelSource);
        return new ContainerSpikes(spikes, clock, $"the NWB file's seconds (sample k: the k-th distinct spike time; span {observed})");
    }

    /// <summary>A ragged index: each entry the end of its row's values, never decreasing, never past the data.</summary>
    private static void CheckRagged(string path, string where, long[] ends, long dataLength, string dataWhere)
    {
        long previous = 0;
        for (int i = 0; i < ends.Length; i++)
        {
            if (ends[i] < previous)
            {
                throw new InvalidRecordingException(path, string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]"), $"{ends[i]} after {previous}", "ends that never decrease");
            }

            if (ends[i] > dataLength)
            {
                throw new InvalidRecordingException(path, string.Create(CultureInfo.InvariantCulture, $"{where}[{i}]"), $"{ends[i]}", $"at most {dataLength}, the length of {dataWhere} (the index runs past its data)");
            }

            previous = ends[i];
        }
    }

    /// <summary>The span the units were observed in: obs_intervals' first start and last stop, else from 0 to nothing (the last spike).</summary>
    private static (double First, double Last) ObservedSpan(NwbFile file, IH5Group g, string where)
    {
        if (!g.LinkExists("obs_intervals"))
        {
            return (0, double.NegativeInfinity);
        }

        IH5Dataset intervals = g.Dataset("obs_intervals");
        double[] values = NwbData.Numbers(file.SourcePath, intervals, $"{where}/obs_intervals");
        if (intervals.Space.Rank != 2 || intervals.Space.Dimensions[1] != 2 || values.Any(v => !double.IsFinite(v)))
        {
            throw new InvalidRecordingException(file.SourcePath, $"{where}/obs_intervals", $"shape {NwbData.Shape(intervals)}", "(n, 2) finite start and stop times");
        }

        return values.Length == 0 ? (0, double.NegativeInfinity) : (values.Where((_, i) => i % 2 == 0).Min(), values.Where((_, i) => i % 2 == 1).Max());
    }

    private static (string Source, Dictionary<long, string>? Labels) UnitLabels(NwbFile file, IH5Group g, string where, long[] ids)
    {
        foreach (string name in LabelColumns)
        {
            if (g.LinkExists(name) && !g.LinkExists(name + "_index") && g.Get(name) is IH5Dataset d && d.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength
                && d.Space.Rank == 1 && d.Space.Dimensions[0] == (ulong)ids.Length)
            {
                string[] texts = NwbData.Texts(file.SourcePath, d, $"{where}/{name}");
                return ($"{where}/{name}", ids.Select((id, i) => (id, texts[i])).ToDictionary(p => p.id, p => p.Item2));
            }
        }

        return ("none (no quality, label or KSLabel column)", null);
    }

    /// <summary>
    /// Times from a table object: a DynamicTable's time column (start_time of TimeIntervals, or as
    /// asked) with its other columns as labels; or an event TimeSeries: its rising edges when its data
    /// are TTL states (zero and non-zero), else every sample's time.
    /// </summary>
    public static TimeColumnValues ReadTimes(NwbFile file, NwbObject table, TimeColumnRequest request)
    {
        return file.IsA(table.Type, "TimeSeries") ? SeriesTimes(file, table, request) : TableTimes(file, table, request);
    }

    private static TimeColumnValues SeriesTimes(NwbFile file, NwbObject series, TimeColumnRequest request)
    {
        string path = file.SourcePath;
        IH5Group g = file.Group(series);
        if (request.Column is not null || request.RowFilters.Count > 0 || request.LabelColumns is { Count: > 0 })
        {
            throw new InvalidRecordingException(path, series.Path, $"a {series.Type} (no columns)", "a table (TimeIntervals) when columns or row filters are given");
        }

        double[]? data = null;
        long count;
        if (g.LinkExists("data") && g.Dataset("data") is { } d && d.Space.Rank >= 1 && NwbData.TypeOf(d) is not null)
        {
            if (d.Space.Rank != 1)
            {
                throw new InvalidRecordingException(path, $"{series.Path}/data", $"shape {NwbData.Shape(d)}", "a vector of TTL states or event values");
            }

            data = NwbData.Numbers(path, d, $"{series.Path}/data");
            count = data.Length;
        }
        else
        {
            count = g.LinkExists("timestamps") ? (long)g.Dataset("timestamps").Space.Dimensions[0] : 0;
        }

        SampleClock clock = NwbData.Clock(path, g, series.Path, count, out _, inMemory: true);
        bool states = data is not null && data.Any(v => v == 0) && data.Any(v => v != 0);
        var times = new List<double>();
        double resolution = 0;
        for (long i = 0; i < count; i++)
        {
            if (!states || (data![i] != 0 && (i == 0 || data[i - 1] == 0)))
            {
                times.Add(clock.TimeOf(i));

                // A rise seen at sample i happened after sample i - 1: the line's resolution is the longest such interval.
                resolution = states && i > 0 ? Math.Max(resolution, clock.TimeOf(i) - clock.TimeOf(i - 1)) : resolution;
            }
        }

        return new TimeColumnValues([.. times], states ? $"{series.Path} (rising edges of data)" : $"{series.Path} (sample times)", [])
        {
            ResolutionSeconds = states && resolution > 0 ? resolution : null,
        };
    }

    private static TimeColumnValues TableTimes(NwbFile file, NwbObject table, TimeColumnRequest request)
    {
        string path = file.SourcePath;
        IH5Group g = file.Group(table);
        string[] columns = g.AttributeExists("colnames")
            ? NwbFile.TextsAttribute(path, g, "colnames", table.Path)
            : [.. g.Children().OfType<IH5Dataset>().Select(c => c.Name).Where(n => n != "id" && !n.EndsWith("_index", StringComparison.Ordinal))];
        string timeColumn = request.Column
            ?? (columns.Contains("start_time") ? "start_time" : columns.ElementAtOrDefault(TimeColumns.Find(columns)))
            ?? throw new InvalidRecordingException(path, table.Path, $"columns {string.Join(", ", columns)}", $"a column named start_time or one of {string.Join(", ", TimeColumns.Names)}");
        if (!columns.Contains(timeColumn) || !g.LinkExists(timeColumn))
        {
            throw new InvalidRecordingException(path, table.Path, $"columns {string.Join(", ", columns)}", $"a column '{timeColumn}'");
        }

        double[] times = NwbData.Numbers(path, g.Dataset(timeColumn), $"{table.Path}/{timeColumn}");
        int rows = times.Length;
        var cells = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        string?[] Column(string name)
        {
            if (!cells.TryGetValue(name, out string?[]? values))
            {
                values = ColumnCells(file, g, table.Path, name, rows);
                cells[name] = values;
            }

            return values;
        }

        foreach (var (column, _) in request.RowFilters)
        {
            if (!columns.Contains(column))
            {
                throw new InvalidRecordingException(path, table.Path, $"columns {string.Join(", ", columns)}", $"a column '{column}' to filter rows by");
            }
        }

        string[] labelNames = request.LabelColumns is { } named
            ? [.. named]
            : request.AllOtherColumnsAsLabels ? [.. columns.Where(c => c != timeColumn && Labelable(g, c))] : [];
        foreach (string name in labelNames.Where(n => !columns.Contains(n)))
        {
            throw new InvalidRecordingException(path, table.Path, $"columns {string.Join(", ", columns)}", $"a column '{name}'");
        }

        var kept = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            if (request.RowFilters.All(f => Column(f.Column)[r] == f.Value))
            {
                if (!double.IsFinite(times[r]))
                {
                    throw new InvalidRecordingException(path, string.Create(CultureInfo.InvariantCulture, $"{table.Path}/{timeColumn}[{r}]"), $"{times[r]}", "a finite number of seconds");
                }

                kept.Add(r);
            }
        }

        var labels = new List<WindowLabel>();
        foreach (string name in labelNames)
        {
            string?[] values = Column(name);
            labels.Add(WindowLabel.FromCells(name, [.. kept.Select(r => values[r])]));
        }

        return new TimeColumnValues([.. kept.Select(r => times[r])], timeColumn, []) { Labels = labels };
    }

    /// <summary>Whether a column's cells can be labels: numbers or text, one per row or ragged (joined); not references.</summary>
    private static bool Labelable(IH5Group g, string name) =>
        g.LinkExists(name) && g.Get(name) is IH5Dataset d && (NwbData.TypeOf(d) is not null || d.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength);

    /// <summary>A column's cells as text (numbers in round-trip form); a ragged column's values joined by ','.</summary>
    private static string?[] ColumnCells(NwbFile file, IH5Group g, string where, string name, int rows)
    {
        string path = file.SourcePath;
        if (!Labelable(g, name))
        {
            throw new InvalidRecordingException(path, $"{where}/{name}", "a column of references or compounds", "numbers or text");
        }

        IH5Dataset d = (IH5Dataset)g.Get(name);
        string[] values = NwbData.TypeOf(d) is not null
            ? [.. NwbData.Numbers(path, d, $"{where}/{name}").Select(v => v.ToString("R", CultureInfo.InvariantCulture))]
            : NwbData.Texts(path, d, $"{where}/{name}");
        if (g.LinkExists(name + "_index"))
        {
            long[] ends = NwbData.Integers(path, g.Dataset(name + "_index"), $"{where}/{name}_index");
            CheckRagged(path, $"{where}/{name}_index", ends, values.Length, $"{where}/{name}");
            if (ends.Length != rows)
            {
                throw new InvalidRecordingException(path, $"{where}/{name}_index", $"{ends.Length} rows", $"{rows}, as the time column holds");
            }

            return [.. ends.Select((end, r) => string.Join(",", values[(int)(r == 0 ? 0 : ends[r - 1])..(int)end]))];
        }

        return values.Length == rows
            ? values
            : throw new InvalidRecordingException(path, $"{where}/{name}", $"{values.Length} rows", $"{rows}, as the time column holds");
    }
}

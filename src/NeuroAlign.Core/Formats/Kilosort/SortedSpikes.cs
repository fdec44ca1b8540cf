using System.Globalization;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;
using NeuroAlign.Tables;

namespace NeuroAlign.Formats.Kilosort;

/// <summary>One sorted unit: its cluster id, label and, when cluster_info.tsv gives them, peak channel and depth.</summary>
/// <param name="Id">The cluster id (spike_clusters.npy, else the template).</param>
/// <param name="Label">good, mua, noise… from cluster_group.tsv, else cluster_KSLabel.tsv, else "unsorted".</param>
/// <param name="Channel">Peak channel (cluster_info.tsv ch), or null.</param>
/// <param name="DepthMicrometres">Depth along the probe (cluster_info.tsv depth), or null.</param>
/// <param name="SpikeCount">Spikes of the unit in the spike files.</param>
public sealed record SortedUnit(long Id, string Label, int? Channel, double? DepthMicrometres, long SpikeCount);

/// <summary>How spike files open: which clusters file, whether unsorted times may be sorted, the rate of times given without params.py.</summary>
/// <param name="ClustersPath">Unit ids of each spike (.npy, same length as the times), for sorters that write no phy folder.</param>
/// <param name="SortTimes">Sort unsorted times (in memory) instead of refusing them.</param>
/// <param name="SampleRateHz">The rate of spike sample numbers when no params.py gives it (the sorted recording's).</param>
public sealed record SortedSpikesOptions(string? ClustersPath = null, bool SortTimes = false, double? SampleRateHz = null);

/// <summary>
/// Sorted spikes: each spike a sample number of the recording it was sorted from and a cluster id,
/// sorted by time, with the units' labels. Read from a Kilosort 2.5/3/4 or phy folder
/// (docs/formats/kilosort.md), or from a times file and an ids file for other sorters. The .npy
/// files are memory-mapped and read in blocks: 10^8 spikes are never loaded (except when asked
/// to sort unsorted times).
/// </summary>
public sealed class SortedSpikes : IDisposable
{
    /// <summary>The largest cluster id accepted (2^24): ids index a lookup table; larger ones are corrupt files.</summary>
    public const long MaxClusterId = 1 << 24;

    /// <summary>Spikes per block when the files are read.</summary>
    internal const int BlockSize = 1 << 16;

    private readonly SpikeVector _times;
    private readonly SpikeVector _ids;

    private SortedSpikes(string sourcePath, string sorter, double sampleRateHz, SpikeVector times, SpikeVector ids)
    {
        SourcePath = sourcePath;
        Sorter = sorter;
        SampleRateHz = sampleRateHz;
        _times = times;
        _ids = ids;
    }

    /// <summary>The folder (or times file) read.</summary>
    public string SourcePath { get; }

    /// <summary>What wrote the files, as far as they tell: kilosort4, kilosort2.5/3, phy-curated…</summary>
    public string Sorter { get; private set; }

    /// <summary>The sorted recording's sample rate (params.py sample_rate, or as given).</summary>
    public double SampleRateHz { get; }

    /// <summary>params.py dat_path: the file(s) sorted; empty when not known.</summary>
    public IReadOnlyList<string> DatPaths { get; private set; } = [];

    /// <summary>Samples in the sorted recording as its binary file tells (size / channels / dtype), or null.</summary>
    public long? DatSampleCount { get; private set; }

    /// <summary>Facts of params.py for info: n_channels_dat, dtype, offset, hp_filtered.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ParamFacts { get; private set; } = [];

    /// <summary>Every cluster id with spikes, ascending, with its label.</summary>
    public IReadOnlyList<SortedUnit> Units { get; private set; } = [];

    /// <summary>Where the labels came from: cluster_group.tsv, cluster_KSLabel.tsv or none.</summary>
    public string LabelSource { get; private set; } = "none";

    public long SpikeCount => _times.Count;

    /// <summary>The first spike's sample number (0 without spikes).</summary>
    public long FirstSample { get; private set; }

    /// <summary>The last spike's sample number (-1 without spikes).</summary>
    public long LastSample { get; private set; } = -1;

    /// <summary>The format read: kilosort (folders, times and ids files, tables) or the container's (nwb).</summary>
    public string FormatName { get; private set; } = "kilosort";

    /// <summary>
    /// Spikes already in memory (a container's units table): sample numbers of the clock the caller
    /// gives, increasing, and each spike's unit id; <paramref name="labels"/> names each unit's label.
    /// Checked as files are.
    /// </summary>
    public static SortedSpikes FromArrays(
        string sourcePath, string formatName, string sorter, double sampleRateHz, long[] samples, long[] unitIds, IReadOnlyDictionary<long, string>? labels, string labelSource)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(unitIds);
        var spikes = new SortedSpikes(sourcePath, sorter, sampleRateHz, new ArrayVector(samples), new ArrayVector(unitIds)) { FormatName = formatName };
        spikes.Check(sourcePath, sourcePath, new SortedSpikesOptions());
        if (labels is not null)
        {
            spikes.Units = [.. spikes.Units.Select(u => labels.TryGetValue(u.Id, out string? label) ? u with { Label = label } : u)];
            spikes.LabelSource = labelSource;
        }

        return spikes;
    }

    /// <summary>Sample number of spike <paramref name="index"/>.</summary>
    public long SampleOf(long index) => _times.Get(index);

    /// <summary>Sample numbers and cluster ids of spikes [start, start + samples.Length).</summary>
    public void Read(long start, Span<long> samples, Span<long> clusterIds)
    {
        _times.CopyTo(start, samples);
        _ids.CopyTo(start, clusterIds);
    }

    /// <summary>A hint that spikes [start, start + count) are done with: their pages leave the process.</summary>
    public void Release(long start, long count)
    {
        _times.Release(start, count);
        _ids.Release(start, count);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a Kilosort/phy folder (it holds spike_times.npy), a
    /// params.py, or a spike_times.npy.
    /// </summary>
    public static bool IsKilosort(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (Directory.Exists(path) && File.Exists(System.IO.Path.Combine(path, "spike_times.npy")))
            || System.IO.Path.GetFileName(path) is "params.py" or "spike_times.npy";
    }

    /// <summary>
    /// Opens a Kilosort/phy folder (or its params.py or spike_times.npy), or, with
    /// <see cref="SortedSpikesOptions.ClustersPath"/>, a times file (.npy: integers are samples,
    /// floats seconds; or a table with time and unit columns) and an ids file.
    /// </summary>
    public static SortedSpikes Open(string path, SortedSpikesOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ClustersPath is null && (Directory.Exists(path) || IsKilosort(path)))
        {
            return OpenFolder(Directory.Exists(path) ? path : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, options);
        }

        return OpenFiles(path, options);
    }

    public void Dispose()
    {
        _times.Dispose();
        _ids.Dispose();
    }

    private static SortedSpikes OpenFolder(string folder, SortedSpikesOptions options)
    {
        string File(string name) => System.IO.Path.Combine(folder, name);
        string paramsPath = File("params.py");
        if (!System.IO.File.Exists(paramsPath))
        {
            throw new InvalidRecordingException(folder, "params.py", "no such file", "a Kilosort/phy output folder (spike_times.npy, spike_clusters.npy, params.py)");
        }

        PhyParams p = PhyParams.Read(paramsPath);
        double rate = p.Number("sample_rate") ?? throw new InvalidRecordingException(paramsPath, "sample_rate", "no such assignment", "the sorted recording's sample rate, e.g. sample_rate = 30000.0");
        ReaderLimits.CheckRate(paramsPath, "sample_rate", rate);
        string timesPath = File("spike_times.npy");
        if (!System.IO.File.Exists(timesPath))
        {
            throw new InvalidRecordingException(folder, "spike_times.npy", "no such file", "a Kilosort/phy output folder (spike_times.npy, spike_clusters.npy, params.py)");
        }

        string idsPath = System.IO.File.Exists(File("spike_clusters.npy")) ? File("spike_clusters.npy")
            : System.IO.File.Exists(File("spike_templates.npy")) ? File("spike_templates.npy")
            : throw new InvalidRecordingException(folder, "spike_clusters.npy", "no such file (nor spike_templates.npy)", "the cluster of each spike");

        NpyArray timesArray = NpyArray.OpenVector(timesPath, SampleType.UInt64, SampleType.Int64, SampleType.UInt32, SampleType.Int32);
        SpikeVector times = new NpyVector(timesArray);
        SpikeVector? ids = null;
        try
        {
            ids = new NpyVector(NpyArray.OpenVector(idsPath, SampleType.UInt32, SampleType.Int32, SampleType.Int64, SampleType.UInt64));
            bool ks4 = System.IO.File.Exists(File("ops.npy")) || timesArray.Header.Shape.Count == 1;
            string sorter = ks4 ? "kilosort4" : "kilosort2.5/3";
            bool curated = System.IO.File.Exists(File("cluster_group.tsv")) || System.IO.File.Exists(File("cluster_info.tsv")) || Directory.Exists(File(".phy"));
            var spikes = new SortedSpikes(folder, curated ? sorter + ", curated in phy" : sorter, rate, times, ids);
            spikes.ReadParams(p, folder);
            spikes.Check(timesPath, idsPath, options);
            spikes.ReadLabels(folder);
            return spikes;
        }
        catch
        {
            times.Dispose();
            ids?.Dispose();
            throw;
        }
    }

    private static SortedSpikes OpenFiles(string path, SortedSpikesOptions options)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            string idsPath = options.ClustersPath
                ?? throw new InvalidRecordingException(path, "unit ids", "none given", "a Kilosort/phy folder, or the ids of each spike as a second file (spike-clusters FILE)");
            NpyArray timesArray = NpyArray.OpenVector(path, SampleType.UInt64, SampleType.Int64, SampleType.UInt32, SampleType.Int32, SampleType.Float64, SampleType.Float32);
            bool seconds = timesArray.Header.ElementType is SampleType.Float64 or SampleType.Float32;
            double rate = RateOf(path, options);
            SpikeVector times = seconds ? new SecondsVector(timesArray, rate) : new NpyVector(timesArray);
            SpikeVector? ids = null;
            try
            {
                ids = new NpyVector(NpyArray.OpenVector(idsPath, SampleType.UInt32, SampleType.Int32, SampleType.Int64, SampleType.UInt64, SampleType.UInt16, SampleType.Int16));
                var spikes = new SortedSpikes(path, seconds ? "unknown (times in seconds and unit ids as .npy)" : "unknown (sample numbers and unit ids as .npy)", rate, times, ids);
                spikes.Check(path, idsPath, options);
                spikes.ReadLabels(null);
                return spikes;
            }
            catch
            {
                times.Dispose();
                ids?.Dispose();
                throw;
            }
        }

        // A table: a time column in seconds and a unit column (small files; loaded whole).
        Table table = TableReader.Read(path);
        int timeColumn = FindColumn(table, ["spike_times", "time", "times", "t", "onset"], "a time column in seconds (spike_times, time, t or onset)");
        int unitColumn = FindColumn(table, ["spike_clusters", "cluster", "unit", "unit_id", "cluster_id", "id"], "a unit column (unit, cluster, unit_id or spike_clusters)");
        double tableRate = RateOf(path, options);
        var samples = new long[table.RowCount];
        var units = new long[table.RowCount];
        for (int r = 0; r < table.RowCount; r++)
        {
            double t = table.Number(r, timeColumn, "a time in seconds");
            double u = table.Number(r, unitColumn, "a whole unit id");
            if (!double.IsFinite(t) || t < 0 || t * tableRate >= ReaderLimits.MaxExactSampleIndex)
            {
                throw table.CellError(r, timeColumn, "a time in seconds, 0 or more");
            }

            if (!double.IsFinite(u) || u != Math.Floor(u))
            {
                throw table.CellError(r, unitColumn, "a whole unit id");
            }

            samples[r] = (long)Math.Round(t * tableRate);
            units[r] = (long)u;
        }

        var tableSpikes = new SortedSpikes(path, "unknown (a table of spike times in seconds and units)", tableRate, new ArrayVector(samples), new ArrayVector(units));
        tableSpikes.Check(path, path, options);
        tableSpikes.ReadLabels(null);
        return tableSpikes;
    }

    private static double RateOf(string path, SortedSpikesOptions options) =>
        options.SampleRateHz is { } given
            ? ReaderLimits.CheckRate(path, "sample rate", given)
            : throw new InvalidRecordingException(path, "sample rate", "none known", "the sorted recording's rate: from the stream the spikes are of, or given");

    private static int FindColumn(Table table, string[] names, string expected)
    {
        foreach (string name in names)
        {
            int i = table.TryIndexOf(name);
            if (i >= 0)
            {
                return i;
            }
        }

        throw new InvalidRecordingException(table.SourcePath, "header", $"columns {string.Join(", ", table.Columns)}", expected);
    }

    private void ReadParams(PhyParams p, string folder)
    {
        DatPaths = p.Texts("dat_path");
        var facts = new List<KeyValuePair<string, string>>();
        long? channels = p.Number("n_channels_dat") is { } c ? (long)c : null;
        string? dtype = p.Text("dtype");
        long offset = p.Number("offset") is { } o ? (long)o : 0;
        facts.Add(new("dat_path", DatPaths.Count == 0 ? "(not given)" : string.Join(", ", DatPaths)));
        if (channels is { } n)
        {
            facts.Add(new("n_channels_dat", n.ToString(CultureInfo.InvariantCulture)));
        }

        if (dtype is not null)
        {
            facts.Add(new("dtype", dtype));
        }

        facts.Add(new("offset", offset.ToString(CultureInfo.InvariantCulture)));
        if (p.Flag("hp_filtered") is { } filtered)
        {
            facts.Add(new("hp_filtered", filtered ? "True" : "False"));
        }

        ParamFacts = facts;

        // The sorted file's length gives the recording's sample count when no ephys stream is loaded.
        if (DatPaths.Count == 1 && channels is > 0 and <= ReaderLimits.MaxChannels && dtype is not null && offset >= 0)
        {
            string dat = System.IO.Path.IsPathRooted(DatPaths[0]) ? DatPaths[0] : System.IO.Path.Combine(folder, DatPaths[0]);
            int size = dtype.TrimStart('<', '>', '=', '|') switch
            {
                "int16" or "i2" or "uint16" or "u2" => 2,
                "int32" or "i4" or "float32" or "f4" => 4,
                _ => 0,
            };
            if (size > 0 && System.IO.File.Exists(dat))
            {
                DatSampleCount = Math.Max(0, new FileInfo(dat).Length - offset) / (channels.Value * size);
            }
        }
    }

    /// <summary>
    /// One pass over the files: the lengths agree, times are whole samples in increasing order
    /// (or sorted when asked), ids are in range; counts spikes per cluster. Blocks are released as
    /// the pass goes, so its resident size stays flat.
    /// </summary>
    private void Check(string timesPath, string idsPath, SortedSpikesOptions options)
    {
        if (_ids.Count != _times.Count)
        {
            throw new InvalidRecordingException(idsPath, "length", $"{_ids.Count} cluster ids", $"one per spike: {_times.Count}, as {System.IO.Path.GetFileName(timesPath)} holds");
        }

        var samples = new long[BlockSize];
        var ids = new long[BlockSize];
        var counts = new Dictionary<long, long>();
        long previous = long.MinValue;
        for (long start = 0; start < _times.Count; start += BlockSize)
        {
            int n = (int)Math.Min(BlockSize, _times.Count - start);
            try
            {
                Read(start, samples.AsSpan(0, n), ids.AsSpan(0, n));
            }
            catch (OverflowException)
            {
                throw new InvalidRecordingException(timesPath, $"spikes {start}..{start + n - 1}", "a value of 2^63 or more", "sample numbers and cluster ids below 2^63");
            }

            for (int i = 0; i < n; i++)
            {
                long s = samples[i];
                if (s < 0 || s >= ReaderLimits.MaxExactSampleIndex)
                {
                    throw new InvalidRecordingException(timesPath, $"spike {start + i}", $"sample {s}", $"a sample number from 0 to 2^53");
                }

                if (s < previous)
                {
                    if (options.SortTimes)
                    {
                        SortInMemory();
                        Check(timesPath, idsPath, options with { SortTimes = false });
                        return;
                    }

                    throw new InvalidRecordingException(timesPath, $"spike {start + i}", $"sample {s} after sample {previous}", "spike times in increasing order (give the sort option to sort them)");
                }

                previous = s;
                long id = ids[i];
                if (id < 0 || id > MaxClusterId)
                {
                    throw new InvalidRecordingException(idsPath, $"spike {start + i}", $"cluster id {id}", $"an id from 0 to {MaxClusterId}");
                }

                counts[id] = counts.GetValueOrDefault(id) + 1;
            }

            Release(start, n);
        }

        if (_times.Count > 0)
        {
            FirstSample = _times.Get(0);
            LastSample = _times.Get(_times.Count - 1);
        }

        Units = [.. counts.OrderBy(kv => kv.Key).Select(kv => new SortedUnit(kv.Key, "unsorted", null, null, kv.Value))];
    }

    /// <summary>Unsorted times, sorted on request: in memory (16 bytes a spike), stably by time.</summary>
    private void SortInMemory()
    {
        long n = _times.Count;
        if (n > Array.MaxLength)
        {
            throw new InvalidRecordingException(SourcePath, "spike count", n.ToString(CultureInfo.InvariantCulture), $"at most {Array.MaxLength} spikes to sort in memory");
        }

        var samples = new long[n];
        var ids = new long[n];
        Read(0, samples, ids);
        var order = new int[n];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => samples[a] != samples[b] ? samples[a].CompareTo(samples[b]) : a.CompareTo(b));
        long[] sortedSamples = order.Select(i => samples[i]).ToArray();
        long[] sortedIds = order.Select(i => ids[i]).ToArray();
        _times.ReplaceWith(sortedSamples);
        _ids.ReplaceWith(sortedIds);
        Sorter += "; times sorted on reading";
    }

    /// <summary>cluster_group.tsv, else cluster_KSLabel.tsv, else unsorted; cluster_info.tsv's ch and depth when present.</summary>
    private void ReadLabels(string? folder)
    {
        if (folder is null)
        {
            return;
        }

        var byId = Units.ToDictionary(u => u.Id);
        foreach (string name in new[] { "cluster_group.tsv", "cluster_KSLabel.tsv" })
        {
            string path = System.IO.Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                continue;
            }

            Table table = TableReader.Read(path, new TableOptions { Separator = '\t' });
            int idColumn = FindColumn(table, ["cluster_id", "id"], "a cluster_id column");
            int labelColumn = FindColumn(table, ["group", "KSLabel", "label"], "a group or KSLabel column");
            var seen = new HashSet<long>();
            int withoutSpikes = 0;
            for (int r = 0; r < table.RowCount; r++)
            {
                if (ClusterId(table, r, idColumn, byId, seen) is not { } id)
                {
                    withoutSpikes++;
                    continue;
                }

                byId[id] = byId[id] with { Label = table.Text(r, labelColumn) ?? "unsorted" };
            }

            LabelSource = withoutSpikes == 0 ? name
                : $"{name}; {withoutSpikes} labelled cluster(s) without spikes ignored (merged or split away in phy)";
            break;
        }

        string info = System.IO.Path.Combine(folder, "cluster_info.tsv");
        if (File.Exists(info))
        {
            Table table = TableReader.Read(info, new TableOptions { Separator = '\t' });
            int idColumn = FindColumn(table, ["cluster_id", "id"], "a cluster_id column");
            int channelColumn = table.TryIndexOf("ch");
            int depthColumn = table.TryIndexOf("depth");
            var seen = new HashSet<long>();
            for (int r = 0; r < table.RowCount; r++)
            {
                if (ClusterId(table, r, idColumn, byId, seen) is not { } id)
                {
                    continue;
                }

                int? channel = null;
                if (channelColumn >= 0 && !table.IsMissing(r, channelColumn))
                {
                    double ch = table.Number(r, channelColumn, "a channel number");
                    channel = ch >= 0 && ch <= ReaderLimits.MaxChannels && ch == Math.Floor(ch) ? (int)ch : throw table.CellError(r, channelColumn, $"a channel number from 0 to {ReaderLimits.MaxChannels}");
                }

                double? depth = depthColumn >= 0 && !table.IsMissing(r, depthColumn) ? table.Number(r, depthColumn, "a depth in micrometres") : null;
                byId[id] = byId[id] with { Channel = channel, DepthMicrometres = depth };
            }
        }

        Units = [.. byId.Values.OrderBy(u => u.Id)];
    }

    /// <summary>
    /// A label file's cluster id: a whole number, once; null for a cluster without spikes. Those are
    /// normal in a curated folder: phy rewrites spike_clusters.npy when it merges or splits clusters
    /// but never cluster_KSLabel.tsv, which keeps Kilosort's ids of clusters that no longer exist.
    /// </summary>
    private static long? ClusterId(Table table, int row, int column, Dictionary<long, SortedUnit> byId, HashSet<long> seen)
    {
        double value = table.Number(row, column, "a cluster id");
        if (!double.IsFinite(value) || value != Math.Floor(value) || value < 0 || value > MaxClusterId)
        {
            throw table.CellError(row, column, $"a cluster id from 0 to {MaxClusterId}");
        }

        long id = (long)value;
        if (!seen.Add(id))
        {
            throw new InvalidRecordingException(table.SourcePath, $"line {table.LineOf(row)}", $"cluster {id} a second time", "each cluster once");
        }

        return byId.ContainsKey(id) ? id : null;
    }

    private static string Ids(IEnumerable<long> ids)
    {
        long[] sorted = [.. ids.Order()];
        return sorted.Length <= 8 ? string.Join(", ", sorted) : $"{string.Join(", ", sorted.Take(8))}, …";
    }

    /// <summary>A vector of spike sample numbers or ids, read in blocks.</summary>
    private abstract class SpikeVector : IDisposable
    {
        public abstract long Count { get; }

        public abstract long Get(long index);

        public abstract void CopyTo(long start, Span<long> destination);

        public virtual void Release(long start, long count)
        {
        }

        public abstract void ReplaceWith(long[] values);

        public void Dispose() => DisposeFile();

        protected virtual void DisposeFile()
        {
        }
    }

    /// <summary>A mapped .npy vector of whole numbers (or, once sorted in memory, an array).</summary>
    private sealed class NpyVector(NpyArray array) : SpikeVector
    {
        private long[]? _sorted;

        public override long Count => _sorted?.LongLength ?? array.Count;

        public override long Get(long index) => _sorted?[index] ?? array.GetInt64(index);

        public override void CopyTo(long start, Span<long> destination)
        {
            if (_sorted is not null)
            {
                _sorted.AsSpan(checked((int)start), destination.Length).CopyTo(destination);
                return;
            }

            array.CopyTo(start, destination);
        }

        public override void Release(long start, long count)
        {
            if (_sorted is null)
            {
                array.Release(start, count);
            }
        }

        public override void ReplaceWith(long[] values) => _sorted = values;

        protected override void DisposeFile() => array.Dispose();
    }

    /// <summary>A mapped .npy of times in seconds, read as the nearest sample numbers at the sorted recording's rate.</summary>
    private sealed class SecondsVector(NpyArray array, double rateHz) : SpikeVector
    {
        private long[]? _sorted;

        public override long Count => _sorted?.LongLength ?? array.Count;

        public override long Get(long index) => _sorted?[index] ?? ToSample(array.GetDouble(index));

        public override void CopyTo(long start, Span<long> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = Get(start + i);
            }
        }

        public override void Release(long start, long count)
        {
            if (_sorted is null)
            {
                array.Release(start, count);
            }
        }

        public override void ReplaceWith(long[] values) => _sorted = values;

        protected override void DisposeFile() => array.Dispose();

        private long ToSample(double seconds) =>
            double.IsFinite(seconds) && seconds >= 0 && seconds * rateHz < ReaderLimits.MaxExactSampleIndex
                ? (long)Math.Round(seconds * rateHz)
                : throw new InvalidRecordingException(array.Path, "spike time", seconds.ToString("R", CultureInfo.InvariantCulture), "a time in seconds, 0 or more");
    }

    /// <summary>Values held in memory (a table's rows).</summary>
    private sealed class ArrayVector(long[] values) : SpikeVector
    {
        public override long Count => values.LongLength;

        public override long Get(long index) => values[index];

        public override void CopyTo(long start, Span<long> destination) => values.AsSpan(checked((int)start), destination.Length).CopyTo(destination);

        public override void ReplaceWith(long[] sorted) => sorted.CopyTo(values, 0);
    }
}

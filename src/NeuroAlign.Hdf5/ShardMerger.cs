using System.Diagnostics;
using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Hdf5;

/// <summary>Root attributes that make an export file a shard (docs/scale-out.md).</summary>
public static class ShardAttributes
{
    /// <summary>Which shard, 0-based (int64).</summary>
    public const string Index = "shard_index";

    /// <summary>How many shards the export was split into (int64).</summary>
    public const string Count = "shard_count";

    /// <summary>The shard's compression as <see cref="Hdf5SinkOptions.Describe"/> writes it; the merge's default.</summary>
    public const string Compression = "shard_compression";

    /// <summary>Windows of the whole export (int64); kept in the merged file, where it is the file's own count.</summary>
    public const string TotalWindows = "total_windows";

    /// <summary>Global index of the shard's first window (int64); 0 in the merged file.</summary>
    public const string FirstWindow = "first_window";

    /// <summary>SHA-256 of the inputs (paths, sizes, modification times) and the command's options; kept in the merged file.</summary>
    public const string Fingerprint = "inputs_fingerprint";

    /// <summary>Group attributes that count over windows: summed over the shards in the merged file.</summary>
    public static readonly IReadOnlyList<string> Counters = ["samples_outside", "windows_incomplete"];
}

/// <summary>What a merge did.</summary>
/// <param name="ShardCount">Shards joined.</param>
/// <param name="WindowCount">Windows in the merged file.</param>
/// <param name="BytesCopied">Bytes of aligned data copied (before compression).</param>
/// <param name="Elapsed">Time the merge took.</param>
public sealed record MergeSummary(int ShardCount, int WindowCount, long BytesCopied, TimeSpan Elapsed);

/// <summary>
/// Joins the shard files of one export (written with <c>--shard i/n</c>) into the file a single
/// process would have written: the same datasets with the same values, shapes, types and chunking.
/// Every check runs before anything is written; the copy streams window by window through an
/// <see cref="Hdf5Sink"/>, so memory is a chunk per dataset whatever the sizes (issue 10).
/// </summary>
public static class ShardMerger
{
    /// <summary>Checks <paramref name="shardPaths"/> and writes their merge to <paramref name="outputPath"/>.</summary>
    /// <param name="shardPaths">Every shard of one export, in any order.</param>
    /// <param name="outputPath">The merged file; written under a temporary name and renamed when complete.</param>
    /// <param name="options">Compression of the merged file; null for the shards' own (their <c>shard_compression</c>).</param>
    /// <param name="extraRootAttributes">Attributes added to the merged file's root (provenance of the merge).</param>
    /// <param name="progress">Reported after each window.</param>
    /// <param name="overwrite">Whether an existing output that is not a NeuroAlign file may be replaced (a shard never may).</param>
    /// <param name="cancellationToken">Stops after the current window; nothing is left behind.</param>
    /// <exception cref="NeuroAlignException">A shard is missing, given twice, from another export, or of another shape; the message names the files and the reason.</exception>
    public static MergeSummary Merge(
        IReadOnlyList<string> shardPaths,
        string outputPath,
        Hdf5SinkOptions? options = null,
        IReadOnlyDictionary<string, object>? extraRootAttributes = null,
        IProgress<AlignmentProgress>? progress = null,
        bool overwrite = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shardPaths);
        ArgumentNullException.ThrowIfNull(outputPath);
        List<ShardInfo> shards = Check(shardPaths, outputPath, overwrite);
        bool outputWasThere = File.Exists(outputPath); // what the check allowed: a file that appears later is another process's
        ShardInfo first = shards[0];
        var layout = new ExportLayout(
            shards.SelectMany(s => s.WindowTimes).ToArray(),
            first.Modalities.Select((m, i) => m with
            {
                Attributes = SumCounters(m.Attributes, shards.Select(s => s.Modalities[i].Attributes)),

                // Ragged rows (spike lists): the shards' window counts in order; the sink's offsets then count from the merged file's start.
                Ragged = m.Ragged is { } ragged ? ragged with { WindowCounts = [.. shards.SelectMany(s => s.Modalities[i].Ragged!.WindowCounts)] } : null,
            }).ToArray(),
            MergedRootAttributes(shards, extraRootAttributes))
        {
            WindowLabels = first.WindowLabels.Select((l, i) => WindowLabel.Concatenate(l.Name, shards.Select(s => s.WindowLabels[i]).ToArray())).ToArray(),
        };
        options ??= Hdf5SinkOptions.Parse(first.Compression);

        var clock = Stopwatch.StartNew();
        long bytes = 0;
        int global = 0;
        using var sink = new Hdf5Sink(outputPath, options, replaceExisting: outputWasThere);
        sink.Begin(layout);
        var buffers = layout.Modalities.Select(m => new WindowBuffer(m)).ToArray();
        foreach (ShardInfo shard in shards)
        {
            using ExportFileReader reader = ExportFileReader.Open(shard.Path);
            for (int w = 0; w < reader.WindowCount; w++, global++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int m = 0; m < buffers.Length; m++)
                {
                    reader.ReadWindow(m, w, buffers[m]);
                    sink.Write(global, m, buffers[m]);
                    bytes += buffers[m].DataBytes.Length;
                }

                progress?.Report(new AlignmentProgress(global + 1, layout.WindowTimes.Count, bytes, clock.Elapsed));
            }
        }

        sink.Complete();
        return new MergeSummary(shards.Count, layout.WindowTimes.Count, bytes, clock.Elapsed);
    }

    /// <summary>Reads every shard's metadata and refuses anything that would not make one export; the shards in index order.</summary>
    private static List<ShardInfo> Check(IReadOnlyList<string> shardPaths, string outputPath, bool overwrite)
    {
        if (shardPaths.Count == 0)
        {
            throw new NeuroAlignException("merge: no shard files given");
        }

        // By identity (links, relative paths, hard links), before any shard is read.
        string output = Path.GetFullPath(outputPath);
        if (shardPaths.FirstOrDefault(p => string.Equals(Path.GetFullPath(p), output, StringComparison.Ordinal) || OutputGuard.SameFile(p, outputPath)) is { } sameAsOutput)
        {
            throw new SettingException($"merge: the output {Printable.Escape(outputPath)} is also one of the shards ({Printable.Escape(sameAsOutput)}); choose another output file, nothing was written");
        }

        Hdf5Sink.CheckOutput(outputPath, shardPaths, overwrite, $"merge: the output {Printable.Escape(outputPath)}");
        var shards = new List<ShardInfo>();
        foreach (string path in shardPaths)
        {
            ShardInfo shard = ShardInfo.Read(path);
            if (shards.Count > 0)
            {
                CheckSameExport(shards[0], shard);
            }

            if (shards.FirstOrDefault(s => s.Index == shard.Index) is { } twin)
            {
                throw new NeuroAlignException($"merge: shard {shard.Index}/{shard.Count} is given twice: {twin.Path} and {shard.Path}");
            }

            shards.Add(shard);
        }

        int count = shards[0].Count;
        int[] missing = Enumerable.Range(0, count).Where(i => shards.All(s => s.Index != i)).ToArray();
        if (missing.Length > 0)
        {
            string have = string.Join(", ", shards.Select(s => s.Index).Order());
            throw new NeuroAlignException($"merge: missing shard(s) {IntegerRanges.Format(missing)} of {count} (given: {have}); all {count} shards of the export are needed");
        }

        shards.Sort((a, b) => a.Index.CompareTo(b.Index));
        foreach (ShardInfo shard in shards)
        {
            int expectedFirst = ShardSpec.FirstWindow(shard.Index, count, shard.TotalWindows);
            int expectedCount = ShardSpec.FirstWindow(shard.Index + 1, count, shard.TotalWindows) - expectedFirst;
            if (shard.FirstWindow != expectedFirst || shard.WindowTimes.Count != expectedCount)
            {
                throw new NeuroAlignException(
                    $"merge: {shard.Path}: shard {shard.Index}/{count} holds windows {shard.FirstWindow} to {shard.FirstWindow + shard.WindowTimes.Count - 1}, but the split of {shard.TotalWindows} windows gives it {expectedFirst} to {expectedFirst + expectedCount - 1}");
            }
        }

        return shards;
    }

    /// <summary>Same split, same inputs and options, same schema and shapes: otherwise the reason, naming both files.</summary>
    private static void CheckSameExport(ShardInfo a, ShardInfo b)
    {
        string Both(string what) => $"merge: {b.Path} {what} than {a.Path}";
        if (b.Count != a.Count)
        {
            throw new NeuroAlignException(Both($"is shard {b.Index}/{b.Count}: a different split (into {b.Count}, not {a.Count} shards)"));
        }

        if (b.Fingerprint != a.Fingerprint)
        {
            throw new NeuroAlignException(Both(
                $"was written from other inputs or options (inputs_fingerprint {Short(b.Fingerprint)}, not {Short(a.Fingerprint)}): an input file changed (size or modification time) or the command differs"));
        }

        if (b.TotalWindows != a.TotalWindows)
        {
            throw new NeuroAlignException(Both($"belongs to an export of {b.TotalWindows} windows, not {a.TotalWindows},"));
        }

        if (!Equals(b.SchemaVersion, a.SchemaVersion))
        {
            throw new NeuroAlignException(Both($"has schema_version {b.SchemaVersion ?? "(none)"}, not {a.SchemaVersion ?? "(none)"},"));
        }

        string labelsA = string.Join(", ", a.WindowLabels.Select(l => $"{l.Name} ({(l.Numbers is null ? "text" : "numbers")})"));
        string labelsB = string.Join(", ", b.WindowLabels.Select(l => $"{l.Name} ({(l.Numbers is null ? "text" : "numbers")})"));
        if (labelsA != labelsB)
        {
            throw new NeuroAlignException(Both($"has other window labels (/windows: {(labelsB.Length == 0 ? "none" : labelsB)}, not {(labelsA.Length == 0 ? "none" : labelsA)})"));
        }

        string namesA = string.Join(", ", a.Modalities.Select(m => m.Name));
        string namesB = string.Join(", ", b.Modalities.Select(m => m.Name));
        if (namesA != namesB)
        {
            throw new NeuroAlignException(Both($"holds other modalities ({namesB}, not {namesA})"));
        }

        for (int i = 0; i < a.Modalities.Count; i++)
        {
            ModalityLayout ma = a.Modalities[i];
            ModalityLayout mb = b.Modalities[i];
            if (Shape(mb) != Shape(ma))
            {
                throw new NeuroAlignException(Both($"has another /{ma.Name}/{ma.DataName} per window ({Shape(mb)}, not {Shape(ma)})"));
            }

            foreach (string name in ma.ExtraDatasets.Keys.Union(mb.ExtraDatasets.Keys))
            {
                if (!ma.ExtraDatasets.TryGetValue(name, out Array? va) || !mb.ExtraDatasets.TryGetValue(name, out Array? vb) || !SameValues(va, vb))
                {
                    throw new NeuroAlignException(Both($"has another /{ma.Name}/{name}"));
                }
            }

            CheckSameAttributes(ma.Attributes, mb.Attributes, $"/{ma.Name}", Both);
            if ((ma.SyncAttributes == null) != (mb.SyncAttributes == null))
            {
                throw new NeuroAlignException(Both($"{(mb.SyncAttributes == null ? "has no" : "has a")} /sync/{ma.Name} clock fit, unlike"));
            }

            if (ma.SyncAttributes != null && mb.SyncAttributes != null)
            {
                CheckSameAttributes(ma.SyncAttributes, mb.SyncAttributes, $"/sync/{ma.Name}", Both);
            }
        }
    }

    private static void CheckSameAttributes(IReadOnlyDictionary<string, object> a, IReadOnlyDictionary<string, object> b, string group, Func<string, string> both)
    {
        foreach (string key in a.Keys.Union(b.Keys).Except(ShardAttributes.Counters))
        {
            a.TryGetValue(key, out object? va);
            b.TryGetValue(key, out object? vb);
            if (!Equals(va, vb))
            {
                throw new NeuroAlignException(both($"has another {group} attribute {key} ('{vb}', not '{va}')"));
            }
        }
    }

    private static Dictionary<string, object> MergedRootAttributes(List<ShardInfo> shards, IReadOnlyDictionary<string, object>? extra)
    {
        // Shard 0's attributes (its provenance: command line, creation time, version) without the
        // shard's own bookkeeping; total_windows and first_window (0) stay true of the merged file.
        var root = new Dictionary<string, object>(shards[0].RootAttributes, StringComparer.Ordinal);
        root.Remove(ShardAttributes.Index);
        root.Remove(ShardAttributes.Count);
        root.Remove(ShardAttributes.Compression);
        if (root.ContainsKey("windows_incomplete"))
        {
            root["windows_incomplete"] = shards.Sum(s => s.RootAttributes.TryGetValue("windows_incomplete", out object? v) && v is long n ? n : 0L);
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            root[key] = value;
        }

        return root;
    }

    private static Dictionary<string, object> SumCounters(IReadOnlyDictionary<string, object> first, IEnumerable<IReadOnlyDictionary<string, object>> all)
    {
        var sum = new Dictionary<string, object>(first, StringComparer.Ordinal);
        var every = all.ToArray();
        foreach (string counter in ShardAttributes.Counters.Where(first.ContainsKey))
        {
            sum[counter] = every.Sum(a => a.TryGetValue(counter, out object? v) && v is long n ? n : 0L);
        }

        return sum;
    }

    private static string Shape(ModalityLayout m) =>
        $"{(m.DataName == OutputSchema.Data ? string.Empty : m.DataName + " ")}{m.DataType.ToText()} [{string.Join(", ", new[] { m.PointsPerWindow }.Concat(m.SampleShape))}]{(m.HasMask ? " with a mask" : string.Empty)}"
        + (m.Ragged is { } r ? $" with ragged {string.Join(", ", r.Columns.Select(c => $"{c.Name} {c.Type.ToText()}"))}" : string.Empty);

    private static bool SameValues(Array a, Array b) =>
        a.GetType() == b.GetType() && a.Length == b.Length && a.Cast<object>().SequenceEqual(b.Cast<object>());

    private static string Short(string fingerprint) => fingerprint.Length > 12 ? fingerprint[..12] + "…" : fingerprint;

    /// <summary>What a shard file says about itself; read and closed before the copy starts.</summary>
    private sealed record ShardInfo(
        string Path,
        int Index,
        int Count,
        int TotalWindows,
        int FirstWindow,
        string Fingerprint,
        string Compression,
        object? SchemaVersion,
        IReadOnlyDictionary<string, object> RootAttributes,
        IReadOnlyList<double> WindowTimes,
        IReadOnlyList<ModalityLayout> Modalities,
        IReadOnlyList<WindowLabel> WindowLabels)
    {
        public static ShardInfo Read(string path)
        {
            using ExportFileReader reader = ExportFileReader.Open(path);
            IReadOnlyDictionary<string, object> root = reader.RootAttributes;
            if (!root.ContainsKey(ShardAttributes.Index))
            {
                throw new NeuroAlignException($"merge: {path} is not a shard (no {ShardAttributes.Index} attribute); merge joins the files written as shards of one export ({ExportSettings.Shard} i/n)");
            }

            if (reader.UnknownObjects.Count > 0)
            {
                throw new NeuroAlignException($"merge: {path} holds {string.Join(", ", reader.UnknownObjects)}, which this version cannot copy; merging would lose it");
            }

            // Each dataset's first chunk is read now, before anything is written: a filter this
            // version does not have (or a damaged first chunk) is named here, not halfway through the copy.
            for (int m = 0; m < reader.Modalities.Count && reader.WindowCount > 0; m++)
            {
                reader.ReadWindow(m, 0, new WindowBuffer(reader.Modalities[m]));
            }

            int Integer(string name, int minimum)
            {
                if (!root.TryGetValue(name, out object? value) || value is not long n || n < minimum || n > int.MaxValue)
                {
                    throw new InvalidRecordingException(path, $"root attribute {name}", root.TryGetValue(name, out object? v) ? $"'{v}'" : "nothing", $"an int64 ≥ {minimum}");
                }

                return (int)n;
            }

            string Text(string name) => root.TryGetValue(name, out object? value) && value is string s
                ? s
                : throw new InvalidRecordingException(path, $"root attribute {name}", root.TryGetValue(name, out object? v) ? $"'{v}'" : "nothing", "a string");

            int count = Integer(ShardAttributes.Count, 1);
            int index = Integer(ShardAttributes.Index, 0);
            if (index >= count)
            {
                throw new InvalidRecordingException(path, $"root attribute {ShardAttributes.Index}", index.ToString(CultureInfo.InvariantCulture), $"below {ShardAttributes.Count} = {count}");
            }

            return new ShardInfo(
                path,
                index,
                count,
                Integer(ShardAttributes.TotalWindows, 1),
                Integer(ShardAttributes.FirstWindow, 0),
                Text(ShardAttributes.Fingerprint),
                Text(ShardAttributes.Compression),
                root.GetValueOrDefault(OutputSchema.SchemaVersionAttribute),
                root,
                reader.WindowTimes.ToArray(),
                reader.Modalities,
                reader.WindowLabels);
        }
    }
}

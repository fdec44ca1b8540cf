using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Hdf5;

/// <summary>
/// What <c>info</c> says of a file NeuroAlign wrote: where it came from, its windows and labels, and
/// per stream its modality, data shape and type, rate, how it is compressed (the codec as
/// <c>--compression</c> names it, and whether readers need hdf5plugin), what its filter kept and how
/// its clock was synced. Every stream's first window is decoded, so a codec or a damaged chunk this
/// version cannot read is said here, in one line, rather than at a merge or in a training loop.
/// </summary>
public static class ExportFileInfo
{
    /// <summary>Whether <paramref name="path"/> is a finished export (not a sink's half-written temporary).</summary>
    public static bool IsExport(string path) =>
        ExportFileReader.IsNeuroAlignOutput(path) && !Hdf5Sink.IsTemporaryName(System.IO.Path.GetFileName(path));

    /// <summary>Writes the path and its facts (<see cref="StreamFacts.Write"/>'s layout).</summary>
    public static void Describe(string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using ExportFileReader reader = ExportFileReader.Open(path);
        StreamFacts.Write(path, Facts(reader), output);
    }

    /// <summary>The export's facts, one per line: the file's, then each stream's, then the stored size.</summary>
    public static List<KeyValuePair<string, string>> Facts(ExportFileReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        IReadOnlyDictionary<string, object> root = reader.RootAttributes;
        var rows = new List<KeyValuePair<string, string>>
        {
            new("format", $"NeuroAlign export, schema {Text(root, OutputSchema.SchemaVersionAttribute)}, written by neuro-align {Text(root, OutputSchema.NeuroAlignVersionAttribute)} at {Text(root, OutputSchema.CreatedAttribute)}"),
        };
        if (root.ContainsKey(OutputSchema.CommandLineAttribute))
        {
            rows.Add(new("command", Text(root, OutputSchema.CommandLineAttribute)));
        }

        rows.Add(new("reference", Text(root, OutputSchema.ReferenceStreamAttribute)));
        rows.Add(new("windows", Windows(reader)));
        if (reader.WindowLabels.Count > 0)
        {
            rows.Add(new("labels", string.Join(", ", reader.WindowLabels.Select(l => $"{l.Name} ({(l.Numbers is null ? "text" : "numbers")})")) + $" in /{OutputSchema.WindowsGroup}"));
        }

        long dataBytes = 0;
        IReadOnlyList<IReadOnlyList<Hdf5Structures.Filter>?> pipelines = reader.DataFilters();
        for (int i = 0; i < reader.Modalities.Count; i++)
        {
            ModalityLayout m = reader.Modalities[i];
            dataBytes += reader.WindowCount * m.ElementsPerWindow * m.DataType.SizeOf();
            rows.Add(new(m.Name, Stream(reader, i, pipelines[i])));
            if (m.HasMask && reader.KeptFractions(i) is { Length: > 0 } kept)
            {
                rows.Add(new($"{m.Name} filter", $"{Text(m.Attributes, OutputSchema.FilterAttribute)}: kept {kept.Average():P2} of the values (mean over windows; /{m.Name}/{OutputSchema.Mask})"));
            }

            if (m.SyncAttributes is { } sync)
            {
                rows.Add(new($"{m.Name} sync", Sync(sync) + $" (/{OutputSchema.SyncGroup}/{m.Name})"));
            }

            // Decoding a window proves the codec is one this version reads and the chunks are whole.
            if (reader.WindowCount > 0)
            {
                reader.ReadWindow(i, 0, new WindowBuffer(m));
            }
        }

        long fileBytes = new FileInfo(reader.Path).Length;
        string ratio = dataBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({(double)fileBytes / dataBytes:F3} of it)") : string.Empty;
        rows.Add(new("size", string.Create(CultureInfo.InvariantCulture, $"{fileBytes / 1e6:F1} MB on disk for {dataBytes / 1e6:F1} MB of window data{ratio}; every stream's first window decoded")));
        return rows;
    }

    /// <summary>
    /// A data pipeline as <c>--compression</c> names it, and who can read it; the filters by name for
    /// a pipeline neuro-align does not write (a file changed by another tool).
    /// </summary>
    internal static string Compression(IReadOnlyList<Hdf5Structures.Filter>? filters)
    {
        if (filters is null)
        {
            return "compression not read (the dataset's object header was not found)";
        }

        const string Plugin = "readers need hdf5plugin";
        int[] ids = [.. filters.Select(f => f.Id)];
        uint? At(int filter, int index) => filters[filter].Values.Length > index ? filters[filter].Values[index] : null;
        string Value(int filter, int index) => At(filter, index)?.ToString(CultureInfo.InvariantCulture) ?? "?";

        // zstd's fast levels are negative: cd_values carry the int's bits, as the reference plugins read them.
        string Level(int filter, int index) => At(filter, index) is uint bits ? unchecked((int)bits).ToString(CultureInfo.InvariantCulture) : "?";
        return ids switch
        {
            [] => "uncompressed (every HDF5 reader)",
            [1] => $"gzip {Value(0, 0)} without shuffle (every HDF5 reader)",
            [2, 1] => $"gzip {Value(1, 0)} after byte shuffle (every HDF5 reader)",
            [2, ChunkCodec.ZstdFilterId] => $"zstd {Level(1, 0)} after byte shuffle ({Plugin})",
            [ChunkCodec.ZstdFilterId] => $"zstd {Level(0, 0)} without shuffle ({Plugin})",
            [2, ChunkCodec.Lz4FilterId] => $"lz4 after byte shuffle ({Plugin}, or Debian's hdf5-filter-plugin)",
            [ChunkCodec.Lz4FilterId] => $"lz4 without shuffle ({Plugin}, or Debian's hdf5-filter-plugin)",
            [ChunkCodec.BitshuffleFilterId] when At(0, 4) == ChunkCodec.BitshuffleLz4 => $"bitshuffle-lz4 ({Plugin}, or the bitshuffle package)",
            [ChunkCodec.BitshuffleFilterId] when At(0, 4) == ChunkCodec.BitshuffleZstd => $"bitshuffle-zstd {Level(0, 5)} ({Plugin} 4.1 or later)",
            _ => $"filters {string.Join(", ", ids.Select(Hdf5Structures.FilterName))} (not a pipeline neuro-align writes)",
        };
    }

    private static string Windows(ExportFileReader reader)
    {
        IReadOnlyDictionary<string, object> root = reader.RootAttributes;
        string span = reader.WindowCount == 0 ? "none"
            : reader.WindowCount == 1 ? $"1, at {Number(reader.WindowTimes[0])} s"
            : $"{reader.WindowCount}, at {Number(reader.WindowTimes[0])} s to {Number(reader.WindowTimes[^1])} s";
        return $"{span} on the reference clock, from {Text(root, OutputSchema.BeforeAttribute)} s before to {Text(root, OutputSchema.AfterAttribute)} s after each (times from {Text(root, OutputSchema.WindowSourceAttribute)})";
    }

    private static string Stream(ExportFileReader reader, int index, IReadOnlyList<Hdf5Structures.Filter>? pipeline)
    {
        ModalityLayout m = reader.Modalities[index];
        string shape = string.Join(", ", new long[] { reader.WindowCount, m.PointsPerWindow }.Concat(m.SampleShape.Select(d => (long)d)));
        string source = m.Attributes.TryGetValue(OutputSchema.SourcePathAttribute, out object? path) ? $" from {System.IO.Path.GetFileName(Convert.ToString(path, CultureInfo.InvariantCulture))}" : string.Empty;
        string rate = m.Attributes.ContainsKey(OutputSchema.OutputRateAttribute) ? $" at {Text(m.Attributes, OutputSchema.OutputRateAttribute)} Hz" : string.Empty;
        string ragged = m.Ragged is { } r ? $"; {r.TotalLength} rows of {string.Join(", ", r.Columns.Select(c => c.Name))}" : string.Empty;
        return $"{Text(m.Attributes, OutputSchema.ModalityAttribute)}{source}: {m.DataName} [{shape}] {m.DataType.ToText()}{rate}, {Compression(pipeline)}{ragged}";
    }

    private static string Sync(IReadOnlyDictionary<string, object> sync)
    {
        string text = Text(sync, OutputSchema.SyncMethodAttribute);
        if (sync.TryGetValue(OutputSchema.SyncDriftAttribute, out object? drift) && drift is double ppm)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", drift {ppm:F3} ppm");
        }

        if (sync.TryGetValue(OutputSchema.SyncMaxResidualAttribute, out object? residual) && residual is double seconds)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", max residual {seconds * 1e6:F1} µs");
        }

        return text;
    }

    private static string Text(IReadOnlyDictionary<string, object> attributes, string name) =>
        !attributes.TryGetValue(name, out object? value) ? "(not given)"
        : value is double d ? Number(d)
        : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

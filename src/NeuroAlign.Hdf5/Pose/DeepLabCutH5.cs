using System.Text;
using NeuroAlign.Formats.Pose;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>
/// DeepLabCut's .h5: a pandas DataFrame stored by PyTables in "table" format under the key
/// <c>df_with_missing</c>. The numbers are a compound dataset <c>/KEY/table</c> (an int64
/// <c>index</c>, the frame; <c>values_block_N</c> arrays of float64); the column labels
/// (scorer, [individuals,] bodyparts, coords) exist only as pickled text in attributes
/// (<c>non_index_axes</c>, <c>values_block_N_kind</c>, <c>info</c> for the level names), read by
/// <see cref="RestrictedPickle"/>, which runs no code. The records are decoded chunk by chunk
/// (<see cref="TableChunks"/>), float64 to float32 into the resident [frames, I, K, 3] array;
/// storage that reading leaves aside goes through PureHDF.
/// </summary>
internal static class DeepLabCutH5
{
    private const int RowsPerSlab = 8192;

    /// <summary>The group holding a pandas object: DeepLabCut's key, else the only group with a pandas_type.</summary>
    public static IH5Group? FindPandasGroup(NativeFile file)
    {
        if (file.LinkExists("df_with_missing") && file.Group("df_with_missing") is { } dlc && dlc.AttributeExists("pandas_type"))
        {
            return dlc;
        }

        var pandas = file.Children().OfType<IH5Group>().Where(g => g.AttributeExists("pandas_type")).ToArray();
        return pandas.Length == 1 ? pandas[0] : null;
    }

    public static PoseData Read(string path, IH5Group group)
    {
        string where = $"/{group.Name}";
        string pandasType = TextAttribute(path, group, "pandas_type", where);
        if (pandasType != "frame_table")
        {
            throw new InvalidRecordingException(path, $"{where} attribute pandas_type", $"'{pandasType}'", "'frame_table' (a DataFrame stored with format='table', as DeepLabCut writes it)");
        }

        // The level names ("scorer", "individuals", "bodyparts", "coords") the file carries.
        object? info = Pickled(path, group, "info", where);
        IReadOnlyList<string>? levelNames = info is Dictionary<object, object?> infoDict && infoDict.TryGetValue(1L, out object? axis)
            && axis is Dictionary<object, object?> axisInfo && axisInfo.TryGetValue("names", out object? names) && names is List<object?> nameList
            && nameList.All(n => n is string)
            ? nameList.Cast<string>().ToArray()
            : null;

        // non_index_axes: [(1, [label tuples in the DataFrame's column order])].
        object? axes = Pickled(path, group, "non_index_axes", where);
        List<object?> labels = axes is List<object?> { Count: 1 } list && list[0] is object?[] { Length: 2 } pair && pair[0] is 1L && pair[1] is List<object?> l
            ? l
            : throw new InvalidRecordingException(path, $"{where} attribute non_index_axes", "a value that is not [(1, [column labels])]", "the column labels of a DataFrame");
        string[][] columns = labels.Select(c => Label(c, path, where)).ToArray();
        int levelCount = columns.Length == 0 ? 0 : columns[0].Length;
        string[] levels = levelNames is { } given && given.Count == levelCount
            ? [.. given]
            : levelCount switch
            {
                3 => ["scorer", "bodyparts", "coords"],
                4 => ["scorer", "individuals", "bodyparts", "coords"],
                _ => throw new InvalidRecordingException(path, $"{where} attribute non_index_axes", $"column labels of {levelCount} levels", "3 (scorer, bodyparts, coords) or 4 (scorer, individuals, bodyparts, coords)"),
            };
        int individualLevel = Array.IndexOf(levels, "individuals");
        int bodypartLevel = Level(levels, "bodyparts", path, where);
        int coordLevel = Level(levels, "coords", path, where);
        if (columns.Any(c => c.Length != levelCount))
        {
            throw new InvalidRecordingException(path, $"{where} attribute non_index_axes", "column labels of different lengths", $"{levelCount} levels in every label");
        }

        PoseGrid grid = PoseGrid.FromColumns(
            columns.Select(c => (individualLevel < 0 ? DeepLabCutCsv.SingleIndividual : c[individualLevel], c[bodypartLevel], c[coordLevel])).ToArray(),
            DeepLabCutCsv.ScoreName, path, $"{where} attribute non_index_axes");
        var columnOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < columns.Length; c++)
        {
            columnOf[string.Join('\u0001', columns[c])] = c;
        }

        if (!group.LinkExists("table"))
        {
            throw new InvalidRecordingException(path, $"{where}/table", "no such dataset", "the table PyTables writes");
        }

        NativeDataset table = (NativeDataset)group.Dataset("table");
        IH5DataType type = table.Type;
        ulong[] dims = table.Space.Dimensions;
        if (type.Class != H5DataTypeClass.Compound || dims.Length != 1)
        {
            throw new InvalidRecordingException(path, $"{where}/table", $"a {type.Class} dataset of rank {dims.Length}", "a 1-D compound table");
        }

        // Each values block: its field's offset, element size, and the grid place of each element.
        int recordSize = checked((int)type.Size);
        int indexOffset = -1;
        var blocks = new List<(int Offset, int ElementSize, int[] Targets)>();
        foreach (var member in type.Compound.Members)
        {
            if (member.Name == "index")
            {
                if (member.Type.Class != H5DataTypeClass.FixedPoint || member.Type.Size != 8)
                {
                    throw new InvalidRecordingException(path, $"{where}/table field index", $"{member.Type.Class} of {member.Type.Size} bytes", "int64 frame numbers");
                }

                indexOffset = checked((int)member.Offset);
                continue;
            }

            string field = $"{where}/table field {member.Name}";
            if (member.Type.Class != H5DataTypeClass.Array || member.Type.Array.BaseType.Class != H5DataTypeClass.FloatingPoint
                || member.Type.Array.BaseType.Size is not (4 or 8))
            {
                throw new InvalidRecordingException(path, field, $"{member.Type.Class} of {member.Type.Size} bytes", "an array of float64 or float32 (DeepLabCut's values)");
            }

            int elementSize = checked((int)member.Type.Array.BaseType.Size);
            int count = checked((int)member.Type.Size) / elementSize;
            object? kind = PickledAttribute(path, table, $"{member.Name}_kind", $"{where}/table");
            string[][] blockLabels = kind is List<object?> kinds ? kinds.Select(k => Label(k, path, field)).ToArray() : [];
            if (blockLabels.Length != count)
            {
                throw new InvalidRecordingException(path, $"{where}/table attribute {member.Name}_kind", $"{blockLabels.Length} labels", $"{count}, one per value of {member.Name}");
            }

            int[] targets = blockLabels.Select(label => columnOf.TryGetValue(string.Join('\u0001', label), out int c)
                ? grid.Targets[c]
                : throw new InvalidRecordingException(path, $"{where}/table attribute {member.Name}_kind", $"label ({string.Join(", ", label)})", "a label listed in non_index_axes")).ToArray();
            if (checked((int)member.Offset) + (count * elementSize) > recordSize)
            {
                throw new InvalidRecordingException(path, field, $"offset {member.Offset} + {count * elementSize} bytes", $"within the {recordSize}-byte record");
            }

            blocks.Add((checked((int)member.Offset), elementSize, targets));
        }

        if (indexOffset < 0 || blocks.Count == 0)
        {
            throw new InvalidRecordingException(path, $"{where}/table", "no index or no values_block field", "an int64 index and float values");
        }

        if (dims[0] > int.MaxValue || (long)dims[0] * grid.ValuesPerFrame > Array.MaxLength)
        {
            throw new InvalidRecordingException(path, $"{where}/table", $"{dims[0]} rows of {grid.ValuesPerFrame} values", "a pose file that fits in one array");
        }

        // Every row is stored (PyTables writes each chunk it fills): a damaged row count is refused
        // here, not after its values' array is allocated.
        Hdf5Files.CheckStorable(path, $"{where}/table", $"{dims[0]} rows of {recordSize} bytes", (double)dims[0] * recordSize);

        int frames = (int)dims[0];
        int per = grid.ValuesPerFrame;
        var values = new float[(long)frames * per];
        if (blocks.SelectMany(b => b.Targets).Distinct().Count() < per)
        {
            values.AsSpan().Fill(float.NaN); // points no column holds
        }

        var blockArray = blocks.ToArray();
        var decoder = new RecordDecoder(path, where, recordSize, indexOffset, blockArray, values, per);
        string read;
        if (TableChunks.TryRead(path, table, frames, decoder, out string how))
        {
            read = how;
        }
        else
        {
            read = $"through PureHDF ({how})";
            ReadThroughPureHdf(path, table, frames, decoder, where, read);
        }
        string scorers = string.Join(", ", columns.Select(c => c[Math.Max(0, Array.IndexOf(levels, "scorer"))]).Distinct());
        return new PoseData(path, "deeplabcut", DeepLabCutCsv.ScoreName, grid.Individuals, grid.Bodyparts, frames, values,
        [
            new("layout", $"DeepLabCut .h5 (pandas table under {where}, levels {string.Join("/", levels)}{(levelNames is null ? ", names assumed" : string.Empty)})"),
            new("scorer", scorers),
            new("untracked", "as the file writes it: NaN stays NaN; single-animal DeepLabCut writes 0, 0 with likelihood 0"),
            new("read", read),
        ]);
    }

    /// <summary>
    /// The table through PureHDF, for storage <see cref="TableChunks"/> leaves to it: slabs of whole chunks,
    /// about <see cref="RowsPerSlab"/> rows, one buffer for every slab. Measured on an hour at 60 fps
    /// (442-row chunks): each PureHDF read costs about 0.6 ms of its own, so one chunk per read is 6x
    /// slower, and slabs of 64 chunks or the whole table in one read are 1.5-3x slower (fresh memory
    /// for every chunk).
    /// </summary>
    private static void ReadThroughPureHdf(string path, NativeDataset table, int frames, RecordDecoder decoder, string where, string read)
    {
        int slabRows = RowsPerSlab;
        if (table.Layout.Class == H5DataLayoutClass.Chunked && table.Layout.Chunks is [> 0 and <= RowsPerSlab, ..] chunk)
        {
            slabRows = (int)chunk[0] * (RowsPerSlab / (int)chunk[0]);
        }

        var slab = new byte[Math.Min(frames, slabRows) * decoder.RecordSize];
        for (int start = 0; start < frames; start += slabRows)
        {
            int rows = Math.Min(slabRows, frames - start);
            ReadRows(path, table, slab.AsSpan(0, rows * decoder.RecordSize), (ulong)start, (ulong)rows, where, read);
            decoder.Decode(slab.AsSpan(0, rows * decoder.RecordSize), start, rows);
        }
    }

    private static void ReadRows(string path, NativeDataset table, Span<byte> buffer, ulong start, ulong count, string where, string read)
    {
        try
        {
            table.Read(buffer, new HyperslabSelection(start, count));
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, $"{where}/table rows {start}..{start + count - 1}", e.Message.ReplaceLineEndings(" "), $"readable rows (read {read})");
        }
    }

    private static int Level(string[] levels, string name, string path, string where)
    {
        int level = Array.IndexOf(levels, name);
        return level >= 0 ? level : throw new InvalidRecordingException(path, $"{where} attribute info", $"column levels {string.Join("/", levels)}", $"a level named {name}");
    }

    private static string[] Label(object? label, string path, string where) =>
        label is object?[] tuple && tuple.All(p => p is string)
            ? tuple.Cast<string>().ToArray()
            : throw new InvalidRecordingException(path, where, "a column label that is not a tuple of strings", "(scorer, [individual,] bodypart, coord)");

    private static string TextAttribute(string path, IH5Object owner, string name, string where)
    {
        if (!owner.AttributeExists(name))
        {
            throw new InvalidRecordingException(path, $"{where} attribute {name}", "no such attribute", "what pandas writes");
        }

        IH5Attribute attribute = owner.Attribute(name);
        if (attribute.Type.Class != H5DataTypeClass.String)
        {
            throw new InvalidRecordingException(path, $"{where} attribute {name}", $"a {attribute.Type.Class}", "a string");
        }

        return attribute.Read<string>();
    }

    private static object? Pickled(string path, IH5Object owner, string name, string where) => PickledAttribute(path, owner, name, where);

    private static object? PickledAttribute(string path, IH5Object owner, string name, string where)
    {
        string text = TextAttribute(path, owner, name, where);

        // PyTables stores a pickle as a fixed-length string; protocol 0 is text, and higher
        // protocols' bytes come back one char per byte only when read as Latin-1.
        return RestrictedPickle.Read(Encoding.Latin1.GetBytes(text), path, $"{where} attribute {name}");
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using NeuroAlign.Formats.Pose;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>
/// A SLEAP labels file (<c>.slp</c>, HDF5): the skeleton, videos and tracks as JSON (the
/// <c>json</c> attribute of <c>/metadata</c>, <c>/videos_json</c>, <c>/tracks_json</c>), and the
/// labels as compound tables: <c>/frames</c> (video, frame_idx, a range of instances),
/// <c>/instances</c> (type, track, skeleton, a range of points), <c>/points</c> (user labels: x, y,
/// visible) and <c>/pred_points</c> (predictions: x, y, visible, score). Laid out as the analysis
/// export lays them out: individual = track, bodypart = skeleton node (in the skeleton's order),
/// row = frame_idx, score = point score (NaN for user labels), NaN where no instance is.
/// </summary>
/// <remarks>
/// Nothing is unpickled or evaluated: the JSON is parsed by System.Text.Json and only node names,
/// the skeleton's node indexes, track names and the video count are taken from it (jsonpickle tags
/// such as <c>py/reduce</c> are data to it). Every index a table holds (an instance or point range,
/// a track, a skeleton, a video) is checked against the table it points into before it is used.
/// </remarks>
internal static class SleapSlp
{
    /// <summary>The metadata JSON of a labels file is a few kilobytes; more means damage or not SLEAP's.</summary>
    private const int MaxJsonBytes = 16 << 20;

    /// <summary>Points are read in slabs of this many rows, so a long file's points are never held whole.</summary>
    private const int PointsPerSlab = 65536;

    /// <summary>Rows past ten per labelled frame allowed: 2^20, about 4.8 hours at 60 fps.</summary>
    private const long MaxUnlabelledRows = 1 << 20;

    public static bool Claims(NativeFile file) => file.LinkExists("frames") && file.LinkExists("instances") && file.LinkExists("metadata");

    public static PoseData Read(string path, NativeFile file)
    {
        IH5Group metadata = file.Group("metadata");
        double formatId = metadata.AttributeExists("format_id") ? FormatId(path, metadata) : 1.0;
        string json = JsonText(path, metadata);
        using JsonDocument document = Parse(path, json, "/metadata attribute json");
        JsonElement root = document.RootElement;
        string[] nodes = SkeletonNodes(path, root);
        string[] videos = file.LinkExists("videos_json") ? JsonStrings(path, file, "videos_json") : JsonArrayTexts(root, "videos");
        if (videos.Length != 1)
        {
            throw new InvalidRecordingException(path, file.LinkExists("videos_json") ? "/videos_json" : "/metadata videos", $"{videos.Length} videos",
                "one video per labels file (row i is frame i of one camera); split it per video with sleap-convert --format analysis --video-index N");
        }

        string[] tracks = TrackNames(path, file, root);

        var frames = new CompoundTable(path, file, "frames", ["video", "frame_idx", "instance_id_start", "instance_id_end"]);
        var instances = new CompoundTable(path, file, "instances", ["instance_type", "skeleton", "track", "point_id_start", "point_id_end"]);
        var userPoints = file.LinkExists("points") ? new PointSlabs(path, file, "points", withScore: false) : null;
        var predictedPoints = file.LinkExists("pred_points") ? new PointSlabs(path, file, "pred_points", withScore: true) : null;

        // Rows: frames 0 .. the largest frame_idx.
        long lastFrame = -1;
        bool untrackedSeen = false;
        for (int f = 0; f < frames.Count; f++)
        {
            long video = frames.Int("video", f);
            long frameIdx = frames.Int("frame_idx", f);
            if (video != 0)
            {
                throw new InvalidRecordingException(path, $"/frames row {f}, video", video.ToString(CultureInfo.InvariantCulture), "0, the file's one video");
            }

            if (frameIdx < 0 || frameIdx >= int.MaxValue)
            {
                throw new InvalidRecordingException(path, $"/frames row {f}, frame_idx", frameIdx.ToString(CultureInfo.InvariantCulture), "a frame number from 0");
            }

            lastFrame = Math.Max(lastFrame, frameIdx);
            var (first, end) = Range(path, frames, f, "instance_id_start", "instance_id_end", instances.Count, "/frames", "/instances");
            for (long i = first; i < end; i++)
            {
                long track = instances.Int("track", (int)i);
                if (track < -1 || track >= tracks.Length)
                {
                    throw new InvalidRecordingException(path, $"/instances row {i}, track", track.ToString(CultureInfo.InvariantCulture), $"-1 (untracked) or a track 0..{tracks.Length - 1}");
                }

                untrackedSeen |= track == -1;
            }
        }

        // Individuals: the tracks, then one slot for untracked instances (at most one a frame).
        string untrackedName = tracks.Length == 0 ? "individual_0" : "untracked";
        string[] individuals = untrackedSeen ? [.. tracks, untrackedName] : tracks.Length > 0 ? tracks : ["individual_0"];
        int frameCount = checked((int)(lastFrame + 1));

        // Rows are dense (frame i is row i), so one large frame_idx sizes the whole array: bounded by
        // the labelled frames (predictions label every frame) plus about 4.8 h at 60 fps of gaps.
        long mostRows = (10L * frames.Count) + MaxUnlabelledRows;
        if (frameCount > mostRows)
        {
            throw new InvalidRecordingException(path, "/frames, frame_idx", $"frame {lastFrame} with {frames.Count} labelled frames",
                $"at most {mostRows} rows (10 per labelled frame + {MaxUnlabelledRows}); a labels file this sparse is not read: export its frames with sleap-convert --format analysis");
        }

        int per = individuals.Length * nodes.Length * 3;
        if ((long)frameCount * per > Array.MaxLength)
        {
            throw new InvalidRecordingException(path, "/frames", $"{frameCount} frames of {per} values", "a pose file that fits in one array");
        }

        var values = new float[(long)frameCount * per];
        values.AsSpan().Fill(float.NaN);
        var filledBy = new byte[(long)frameCount * individuals.Length]; // 0 none, 1 prediction, 2 user label
        for (int f = 0; f < frames.Count; f++)
        {
            int frame = (int)frames.Int("frame_idx", f);
            var (first, end) = Range(path, frames, f, "instance_id_start", "instance_id_end", instances.Count, "/frames", "/instances");
            for (int i = (int)first; i < end; i++)
            {
                long type = instances.Int("instance_type", i);
                long skeleton = instances.Int("skeleton", i);
                if (type is not (0 or 1))
                {
                    throw new InvalidRecordingException(path, $"/instances row {i}, instance_type", type.ToString(CultureInfo.InvariantCulture), "0 (user label) or 1 (prediction)");
                }

                if (skeleton != 0)
                {
                    throw new InvalidRecordingException(path, $"/instances row {i}, skeleton", skeleton.ToString(CultureInfo.InvariantCulture), "0, the file's one skeleton");
                }

                PointSlabs points = (type == 0 ? userPoints : predictedPoints)
                    ?? throw new InvalidRecordingException(path, $"/instances row {i}", $"a {(type == 0 ? "user label" : "prediction")}", $"a /{(type == 0 ? "points" : "pred_points")} table for it");
                var (pointStart, pointEnd) = Range(path, instances, i, "point_id_start", "point_id_end", points.Count, "/instances", $"/{points.Name}");
                if (pointEnd - pointStart != nodes.Length)
                {
                    throw new InvalidRecordingException(path, $"/instances row {i}, points", $"{pointEnd - pointStart}", $"{nodes.Length}, one per skeleton node");
                }

                long track = instances.Int("track", i);
                int individual = track >= 0 ? (int)track : individuals.Length - 1;
                long slot = ((long)frame * individuals.Length) + individual;
                byte rank = (byte)(type == 0 ? 2 : 1);
                if (filledBy[slot] == rank)
                {
                    throw new InvalidRecordingException(path, $"/instances row {i}", $"a second {(type == 0 ? "user label" : "prediction")} of {individuals[individual]} in frame {frame}",
                        "one instance per track and frame (untracked instances cannot be told apart)");
                }

                if (filledBy[slot] > rank)
                {
                    continue; // SLEAP's own exports take the user's label over the prediction it corrects
                }

                filledBy[slot] = rank;
                Span<float> target = values.AsSpan((int)(slot * nodes.Length * 3), nodes.Length * 3);
                for (int k = 0; k < nodes.Length; k++)
                {
                    var (x, y, visible, score) = points.Get(pointStart + k);

                    // Format 1.0 put (0, 0) at a pixel's top-left corner; from 1.1 at its centre, as SLEAP reads it.
                    double shift = formatId < 1.1 ? 0.5 : 0.0;
                    target[(k * 3) + 0] = visible ? (float)(x - shift) : float.NaN;
                    target[(k * 3) + 1] = visible ? (float)(y - shift) : float.NaN;
                    target[(k * 3) + 2] = visible ? (float)score : float.NaN;
                }
            }
        }

        string videoName = VideoFile(videos[0]);
        return new PoseData(path, "sleap", "score", individuals, nodes, frameCount, values,
        [
            new("layout", $"SLEAP labels file (.slp, format {formatId.ToString("0.0##", CultureInfo.InvariantCulture)}): {frames.Count} labelled frames, {instances.Count} instances"),
            new("video in the file", videoName.Length > 0 ? videoName : "(no file name)"),
            new("track names", tracks.Length > 0 ? "/tracks_json" + (untrackedSeen ? $", and '{untrackedName}' for instances without a track" : string.Empty) : "none in the file: individual_0"),
            new("untracked", "NaN: frames without an instance and points not visible; user labels take the place of the prediction they correct and have NaN scores"),
        ]);
    }

    private static (long Start, long End) Range(string path, CompoundTable table, int row, string startField, string endField, long limit, string where, string into)
    {
        long start = table.Int(startField, row), end = table.Int(endField, row);
        if (start < 0 || end < start || end > limit)
        {
            throw new InvalidRecordingException(path, $"{where} row {row}, {startField}..{endField}", $"{start}..{end}", $"a range within the {limit} rows of {into}");
        }

        return (start, end);
    }

    private static double FormatId(string path, IH5Group metadata)
    {
        IH5Attribute attribute = metadata.Attribute("format_id");
        return attribute.Type.Class == H5DataTypeClass.FloatingPoint && attribute.Type.Size is 4 or 8 && attribute.Space.Dimensions.Length == 0
            ? attribute.Type.Size == 8 ? attribute.Read<double>() : attribute.Read<float>()
            : throw new InvalidRecordingException(path, "/metadata attribute format_id", $"a {attribute.Type.Class} of {attribute.Type.Size} bytes", "a number (1.0, 1.1, 1.2 …)");
    }

    private static string JsonText(string path, IH5Group metadata)
    {
        if (!metadata.AttributeExists("json"))
        {
            throw new InvalidRecordingException(path, "/metadata attribute json", "no such attribute", "the labels file's skeleton as JSON");
        }

        IH5Attribute attribute = metadata.Attribute("json");
        if (attribute.Type.Class != H5DataTypeClass.String || attribute.Type.Size > MaxJsonBytes || attribute.Space.Dimensions.Length != 0)
        {
            throw new InvalidRecordingException(path, "/metadata attribute json", $"a {attribute.Type.Class} of {attribute.Type.Size} bytes, rank {attribute.Space.Dimensions.Length}", $"one string of at most {MaxJsonBytes} bytes");
        }

        string text = attribute.Read<string>();
        return text.Length <= MaxJsonBytes ? text : throw new InvalidRecordingException(path, "/metadata attribute json", $"{text.Length} characters", $"at most {MaxJsonBytes}");
    }

    private static JsonDocument Parse(string path, string text, string where)
    {
        try
        {
            return JsonDocument.Parse(text.TrimEnd('\0'), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new InvalidRecordingException(path, where, $"JSON that does not parse ({e.Message.ReplaceLineEndings(" ")})", "SLEAP's JSON");
        }
    }

    /// <summary>The skeleton's node names in the skeleton's order: its "nodes" are indexes into the file's "nodes" list.</summary>
    private static string[] SkeletonNodes(string path, JsonElement root)
    {
        const string where = "/metadata attribute json";
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out JsonElement all) || all.ValueKind != JsonValueKind.Array
            || !root.TryGetProperty("skeletons", out JsonElement skeletons) || skeletons.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRecordingException(path, where, "no nodes or skeletons list", "SLEAP's metadata (nodes, skeletons, …)");
        }

        if (skeletons.GetArrayLength() != 1)
        {
            throw new InvalidRecordingException(path, $"{where}, skeletons", $"{skeletons.GetArrayLength()} skeletons", "one skeleton (one set of bodyparts per pose file)");
        }

        string[] names = all.EnumerateArray().Select((n, i) => n.ValueKind == JsonValueKind.Object && n.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()!
            : throw new InvalidRecordingException(path, $"{where}, nodes[{i}]", n.ValueKind.ToString(), "an object with a name")).ToArray();
        JsonElement skeleton = skeletons[0];
        if (skeleton.ValueKind != JsonValueKind.Object || !skeleton.TryGetProperty("nodes", out JsonElement ids) || ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() == 0)
        {
            throw new InvalidRecordingException(path, $"{where}, skeletons[0]", "no nodes", "the skeleton's nodes");
        }

        return ids.EnumerateArray().Select((n, i) => n.ValueKind == JsonValueKind.Object && n.TryGetProperty("id", out JsonElement id) && id.TryGetInt32(out int index) && index >= 0 && index < names.Length
            ? names[index]
            : throw new InvalidRecordingException(path, $"{where}, skeletons[0].nodes[{i}]", n.ToString(), $"{{\"id\": N}} with N an index into the {names.Length} nodes")).ToArray();
    }

    private static string[] TrackNames(string path, NativeFile file, JsonElement root)
    {
        string[] items = file.LinkExists("tracks_json") ? JsonStrings(path, file, "tracks_json") : JsonArrayTexts(root, "tracks");
        var names = new string[items.Length];
        for (int t = 0; t < items.Length; t++)
        {
            // tracks_json holds [spawned_on, name] per track.
            using JsonDocument item = Parse(path, items[t], $"/tracks_json[{t}]");
            JsonElement e = item.RootElement;
            names[t] = e.ValueKind == JsonValueKind.Array && e.GetArrayLength() >= 2 && e[1].ValueKind == JsonValueKind.String ? e[1].GetString()!
                : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()!
                : throw new InvalidRecordingException(path, $"/tracks_json[{t}]", items[t].Length > 80 ? items[t][..80] + "…" : items[t], "[spawned_on, \"name\"]");
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new InvalidRecordingException(path, "/tracks_json", $"track names {string.Join(", ", names)}", "distinct names (they name the individuals)");
        }

        return names;
    }

    private static string[] JsonStrings(string path, NativeFile file, string name)
    {
        IH5Dataset dataset = file.Dataset(name);
        if (dataset.Space.Dimensions is not [var count] || count > 1_000_000)
        {
            throw new InvalidRecordingException(path, $"/{name}", $"shape ({string.Join(", ", dataset.Space.Dimensions)})", "a list of JSON strings");
        }

        if (count == 0)
        {
            return [];
        }

        try
        {
            return dataset.Read<string[]>().Select(s => s.TrimEnd('\0')).ToArray();
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, $"/{name}", e.Message.ReplaceLineEndings(" "), "a list of JSON strings");
        }
    }

    private static string[] JsonArrayTexts(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(e => e.GetRawText()).ToArray() : [];

    private static string VideoFile(string videoJson)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(videoJson, new JsonDocumentOptions { MaxDepth = 64 });
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("backend", out JsonElement backend)
                && backend.ValueKind == JsonValueKind.Object && backend.TryGetProperty("filename", out JsonElement file) && file.ValueKind == JsonValueKind.String
                ? file.GetString()!
                : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty; // the video's name is shown by info only
        }
    }

    /// <summary>A compound dataset read whole (frames and instances: a few tens of bytes per labelled frame), fields read by name.</summary>
    private sealed class CompoundTable
    {
        private readonly byte[] _bytes;
        private readonly int _recordSize;
        private readonly Dictionary<string, (int Offset, int Size, bool Signed)> _fields = new(StringComparer.Ordinal);

        public CompoundTable(string path, NativeFile file, string name, string[] fields)
        {
            IH5Dataset dataset = file.Dataset(name);
            (_recordSize, Count) = Shape(path, dataset, name);
            foreach (string field in fields)
            {
                _fields[field] = Field(path, dataset, name, field, integer: true);
            }

            _bytes = ReadRows(path, dataset, name, 0, Count, _recordSize);
        }

        public int Count { get; }

        public long Int(string field, int row)
        {
            var (offset, size, signed) = _fields[field];
            ReadOnlySpan<byte> at = _bytes.AsSpan((row * _recordSize) + offset, size);
            return size switch
            {
                1 => signed ? (sbyte)at[0] : at[0],
                2 => signed ? BinaryPrimitives.ReadInt16LittleEndian(at) : BinaryPrimitives.ReadUInt16LittleEndian(at),
                4 => signed ? BinaryPrimitives.ReadInt32LittleEndian(at) : BinaryPrimitives.ReadUInt32LittleEndian(at),
                _ => BinaryPrimitives.ReadInt64LittleEndian(at), // a uint64 past 2^63 reads negative and fails every range check
            };
        }
    }

    /// <summary>A points table (x, y, visible[, score]) read in slabs around the rows asked for.</summary>
    private sealed class PointSlabs
    {
        private readonly string _path;
        private readonly IH5Dataset _dataset;
        private readonly int _recordSize;
        private readonly (int Offset, int Size, bool Signed) _x, _y, _visible;
        private readonly (int Offset, int Size, bool Signed)? _score;
        private byte[] _slab = [];
        private long _slabStart = -1;
        private int _slabRows;

        public PointSlabs(string path, NativeFile file, string name, bool withScore)
        {
            _path = path;
            Name = name;
            _dataset = file.Dataset(name);
            (_recordSize, Count) = Shape(path, _dataset, name);
            _x = Field(path, _dataset, name, "x", integer: false);
            _y = Field(path, _dataset, name, "y", integer: false);
            _visible = Field(path, _dataset, name, "visible", integer: true);
            _score = withScore ? Field(path, _dataset, name, "score", integer: false) : null;
        }

        public string Name { get; }

        public int Count { get; }

        public (double X, double Y, bool Visible, double Score) Get(long row)
        {
            if (row < _slabStart || row >= _slabStart + _slabRows)
            {
                _slabStart = row;
                _slabRows = (int)Math.Min(PointsPerSlab, Count - row);
                _slab = ReadRows(_path, _dataset, Name, (int)row, _slabRows, _recordSize);
            }

            ReadOnlySpan<byte> record = _slab.AsSpan((int)(row - _slabStart) * _recordSize, _recordSize);
            return (Float(record, _x), Float(record, _y), record[_visible.Offset] != 0, _score is { } s ? Float(record, s) : double.NaN);
        }

        private static double Float(ReadOnlySpan<byte> record, (int Offset, int Size, bool Signed) field) =>
            field.Size == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(record[field.Offset..]) : BinaryPrimitives.ReadSingleLittleEndian(record[field.Offset..]);
    }

    private static (int RecordSize, int Count) Shape(string path, IH5Dataset dataset, string name)
    {
        if (dataset.Type.Class != H5DataTypeClass.Compound || dataset.Space.Dimensions is not [var rows] || rows > int.MaxValue || dataset.Type.Size is <= 0 or > 4096)
        {
            throw new InvalidRecordingException(path, $"/{name}", $"a {dataset.Type.Class} dataset of shape ({string.Join(", ", dataset.Space.Dimensions)})", "a 1-D compound table, as SLEAP writes it");
        }

        return (dataset.Type.Size, (int)rows);
    }

    private static (int Offset, int Size, bool Signed) Field(string path, IH5Dataset dataset, string name, string field, bool integer)
    {
        var member = dataset.Type.Compound.Members.FirstOrDefault(m => m.Name == field);
        if (member is null)
        {
            throw new InvalidRecordingException(path, $"/{name}", $"fields {string.Join(", ", dataset.Type.Compound.Members.Select(m => m.Name))}", $"a field {field}");
        }

        IH5DataType type = member.Type;
        bool fits = integer
            ? (type.Class is H5DataTypeClass.FixedPoint or H5DataTypeClass.Enumerated && type.Size is 1 or 2 or 4 or 8)
            : (type.Class == H5DataTypeClass.FloatingPoint && type.Size is 4 or 8);
        if (!fits || member.Offset < 0 || (long)member.Offset + type.Size > dataset.Type.Size)
        {
            throw new InvalidRecordingException(path, $"/{name} field {field}", $"{type.Class} of {type.Size} bytes at offset {member.Offset}", integer ? "an integer within the record" : "a float32 or float64 within the record");
        }

        // Enumerations (h5py's bool) read unsigned; integers as their type says (track is signed: -1 for none).
        bool signed = type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned;
        return ((int)member.Offset, type.Size, signed);
    }

    private static byte[] ReadRows(string path, IH5Dataset dataset, string name, int start, int rows, int recordSize)
    {
        if ((long)rows * recordSize > Array.MaxLength)
        {
            throw new InvalidRecordingException(path, $"/{name}", $"{rows} rows of {recordSize} bytes", "a table that fits in one array");
        }

        var bytes = new byte[rows * recordSize];
        if (rows == 0)
        {
            return bytes;
        }

        try
        {
            ((NativeDataset)dataset).Read(bytes.AsSpan(), new HyperslabSelection((ulong)start, (ulong)rows));
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, $"/{name} rows {start}..{start + rows - 1}", e.Message.ReplaceLineEndings(" "), "readable rows");
        }

        return bytes;
    }
}

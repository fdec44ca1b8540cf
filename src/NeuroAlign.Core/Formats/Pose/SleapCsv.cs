using NeuroAlign.Tables;

namespace NeuroAlign.Formats.Pose;

/// <summary>
/// SLEAP's CSV export: a header <c>track,frame_idx,instance.score,NODE.x,NODE.y,NODE.score,…</c>
/// and one row per instance (a track in a frame). Frames no row names are NaN; the file has as
/// many frames as its last frame_idx + 1. An empty track cell is an untracked instance.
/// </summary>
public static class SleapCsv
{
    public const string ScoreName = "score";

    /// <summary>Whether <paramref name="firstCell"/>, a CSV's first cell, starts SLEAP's header.</summary>
    public static bool IsHeader(string firstCell) => firstCell == "track";

    /// <exception cref="InvalidRecordingException">A header SLEAP does not write, a bad number, two rows for one track in one frame.</exception>
    public static PoseData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Present, Comments = false, Separator = ',' });
        IReadOnlyList<string> header = rows.Columns;
        if (header.Count < 3 || header[0] != "track" || header[1] != "frame_idx" || header[2] != "instance.score" || (header.Count - 3) % 3 != 0)
        {
            throw new InvalidRecordingException(path, "header", $"'{string.Join(",", header)}'", "track,frame_idx,instance.score then NODE.x,NODE.y,NODE.score per node (SLEAP's CSV export)");
        }

        var columns = new List<(string, string, string)>();
        var bodyparts = new List<string>();
        for (int c = 3; c < header.Count; c += 3)
        {
            string node = header[c].EndsWith(".x", StringComparison.Ordinal) ? header[c][..^2] : string.Empty;
            if (node.Length == 0 || header[c + 1] != node + ".y" || header[c + 2] != node + ".score")
            {
                throw new InvalidRecordingException(path, $"header, column {c + 1}", $"'{header[c]},{header[c + 1]},{header[c + 2]}'", "NODE.x,NODE.y,NODE.score");
            }

            bodyparts.Add(node);
        }

        // Rows come per instance, in any order: gathered by (track, frame) first.
        var tracks = new List<string>();
        var instances = new Dictionary<(int Track, int Frame), float[]>();
        int frameCount = 0;
        while (rows.MoveNext())
        {
            string track = rows.Text(0);
            track = track.Length == 0 ? DeepLabCutCsv.SingleIndividual : track;
            if (!rows.TryNumber(1, out double f) || f < 0 || f != Math.Floor(f) || f >= int.MaxValue)
            {
                throw rows.CellError(1, "a frame index, 0 or more");
            }

            int trackIndex = tracks.IndexOf(track);
            if (trackIndex < 0)
            {
                tracks.Add(track);
                trackIndex = tracks.Count - 1;
            }

            var points = new float[bodyparts.Count * 3];
            for (int c = 3; c < header.Count; c++)
            {
                points[c - 3] = (float)DeepLabCutCsv.Cell(rows, c);
            }

            if (!instances.TryAdd((trackIndex, (int)f), points))
            {
                throw new InvalidRecordingException(path, $"line {rows.LineNumber}", $"a second instance of track '{track}' in frame {f}", "one instance per track and frame (several untracked animals need a tracked file)");
            }

            frameCount = Math.Max(frameCount, (int)f + 1);
        }

        int per = tracks.Count * bodyparts.Count * 3;
        if ((long)frameCount * per > Array.MaxLength)
        {
            throw new InvalidRecordingException(path, "frame_idx", $"{frameCount} frames of {per} values", "a pose file that fits in one array");
        }

        var values = new float[frameCount * per];
        values.AsSpan().Fill(float.NaN);
        foreach (var ((track, frame), points) in instances)
        {
            points.CopyTo(values.AsSpan((frame * per) + (track * points.Length)));
        }

        return new PoseData(path, "sleap", ScoreName, tracks, bodyparts, frameCount, values,
        [
            new("layout", "SLEAP CSV export"),
            new("untracked", "NaN: frames without a row, and empty cells"),
        ]);
    }
}

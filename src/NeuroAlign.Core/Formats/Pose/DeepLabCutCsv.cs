using NeuroAlign.Tables;

namespace NeuroAlign.Formats.Pose;

/// <summary>
/// DeepLabCut's CSV: three header rows (scorer, bodyparts, coords), four for multi-animal projects
/// (scorer, individuals, bodyparts, coords), each starting with its level's name; then one row per
/// frame, its first cell the frame number. Read one row at a time through the one table reader.
/// </summary>
public static class DeepLabCutCsv
{
    /// <summary>The score's name in DeepLabCut's files.</summary>
    public const string ScoreName = "likelihood";

    /// <summary>The individual a single-animal file's points belong to (the file names none).</summary>
    public const string SingleIndividual = "individual_0";

    /// <summary>Whether <paramref name="firstCell"/>, a CSV's first cell, starts DeepLabCut's header.</summary>
    public static bool IsHeader(string firstCell) => firstCell == "scorer";

    /// <exception cref="InvalidRecordingException">A header row out of place, a cell that is not a number, a frame out of order.</exception>
    public static PoseData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Absent, Comments = false, Separator = ',' });
        // Each header row starts with its level's name: scorer, [individuals,] bodyparts, coords.
        var levels = new List<string[]>();
        string[] names = ["scorer", "bodyparts", "coords"];
        while (levels.Count < names.Length)
        {
            if (!rows.MoveNext())
            {
                throw new InvalidRecordingException(path, "header", $"{levels.Count} header rows", "scorer, [individuals,] bodyparts and coords rows");
            }

            string level = rows.Text(0);
            if (levels.Count == 1 && level == "individuals")
            {
                names = ["scorer", "individuals", "bodyparts", "coords"];
            }

            if (level != names[levels.Count])
            {
                throw new InvalidRecordingException(path, $"line {rows.LineNumber}, first cell", $"'{level}'", $"'{names[levels.Count]}' (DeepLabCut's header rows: scorer, [individuals,] bodyparts, coords)");
            }

            levels.Add([.. Enumerable.Range(0, rows.Columns.Count).Select(rows.Text)]);
        }

        bool multi = levels[1][0] == "individuals";
        var columns = new List<(string, string, string)>();
        for (int c = 1; c < rows.Columns.Count; c++)
        {
            columns.Add((multi ? levels[1][c] : SingleIndividual, levels[multi ? 2 : 1][c], levels[multi ? 3 : 2][c]));
        }

        PoseGrid grid = PoseGrid.FromColumns(columns, ScoreName, path, "header");
        var values = new GrowingFloats(grid.ValuesPerFrame * 1024);
        int frames = 0;
        while (rows.MoveNext())
        {
            if (!rows.TryNumber(0, out double frame) || frame != frames)
            {
                throw rows.CellError(0, $"frame {frames} (row i of a pose file is frame i of its video)");
            }

            Span<float> row = values.AppendNaN(grid.ValuesPerFrame, path);
            for (int c = 1; c < rows.Columns.Count; c++)
            {
                row[grid.Targets[c - 1]] = (float)Cell(rows, c);
            }

            frames++;
        }

        return new PoseData(path, "deeplabcut", ScoreName, grid.Individuals, grid.Bodyparts, frames, values.ToArray(),
        [
            new("layout", $"DeepLabCut CSV, {(multi ? "multi-animal (4 header rows)" : "single animal (3 header rows)")}"),
            new("scorer", string.Join(", ", levels[0].Skip(1).Distinct())),
            new("untracked", "as the file writes it: an empty cell reads as NaN; single-animal DeepLabCut writes 0, 0 with likelihood 0"),
        ]);
    }

    /// <summary>A value cell: a number, or NaN for an empty cell or nan (pandas writes NaN as an empty cell).</summary>
    internal static double Cell(TableCursor rows, int column)
    {
        if (rows.TryNumber(column, out double value))
        {
            return value;
        }

        ReadOnlySpan<char> text = rows.Span(column);
        return text.IsEmpty || text.Equals("nan", StringComparison.OrdinalIgnoreCase) || rows.IsMissing(column)
            ? double.NaN
            : throw rows.CellError(column, "a number, nan or an empty cell");
    }
}

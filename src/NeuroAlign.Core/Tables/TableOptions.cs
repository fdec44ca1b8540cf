namespace NeuroAlign.Tables;

/// <summary>Whether a table's first row names its columns.</summary>
public enum TableHeader
{
    /// <summary>The first row is a header.</summary>
    Present,

    /// <summary>No header: columns are named by <see cref="TableOptions.ColumnNames"/> (a sidecar) or numbered 1, 2, ….</summary>
    Absent,

    /// <summary>A header when the first row has a cell that is neither a number nor n/a (one time per line, or a CSV with a header).</summary>
    Detect,
}

/// <summary>How to read a table (<see cref="TableReader"/>).</summary>
public sealed record TableOptions
{
    /// <summary>The cell separator; null detects it: tab for a .tsv/.tsv.gz or when the first row has a tab, else comma.</summary>
    public char? Separator { get; init; }

    /// <summary>Whether the first row names the columns.</summary>
    public TableHeader Header { get; init; } = TableHeader.Present;

    /// <summary>Column names of a headerless table (BIDS physio: the sidecar's Columns); rows must have this many cells.</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Where <see cref="ColumnNames"/> came from, for messages ("the sidecar's Columns").</summary>
    public string ColumnNamesSource { get; init; } = "the column names given";

    /// <summary>Rows may have fewer cells than columns; the missing trailing cells read as empty (a spreadsheet saves them so).</summary>
    public bool AllowShortRows { get; init; }

    /// <summary>What messages call a line: "line", or "row" where users count rows in a spreadsheet (manifests).</summary>
    public string LineWord { get; init; } = "line";

    /// <summary>Lines whose first non-blank character is # are comments and skipped (not for BIDS files, which have none).</summary>
    public bool Comments { get; init; } = true;
}

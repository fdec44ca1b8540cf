using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Sessions;
using NeuroAlign.Tables;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>One session of a study: its name, the manifest row it came from and its export options.</summary>
/// <param name="Name">The session column; also the output's file name (&lt;name&gt;.h5).</param>
/// <param name="Row">The row in the manifest as a spreadsheet numbers it (the header is row 1).</param>
/// <param name="Options">Export options from the row's non-empty cells, paths made absolute.</param>
/// <param name="Output">The out column (relative to the output folder) or null for &lt;name&gt;.h5.</param>
internal sealed record ManifestSession(string Name, int Row, IReadOnlyList<(Setting Setting, string? Value)> Options, string? Output);

/// <summary>
/// A study as a tab-separated table: a header row naming the columns, then one row per session.
/// Columns: <c>session</c> (required), the inputs <c>ephys</c>, <c>video</c>, <c>fmri</c> (and
/// <c>ephys_1</c>, <c>ephys_2</c>… for further ephys streams, as repeated --ephys), any export
/// option without its dashes (<c>time</c>, <c>events</c>, <c>ephys-channels</c>…), and <c>out</c>. Empty cells mean "not given"; lines starting with # are comments; a cell may be quoted ("a\tb"). Read by Core's <see cref="TableReader"/>. Paths are
/// relative to the manifest's folder; a path that does not exist is refused with its row and
/// column (docs/scale-out.md).
/// </summary>
internal static class SessionManifest
{
    /// <summary>Columns naming a session's recordings: at least one per row.</summary>
    public static readonly string[] InputColumns = ["ephys", "video", "fmri"];

    private const string SessionColumn = "session";
    private const string OutColumn = "out";

    /// <summary>Reads <paramref name="path"/>, checking every cell; <paramref name="exportOptions"/> says which columns exist.</summary>
    public static IReadOnlyList<ManifestSession> Read(string path, IReadOnlyList<Setting> exportOptions)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(exportOptions);
        if (!File.Exists(path))
        {
            throw new NeuroAlignException($"{path}: no such manifest file");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var options = new TableOptions { Separator = '\t', AllowShortRows = true, LineWord = "row" };
        using TableCursor rows = TableReader.Open(path, options);
        var columns = ReadHeader(path, rows.Columns, rows.HeaderLineNumber, exportOptions);
        var sessions = new List<ManifestSession>();
        int lastRow = rows.HeaderLineNumber;
        while (rows.MoveNext())
        {
            lastRow = rows.LineNumber;
            sessions.Add(ReadRow(path, folder, rows, columns, sessions));
        }

        if (sessions.Count == 0)
        {
            throw new InvalidRecordingException(path, $"row {lastRow + 1}", "no session rows after the header", "one row per session");
        }

        return sessions;
    }

    private static Column[] ReadHeader(string path, IReadOnlyList<string> header, int row, IReadOnlyList<Setting> exportOptions)
    {
        string[] names = [.. header];
        var columns = new Column[names.Length];
        for (int c = 0; c < names.Length; c++)
        {
            string name = names[c];
            string where = $"row {row}, column {c + 1}";
            if (Array.IndexOf(names, name) != c)
            {
                throw new InvalidRecordingException(path, where, $"'{name}' a second time", "each column once");
            }

            if (name == SessionColumn)
            {
                columns[c] = new Column(name, null);
                continue;
            }

            if (name == OutColumn)
            {
                columns[c] = new Column(name, ExportSettings.Out);
                continue;
            }

            // ephys_1, ephys_2…: further ephys streams, given to export as more --ephys in that order.
            string optionName = FurtherEphysIndex(name) > 0 ? "ephys" : name;
            Setting? spec = exportOptions.FirstOrDefault(o => o.Key == optionName);
            if (spec is null || InputsFingerprint.IgnoredOptions.Contains(spec))
            {
                string? guess = exportOptions.Select(o => o.Key).Append(SessionColumn).OrderBy(n => EditDistance.Between(n, name)).First();
                int distance = EditDistance.Between(guess, name);
                string hint = distance <= 2 && distance * 2 < name.Length ? $" (did you mean {guess}?)" : string.Empty;
                throw new InvalidRecordingException(path, where, $"'{name}'{hint}", $"{SessionColumn}, {string.Join(", ", InputColumns)}, {OutColumn}, or an export option without its dashes (time, events, before…)");
            }

            columns[c] = new Column(name, spec);
        }

        if (!names.Contains(SessionColumn))
        {
            throw new InvalidRecordingException(path, $"row {row}", $"columns {string.Join(", ", names)}", $"a '{SessionColumn}' column naming each session");
        }

        if (!names.Any(IsInputColumn))
        {
            throw new InvalidRecordingException(path, $"row {row}", $"columns {string.Join(", ", names)}", $"at least one input column: {string.Join(", ", InputColumns)}");
        }

        return columns;
    }

    private static ManifestSession ReadRow(string path, string folder, TableCursor cells, Column[] columns, List<ManifestSession> earlier)
    {
        int row = cells.LineNumber;
        string Cell(int c) => cells.Text(c);
        int sessionColumn = Array.FindIndex(columns, c => c.Name == SessionColumn);
        string session = Cell(sessionColumn);
        string at = $"row {row}, column {SessionColumn}";
        if (session.Length == 0 || session[0] == '.' || !session.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
        {
            throw new InvalidRecordingException(path, at, $"'{session}'", "a session name of letters, digits, '-', '_' and '.' (it names the output file)");
        }

        if (earlier.FirstOrDefault(s => s.Name == session) is { } twin)
        {
            throw new InvalidRecordingException(path, at, $"'{session}' again", $"one row per session (it is on row {twin.Row} too)");
        }

        var options = new List<(Setting Setting, string? Value)>();
        var ephysOrder = new List<int>();
        string? output = null;
        for (int c = 0; c < columns.Length; c++)
        {
            string value = Cell(c);
            Setting? spec = columns[c].Option;
            if (spec is null || value.Length == 0)
            {
                continue;
            }

            string where = $"row {row} (session {session}), column {columns[c].Name}";
            if (spec.IsSwitch)
            {
                // A flag column: yes/true/1 gives the flag, no/false/0 leaves it out.
                bool? on = value.ToLowerInvariant() switch
                {
                    "yes" or "true" or "1" => true,
                    "no" or "false" or "0" => false,
                    _ => null,
                };
                if (on is null)
                {
                    throw new InvalidRecordingException(path, where, $"'{value}'", "yes or no (also true/false, 1/0)");
                }

                if (on.Value)
                {
                    options.Add((spec, null));
                    ephysOrder.Add(0);
                }

                continue;
            }

            if (spec == ExportSettings.Out)
            {
                output = value;
                continue;
            }

            if (SettingOptions.TakesPath(spec))
            {
                string full = Path.GetFullPath(Path.Combine(folder, value));
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    throw new InvalidRecordingException(path, where, $"'{value}', which does not exist ({full})", "an existing file or folder (relative paths start at the manifest's folder)");
                }

                value = full;
            }

            try
            {
                // Parsed now, as the export will parse it: a bad cell stops the study before any work.
                new SettingValues().Add(spec, value);
            }
            catch (SettingException e)
            {
                throw new NeuroAlignException(Printable.Escape($"{path}: {where}: {e.Message}"));
            }

            options.Add((spec, value));
            ephysOrder.Add(FurtherEphysIndex(columns[c].Name));
        }

        if (!options.Any(o => InputColumns.Contains(o.Setting.Key)))
        {
            throw new InvalidRecordingException(path, $"row {row} (session {session})", "no input", $"a path in at least one of {string.Join(", ", columns.Select(c => c.Name).Where(IsInputColumn))}");
        }

        // The first --ephys is the reference stream: ephys, then ephys_1, ephys_2…, whatever the column order.
        var ephys = options.Select((o, i) => (Option: o, Order: ephysOrder[i])).Where(p => p.Option.Setting.Key == "ephys").OrderBy(p => p.Order).Select(p => p.Option).ToList();
        var others = options.Where(o => o.Setting.Key != "ephys");
        return new ManifestSession(session, row, [.. ephys, .. others], output);
    }

    private static bool IsInputColumn(string name) => InputColumns.Contains(name) || FurtherEphysIndex(name) > 0;

    /// <summary>N for a column named ephys_N (N ≥ 1), else 0.</summary>
    private static int FurtherEphysIndex(string name) =>
        name.StartsWith("ephys_", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1 ? n : 0;

    private sealed record Column(string Name, Setting? Option);
}

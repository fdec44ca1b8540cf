using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Commands;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Sessions;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

public class SessionManifestTests
{
    private static string Write(TempFolder folder, string text)
    {
        string path = folder.File("study.tsv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Read_RowsWithOptions_SessionsWithAbsolutePathsAndFlags()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("raw"));
        File.WriteAllText(folder.File("raw/a.dat"), string.Empty);
        File.WriteAllText(folder.File("raw/b.dat"), string.Empty);
        File.WriteAllText(folder.File("ev.tsv"), "onset\n1\n");
        string manifest = Write(
            folder,
            "# a study\nsession\tephys\ttime\tevents\tdrop-incomplete\tout\n\ns01\traw/a.dat\t2.5\t\tno\t\n# s00 skipped\ns02\traw/b.dat\t\tev.tsv\tyes\tsecond.h5\n");

        var sessions = SessionManifest.Read(manifest, BatchCommand.ExportOptions);

        // Rows are numbered as a spreadsheet shows the file: comments and blank lines count.
        Assert.Equal(2, sessions.Count);
        Assert.Equal(("s01", 4, (string?)null), (sessions[0].Name, sessions[0].Row, sessions[0].Output));
        Assert.Equal([("--ephys", (string?)folder.File("raw/a.dat")), ("--time", "2.5")], Flags(sessions[0].Options));
        Assert.Equal(("s02", 6, "second.h5"), (sessions[1].Name, sessions[1].Row, sessions[1].Output));
        Assert.Equal([("--ephys", (string?)folder.File("raw/b.dat")), ("--events", folder.File("ev.tsv")), ("--drop-incomplete", null)], Flags(sessions[1].Options));
    }

    [Fact]
    public void Read_FurtherEphysColumns_RepeatedEphysInStreamOrder()
    {
        using var folder = new TempFolder();
        foreach (string name in new[] { "imec0.bin", "imec1.bin", "nidq.bin" })
        {
            File.WriteAllText(folder.File(name), string.Empty);
        }

        string manifest = Write(folder, "session\tephys_2\ttime\tephys_1\tephys\ns\tnidq.bin\t1\timec1.bin\timec0.bin\n");

        var session = Assert.Single(SessionManifest.Read(manifest, BatchCommand.ExportOptions));

        Assert.Equal(
            [("--ephys", (string?)folder.File("imec0.bin")), ("--ephys", folder.File("imec1.bin")), ("--ephys", folder.File("nidq.bin")), ("--time", "1")],
            Flags(session.Options));
    }

    [Fact]
    public void Read_MissingFile_NamesRowColumnAndPath()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a.dat"), string.Empty);
        string manifest = Write(folder, "session\tephys\ttime\ns01\ta.dat\t1\ns02\tmissing.dat\t1\n");

        var e = Assert.Throws<InvalidRecordingException>(() => SessionManifest.Read(manifest, BatchCommand.ExportOptions));

        Assert.Equal(
            $"{manifest}: row 3 (session s02), column ephys: found 'missing.dat', which does not exist ({folder.File("missing.dat")}), expected an existing file or folder (relative paths start at the manifest's folder)",
            e.Message);
    }

    [Theory]
    [InlineData("session\tephys\ttme\ns\ta\t1\n", "row 1, column 3: found 'tme' (did you mean time?)")]
    [InlineData("name\tephys\ns\ta\n", "row 1, column 1: found 'name', expected session, ephys, video, fmri, out, or an export option")]
    [InlineData("ephys\ttime\na\t1\n", "row 1: found columns ephys, time, expected a 'session' column naming each session")]
    [InlineData("session\ttime\ns\t1\n", "row 1: found columns session, time, expected at least one input column: ephys, video, fmri")]
    [InlineData("session\tephys\tephys\ns\ta\ta\n", "row 1, column 3: found 'ephys' a second time, expected each column once")]
    [InlineData("session\tephys\tshard\ns\ta\t0/2\n", "row 1, column 3: found 'shard'")]
    [InlineData("session\tephys\ns\ta\ns\ta\n", "row 3, column session: found 's' again, expected one row per session (it is on row 2 too)")]
    [InlineData("session\tephys\na/b\ta\n", "row 2, column session: found 'a/b', expected a session name of letters, digits")]
    [InlineData("session\tephys\ns\ta\textra\n", "row 2: found 3 cells, expected at most 2, one per header column")]
    [InlineData("session\tephys\tvideo\ns\t\t\n", "row 2 (session s): found no input, expected a path in at least one of ephys, video")]
    [InlineData("session\tephys\tdrop-incomplete\ns\ta\tmaybe\n", "row 2 (session s), column drop-incomplete: found 'maybe', expected yes or no")]
    [InlineData("session\tephys\n", "found no session rows after the header")]
    public void Read_BadManifest_OneLineWithRowAndColumn(string text, string expected)
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("a"), string.Empty);
        string manifest = Write(folder, text);

        var e = Assert.Throws<InvalidRecordingException>(() => SessionManifest.Read(manifest, BatchCommand.ExportOptions));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith(manifest + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SessionOptions_RowCells_ReplaceCommonOptionsAndWindowSources()
    {
        var common = Options(("--ephys-channels", "16"), ("--every", "1"), ("--after", "0.5"), ("--drop-incomplete", null));
        var row = Options(("--ephys", "/a.dat"), ("--events", "/ev.tsv"), ("--after", "0.2"));

        var options = WorkPlan.SessionOptions(common, row);

        Assert.Equal([("--ephys-channels", "16"), ("--drop-incomplete", null), ("--ephys", "/a.dat"), ("--events", "/ev.tsv"), ("--after", "0.2")], Flags(options));
    }

    /// <summary>Options as a command line shows them: flag and value.</summary>
    internal static (string Flag, string? Value)[] Flags(IEnumerable<(Setting Setting, string? Value)> options) =>
        [.. options.Select(o => (SettingOptions.Flag(o.Setting.Key), o.Value))];

    /// <summary>Export options from flags, as batch hands them on.</summary>
    internal static (Setting Setting, string? Value)[] Options(params (string Flag, string? Value)[] given) =>
        [.. given.Select(g => (BatchCommand.ExportOptions.Single(s => SettingOptions.Flag(s.Key) == g.Flag), g.Value))];
}

using NeuroAlign.Alignment;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Alignment;

public class WindowTimesTests
{
    [Fact]
    public void ParseList_Numbers_InOrder() =>
        Assert.Equal(new[] { 1.5, 2, -0.25, 1e3 }, WindowTimes.ParseList("1.5, 2,-0.25,1e3"));

    [Fact]
    public void ParseList_BadEntry_QuotesIt()
    {
        var e = Assert.Throws<NeuroAlign.Sessions.SettingException>(() => WindowTimes.ParseList("1,x,3"));

        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void Grid_WindowsFitInsideCoveredInterval()
    {
        double[] times = WindowTimes.Grid(10, 20, 2, beforeSeconds: 0.5, afterSeconds: 1);

        Assert.Equal(new[] { 10.5, 12.5, 14.5, 16.5, 18.5 }, times);
        Assert.All(times, t => Assert.True(t - 0.5 >= 10 && t + 1 <= 20));
    }

    [Fact]
    public void Grid_ExactFit_IncludesLastWindow() =>
        Assert.Equal(new[] { 0.0, 1, 2, 3 }, WindowTimes.Grid(0, 4, 1, 0, 1));

    [Fact]
    public void FromTextFile_BidsEvents_OnsetColumnWithRowFilter()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\ttrial_type\n0.5\t1\tgo\n2.25\t1\tstop\n4\t1\tgo\nn/a\t1\tgo\n");

        Assert.Equal(new[] { 0.5, 2.25, 4 }, WindowTimes.FromTextFile(path));
        Assert.Equal(new[] { 0.5, 4 }, WindowTimes.FromTextFile(path, rowFilters: [("trial_type", "go")]));
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, WindowTimes.FromTextFile(path, column: "duration"));
    }

    [RequiresFact(Needs.SharedData)]
    public void FromTextFile_RealBidsEvents_MatchesOnsetColumn()
    {
        string path = RepoPaths.Shared("bids", "ds001", "sub-01", "func", "sub-01_task-balloonanalogrisktask_run-01_events.tsv");
        string[] lines = File.ReadAllLines(path);
        int onset = Array.IndexOf(lines[0].Split('\t'), "onset");
        double[] expected = lines.Skip(1).Where(l => l.Length > 0).Select(l => double.Parse(l.Split('\t')[onset], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        double[] times = WindowTimes.FromTextFile(path);

        Assert.Equal(expected, times);
        Assert.True(times.Length > 10);
    }

    [Fact]
    public void FromTextFile_OneNumberPerLine_NoHeader()
    {
        using var folder = new TempFolder();
        string path = folder.File("t.txt");
        File.WriteAllText(path, "1\n2.5\n\n# comment\n7\n");

        Assert.Equal(new[] { 1, 2.5, 7 }, WindowTimes.FromTextFile(path));
    }

    [Fact]
    public void FromTextFile_BadCell_NamesLineAndColumn()
    {
        using var folder = new TempFolder();
        string path = folder.File("e.csv");
        File.WriteAllText(path, "time,label\n1,a\nzz,b\n");

        var e = Assert.Throws<InvalidRecordingException>(() => WindowTimes.FromTextFile(path));

        Assert.Contains("line 3, column 1", e.Message);
        Assert.Contains("'zz'", e.Message);
    }

    [Fact]
    public void FromTextFile_UnknownColumn_ListsColumns()
    {
        using var folder = new TempFolder();
        string path = folder.File("e.tsv");
        File.WriteAllText(path, "onset\tduration\n1\t2\n");

        var e = Assert.Throws<InvalidRecordingException>(() => WindowTimes.FromTextFile(path, column: "start"));

        Assert.Contains("onset, duration", e.Message);
        Assert.Contains("'start'", e.Message);
    }

    [Fact]
    public void FromTextFile_OnsetNA_LeftOutWithAWarningNamingTheLines()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\n0.5\t1\nn/a\t1\nn/a\t1\n4\t1\nn/a\t1\n");
        var warnings = new List<string>();

        double[] times = WindowTimes.FromTextFile(path, warnings: warnings);

        Assert.Equal([0.5, 4], times);
        Assert.Equal($"{path}: 3 row(s) with onset n/a left out (line(s) 3-4, 6): they have no time to place a window at; 2 kept", Assert.Single(warnings));
    }

    [Fact]
    public void FromTextFile_QuotedCellWithComma_FilterMatchesTheWholeCell()
    {
        using var folder = new TempFolder();
        string path = folder.File("events.csv");
        File.WriteAllText(path, "time,label\r\n1,\"left, then right\"\r\n2,left\r\n");

        Assert.Equal([1.0], WindowTimes.FromTextFile(path, rowFilters: [("label", "left, then right")]));
    }

    [Fact]
    public void FromTextFile_NamedTimeColumnNotFirst_ChosenOverTheFirst()
    {
        using var folder = new TempFolder();
        string path = folder.File("events.csv");
        File.WriteAllText(path, "\uFEFFframe,time\n10,0.25\n11,0.5\n");

        Assert.Equal([0.25, 0.5], WindowTimes.FromTextFile(path));
    }
}

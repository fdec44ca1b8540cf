using System.Globalization;
using NeuroAlign.Formats.Bids;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Bids;

public sealed class BidsEventsTests
{
    [RequiresFact(Needs.SharedData)]
    public void Read_Ds001Events_EveryRowAndColumn()
    {
        string path = Path.Combine(RepoPaths.SharedData, "bids", "ds001", "sub-01", "func", "sub-01_task-balloonanalogrisktask_run-01_events.tsv");
        string[][] rows = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToArray();

        BidsEvents events = BidsEvents.Read(path);

        Assert.Equal(["onset", "duration", "trial_type", "cash_demean", "control_pumps_demean", "explode_demean", "pumps_demean", "response_time"], events.Columns);
        Assert.Equal(rows.Length, events.Count);
        Assert.Equal(0.061, events.OnsetsSeconds[0]);
        Assert.Equal(0.772, events.DurationsSeconds[0]);
        Assert.Equal("pumps_demean", events.TrialTypes![0]);
        double[] pumps = events.GetNumericColumn("pumps_demean");
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.Equal(double.Parse(rows[r][0], CultureInfo.InvariantCulture), events.OnsetsSeconds[r]);
            Assert.Equal(rows[r][2], events.TrialTypes[r]);
            Assert.Equal(rows[r][6] == "n/a" ? double.NaN : double.Parse(rows[r][6], CultureInfo.InvariantCulture), pumps[r]);
        }

        Assert.Contains(events.GetColumn("cash_demean"), v => v is null);
    }

    [Fact]
    public void Read_OnsetNotANumber_ThrowsWithLineAndColumn()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\ttrial_type\n1.5\t0.5\tgo\nsoon\t0.5\tstop\n");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsEvents.Read(path));

        Assert.Equal("line 3, column onset", e.Location);
        Assert.Equal("'soon'", e.Found);
    }

    [Fact]
    public void Read_NoDurationColumn_Throws()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\ttrial_type\n1.5\tgo\n");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsEvents.Read(path));

        Assert.Contains("'duration'", e.Expected);
    }

    [Fact]
    public void Read_RowOfWrongWidth_Throws()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\n1.5\t0.5\n2.5\n");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsEvents.Read(path));

        Assert.Equal("line 3", e.Location);
    }

    [Fact]
    public void Read_NegativeOnsetAndMissingDuration_Kept()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\n-2.0\tn/a\n");

        BidsEvents events = BidsEvents.Read(path);

        Assert.Equal(-2.0, events.OnsetsSeconds[0]);
        Assert.True(double.IsNaN(events.DurationsSeconds[0]));
        Assert.Null(events.TrialTypes);
    }

    [Fact]
    public void Read_OnsetNA_RefusedAnEventNeedsAnOnset()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\n1\t0.5\nn/a\t0.5\n");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsEvents.Read(path));

        Assert.Equal("line 3, column onset", e.Location);
        Assert.Equal("'n/a'", e.Found);
    }

    [Fact]
    public void Read_QuotedCellWithTab_OneCellAndCrLf()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_events.tsv");
        File.WriteAllText(path, "onset\tduration\tstim_file\r\n1\t0.5\t\"a\tb.png\"\r\n");

        BidsEvents events = BidsEvents.Read(path);

        Assert.Equal("a\tb.png", events.GetColumn("stim_file")[0]);
    }
}

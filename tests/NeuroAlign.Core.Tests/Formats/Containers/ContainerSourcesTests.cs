using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Modalities.Table;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.Containers;

/// <summary>
/// The generic container lookup, through a real modality: a container format of the tests
/// (<c>.box</c> files whose objects are CSV tables beside them) registers a table opener only, so
/// a table opens from it on the file's clock and spikes are refused in one line.
/// </summary>
public sealed class ContainerSourcesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public ContainerSourcesTests() => ContainerSources.Register([new BoxTableOpener()]);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TableModalityOpen_ObjectsOfOneContainer_FirstLeadsAndPlacesTheNext()
    {
        string box = WriteBox();
        var table = new TableModality();
        OpenedStream first = table.Open(new StreamRequest("a", table, box + "#a", 0), new SettingValues(), new NoLog(), []);
        using ISampleStream firstStream = first.Stream;
        Assert.Equal("box:" + Path.GetFullPath(box), first.AcquisitionClock);
        Assert.True(first.TimesOnReferenceClock);
        Assert.Null(first.ClockOf);
        Assert.Equal([0.5, 1.5, 2.5], [.. Enumerable.Range(0, 3).Select(k => firstStream.Clock.TimeOf(k))]);

        var a = new SessionStream("a", table, first, ClockMap.Identity, null, "leads");
        OpenedStream second = table.Open(new StreamRequest("b", table, box + "#b", 1), new SettingValues(), new NoLog(), [a]);
        using ISampleStream secondStream = second.Stream;
        Assert.Equal(first.AcquisitionClock, second.AcquisitionClock);
        Assert.Equal("a", second.ClockOf);
        Assert.False(second.TimesOnReferenceClock);
    }

    [Fact]
    public void Find_ContainerWithoutThatKind_OneLineNamingPathFormatAndWhat()
    {
        string box = WriteBox();
        var spikes = new SpikesModality();
        var e = Assert.Throws<NeuroAlignException>(() => spikes.Open(new StreamRequest("spikes", spikes, box + "#units", 0), new SettingValues(), new NoLog(), []));
        Assert.Equal($"{box}#units: sorted spikes (a Units table) cannot be read from a BOX file", e.Message);
        Assert.Null(ContainerSources.Find<ITimesOpener>(_folder.File("events.tsv"), "times"));
        Assert.Throws<NeuroAlignException>(() => TimeColumns.Read(box + "#a", new TimeColumnRequest()));
    }

    private string WriteBox()
    {
        string box = _folder.File("s.box");
        File.WriteAllText(box, "a test container\n");
        File.WriteAllText(_folder.File("s.a.csv"), "time,x\n0.5,1\n1.5,2\n2.5,3\n");
        File.WriteAllText(_folder.File("s.b.csv"), "time,y\n1,10\n2,20\n");
        return box;
    }

    private sealed class BoxFormat : IContainerFormat
    {
        public static BoxFormat Instance { get; } = new();

        public string Name => "BOX";

        public bool Claims(string path) => NeuroAlign.Formats.PathFragment.Split(path).Path.EndsWith(".box", StringComparison.Ordinal);

        public string ClockName(string path) => "box:" + Path.GetFullPath(NeuroAlign.Formats.PathFragment.Split(path).Path);
    }

    /// <summary>FILE.box#NAME is the table FILE.NAME.csv beside it.</summary>
    private sealed class BoxTableOpener : ITableOpener
    {
        public IContainerFormat Format => BoxFormat.Instance;

        public ITableStream OpenTable(string path)
        {
            (string file, string? address) = NeuroAlign.Formats.PathFragment.Split(path);
            return TimedTableStream.Open(Path.ChangeExtension(file, null) + "." + address + ".csv");
        }
    }

    private sealed class NoLog : ISessionLog
    {
        public void Warn(string message) => throw new InvalidOperationException(message);
    }
}

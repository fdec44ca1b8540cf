using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Sessions;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sessions;

/// <summary>Spikes open after the ephys streams and take the clock of the one they were sorted from (issue 18).</summary>
public sealed class SpikesSessionTests
{
    private static readonly ModalityRegistry Registry = new([new EphysModality(), new SpikesModality()]);

    private static (string ProbeA, string ProbeB) Probes(TempFolder folder)
    {
        LineSignal sync = SyntheticSync.SquareWave(1.000037, 0.5, 0.25);
        string a = folder.File("run_g0_t0.imec0.ap.bin"), b = folder.File("run_g0_t0.imec1.ap.bin");
        SyntheticSync.WriteRecording(a, 3, 30000, 150_000, new DeviceClock(0, 0), [(6, sync)]);
        SyntheticSync.WriteRecording(b, 3, 30000, 150_000, new DeviceClock(0.5, -20), [(6, sync)]);
        SyntheticSpikeGlxMeta.WriteImec(a, 2, 30000);
        SyntheticSpikeGlxMeta.WriteImec(b, 2, 30000, firstSample: 15_000);
        return (a, b);
    }

    private static Session Open(params (Setting Setting, string Text)[] given)
    {
        var values = new SettingValues();
        foreach (var (setting, text) in given)
        {
            values.Add(setting, text);
        }

        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);
        Session.CheckSettings(requests, values, [.. SyncSettings.All, .. SpikesSettings.All]);
        return Session.Open(requests, values, new NoLog());
    }

    [Fact]
    public void Open_DatPathNamesTheSecondProbe_SpikesTakeItsFittedMapAndClock()
    {
        using var folder = new TempFolder();
        var (a, b) = Probes(folder);
        SyntheticKilosort.Write(folder.File("ks"), KilosortLayout.Kilosort25, [10, 20, 149_999], [1, 2, 1], "D:\\sorting\\run_g0_t0.imec1.ap.bin", 30000);
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!), spikes = Registry.PathSetting(Registry.Find("spikes")!);

        using Session session = Open((ephys, a), (ephys, $"probeB={b}"), (spikes, folder.File("ks")));

        SessionStream sorted = session["spikes"], source = session["probeB"];
        Assert.Equal("probeB", sorted.Opened.ClockOf);
        Assert.Same(source.Map, sorted.Map);
        Assert.Same(source.Stream.Clock, sorted.Stream.Clock);
        Assert.Equal(0.5, sorted.Stream.Clock.StartSeconds, 9);
        Assert.Null(sorted.Fit);
        Assert.StartsWith("on the clock of probeB (shared sync pulses", sorted.Placement, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DatPathNamesNoLoadedFile_TheOnlyStreamAtTheRate_ElseAskForSpikesOf()
    {
        using var folder = new TempFolder();
        var (a, b) = Probes(folder);
        SyntheticKilosort.Write(folder.File("ks"), KilosortLayout.Kilosort4, [10, 20], [1, 2], "elsewhere.bin", 30000);
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!), spikes = Registry.PathSetting(Registry.Find("spikes")!);

        using (Session one = Open((ephys, a), (spikes, folder.File("ks"))))
        {
            Assert.Equal("ephys", one["spikes"].Opened.ClockOf);
        }

        var e = Assert.Throws<SettingException>(() => Open((ephys, a), (ephys, $"probeB={b}"), (spikes, folder.File("ks"))));
        using Session named = Open((ephys, a), (ephys, $"probeB={b}"), (spikes, folder.File("ks")), (SpikesSettings.Of, "probeB"));

        Assert.Contains("which ephys stream were the spikes sorted from? none is dat_path elsewhere.bin and 2 run at sample_rate 30000 Hz (loaded: ephys, probeB); name it, e.g. spikes=ephys", e.Message, StringComparison.Ordinal);
        Assert.Equal("probeB", named["spikes"].Opened.ClockOf);
    }

    private sealed class NoLog : ISessionLog
    {
        public void Warn(string message)
        {
        }
    }
}

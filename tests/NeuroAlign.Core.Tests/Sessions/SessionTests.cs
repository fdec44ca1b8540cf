using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Sessions;
using NeuroAlign.Sync;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sessions;

/// <summary>
/// The session model without any command line: settings given as typed values, streams named and
/// resolved, clocks fitted by Core alone (issue 16).
/// </summary>
public sealed class SessionTests
{
    private static readonly ModalityRegistry Registry = new([new EphysModality(), new FmriModality()]);

    private static SettingValues Settings(params (Setting Setting, string? Text)[] given)
    {
        var values = new SettingValues();
        foreach (var (setting, text) in given)
        {
            values.Add(setting, text);
        }

        return values;
    }

    [Fact]
    public void Requests_NamesStreams_UnnamedKeepTheOldNamesAndNamedTakeTheirs()
    {
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!);
        Setting<string> fmri = Registry.PathSetting(Registry.Find("fmri")!);
        SettingValues values = Settings((fmri, "run.nii"), (ephys, "a.bin"), (ephys, "probeB=b.bin"), (ephys, "c.bin"), (fmri, "rest=r.nii.gz"));

        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);

        // Ephys leads (reference priority), in the order given; then the fMRI runs.
        Assert.Equal(["ephys", "probeB", "ephys_1", "fmri", "rest"], requests.Select(r => r.Name));
        Assert.Equal(["a.bin", "b.bin", "c.bin", "run.nii", "r.nii.gz"], requests.Select(r => r.Path));
        Assert.Equal([0, 1, 2, 0, 1], requests.Select(r => r.Index));
    }

    [Theory]
    [InlineData("x=a.bin", "x=b.bin", "two streams are named x")]
    [InlineData("windows=a.bin", null, "'windows' is a group of the output's own")]
    [InlineData("ephys=a.bin", "b.bin", "two streams are named ephys")]
    public void Requests_ClashingOrReservedNames_SettingException(string first, string? second, string expected)
    {
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!);
        SettingValues values = second is null ? Settings((ephys, first)) : Settings((ephys, first), (ephys, second));

        var e = Assert.Throws<SettingException>(() => Registry.Requests(values));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("option 'ephys': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerStreamValues_NameThenModalityThenAll()
    {
        SettingValues values = Settings((ExportSettings.Rate, "ephys=1000,left=30"), (ExportSettings.Rate, "2"));
        StreamValues<double> rates = values.PerStream(ExportSettings.Rate);

        Assert.Equal(30, rates.Get("left", "video", 0));
        Assert.Equal(1000, rates.Get("ephys_1", "ephys", 0));
        Assert.Equal(2, rates.Get("fmri", "fmri", 0));
        Assert.True(values.PerStream(ExportSettings.Mode).IsEmpty);
    }

    [Theory]
    [InlineData("fast", "option 'rate': 'fast' is not a positive rate in Hz or 'native'")]
    [InlineData("left=30,left=60", "option 'rate': left is given twice")]
    [InlineData("left=", "option 'rate': '' is not a positive rate in Hz or 'native'")]
    [InlineData("=30", "option 'rate': '=30' is not a positive rate in Hz or 'native'")]
    public void PerStreamValues_Mistakes_NameTheSettingByKey(string text, string expected)
    {
        var e = Assert.Throws<SettingException>(() => Settings((ExportSettings.Rate, text)));

        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void CheckSettings_OffsetOfTheReferenceAndUnknownNames_Refused()
    {
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!);
        SettingValues values = Settings((ephys, "a.bin"), (SyncSettings.Offset, "ephys=1"));
        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);

        var e = Assert.Throws<SettingException>(() => Session.CheckSettings(requests, values, SyncSettings.All));
        Assert.Equal("option 'offset': ephys is the reference stream; its first sample is time zero", e.Message);

        values = Settings((ephys, "a.bin"), (SyncSettings.Offset, "fmri=1"));
        e = Assert.Throws<SettingException>(() => Session.CheckSettings(Registry.Requests(values), values, SyncSettings.All));
        Assert.StartsWith("option 'offset': no stream or modality 'fmri' is loaded", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A probe and a NIDQ whose crystal runs 35 ppm fast, both recording a shared 1 Hz wave: Core
    /// alone resolves the session, names the streams, and fits the NIDQ's clock so that its samples
    /// land where the truth puts them.
    /// </summary>
    [Fact]
    public void Open_ProbeAndDriftingNidq_FitsTheNidqToTheTruth()
    {
        using var folder = new TempFolder();
        const double seconds = 12, imecRate = 30_000, nidqRate = 25_000;
        var nidqClock = new DeviceClock(-0.0011, 35);
        LineSignal sync = SyntheticSync.SquareWave(1.000037, 0.5, 0.25);
        string probe = folder.File("run_g0_t0.imec0.ap.bin"), nidq = folder.File("run_g0_t0.nidq.bin");
        SyntheticSync.WriteRecording(probe, 3, imecRate, (long)(seconds * imecRate), new DeviceClock(0, 0), [(6, sync)]);
        SyntheticSync.WriteRecording(nidq, 2, nidqRate, (long)(seconds * nidqRate), nidqClock, [(0, sync)]);
        SyntheticSpikeGlxMeta.WriteImec(probe, 2, imecRate);
        SyntheticSpikeGlxMeta.WriteNidq(nidq, nidqRate, 0);
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!);
        SettingValues values = Settings((ephys, probe), (ephys, $"nidq={nidq}"));
        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);
        Session.CheckSettings(requests, values, SyncSettings.All);

        using Session session = Session.Open(requests, values, new NoLog());

        Assert.Equal(["ephys", "nidq"], session.Streams.Select(s => s.Name));
        Assert.Same(session.Streams[0], session.Reference);
        Assert.Null(session.Reference.Fit);
        SessionStream fitted = session["nidq"];
        Assert.NotNull(fitted.Fit);
        Assert.Equal("linear", fitted.Fit!.Method);
        Assert.InRange(fitted.Fit.DriftPpm, -35 - 3, -35 + 3);
        foreach (double t in new[] { 2.25, 6.5, 10.75 })
        {
            long truth = (long)Math.Floor(nidqClock.OwnOf(t) * nidqRate);
            long found = fitted.Stream.Clock.IndexAtOrBefore(fitted.Map.ToOwn(t));
            Assert.InRange(found, truth - 1, truth + 1);
        }

        Dictionary<string, object> attributes = session.SyncAttributes(fitted);
        Assert.Equal("ephys", attributes["reference_stream"]);
    }

    /// <summary>
    /// The real Open Ephys Record Node (SOURCES.md): ProbeB, ProbeC and the NI-DAQ share a 1 Hz line
    /// but hold only 100 continuous samples each, so the fit comes from the TTL events alone. numpy's
    /// linear fit of NI against ProbeB sample numbers gives a slope of 1.0001158 (the NI counts
    /// 115.8 ppm more samples; our drift, reference per own second − 1, is then −115.8 ppm),
    /// ProbeC 6.8 ppm, experiment6 115.41 ppm, residuals under 2.7 samples. (ProbeC in experiment6
    /// has one pulse 3.4 samples off any line through its neighbours: its fit is refused, with
    /// that pulse named, so only experiment1 ties it.)
    /// </summary>
    [RequiresTheory(Needs.SharedData)]
    [InlineData("experiment1/recording1", 837, 115.81, 6.80)]
    [InlineData("experiment6/recording1", 727, 115.41, null)]
    public void Open_RealRecordNode_StreamsTiedByTheirSharedTtlLine(string recording, int pulses, double niPpm, double? probeCPpm)
    {
        string node = RepoPaths.Shared("openephys_sync", "v0.6.x_neuropixels_multiexp_multistream", "Record Node 101") + "#" + recording;
        Setting<string> ephys = Registry.PathSetting(Registry.Find("ephys")!);
        SettingValues values = probeCPpm is null
            ? Settings((ephys, node), (ephys, $"ni={node}"), (EphysSettings.Stream, "ephys=ProbeB,ni=PXIe-6341"))
            : Settings((ephys, node), (ephys, $"ni={node}"), (ephys, $"probeC={node}"), (EphysSettings.Stream, "ephys=ProbeB,ni=PXIe-6341,probeC=ProbeC"));
        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);
        Session.CheckSettings(requests, values, SyncSettings.All);

        using Session session = Session.Open(requests, values, new NoLog(allowed: "holds 3 recordings"));

        ClockFit ni = session["ni"].Fit!;
        Assert.Equal(pulses, ni.PulsesMatched);
        Assert.InRange(-ni.DriftPpm, niPpm - 0.3, niPpm + 0.3);
        Assert.InRange(ni.MaxResidualSeconds * 30000, 0, 2.7);
        if (probeCPpm is { } c)
        {
            ClockFit probeC = session["probeC"].Fit!;
            Assert.Equal(pulses, probeC.PulsesMatched);
            Assert.InRange(-probeC.DriftPpm, c - 0.3, c + 0.3);
            Assert.InRange(probeC.MaxResidualSeconds * 30000, 0, 2.7);
        }
    }

    /// <summary>
    /// A stream derived from a recording (as spikes are from the probe they were sorted from) opens
    /// after it, sees it among the opened streams, and is mapped through that recording's fitted
    /// clock instead of being fitted itself.
    /// </summary>
    [Fact]
    public void Open_StreamOnAnotherStreamsClock_TakesThatStreamsFittedMap()
    {
        using var folder = new TempFolder();
        const double seconds = 8, imecRate = 30_000, nidqRate = 25_000;
        var nidqClock = new DeviceClock(0.4, -20);
        LineSignal sync = SyntheticSync.SquareWave(1.000037, 0.5, 0.25);
        string probe = folder.File("run_g0_t0.imec0.ap.bin"), nidq = folder.File("run_g0_t0.nidq.bin");
        SyntheticSync.WriteRecording(probe, 3, imecRate, (long)(seconds * imecRate), new DeviceClock(0, 0), [(6, sync)]);
        SyntheticSync.WriteRecording(nidq, 2, nidqRate, (long)(seconds * nidqRate), nidqClock, [(0, sync)]);
        SyntheticSpikeGlxMeta.WriteImec(probe, 2, imecRate);
        SyntheticSpikeGlxMeta.WriteNidq(nidq, nidqRate, 0);
        var derived = new OnClockOf("nidq");
        var registry = new ModalityRegistry([new EphysModality(), derived]);
        SettingValues values = Settings(
            (registry.PathSetting(registry.Find("ephys")!), probe),
            (registry.PathSetting(registry.Find("ephys")!), $"nidq={nidq}"),
            (registry.PathSetting(derived), nidq));
        IReadOnlyList<StreamRequest> requests = registry.Requests(values);

        using Session session = Session.Open(requests, values, new NoLog());

        Assert.Equal(["ephys", "nidq"], derived.SawOpened);
        SessionStream source = session["nidq"], onIt = session["derived"];
        Assert.NotNull(source.Fit);
        Assert.Null(onIt.Fit);
        Assert.Same(source.Map, onIt.Map);
        Assert.StartsWith("on the clock of nidq (shared sync pulses", onIt.Placement, StringComparison.Ordinal);
    }

    /// <summary>Opens a path as ephys, on the clock of the stream named <paramref name="source"/>.</summary>
    private sealed class OnClockOf(string source) : IModality
    {
        private readonly EphysModality _ephys = new();

        public List<string> SawOpened { get; } = [];

        public string Name => "derived";

        public NeuroAlign.Filtering.ModalityKind Kind => NeuroAlign.Filtering.ModalityKind.Ephys;

        public string PathHelp => "a recording on another stream's clock";

        public int ReferencePriority => 10;

        public PerSampleSync? PerSampleSync => null;

        public IReadOnlyList<Setting> Settings => [];

        public bool Claims(string path) => false;

        public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
        {
        }

        public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
        {
            SawOpened.AddRange(opened.Select(s => s.Name));
            return _ephys.Open(request, settings, log, opened) with { ClockOf = source };
        }

        public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
        {
        }
    }

    private sealed class NoLog(string? allowed = null) : ISessionLog
    {
        public void Warn(string message)
        {
            if (allowed is null || !message.Contains(allowed, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"unexpected warning: {message}");
            }
        }
    }
}

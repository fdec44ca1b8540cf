using System.Globalization;
using System.Text.Json;
using NeuroAlign.Formats;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.OpenEphys;

public class OpenEphysReaderTests
{
    private static readonly string RealOebin = RepoPaths.Shared("openephys", "OE_OneBox-NP2014.structure.oebin");

    [RequiresFact(Needs.SharedData)]
    public void Open_RecordingFolder_DefaultsToTheNeuralStream()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        using EphysRecording stream = EphysReader.Open(recording, new EphysOpenOptions());

        Assert.Equal(EphysFormat.OpenEphys, EphysReader.Detect(recording));
        Assert.Equal("openephys", stream.FormatName);
        Assert.Equal(SyntheticOpenEphys.ProbeChannels, stream.ChannelCount);
        Assert.Equal(300, stream.SampleCount);
        Assert.EndsWith(Path.Combine(SyntheticOpenEphys.ProbeFolder, "continuous.dat"), stream.SourcePath);
        Assert.Equal("CH_SYNC", stream.ChannelNames[^1]);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_RealOebin_GainsAndIdsMatchAnIndependentReadingOfTheJson()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        // From the format spec: bit_volts is microvolts per count for headstage channels (empty
        // units here) and volts for ADC channels; ids are the numbers in CHnnn / ADCn, CH_SYNC next.
        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(RealOebin));
        foreach (JsonElement info in json.RootElement.GetProperty("continuous").EnumerateArray())
        {
            string name = info.GetProperty("stream_name").GetString()!;
            JsonElement[] channels = info.GetProperty("channels").EnumerateArray().ToArray();
            bool adc = name.Contains("ADC", StringComparison.Ordinal);
            double[] expectedGains = channels.Select(c => c.GetProperty("bit_volts").GetDouble() * (adc ? 1e6 : 1)).ToArray();
            string[] names = channels.Select(c => c.GetProperty("channel_name").GetString()!).ToArray();
            int[] expectedIds = names.Select(n => n == "CH_SYNC" ? 384 : int.Parse(n.TrimStart('C', 'H', 'A', 'D'), CultureInfo.InvariantCulture)).ToArray();

            using EphysRecording stream = OpenEphysReader.Open(recording, name);

            Assert.Equal(expectedGains, stream.GainsToMicrovolts);
            Assert.Equal(expectedIds, stream.ChannelIds);
            Assert.Equal(names, stream.ChannelNames);
            Assert.Equal(info.GetProperty("sample_rate").GetDouble(), stream.SampleRateHz, 6);
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ProbeStream_ReadsEveryValueOfContinuousDat()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        using EphysRecording stream = OpenEphysReader.Open(Path.Combine(recording, "structure.oebin"));
        ReadOnlySpan<short> window = ((InterleavedBinaryStream)stream.Data).GetWindow<short>(0, 300);

        for (int k = 0; k < 300; k++)
        {
            for (int c = 0; c < SyntheticOpenEphys.ProbeChannels; c++)
            {
                Assert.Equal(SyntheticEphys.Value(k, c), window[(k * SyntheticOpenEphys.ProbeChannels) + c]);
            }
        }
    }

    /// <summary>
    /// The stream's own sample counter is its clock, not the GUI's synchronised timestamps.npy
    /// (which here sit <see cref="SyntheticOpenEphys.TimestampOffsetSeconds"/> off): NeuroAlign fits
    /// clocks from the sync line itself. The GUI's offset is reported.
    /// </summary>
    [RequiresFact(Needs.SharedData)]
    public void Clock_WithTimestamps_IsTheSampleCounterAndTheGuiOffsetIsReported()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        using EphysRecording stream = OpenEphysReader.Open(recording);

        var clock = Assert.IsType<RegularClock>(stream.Clock);
        Assert.Equal(SyntheticOpenEphys.FirstSampleNumber / 30000.0, clock.StartTimeSeconds);
        Assert.Equal((SyntheticOpenEphys.FirstSampleNumber + 299) / 30000.0, stream.Clock.TimeOf(299), 12);
        Assert.Contains(stream.Details, d => d.Key == "clock" && d.Value.Contains("sample_numbers.npy", StringComparison.Ordinal));
        string gui = Assert.Single(stream.Details, d => d.Key == "GUI timestamps").Value;
        Assert.Contains($"{SyntheticOpenEphys.TimestampOffsetSeconds * 1e3:F3} ms", gui, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.SharedData)]
    public void Clock_WithoutTimestamps_IsRegularFromTheFirstSampleNumber()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path, timestamps: false);

        using EphysRecording stream = OpenEphysReader.Open(recording, "OneBox-ADC");

        var clock = Assert.IsType<RegularClock>(stream.Clock);
        Assert.Equal(SyntheticOpenEphys.AdcRateHz, clock.SampleRateHz);
        Assert.Equal(SyntheticOpenEphys.FirstSampleNumber / SyntheticOpenEphys.AdcRateHz, clock.StartTimeSeconds);
        Assert.Equal(303, stream.SampleCount);
    }

    [RequiresFact(Needs.SharedData)]
    public void Clock_SampleNumbersWithAGap_IsExplicitFromTheSampleNumbers()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path, timestamps: false);
        string dir = SyntheticOpenEphys.StreamFolder(recording, SyntheticOpenEphys.ProbeFolder);
        long[] numbers = Enumerable.Range(0, 300).Select(k => SyntheticOpenEphys.FirstSampleNumber + k + (k >= 100 ? 50 : 0)).ToArray();
        NpyWriter.WriteInt64(Path.Combine(dir, "sample_numbers.npy"), numbers);

        using EphysRecording stream = OpenEphysReader.Open(recording);

        Assert.IsType<ExplicitClock>(stream.Clock);
        Assert.Equal((SyntheticOpenEphys.FirstSampleNumber + 150) / 30000.0, stream.Clock.TimeOf(100), 12);

        // TTL at sample number first+200 is stream sample 150 once the 50-sample gap is skipped.
        DigitalEdges line3 = Assert.Single(stream.DigitalLines).GetEdges(3);
        Assert.Equal([150L], line3.RisingSamples);
    }

    [RequiresFact(Needs.SharedData)]
    public void DigitalLines_TtlFolder_GivesEdgesAsStreamSampleIndices()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        using EphysRecording stream = OpenEphysReader.Open(recording);
        DigitalLineSet ttl = Assert.Single(stream.DigitalLines);

        Assert.Equal([1, 3], ttl.Lines.Select(l => l.Number));
        DigitalEdges line1 = ttl.GetEdges(1);
        Assert.False(line1.InitialState);
        Assert.Equal([10L, 70L], line1.RisingSamples);
        Assert.Equal([40L, 100L], line1.FallingSamples);
        Assert.True(line1.StateAt(10));
        Assert.True(line1.StateAt(39));
        Assert.False(line1.StateAt(40));
        Assert.False(line1.StateAt(5));

        // Line 3 is first seen falling: it was high from the start.
        DigitalEdges line3 = ttl.GetEdges(3);
        Assert.True(line3.InitialState);
        Assert.True(line3.StateAt(0));
        Assert.False(line3.StateAt(55));
        Assert.True(line3.StateAt(200));
        Assert.Contains("Neuropixels PXI Sync", ttl.Name);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_AdcStreamWithoutTtlFiles_HasNoLinesAndSaysWhy()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        using EphysRecording stream = OpenEphysReader.Open(recording, "OneBox-111.OneBox-ADC/");

        Assert.Empty(stream.DigitalLines);
        Assert.Contains(stream.Warnings, w => w.Contains("OneBox ADC Digital Lines", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_UnknownStreamName_ListsTheStreamsThatExist()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        var e = Assert.Throws<NeuroAlignException>(() => EphysReader.Open(recording, new EphysOpenOptions { StreamName = "ProbeB" }));

        Assert.Contains("'ProbeB'", e.Message);
        Assert.Contains("'ProbeA'", e.Message);
        Assert.Contains("'OneBox-ADC'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ContinuousDatPath_OpensThatStream()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);
        string dat = Path.Combine(SyntheticOpenEphys.StreamFolder(recording, SyntheticOpenEphys.AdcFolder), "continuous.dat");

        using EphysRecording stream = EphysReader.Open(dat, new EphysOpenOptions());

        Assert.Equal(EphysFormat.OpenEphys, EphysReader.Detect(dat));
        Assert.Equal(SyntheticOpenEphys.AdcChannels, stream.ChannelCount);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SampleNumbersOfTheWrongLength_NamesTheFile()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);
        NpyWriter.WriteInt64(Path.Combine(SyntheticOpenEphys.StreamFolder(recording, SyntheticOpenEphys.ProbeFolder), "sample_numbers.npy"), new long[299]);

        var e = Assert.Throws<InvalidRecordingException>(() => OpenEphysReader.Open(recording));

        Assert.Contains("sample_numbers.npy", e.Message);
        Assert.Contains("(299,)", e.Message);
        Assert.Contains("(300,)", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_TruncatedContinuousDat_SaysByHowManyBytes()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);
        string dat = Path.Combine(SyntheticOpenEphys.StreamFolder(recording, SyntheticOpenEphys.ProbeFolder), "continuous.dat");
        using (var f = new FileStream(dat, FileMode.Open))
        {
            f.SetLength(f.Length - 3);
        }

        var e = Assert.Throws<InvalidRecordingException>(() => OpenEphysReader.Open(recording));

        Assert.Contains("767 bytes left over", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_MissingContinuousDat_NamesIt()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);
        File.Delete(Path.Combine(SyntheticOpenEphys.StreamFolder(recording, SyntheticOpenEphys.ProbeFolder), "continuous.dat"));

        var e = Assert.Throws<NeuroAlignException>(() => OpenEphysReader.Open(recording));

        Assert.Contains("continuous.dat", e.Message);
        Assert.Contains("ProbeA", e.Message);
    }

    /// <summary>The real three-experiment Record Node (SOURCES.md): its recordings in the GUI's order, the first by default with a notice.</summary>
    [RequiresFact(Needs.SharedData)]
    public void Open_RecordNode_FirstRecordingByDefaultWithANoticeNamingTheOthers()
    {
        string node = RepoPaths.Shared("openephys_sync", "v0.6.x_neuropixels_multiexp_multistream", "Record Node 101");

        Assert.Equal(["experiment1/recording1", "experiment3/recording1", "experiment6/recording1"], OpenEphysReader.Recordings(node));
        using EphysRecording first = OpenEphysReader.Open(node);
        Assert.Contains("experiment1", first.SourcePath, StringComparison.Ordinal);
        Assert.Contains(first.Warnings, w => w.Contains("holds 3 recordings", StringComparison.Ordinal) && w.Contains("#experiment6/recording1", StringComparison.Ordinal));

        using EphysRecording sixth = OpenEphysReader.Open(node + "#experiment6/recording1", "PXIe-6341");
        Assert.Contains(Path.Combine("experiment6", "recording1"), sixth.SourcePath, StringComparison.Ordinal);
        Assert.DoesNotContain(sixth.Warnings, w => w.Contains("recordings", StringComparison.Ordinal));

        var e = Assert.Throws<NeuroAlignException>(() => OpenEphysReader.Open(node + "#experiment2/recording1"));
        Assert.EndsWith("#experiment2/recording1: no such recording; the recordings are experiment1/recording1, experiment3/recording1, experiment6/recording1", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// TTL events outside the (here 100-sample) continuous data keep their place on the stream's
    /// counter: experiment1's sync line has 837 rising edges on ProbeB, first at sample number
    /// 1881811 (SOURCES.md, checked with numpy), though the continuous data start at 1863198.
    /// </summary>
    [RequiresFact(Needs.SharedData)]
    public void DigitalLines_EventsOutsideTheContinuousData_KeptOnTheStreamsCounter()
    {
        string node = RepoPaths.Shared("openephys_sync", "v0.6.x_neuropixels_multiexp_multistream", "Record Node 101");

        using EphysRecording probe = OpenEphysReader.Open(node);

        Assert.Equal(100, probe.SampleCount);
        DigitalEdges sync = Assert.Single(probe.DigitalLines).GetEdges(1);
        Assert.Equal(837, sync.RisingSamples.Count);
        Assert.Equal(1881811 - 1863198, sync.RisingSamples[0]);
        Assert.Equal(26961353 - 1863198, sync.RisingSamples[^1]);
        Assert.Equal(1881811 / 30000.0, probe.Clock.TimeOf(sync.RisingSamples[0]), 9);
    }

    [Fact]
    public void Load_MalformedJson_SaysWhere()
    {
        using var folder = new TempFolder();
        string path = folder.File("structure.oebin");
        File.WriteAllText(path, "{\n  \"GUI version\": \"0.6.7\",\n  \"continuous\": [ {\n");

        var e = Assert.Throws<InvalidRecordingException>(() => OebinStructure.Load(path));

        Assert.Contains("structure.oebin", e.Message);
        Assert.Contains("malformed JSON", e.Message);
        Assert.Contains("line", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("0.4.4")]
    [InlineData("0.5.3")]
    [InlineData("2.0.0")]
    [InlineData("banana")]
    public void Load_UnknownVersion_NamesTheVersion(string version)
    {
        using var folder = new TempFolder();
        string path = folder.File("structure.oebin");
        File.WriteAllText(path, $"{{\"GUI version\": \"{version}\", \"continuous\": []}}");

        var e = Assert.Throws<InvalidRecordingException>(() => OebinStructure.Load(path));

        Assert.Contains("GUI version", e.Message);
        Assert.Contains($"'{version}'", e.Message);
        Assert.Contains("0.6", e.Message);
    }

    [Fact]
    public void Load_ChannelWithoutBitVolts_NamesTheField()
    {
        using var folder = new TempFolder();
        string path = folder.File("structure.oebin");
        File.WriteAllText(path, """
            {"GUI version": "0.6.7", "continuous": [
              {"folder_name": "A/", "sample_rate": 30000.0, "stream_name": "A", "num_channels": 2,
               "channels": [{"channel_name": "CH1", "bit_volts": 0.195}, {"channel_name": "CH2"}]}]}
            """);

        var e = Assert.Throws<InvalidRecordingException>(() => OebinStructure.Load(path));

        Assert.Contains("continuous[0].channels[1].bit_volts", e.Message);
        Assert.Contains("no such field", e.Message);
    }

    [Fact]
    public void Load_ChannelCountDisagrees_NamesBoth()
    {
        using var folder = new TempFolder();
        string path = folder.File("structure.oebin");
        File.WriteAllText(path, """
            {"GUI version": "1.0.1", "continuous": [
              {"folder_name": "A/", "sample_rate": 30000.0, "stream_name": "A", "num_channels": 3,
               "channels": [{"channel_name": "CH1", "bit_volts": 0.195}]}]}
            """);

        var e = Assert.Throws<InvalidRecordingException>(() => OebinStructure.Load(path));

        Assert.Contains("num_channels", e.Message);
        Assert.Contains("with 1 entries", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Load_RealOebin_HasTwoContinuousStreamsAndTwoTtlFolders()
    {
        OebinStructure structure = OebinStructure.Load(RealOebin);

        Assert.Equal("0.6.7", structure.GuiVersion);
        Assert.Equal(["ProbeA", "OneBox-ADC"], structure.Continuous.Select(s => s.StreamName));
        Assert.Equal(2, structure.Events.Count(e => e.IsTtl));
        Assert.True(OpenEphysReader.IsNeural(structure.Continuous[0]));
        Assert.False(OpenEphysReader.IsNeural(structure.Continuous[1]));
    }

    [Fact]
    public void GainToMicrovolts_Units_ScaleBitVolts()
    {
        Assert.Equal(0.195, OpenEphysReader.GainToMicrovolts(new OebinChannel("CH1", 0.195, "uV", "")));
        Assert.Equal(195, OpenEphysReader.GainToMicrovolts(new OebinChannel("CH1", 0.195, "mV", "")), 9);
        Assert.Equal(152.587890625, OpenEphysReader.GainToMicrovolts(new OebinChannel("AUX1", 0.000152587890625, "V", "")));
        var warnings = new List<string>();
        Assert.Equal(1.0, OpenEphysReader.GainToMicrovolts(new OebinChannel("T", 0.1, "degC", ""), warnings));
        Assert.Contains("degC", Assert.Single(warnings));
    }
}

using System.Globalization;
using NeuroAlign.Formats;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.SpikeGlx;

public class SpikeGlxReaderTests
{
    public static TheoryData<string> RealMetas() => new(SpikeGlxTestFiles.RealMetas);

    [RequiresTheory(Needs.SharedData)]
    [MemberData(nameof(RealMetas))]
    public void Open_RealMeta_ChannelIdsAndGainsMatchTheSpecComputation(string realMeta)
    {
        using var folder = new TempFolder();
        string meta = SyntheticSpikeGlx.CopyMeta(folder.Path, realMeta);
        Dictionary<string, string> expected = SpikeGlxTestFiles.ReadMeta(meta);
        int channels = int.Parse(expected["nSavedChans"], CultureInfo.InvariantCulture);
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 50, channels, syncColumn: channels - 1);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.bin"));

        Assert.Equal(channels, recording.ChannelCount);
        Assert.Equal(SpikeGlxTestFiles.OriginalChannels(expected), recording.ChannelIds);
        double[] gains = SpikeGlxTestFiles.ImecMicrovoltsPerCount(expected);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(gains[c], recording.GainsToMicrovolts[c], gains[c] * 1e-12);
        }

        double rate = double.Parse(expected["imSampRate"], CultureInfo.InvariantCulture);
        long firstSample = long.Parse(expected["firstSample"], CultureInfo.InvariantCulture);
        Assert.Equal(rate, recording.SampleRateHz);
        Assert.Equal(firstSample / rate, recording.Clock.StartSeconds);
        Assert.Equal(50, recording.SampleCount);
        Assert.Equal("spikeglx", recording.FormatName);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_NoiseMeta_HasTheFactsOfSourcesMd()
    {
        // SOURCES.md: 385 saved channels (384 AP + sync), 2.34375 uV per bit on AP channels, firstSample 177385 at 30 kHz.
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 100, 385, syncColumn: 384);

        using EphysRecording recording = EphysReader.Open(folder.File("rec.bin"), new EphysOpenOptions());

        Assert.Equal(385, recording.ChannelCount);
        Assert.All(recording.GainsToMicrovolts.Take(384), g => Assert.Equal(2.34375, g));
        Assert.Equal(1.0, recording.GainsToMicrovolts[384]);
        Assert.Equal(768, recording.ChannelIds[384]);
        Assert.Equal("SY0", recording.ChannelNames[384]);
        Assert.Equal("AP17", recording.ChannelNames[17]);
        Assert.Equal(177385 / 30000.0, recording.Clock.StartSeconds);
        Assert.Equal(5.9128333333333333, recording.Clock.StartSeconds, 12);
        Assert.Equal(177385 / 30000.0, recording.Clock.TimeOf(0));
        Assert.Equal((177385 + 99) / 30000.0, recording.Clock.TimeOf(99), 12);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SyntheticBin_ReadsEveryValueOfTheFile()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "NP2_2013_subset_channels.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 400, 121, syncColumn: 120);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.meta"));
        ReadOnlySpan<short> window = ((InterleavedBinaryStream)recording.Data).GetWindow<short>(123, 200);

        for (int k = 0; k < 200; k++)
        {
            for (int c = 0; c < 121; c++)
            {
                Assert.Equal(SyntheticSpikeGlx.Value(123 + k, c, 120), window[(k * 121) + c]);
            }
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SubsetMeta_IdsAreTheSavedAcquiredChannels()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "NP2_2013_subset_channels.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 10, 121, syncColumn: 120);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.bin"));

        // snsSaveChanSubset=0:35,72:95,192:227,264:287,384; NP 2.0: imAiRangeMax 0.62 / imMaxInt 2048 / imChan0apGain 100.
        int[] expected = [.. Enumerable.Range(0, 36), .. Enumerable.Range(72, 24), .. Enumerable.Range(192, 36), .. Enumerable.Range(264, 24), 384];
        Assert.Equal(expected, recording.ChannelIds);
        Assert.Equal(0.62 / 2048 / 100 * 1e6, recording.GainsToMicrovolts[0], 1e-12);
        Assert.Contains(recording.Details, d => d.Key == "sites" && d.Value.Contains("4 shank", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_BinSmallerThanFileSizeBytes_WarnsAndTheRealSizeWins()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 20, 385, syncColumn: 384);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.bin"));

        Assert.Equal(20, recording.SampleCount);
        string warning = Assert.Single(recording.Warnings);
        Assert.Contains("fileSizeBytes=121625350", warning);
        Assert.Contains($"{20 * 385 * 2} bytes", warning);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_TruncatedBin_SaysByHowManyBytes()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 20, 385, syncColumn: 384, extraBytes: -5);

        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxReader.Open(folder.File("rec.bin")));

        Assert.Contains("rec.bin", e.Message);
        Assert.Contains("765 bytes left over after 19 whole samples", e.Message);
        Assert.Contains("770 bytes", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RequiresTheory(Needs.SharedData)]
    [InlineData("nSavedChans")]
    [InlineData("imAiRangeMax")]
    [InlineData("imSampRate")]
    [InlineData("snsApLfSy")]
    [InlineData("~imroTbl")]
    [InlineData("typeThis")]
    public void Open_MetaMissingARequiredKey_NamesTheKey(string key)
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta", line => line.StartsWith(key + "=", StringComparison.Ordinal) ? null : line);
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 2, 385, syncColumn: 384);

        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxReader.Open(folder.File("rec.bin")));

        Assert.Contains("rec.meta", e.Message);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("no such key", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SubsetDisagreesWithSavedCount_NamesBoth()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta", line => line.StartsWith("snsSaveChanSubset=", StringComparison.Ordinal) ? "snsSaveChanSubset=0:99,768" : line);
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 2, 385, syncColumn: 384);

        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxReader.Open(folder.File("rec.bin")));

        Assert.Contains("snsSaveChanSubset", e.Message);
        Assert.Contains("101 channels", e.Message);
        Assert.Contains("385", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_MalformedNumber_NamesKeyAndValue()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta", line => line.StartsWith("imSampRate=", StringComparison.Ordinal) ? "imSampRate=thirty" : line);
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 2, 385, syncColumn: 384);

        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxReader.Open(folder.File("rec.bin")));

        Assert.Contains("'imSampRate'", e.Message);
        Assert.Contains("'thirty'", e.Message);
        Assert.Contains("a finite number", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_MetaWithoutBin_SaysTheBinIsMissing()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");

        var e = Assert.Throws<NeuroAlignException>(() => EphysReader.Open(folder.File("rec.meta"), new EphysOpenOptions()));

        Assert.Contains("rec.bin", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void DigitalLines_SyWord_Bit6EdgesMatchTheWrittenSquareWave()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "NP2_2013_subset_channels.imec0.ap.meta");
        const int Samples = 40_000; // more than one scan window (32 768 samples)
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), Samples, 121, syncColumn: 120);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.bin"));
        DigitalLineSet sy = Assert.Single(recording.DigitalLines);
        DigitalEdges edges = sy.GetEdges(SyntheticSpikeGlx.SyncBit);

        var rising = new List<long>();
        var falling = new List<long>();
        for (long k = 1; k < Samples; k++)
        {
            bool before = (SyntheticSpikeGlx.SyncWord(k - 1) & (1 << 6)) != 0, now = (SyntheticSpikeGlx.SyncWord(k) & (1 << 6)) != 0;
            if (now && !before)
            {
                rising.Add(k);
            }
            else if (!now && before)
            {
                falling.Add(k);
            }
        }

        Assert.Contains("sync input", sy.Describe());
        Assert.Equal(16, sy.Lines.Count);
        Assert.True(edges.InitialState);
        Assert.Equal(rising, edges.RisingSamples);
        Assert.Equal(falling, edges.FallingSamples);
        Assert.Equal(40, rising.Count);
        Assert.Same(recording.Clock, sy.Clock);
    }

    [Fact]
    public void Open_NidqMeta_GainsFollowMnMaXaAndDigitalLinesAreTheAcquiredBits()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("run.nidq.meta"), """
            typeThis=nidq
            niSampRate=25000.0123
            nSavedChans=6
            acqMnMaXaDw=4,2,2,1
            snsMnMaXaDw=2,1,2,1
            snsSaveChanSubset=0:1,4,6:7,8
            niAiRangeMax=5
            niMaxInt=32768
            niMNGain=200
            niMAGain=2
            niXDChans1=0:3,7
            niXDBytes1=1
            syncSourceIdx=1
            syncNiChanType=0
            syncNiChan=2
            firstSample=1000
            """.Replace("    ", "", StringComparison.Ordinal));
        const int Samples = 3000;
        SyntheticSpikeGlx.WriteBin(folder.File("run.nidq.bin"), Samples, 6, syncColumn: 5);

        using EphysRecording recording = EphysReader.Open(folder.File("run.nidq.bin"), new EphysOpenOptions());

        // V = i × niAiRangeMax / 32768 / gain (Metadata_30.md, niAiRangeMax); XA has gain 1; the DW word is not a voltage.
        double[] expected = [5.0 / 32768 / 200 * 1e6, 5.0 / 32768 / 200 * 1e6, 5.0 / 32768 / 2 * 1e6, 5.0 / 32768 * 1e6, 5.0 / 32768 * 1e6, 1.0];
        Assert.Equal(expected, recording.GainsToMicrovolts);
        Assert.Equal([0, 1, 4, 6, 7, 8], recording.ChannelIds);
        Assert.Equal(["MN0", "MN1", "MA0", "XA0", "XA1", "XD0"], recording.ChannelNames);
        Assert.Equal(1000 / 25000.0123, recording.Clock.StartSeconds);
        DigitalLineSet xd = Assert.Single(recording.DigitalLines);
        Assert.Equal([0, 1, 2, 3, 7], xd.Lines.Select(l => l.Number));
        Assert.Equal("sync", xd.Lines.Single(l => l.Number == 2).Label);

        // Bit 0 of the synthetic word toggles every 7 samples, starting low.
        DigitalEdges bit0 = xd.GetEdges(0);
        Assert.False(bit0.InitialState);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 7L * ((2 * i) + 1)).Where(k => k < Samples), bit0.RisingSamples);
        Assert.Empty(xd.GetEdges(7).RisingSamples);
        var e = Assert.Throws<NeuroAlignException>(() => xd.GetEdges(5));
        Assert.Contains("0, 1, 2, 3, 7", e.Message);
    }

    /// <summary>`info` showed niMNGain 1 for a .meta that says 200 when no MN channel was saved (issue 21): the gains are shown as given.</summary>
    [Fact]
    public void Open_NidqWithoutMnChannels_ConversionShowsTheGainsTheMetaGives()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("run.nidq.meta"), """
            typeThis=nidq
            niSampRate=25000
            nSavedChans=3
            acqMnMaXaDw=0,0,2,1
            snsMnMaXaDw=0,0,2,1
            niAiRangeMax=5
            niMaxInt=32768
            niMNGain=200
            niMAGain=2
            niXDChans1=0:7
            niXDBytes1=1
            """.Replace("    ", "", StringComparison.Ordinal));
        SyntheticSpikeGlx.WriteBin(folder.File("run.nidq.bin"), 100, 3, syncColumn: 2);

        using EphysRecording recording = EphysReader.Open(folder.File("run.nidq.bin"), new EphysOpenOptions());

        string conversion = recording.Details.Single(d => d.Key == "conversion").Value;
        Assert.Contains("niMNGain 200, no MN saved, niMAGain 2, no MA saved, XA 1", conversion, StringComparison.Ordinal);
        Assert.Equal([5.0 / 32768 * 1e6, 5.0 / 32768 * 1e6, 1.0], recording.GainsToMicrovolts);
    }

    [Fact]
    public void Open_UnsupportedStreamType_SaysWhatIsSupported()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("x.obx.meta"), "typeThis=obx\nnSavedChans=2\n");
        File.WriteAllBytes(folder.File("x.obx.bin"), new byte[8]);

        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxReader.Open(folder.File("x.obx.bin")));

        Assert.Contains("'obx'", e.Message);
        Assert.Contains("imec or nidq", e.Message);
    }

    [Fact]
    public void Parse_LineWithoutEquals_NamesTheLine()
    {
        var e = Assert.Throws<InvalidRecordingException>(() => SpikeGlxMeta.Parse("x.meta", "typeThis=imec\ngarbage line\n"));

        Assert.Contains("line 2", e.Message);
        Assert.Contains("key=value", e.Message);
    }

    [Fact]
    public void Parse_ValueWithEquals_KeepsEverythingAfterTheFirst()
    {
        SpikeGlxMeta meta = SpikeGlxMeta.Parse("x.meta", "catGTCmdline0=<CatGT -dir=/data -g=0>\r\n");

        Assert.Equal("<CatGT -dir=/data -g=0>", meta.GetString("catGTCmdline0"));
    }

    [Fact]
    public void GetTable_SplitsHeaderAndEntries()
    {
        SpikeGlxMeta meta = SpikeGlxMeta.Parse("x.meta", "~imroTbl=(0,384)(0 0 0 500 250 1)(1 0 0 500 250 1)");

        SpikeGlxTable table = meta.GetTable("imroTbl");

        Assert.Equal(["0", "384"], table.Header);
        Assert.Equal(["0 0 0 500 250 1", "1 0 0 500 250 1"], table.Entries);
    }

    [Fact]
    public void GetChannelList_BadRange_NamesKeyAndPart()
    {
        SpikeGlxMeta meta = SpikeGlxMeta.Parse("x.meta", "snsSaveChanSubset=0:10,20:15");

        var e = Assert.Throws<InvalidRecordingException>(() => meta.GetChannelList("snsSaveChanSubset", 5));

        Assert.Contains("'20:15'", e.Message);
    }

    [Fact]
    public void Build_LfFile_UsesTheLfGainOfEachChannel()
    {
        // An NP 1.0 LF file: acquired LF channels are 384 + electrode channel (readSGLX.ChanGainsIM).
        string meta = """
            typeThis=imec
            nSavedChans=3
            acqApLfSy=384,384,1
            snsApLfSy=0,2,1
            snsSaveChanSubset=384,385,768
            imAiRangeMax=0.6
            imSampRate=2500
            ~imroTbl=(0,384)(0 0 0 500 250 1)(1 0 0 500 125 1)
            """.Replace("    ", "", StringComparison.Ordinal);

        SpikeGlxChannelMap map = SpikeGlxChannelMap.Build(SpikeGlxMeta.Parse("x.lf.meta", meta));

        Assert.Equal([0.6 / 512 / 250 * 1e6, 0.6 / 512 / 125 * 1e6, 1.0], map.Channels.Select(c => c.GainToMicrovolts));
        Assert.Equal([SpikeGlxChannelKind.ImecLf, SpikeGlxChannelKind.ImecLf, SpikeGlxChannelKind.ImecSync], map.Channels.Select(c => c.Kind));
        Assert.Equal(["LF0", "LF1", "SY0"], map.Channels.Select(c => c.Name));
    }

    [Fact]
    public void Build_UnknownNp2ProbeWithoutGain_WarnsAndUsesGainOne()
    {
        string meta = "typeThis=imec\nnSavedChans=2\nacqApLfSy=1,0,1\nsnsApLfSy=1,0,1\nimAiRangeMax=0.5\nimMaxInt=8192\nimDatPrb_type=9999\n";

        SpikeGlxChannelMap map = SpikeGlxChannelMap.Build(SpikeGlxMeta.Parse("x.meta", meta));

        Assert.Equal(0.5 / 8192 * 1e6, map.Channels[0].GainToMicrovolts);
        Assert.Contains("9999", Assert.Single(map.Warnings));
    }

    [Fact]
    public void Detect_BinWithAndWithoutMeta()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("a.bin"), new byte[4]);
        File.WriteAllBytes(folder.File("b.bin"), new byte[4]);
        File.WriteAllText(folder.File("b.meta"), "typeThis=imec\n");

        Assert.Equal(EphysFormat.Raw, EphysReader.Detect(folder.File("a.bin")));
        Assert.Equal(EphysFormat.SpikeGlx, EphysReader.Detect(folder.File("b.bin")));
        Assert.Equal(EphysFormat.SpikeGlx, EphysReader.Detect(folder.File("b.meta")));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_StreamNameOnSpikeGlx_IsAnError()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 2, 385, syncColumn: 384);

        var e = Assert.Throws<NeuroAlignException>(() => EphysReader.Open(folder.File("rec.bin"), new EphysOpenOptions { StreamName = "ProbeA" }));

        Assert.Contains("'ephys-stream'", e.Message);
        Assert.Contains("SpikeGLX", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Clock_FirstSample_IsTheAcquisitionClockOffset()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "catgt.meta");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 10, 385, syncColumn: 384);

        using EphysRecording recording = SpikeGlxReader.Open(folder.File("rec.bin"));

        // A calibrated, non-integer rate: t0 = 48994605 / 30000.149579831934.
        var clock = Assert.IsType<RegularClock>(recording.Clock);
        Assert.Equal(30000.149579831934, clock.SampleRateHz);
        Assert.Equal(48994605 / 30000.149579831934, clock.StartTimeSeconds);
    }
}

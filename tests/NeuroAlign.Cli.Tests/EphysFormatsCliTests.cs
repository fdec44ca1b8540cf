using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>--ephys with SpikeGLX, Open Ephys and .npy recordings; --ephys-stream; --units; info.</summary>
public class EphysFormatsCliTests
{
    // NP2_2013_subset_channels.imec0.ap.meta: 121 saved channels (120 AP + SY), 30 kHz,
    // imAiRangeMax 0.62 / imMaxInt 2048 / imChan0apGain 100, firstSample 920506.
    private const string Np2Meta = "NP2_2013_subset_channels.imec0.ap.meta";
    private const int Np2Channels = 121;

    private static string WriteSpikeGlx(TempFolder folder, long samples = 30_000)
    {
        SyntheticSpikeGlx.CopyMeta(folder.Path, Np2Meta, baseName: "run_g0_t0.imec0.ap");
        string bin = folder.File("run_g0_t0.imec0.ap.bin");
        SyntheticSpikeGlx.WriteBin(bin, samples, Np2Channels, syncColumn: Np2Channels - 1);
        return bin;
    }

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_SpikeGlx_WritesTheMetadataGainsAndChannelIds()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run("--ephys", bin, "--time", "0.5", "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("spikeglx", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.fromfile(sys.argv[1], dtype='<i2').reshape(-1, 121)
            f = h5py.File(sys.argv[2], 'r')
            e = f['ephys']
            assert e['data'].dtype == np.int16
            assert np.array_equal(e['data'][0], x[15000:21000])
            ids = list(range(0, 36)) + list(range(72, 96)) + list(range(192, 228)) + list(range(264, 288)) + [384]
            assert np.array_equal(e['channel_ids'][:], ids)
            g = e['gain_to_uV'][:]
            assert np.allclose(g[:120], 0.62 / 2048 / 100 * 1e6, rtol=1e-12, atol=0) and g[120] == 1.0, g[:3]
            assert e.attrs['format'] == 'spikeglx' and e.attrs['units'] == 'counts'
            assert e.attrs['native_rate_hz'] == 30000
            assert e['source_index'][0, 0] == 15000
            print('ok')
            """,
            bin,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_UnitsUv_WritesFloat32CountsTimesGain()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", bin, "--time", "0.1", "--after", "0.1", "--channels", "0-2,264,384", "--units", "uV", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.fromfile(sys.argv[1], dtype='<i2').reshape(-1, 121)
            cols = [0, 1, 2, 96, 120]
            gain = np.array([0.62 / 2048 / 100 * 1e6] * 4 + [1.0])
            f = h5py.File(sys.argv[2], 'r')
            e = f['ephys']
            assert e['data'].dtype == np.float32, e['data'].dtype
            expected = (x[3000:6000][:, cols].astype(np.float64) * gain).astype(np.float32)
            assert np.array_equal(e['data'][0], expected)
            assert np.array_equal(e['channel_ids'][:], [0, 1, 2, 264, 384])
            assert np.allclose(e['gain_to_uV'][:], gain, rtol=1e-12, atol=0)
            assert e.attrs['units'] == 'uV'
            print('ok')
            """,
            bin,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_OpenEphysStreamByName_ReadsThatStreamOnItsSampleCounter()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path, probeSamples: 200, adcSamples: 500);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", recording, "--ephys-stream", "OneBox-ADC", "--time", "0", "--after", "0.01", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            rec = sys.argv[1]
            x = np.fromfile(rec + '/continuous/OneBox-111.OneBox-ADC/continuous.dat', dtype='<i2').reshape(-1, 12)
            info = json.load(open(rec + '/structure.oebin'))['continuous'][1]
            f = h5py.File(sys.argv[2], 'r')
            e = f['ephys']
            n = round(0.01 * 30300.5)
            assert e['data'].shape == (1, n, 12), e['data'].shape
            assert np.array_equal(e['data'][0], x[:n])
            assert np.array_equal(e['source_index'][0], np.arange(n))
            assert np.allclose(e['gain_to_uV'][:], [c['bit_volts'] * 1e6 for c in info['channels']], rtol=1e-12, atol=0)
            assert np.array_equal(e['channel_ids'][:], np.arange(12))
            assert e.attrs['format'] == 'openephys'
            assert e.attrs['clock'].startswith('regular: t0 = '), e.attrs['clock']
            print('ok')
            """,
            recording,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_UnitsUvDownsampled_FiltersTheMicrovoltView()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder, samples: 6000);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", bin, "--time", "0.05", "--after", "0.05", "--rate", "ephys=1000", "--units", "uV", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("50 samples per window at 1000 Hz, each 121 float32", stdout);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_Npy_TakesTheRateFromTheFlag()
    {
        using var folder = new TempFolder();
        string input = folder.File("lfp.npy");
        string output = folder.File("o.h5");
        Python.Run("import sys, numpy as np; np.save(sys.argv[1], (np.arange(4000 * 4).reshape(4000, 4) * 0.5).astype('>f4'))", input);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--ephys-rate", "1000", "--time", "0.1", "--after", "0.05", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.load(sys.argv[1])
            f = h5py.File(sys.argv[2], 'r')
            assert f['ephys/data'].dtype == np.float32
            assert np.array_equal(f['ephys/data'][0], x[100:150])
            assert f['ephys'].attrs['format'] == 'npy' and f['ephys'].attrs['native_rate_hz'] == 1000
            print('ok')
            """,
            input,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_SpikeGlx_ShowsChannelsRateT0GainsAndSyncLine()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder, samples: 3000);

        var (code, stdout, stderr) = CliRunner.Run("info", bin);

        Assert.True(code == 0, stderr);
        Assert.Contains("spikeglx", stdout);
        Assert.Contains("121 (120 AP, 1 SY)", stdout);
        Assert.Contains("30000 Hz", stdout);
        Assert.Contains("0.100000 s", stdout);
        Assert.Contains($"{920506 / 30000.0:R} s", stdout);
        Assert.Contains("firstSample 920506", stdout);
        Assert.Contains("3.02734375 (gain 100)", stdout);
        Assert.Contains("6 (sync input)", stdout);
        Assert.Contains("warning:", stdout);
        Assert.Contains("fileSizeBytes", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_OpenEphysFolder_ShowsStreamGainsAndTtlLines()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        var (code, stdout, stderr) = CliRunner.Run("info", recording);

        Assert.True(code == 0, stderr);
        Assert.Contains("openephys", stdout);
        Assert.Contains("ProbeA", stdout);
        Assert.Contains("OneBox-ADC", stdout);
        Assert.Contains("385", stdout);
        Assert.Contains("0.1949999928474426", stdout);
        Assert.Contains("lines 1, 3", stdout);
        Assert.Contains("sample_numbers.npy[0] = 123456", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_WithChannelSelection_KeepsTheFormatFacts()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder, samples: 100);

        var (code, stdout, stderr) = CliRunner.Run("info", bin, "--channels", "72-75");

        Assert.True(code == 0, stderr);
        Assert.Contains("channel ids:", stdout);
        Assert.Contains("72..75", stdout);
        Assert.Contains("selected from", stdout);
        Assert.Contains("firstSample 920506", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_UnknownStream_OneLineListingTheStreamsAndNoOutput()
    {
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", recording, "--ephys-stream", "ProbeZ", "--time", "0", "--out", output);

        ExportCommandTests.AssertOneLineError(code, stderr, "'ProbeZ'", "'ProbeA'", "'OneBox-ADC'");
        Assert.False(File.Exists(output));
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_RawFlagWithSpikeGlx_RefusedBecauseTheMetadataDecides()
    {
        using var folder = new TempFolder();
        string bin = WriteSpikeGlx(folder, samples: 100);

        var (code, _, stderr) = CliRunner.Run("--ephys", bin, "--ephys-rate", "20000", "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "--ephys-rate", "SpikeGLX");
        Assert.Equal(2, code);
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_MetaMissingAKey_OneLineNamingTheKey()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, Np2Meta, line => line.StartsWith("imAiRangeMax=", StringComparison.Ordinal) ? null : line);
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 100, Np2Channels, Np2Channels - 1);

        var (code, _, stderr) = CliRunner.Run("--ephys", folder.File("rec.bin"), "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "rec.meta", "'imAiRangeMax'");
        Assert.Equal(1, code);
        Assert.False(File.Exists(folder.File("o.h5")));
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Demo_EphysIsASpikeGlxPairWhoseMetaGivesGainsAndT0()
    {
        using var folder = new TempFolder();

        var (code, _, stderr) = CliRunner.Run("demo", "--dir", folder.Path);
        var (infoCode, info, infoError) = CliRunner.Run("info", Path.Combine(folder.Path, "demo_g0_t0.imec0.ap.bin"));

        Assert.True(code == 0, stderr);
        Assert.True(infoCode == 0, infoError);
        Assert.Contains("spikeglx", info);
        Assert.Contains("firstSample 90000", info);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            assert f['ephys'].attrs['format'] == 'spikeglx'
            assert np.array_equal(f['ephys/gain_to_uV'][:], np.append(np.full(384, 0.6 / 512 / 500 * 1e6), 1.0))
            assert f['ephys/source_index'][0, 0] == 75000
            print('ok')
            """,
            Path.Combine(folder.Path, "aligned.h5"));
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_UnknownUnits_UsageError()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 100, 384);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--units", "mV", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "--units", "'mV'", "uV");
        Assert.Equal(2, code);
    }

    [Fact]
    public void Export_StreamFlagWithRawFile_Refused()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 100, 384);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--ephys-stream", "ProbeA", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "--ephys-stream", "Open Ephys");
    }

    /// <summary>
    /// The real three-experiment Record Node through `info` and `sync` (issue 21): the recording is
    /// chosen by PATH#experimentN/recordingM, and the NI-DAQ is tied to ProbeB by their shared TTL
    /// line at 115.8 ppm (numpy's fit of the same edges, SOURCES.md), every pulse matched.
    /// </summary>
    [RequiresFact(Needs.SharedData)]
    public void SyncAndInfo_RealOpenEphysRecordNode_NiTiedToTheProbeByTheTtlLine()
    {
        string node = RepoPaths.Shared("openephys_sync", "v0.6.x_neuropixels_multiexp_multistream", "Record Node 101");

        var (code, stdout, stderr) = CliRunner.Run("info", node);
        Assert.True(code == 0, stderr);
        Assert.Contains("holds 3 recordings (experiment1/recording1, experiment3/recording1, experiment6/recording1); using experiment1/recording1", stdout + stderr, StringComparison.Ordinal);
        Assert.Contains("GUI timestamps:", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run("sync", "--ephys", node + "#experiment3/recording1", "--ephys", $"ni={node}#experiment3/recording1", "--ephys-stream", "ni=PXIe-6341");
        Assert.True(code == 0, stderr);
        string fit = Assert.Single(stdout.Split('\n'), l => l.StartsWith("  linear,", StringComparison.Ordinal));
        Assert.Matches(@"drift -115\.[6-9]\d* ppm", fit);
        Assert.Contains("0 unmatched", fit, StringComparison.Ordinal);
    }

    /// <summary>
    /// Channel names and probe positions (issue 21) from real .meta files of each kind: ~snsGeomMap
    /// in µm (NP2.0 four-shank 2013, a saved subset), and ~snsShankMap grid indices placed by the
    /// probe family's published geometry (NP1.0, NP2.0 four-shank type 24, phase 3A). The oracle
    /// parses the .meta itself in Python and places the sites as SGLXMetaToCoords documents.
    /// </summary>
    [Slow]
    [RequiresTheory(Needs.SharedData | Needs.Python)]
    [InlineData("NP2_2013_subset_channels.imec0.ap.meta", 121, 4)]
    [InlineData("NP1_saved_only_subset_of_channels.meta", 152, 1)]
    [InlineData("NP2_4_shanks.imec0.ap.meta", 385, 4)]
    [InlineData("phase3a.imec.ap.meta", 385, 1)]
    public void Export_SpikeGlx_ChannelNamesAndPositionsFromTheMeta(string meta, int savedChannels, int shanks)
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, meta, baseName: "run_g0_t0.imec0.ap");
        string bin = folder.File("run_g0_t0.imec0.ap.bin");
        SyntheticSpikeGlx.WriteBin(bin, 3000, savedChannels, syncColumn: savedChannels - 1);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", bin, "--time", "0", "--after", "0.001", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, re, h5py, numpy as np
            meta = dict(l.split('=', 1) for l in open(sys.argv[1]).read().splitlines() if '=' in l)
            shanks = int(sys.argv[3])
            geom = '~snsGeomMap' in meta
            table = meta['~snsGeomMap' if geom else '~snsShankMap']
            groups = re.findall(r'\(([^)]*)\)', table)
            header, entries = groups[0].split(','), [tuple(float(v) for v in g.split(':')) for g in groups[1:]]
            if geom:
                pitch = float(header[2])
                expected = [(sh * pitch + x, z) for sh, x, z, used in entries]
            else:
                kind = int(meta.get('imDatPrb_type', 0))
                even, odd, hp, vp, sp = (27, 11, 32, 20, 0) if kind == 0 else (27, 27, 32, 15, 250 if kind in (24, 2013, 2014) else 0)
                expected = [(sh * sp + (even if row % 2 == 0 else odd) + col * hp, row * vp) for sh, col, row, used in entries]
            f = h5py.File(sys.argv[2], 'r')
            e = f['ephys']
            pos = e['channel_positions_um'][:]
            n = len(expected)
            assert pos.shape == (n + 1, 2), pos.shape
            assert np.allclose(pos[:n], np.array(expected, dtype=np.float32)), (pos[:4], expected[:4])
            assert np.isnan(pos[n]).all(), pos[n]
            names = [v.decode() if isinstance(v, bytes) else v for v in e['channel_names'][:]]
            assert names[0] == 'AP0' and names[-1] == 'SY0', (names[0], names[-1])
            if shanks > 1:
                sh = e['channel_shank'][:]
                assert list(sh[:n]) == [int(t[0]) for t in entries] and sh[n] == -1
                assert len(set(sh[:n])) > 1
            else:
                assert 'channel_shank' not in e
            print('ok')
            """,
            folder.File("run_g0_t0.imec0.ap.meta"),
            output,
            shanks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("ok", check.Trim());
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.TestData;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Tests;

public class FilterCommandTests
{
    private const string WriteRecording = """
        import sys, numpy as np
        rng = np.random.default_rng(int(sys.argv[4]))
        x = rng.integers(-1500, 1500, size=(int(sys.argv[2]), int(sys.argv[3])), dtype=np.int16)
        x.tofile(sys.argv[1])
        """;

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_FiltersOn384ChannelInt16_MaskMatchesNumpy()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        string output = folder.File("o.h5");
        Python.Run(WriteRecording, input, "30000", "384", "7");

        // The second window runs past the end of the 1 s recording: its last rows are outside, and never pass.
        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", input, "--ephys-gain-uv", "2.34375", "--channels", "10-73", "--times", "0.2,0.9", "--before", "0.05", "--after", "0.15",
            "--filter", "abs(signal) < 2 mV", "--filter", "ephys: channel != 20 and t >= 0.16 s", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['ephys/data'][:].astype(np.float64)
            g = f['ephys/gain_to_uV'][:]
            ch = f['ephys/channel_ids'][:]
            ts = f['ephys/timestamps'][:]
            si = f['ephys/source_index'][:]
            assert np.array_equal(ch, np.arange(10, 74))
            expected = (np.abs(d * g) < 2000) & (ch != 20) & (ts >= 0.16)[..., None] & (si >= 0)[..., None]
            m = f['ephys/mask']
            assert m.shape == d.shape and m.dtype == np.uint8
            assert np.array_equal(m[:], expected.astype(np.uint8)), np.argwhere(m[:] != expected)[:5]
            assert np.array_equal(f['ephys/kept_fraction'][:], expected.mean(axis=(1, 2)))
            assert (si < 0).any() and 0.2 < expected.mean() < 0.9
            assert f.attrs['filter'] == '(abs(signal) < 2 mV) AND (ephys: channel != 20 and t >= 0.16 s)', f.attrs['filter']
            print(repr(float(expected.mean())))
            """,
            output);
        double kept = double.Parse(check.Trim(), CultureInfo.InvariantCulture);
        Assert.Contains($"keeps {kept:P2} of the values (mask in /ephys/mask", stdout);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_MicrovoltUnits_FilterJudgesTheScaledValuesOnce()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        string output = folder.File("o.h5");
        Python.Run(WriteRecording, input, "3000", "8", "11");

        // With --units uV the data are already microvolts: the gain must not be applied a second time.
        var (code, _, stderr) = CliRunner.Run(
            "--ephys", input, "--ephys-channels", "8", "--ephys-gain-uv", "0.195", "--units", "uV", "--time", "0", "--after", "0.1",
            "--filter", "signal > 100 uV", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['ephys/data'][:]
            assert d.dtype == np.float32 and f['ephys'].attrs['units'] == 'uV'
            assert np.array_equal(f['ephys/mask'][:], (d.astype(np.float64) > 100).astype(np.uint8))
            assert 0.1 < f['ephys/mask'][:].mean() < 0.9
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_UnitMismatch_FailsWithCaretBeforeOpeningAnyFile()
    {
        using var folder = new TempFolder();

        // The recording does not even exist: the rule is refused first.
        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", folder.File("missing.dat"), "--time", "1", "--filter", "signal > 3 s", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal(
            "neuro-align: error: filter \"signal > 3 s\": cannot compare a voltage (signal) with a time (3 s)\n" +
            "    signal > 3 s\n" +
            "             ^^^\n",
            stderr.ReplaceLineEndings("\n"));
        Assert.Empty(folder.FileNames());
    }

    [Theory]
    [InlineData("video: signal > 100", "the scope names video, which is not loaded (loaded: ephys)", "^^^^^")]
    [InlineData("signal >> 3", "after '>', found '>'", "        ^")]
    [InlineData("sigal > 3", "unknown name 'sigal'", "^^^^^")]
    [InlineData("(signal > 3", "this '(' is never closed", "^")]
    public void Export_BadRule_ExitsTwoWithCaret(string rule, string reason, string caret)
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 100, 4);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--ephys-channels", "4", "--time", "0", "--filter", rule, "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        string[] lines = stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Contains(reason, lines[0]);
        Assert.Equal("    " + rule, lines[1]);
        Assert.Equal("    " + caret, lines[2]);
        Assert.Equal(["f.dat"], folder.FileNames());
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Info_WithFilter_ReportsKeptCountOfWholeRecording()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        Python.Run(WriteRecording, input, "200000", "32", "3");

        var (code, stdout, stderr) = CliRunner.Run("info", "--filter", "signal > 0.1 mV or t < 0.5 s", "--ephys-channels", "32", "--ephys-gain-uv", "0.195", input);

        Assert.True(code == 0, stderr);
        Match m = Regex.Match(stdout, @"filter: signal > 0\.1 mV or t < 0\.5 s keeps [0-9.]+ % of the values \((\d+) of (\d+); 200000 samples");
        Assert.True(m.Success, stdout);
        string expected = Python.Run(
            """
            import sys, numpy as np
            x = np.fromfile(sys.argv[1], dtype='<i2').reshape(-1, 32).astype(np.float64)
            t = (np.arange(x.shape[0]) / 30000)[:, None]
            keep = (x * 0.195 > 100) | (t < 0.5)
            print(int(keep.sum()), keep.size)
            """,
            input);
        Assert.Equal(expected.Trim(), $"{m.Groups[1].Value} {m.Groups[2].Value}");
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_VideoAndEphysRules_MaskEachModalityByItsRules()
    {
        using var folder = new TempFolder();
        string video = IndexPatternVideo.Write(folder.File("index.avi"), 90, "30000/1001", new FrameSize(32, 24));
        string ephys = folder.File("e.dat");
        SyntheticEphys.WriteInt16(ephys, 100_000, 4);
        string output = folder.File("o.h5");

        // Frame k shows gray level k everywhere; the unscoped rule applies to ephys only.
        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", ephys, "--ephys-channels", "4", "--video", video, "--time", "1", "--before", "0.2", "--after", "0.5",
            "--filter", "video: signal >= 30 and t < 1.4 s", "--filter", "signal > 0", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("video: filter video: signal >= 30 and t < 1.4 s keeps", stdout);
        Assert.Contains("ephys: filter signal > 0 keeps", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            v = f['video/data'][:]
            vt = f['video/timestamps'][:]
            expected = (v >= 30) & (vt < 1.4)[:, :, None, None]
            assert np.array_equal(f['video/mask'][:], expected.astype(np.uint8))
            assert 0 < expected.mean() < 1
            assert np.array_equal(f['video/kept_fraction'][:], expected.mean(axis=(1, 2, 3)))
            e = f['ephys/data'][:].astype(np.float64) * f['ephys/gain_to_uV'][:]
            assert np.array_equal(f['ephys/mask'][:], (e > 0).astype(np.uint8))
            assert f['video'].attrs['filter'] == 'video: signal >= 30 and t < 1.4 s'
            assert f['ephys'].attrs['filter'] == 'signal > 0'
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Info_VideoWithFilter_CountsPixelsOfTheWholeVideo()
    {
        using var folder = new TempFolder();
        string video = IndexPatternVideo.Write(folder.File("index.avi"), 90, "30000/1001", new FrameSize(32, 24));

        var (code, stdout, stderr) = CliRunner.Run("info", "--filter", "video: signal > 50", video);

        // Frames 51..89 pass entirely: 39 frames of 32 × 24 pixels.
        Assert.True(code == 0, stderr);
        Assert.Contains($"keeps {39.0 / 90:P2} of the values ({39 * 32 * 24} of {90 * 32 * 24}; 90 samples", stdout);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Demo_FilterBelow15Millivolts_MasksChannelsZeroTo99()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("demo", "--dir", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains($"ephys: filter ephys: signal < 15 mV keeps {101.0 / 385:P2} of the values", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['ephys/data'][0].astype(np.float64) * f['ephys/gain_to_uV'][:]
            m = f['ephys/mask'][0]
            assert np.array_equal(m, (d < 15000).astype(np.uint8))
            # AP channels 0-99 pass; so does the SY word (column 384: 0 or 64 counts at 1 uV per count)
            assert m[:, :100].all() and not m[:, 100:384].any() and m[:, 384].all()
            print(repr(float(f['ephys/kept_fraction'][0])))
            """,
            Path.Combine(folder.Path, "aligned.h5"));
        Assert.Equal((101.0 / 385).ToString("R", CultureInfo.InvariantCulture), check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Export_FmriAndEphys_UnscopedRuleAppliesToBothScopedToOne()
    {
        using var folder = new TempFolder();
        string ephys = folder.File("e.dat");
        SyntheticEphys.WriteInt16(ephys, 5 * 30_000, 4);
        string image = Samples.DemoSession.WriteFmri(folder.Path);
        string output = folder.File("o.h5");

        // Volume k holds 1000 k + 100 x + 10 y + z (TR 0.5 s); the window's grid is 2.5 s and 3 s: volumes 5 and 6.
        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", ephys, "--ephys-channels", "4", "--fmri", image, "--fmri-cache", folder.File("cache"), "--time", "2.5", "--after", "1",
            "--filter", "signal > 0.8", "--filter", "fmri: signal < 5400 or t >= 3.5 s", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("fmri: filter (signal > 0.8) AND (fmri: signal < 5400 or t >= 3.5 s) keeps 25.00 % of the values", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['fmri/data'][:].astype(np.float64)
            t = f['fmri/timestamps'][:][:, :, None, None, None]
            assert np.array_equal(f['fmri/source_index'][0], [5, 6])
            expected = (d > 0.8) & ((d < 5400) | (t >= 3.5))
            assert np.array_equal(f['fmri/mask'][:], expected.astype(np.uint8))
            e = f['ephys/data'][:].astype(np.float64) * f['ephys/gain_to_uV'][:]
            assert np.array_equal(f['ephys/mask'][:], (e > 0.8).astype(np.uint8))
            assert f['ephys'].attrs['filter'] == 'signal > 0.8'
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_UnscopedVoltageRuleWithFmri_ExplainsTheScope()
    {
        using var folder = new TempFolder();

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", folder.File("e.dat"), "--fmri", folder.File("b.nii"), "--time", "1", "--filter", "signal > 3 mV", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        Assert.Contains("fmri signal has no unit (it is the scaled intensity) (a rule without scope applies to ephys and fmri: start it with 'ephys:'", stderr);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void Info_FmriWithFilter_CountsVoxelsOfEveryVolume()
    {
        using var folder = new TempFolder();
        string image = Samples.DemoSession.WriteFmri(folder.Path);

        var (code, stdout, stderr) = CliRunner.Run("info", "--fmri-cache", folder.File("cache"), "--filter", "fmri: signal >= 5000", image);

        // Volumes 5, 6 and 7 of 8 pass entirely: 3 × 192 of 8 × 192 voxels.
        Assert.True(code == 0, stderr);
        Assert.Contains($"keeps {3.0 / 8:P2} of the values ({3 * 192} of {8 * 192}; 8 samples", stdout);
    }

    [Fact]
    public void Info_RuleScopedToFmri_ExitsTwo()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 100, 4);

        var (code, stdout, stderr) = CliRunner.Run("info", "--filter", "fmri: signal > 3", "--ephys-channels", "4", input);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("the scope names fmri, which is not loaded (loaded: ephys)", stderr);
    }
}

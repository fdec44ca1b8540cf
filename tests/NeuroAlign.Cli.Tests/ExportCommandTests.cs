using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

public class ExportCommandTests
{
    private const string WriteRecording = """
        import sys, numpy as np
        rng = np.random.default_rng(5)
        x = rng.integers(-32768, 32767, size=(int(sys.argv[2]), 384), dtype=np.int16)
        x.tofile(sys.argv[1])
        """;

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_NumpyRecording_MatchesNumpySliceInH5py()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        string output = folder.File("o.h5");
        Python.Run(WriteRecording, input, "120000");

        var (code, stdout, stderr) = CliRunner.Run("--ephys", input, "--time", "2.5", "--after", "1", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("wrote", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.memmap(sys.argv[1], dtype=np.int16, mode='r').reshape(-1, 384)
            f = h5py.File(sys.argv[2], 'r')
            d = f['ephys/data']
            assert d.shape == (1, 30000, 384), d.shape
            assert d.dtype == np.int16
            assert np.array_equal(d[0], x[75000:105000])
            assert f['ephys/source_index'][0, 0] == 75000
            assert np.array_equal(f['ephys/source_index'][0], np.arange(75000, 105000))
            assert f['ephys/timestamps'][0, 0] == 2.5
            assert np.allclose(f['ephys/timestamps'][0], 2.5 + np.arange(30000) / 30000, atol=1e-12)
            assert np.allclose(f['ephys/source_time'][0], 2.5 + np.arange(30000) / 30000, atol=1e-12)
            assert np.array_equal(f['ephys/gain_to_uV'][:], np.ones(384))
            assert np.array_equal(f['ephys/channel_ids'][:], np.arange(384))
            assert f['ephys/channel_ids'].dtype == np.int32
            assert np.array_equal(f['windows/time'][:], [2.5])
            a = f.attrs
            assert a['schema_version'] == 2
            assert f['ephys'].attrs['modality'] == 'ephys'
            for k in ['neuroalign_version', 'created_utc', 'command_line', 'reference_stream']:
                assert isinstance(a[k], str) and a[k], k
            assert a['before_s'] == 0 and a['after_s'] == 1
            assert f['ephys'].attrs['format'] == 'raw'
            assert f['ephys'].attrs['native_rate_hz'] == 30000
            print('ok')
            """,
            input,
            output);
        Assert.Equal("ok", check.Trim());
        Assert.Equal(["f.dat", "o.h5"], folder.FileNames());
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_ChannelSubsetBeforeAndLinear_MatchesNumpy()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        string output = folder.File("o.h5");
        Python.Run(WriteRecording, input, "60000");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", input, "--time", "1", "--before", "0.5", "--after", "0.25", "--channels", "10-12,300", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.memmap(sys.argv[1], dtype=np.int16, mode='r').reshape(-1, 384)
            f = h5py.File(sys.argv[2], 'r')
            assert np.array_equal(f['ephys/data'][0], x[15000:37500][:, [10, 11, 12, 300]])
            assert np.array_equal(f['ephys/channel_ids'][:], [10, 11, 12, 300])
            assert abs(f['ephys/timestamps'][0, 0] - 0.5) < 1e-12
            print('ok')
            """,
            input,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_TimeNearEnd_MarksSamplesOutsideAndSaysHowMany()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        string output = folder.File("o.h5");
        Python.Run(WriteRecording, input, "30000");

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0.5", "--after", "1", "--out", output);

        Assert.Equal(0, code);
        Assert.Contains("15000 of 30000 samples in 1 window(s) fell outside", stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            x = np.memmap(sys.argv[1], dtype=np.int16, mode='r').reshape(-1, 384)
            f = h5py.File(sys.argv[2], 'r')
            si = f['ephys/source_index'][0]
            assert np.array_equal(si[:15000], np.arange(15000, 30000)) and (si[15000:] == -1).all()
            assert np.isnan(f['ephys/source_time'][0, 15000:]).all()
            assert np.array_equal(f['ephys/data'][0, :15000], x[15000:]) and (f['ephys/data'][0, 15000:] == 0).all()
            assert f['ephys'].attrs['samples_outside'] == 15000 and f.attrs['windows_incomplete'] == 1
            print('ok')
            """,
            input,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_MissingFile_OneLineAndNoOutput()
    {
        using var folder = new TempFolder();

        var (code, _, stderr) = CliRunner.Run("--ephys", folder.File("nope.dat"), "--time", "1", "--out", folder.File("o.h5"));

        AssertOneLineError(code, stderr, "nope.dat", "no such file");
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void Export_TruncatedFile_SaysLeftoverBytesAndWritesNothing()
    {
        using var folder = new TempFolder();
        string input = folder.File("t.dat");
        File.WriteAllBytes(input, new byte[(384 * 2 * 100) + 5]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--out", folder.File("o.h5"));

        AssertOneLineError(code, stderr, "t.dat", "5 bytes left over");
        Assert.Equal(["t.dat"], folder.FileNames());
    }

    [Theory]
    [InlineData("abc", "'abc' is not a finite number")]
    [InlineData("nan", "'nan' is not a finite number")]
    [InlineData("inf", "'inf' is not a finite number")]
    [InlineData("1e999", "is not a finite number")]
    public void Export_BadTime_UsageError(string time, string expected)
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 10]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", time, "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        AssertOneLineError(1, stderr, "--time", expected);
        Assert.Equal(["f.dat"], folder.FileNames());
    }

    [Fact]
    public void Export_UnknownDtype_ListsTheKnownOnes()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 10]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--ephys-dtype", "int12", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        AssertOneLineError(1, stderr, "int12", "int16, uint16, int32, float32");
    }

    [Fact]
    public void Export_OutputFolderMissing_SaysSoBeforeWork()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 10]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--out", folder.File("missing/o.h5"));

        AssertOneLineError(code, stderr, "--out", "no such folder");
    }

    [Fact]
    public void Export_OutputIsTheInput_Refused()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 10]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--out", input);

        AssertOneLineError(code, stderr, "--out", "is the input");
        Assert.Equal(384 * 2 * 10, new FileInfo(input).Length);
    }

    [Theory]
    [InlineData("--ephys-chanels", "did you mean --ephys-channels?")]
    [InlineData("--bogus", "unknown option '--bogus'")]
    public void Export_UnbuiltOrUnknownFlag_RefusedNotIgnored(string flag, string expected)
    {
        var (code, _, stderr) = CliRunner.Run("--ephys", "x.dat", "--time", "0", flag, "1");

        Assert.Equal(2, code);
        AssertOneLineError(1, stderr, flag, expected);
    }

    [Fact]
    public void Help_ListsTheOriginalFlags()
    {
        var (code, stdout, _) = CliRunner.Run("--help");

        Assert.Equal(0, code);
        foreach (string flag in new[] { "--ephys", "--video", "--fmri", "--time", "--filter", "--before", "--after", "--out", "--ephys-channels", "--ephys-rate", "--ephys-dtype", "--ephys-header-bytes", "info", "demo" })
        {
            Assert.Contains(flag, stdout);
        }
    }

    [Fact]
    public void Version_PrintsVersion()
    {
        var (code, stdout, _) = CliRunner.Run("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^neuro-align \d+\.\d+\.\d+", stdout);
    }

    internal static void AssertOneLineError(int code, string stderr, params string[] expected)
    {
        Assert.NotEqual(0, code);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got: {stderr}");
        Assert.StartsWith("neuro-align: error: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
        foreach (string e in expected)
        {
            Assert.Contains(e, lines[0]);
        }
    }
}

using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>Where windows come from, output rates, compression: checked with h5py and numpy.</summary>
public class ExportWindowsTests
{
    private static string Recording(TempFolder folder, int samples)
    {
        string input = folder.File("f.dat");
        Python.Run(
            """
            import sys, numpy as np
            rng = np.random.default_rng(9)
            rng.integers(-2000, 2000, size=(int(sys.argv[2]), 384), dtype=np.int16).tofile(sys.argv[1])
            """,
            input,
            samples.ToString());
        return input;
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_TimesEventsAndGrid_WindowsWhereAsked()
    {
        using var folder = new TempFolder();
        string input = Recording(folder, 150_000); // 5 s
        string events = folder.File("events.tsv");
        File.WriteAllText(events, "onset\tduration\ttrial_type\n0.5\t1\tgo\n1.25\t1\tstop\n3.0\t1\tgo\n");

        var times = CliRunner.Run("--ephys", input, "--times", "0.1,2.5", "--after", "0.1", "--out", folder.File("times.h5"));
        var fromEvents = CliRunner.Run("--ephys", input, "--events", events, "--event-filter", "trial_type=go", "--after", "0.1", "--level", "4", "--out", folder.File("events.h5"));
        var grid = CliRunner.Run("--ephys", input, "--every", "1", "--before", "0.25", "--after", "0.5", "--compression", "none", "--out", folder.File("grid.h5"));

        Assert.True(times.Code == 0, times.Error);
        Assert.True(fromEvents.Code == 0, fromEvents.Error);
        Assert.True(grid.Code == 0, grid.Error);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            d = sys.argv[1]
            x = np.memmap(d + '/f.dat', dtype=np.int16, mode='r').reshape(-1, 384)
            f = h5py.File(d + '/times.h5', 'r')
            assert np.array_equal(f['windows/time'][:], [0.1, 2.5])
            assert f['ephys/data'].shape == (2, 3000, 384)
            assert np.array_equal(f['ephys/data'][1], x[75000:78000]) and np.array_equal(f['ephys/data'][0], x[3000:6000])
            assert f['ephys/data'].compression == 'gzip'
            f = h5py.File(d + '/events.h5', 'r')
            assert np.array_equal(f['windows/time'][:], [0.5, 3.0])
            assert np.array_equal(f['ephys/source_index'][:, 0], [15000, 90000])
            assert f['ephys/data'].compression_opts == 4 and np.array_equal(f['ephys/data'][1], x[90000:93000])
            f = h5py.File(d + '/grid.h5', 'r')
            assert np.allclose(f['windows/time'][:], [0.25, 1.25, 2.25, 3.25, 4.25])
            assert f['ephys/data'].shape == (5, 22500, 384) and f['ephys/data'].compression is None
            assert (f['ephys/source_index'][:] >= 0).all()
            # Uncompressed windows that are runs of the recording go out straight from its mapping.
            for w, si in enumerate(f['ephys/source_index'][:]):
                assert np.array_equal(si, si[0] + np.arange(22500)) and np.array_equal(f['ephys/data'][w], x[si[0]:si[0] + 22500]), w
            assert f.attrs['window_source'] == '--every'
            print('ok')
            """,
            folder.Path);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Export_RateBelowNative_LowPassesThenPicksEveryThirtiethSample()
    {
        using var folder = new TempFolder();
        string input = folder.File("sine.dat");
        string output = folder.File("o.h5");
        // 20 Hz sine (passes a 400 Hz low-pass) plus 9 kHz (must not alias into the 1 kHz output).
        Python.Run(
            """
            import sys, numpy as np
            t = np.arange(90000) / 30000
            x = np.round(1000 * np.sin(2 * np.pi * 20 * t) + 1000 * np.sin(2 * np.pi * 9000 * t)).astype(np.int16)
            np.repeat(x[:, None], 4, axis=1).tofile(sys.argv[1])
            """,
            input);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--ephys-channels", "4", "--time", "1", "--after", "1", "--rate", "ephys=1000", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['ephys/data'][0]
            assert d.shape == (1000, 4), d.shape
            si = f['ephys/source_index'][0]
            assert np.array_equal(si, 30000 + 30 * np.arange(1000))
            expected = 1000 * np.sin(2 * np.pi * 20 * si / 30000)
            err = np.abs(d[:, 0] - expected).max()
            assert err < 15, err   # the 9 kHz tone is gone; without the low-pass it would add up to 1000
            assert f['ephys'].attrs['output_rate_hz'] == 1000 and 'FIR' in f['ephys'].attrs['anti_aliasing']
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Export_DropIncomplete_LeavesOutWindowsPastTheEnd()
    {
        using var folder = new TempFolder();
        string input = Recording(folder, 60_000); // 2 s
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--times", "0.5,1.5,1.9", "--after", "0.2", "--drop-incomplete", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("left out 1 of 3 windows", stderr);
        Assert.Equal("[0.5 1.5]", Python.Run("import sys, h5py; print(h5py.File(sys.argv[1], 'r')['windows/time'][:])", output).Trim());
    }

    [Theory]
    [InlineData(new[] { "--time", "1", "--times", "1,2" }, "give one source of window times")]
    [InlineData(new[] { "--level", "10", "--time", "1" }, "--level: compression level 10: gzip takes 0 to 9")]
    [InlineData(new[] { "--compression", "lzf", "--time", "1" }, "--compression: compression: 'lzf' is not one of gzip, zstd, lz4, bitshuffle-lz4, bitshuffle-zstd, none")]
    [InlineData(new[] { "--rate", "ephys=fast", "--time", "1" }, "'fast' is not a positive rate")]
    [InlineData(new[] { "--times", "1,,2" }, "'' is not a finite number")]
    [InlineData(new[] { "--every", "-1" }, "--every: -1 is negative")]
    public void Export_BadWindowOptions_OneLine(string[] options, string expected)
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 30_000]);

        var (code, _, stderr) = CliRunner.Run(["--ephys", input, "--out", folder.File("o.h5"), .. options]);

        ExportCommandTests.AssertOneLineError(code, stderr, expected);
        Assert.Equal(["f.dat"], folder.FileNames());
    }

    [Fact]
    public void Export_RateForUnloadedModality_Refused()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        File.WriteAllBytes(input, new byte[384 * 2 * 30_000]);

        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--time", "0", "--rate", "video=30", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "no stream or modality 'video' is loaded");
    }
}

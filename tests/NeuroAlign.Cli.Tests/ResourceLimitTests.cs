using NeuroAlign.Cli.Tests.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Requests that would exhaust memory or disk are refused before anything is read or written, with
/// the estimate in the one-line message (issue 17): a whole plan past --max-output-gb, a window
/// past one buffer, a down-sampling filter past its most taps.
/// </summary>
public sealed class ResourceLimitTests
{
    [Theory]
    [InlineData(new[] { "--every", "0.001", "--after", "0.01", "--max-output-gb", "0.001" }, "the export would write 16.", "raise --max-output-gb to 1 if that is meant")]
    [InlineData(new[] { "--time", "0", "--after", "2000" }, "one window of ephys would hold 3.36 GB", "lower --rate for ephys or shorten the window")]
    [InlineData(new[] { "--time", "0", "--rate", "ephys=1e-9" }, "option --rate: an output rate of 1E-09 Hz from 30000 Hz needs an anti-aliasing filter of", "the most is 1048576 (an output rate of at least 1.57 Hz)")]
    public void Export_PlanTooLarge_RefusedWithItsEstimateBeforeWriting(string[] options, string expected, string advice)
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);

        var (code, stdout, stderr) = CliRunner.Run(["--ephys", recording, "--ephys-channels", "16", .. options, "--out", folder.File("o.h5")]);

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, expected, advice);
        Assert.Empty(stdout);
        Assert.Equal(["rec.dat"], folder.FileNames());
    }

    [Theory]
    [InlineData("1e-7", "16.78 GB of aligned data before compression (9.99E+06 windows × 1.68 kB)")]
    [InlineData("1e-300", "(9.99E+299 windows × 1.68 kB)")]
    [InlineData("5e-324", "would write an unbounded amount of aligned data before compression (1.79769E+308 windows × 1.68 kB)")]
    public void Export_TinyEvery_RefusedByTheEstimateBeforeTheTimesAreMade(string every, string expected)
    {
        // 1e-7 s over a second is 10^7 windows: their times alone were an 80 MB array made before
        // the size was checked; 1e-300 overflowed the window count (exit 70).
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var (code, stdout, stderr) = CliRunner.Run("--ephys", recording, "--ephys-channels", "16", "--every", every, "--after", "0.001", "--max-output-gb", "1", "--out", folder.File("o.h5"));

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(code == 2, stderr);
        ExportCommandTests.AssertOneLineError(code, stderr, "the export would write", expected);
        Assert.True(allocated < 64L << 20, $"allocated {allocated >> 20} MiB");
        Assert.Empty(stdout);
        Assert.Equal(["rec.dat"], folder.FileNames());
    }

    [Fact]
    public void Export_UnderTheRaisedLimit_Writes()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);

        var (code, _, stderr) = CliRunner.Run("--ephys", recording, "--ephys-channels", "16", "--every", "0.1", "--after", "0.05", "--max-output-gb", "0.001", "--out", folder.File("o.h5"));

        Assert.True(code == 0, stderr);
    }
}

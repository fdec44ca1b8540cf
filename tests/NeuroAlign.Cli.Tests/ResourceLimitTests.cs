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

    [Fact]
    public void Export_UnderTheRaisedLimit_Writes()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);

        var (code, _, stderr) = CliRunner.Run("--ephys", recording, "--ephys-channels", "16", "--every", "0.1", "--after", "0.05", "--max-output-gb", "0.001", "--out", folder.File("o.h5"));

        Assert.True(code == 0, stderr);
    }
}

using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Commands;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

public class InputsFingerprintTests
{
    private static string Of(params string[] args) => InputsFingerprint.Compute(ParsedArgs.Parse(args, ExportCommand.Settings).Values, ExportCommand.Settings);

    [Fact]
    public void Compute_OutputShardAndOptionOrder_DoNotChangeIt()
    {
        using var folder = new TempFolder();
        string bin = folder.File("run.imec0.ap.bin");
        File.WriteAllText(bin, "samples");

        string a = Of("--ephys", bin, "--time", "1", "--after", "0.5", "--out", "a.h5", "--shard", "0/2");
        string b = Of("--after", "0.5", "--time", "1", "--ephys", bin, "--out", "b.h5", "--shard", "1/2");

        Assert.Equal(a, b);
        Assert.Equal(64, a.Length);
        Assert.NotEqual(a, Of("--ephys", bin, "--time", "1", "--after", "0.6"));
    }

    [Fact]
    public void Compute_RelativeOrAbsolutePath_Same()
    {
        using var folder = new TempFolder();
        string bin = folder.File("x.dat");
        File.WriteAllText(bin, "samples");
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, bin);

        Assert.Equal(Of("--ephys", bin, "--time", "1"), Of("--ephys", relative, "--time", "1"));
    }

    [Fact]
    public void Compute_CompanionMetaChanges_Changes()
    {
        using var folder = new TempFolder();
        string bin = folder.File("run.imec0.ap.bin");
        File.WriteAllText(bin, "samples");
        File.WriteAllText(folder.File("run.imec0.ap.meta"), "imSampRate=30000");
        string before = Of("--ephys", bin, "--time", "1");

        File.WriteAllText(folder.File("run.imec0.ap.meta"), "imSampRate=30000.5");

        Assert.NotEqual(before, Of("--ephys", bin, "--time", "1"));
        Assert.Contains($"file {folder.File("run.imec0.ap.meta")} 18 ", InputsFingerprint.Describe(ParsedArgs.Parse(["--ephys", bin], ExportCommand.Settings).Values, ExportCommand.Settings));
    }

    [Fact]
    public void Compute_OutputBesideTheInput_NotAnInput()
    {
        using var folder = new TempFolder();
        string bin = folder.File("run.dat");
        File.WriteAllText(bin, "samples");
        string before = Of("--ephys", bin, "--time", "1");

        File.WriteAllText(folder.File("run.h5"), "an earlier export");

        Assert.Equal(before, Of("--ephys", bin, "--time", "1"));
    }

    [Fact]
    public void Compute_FolderInput_EveryFileInside()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("rec/continuous"));
        File.WriteAllText(folder.File("rec/structure.oebin"), "{}");
        File.WriteAllText(folder.File("rec/continuous/continuous.dat"), "samples");
        string before = Of("--ephys", folder.File("rec"), "--time", "1");

        File.SetLastWriteTimeUtc(folder.File("rec/continuous/continuous.dat"), DateTime.UtcNow.AddMinutes(1));

        Assert.NotEqual(before, Of("--ephys", folder.File("rec"), "--time", "1"));
    }

    [Fact]
    public void Compute_PulseFileInsideAnOptionValue_Counts()
    {
        using var folder = new TempFolder();
        string bin = folder.File("a.dat");
        string pulses = folder.File("pulses.txt");
        File.WriteAllText(bin, "samples");
        File.WriteAllText(pulses, "1.0\n2.0\n");
        string before = Of("--ephys", bin, "--ephys", bin, "--sync-line", $"ephys_1={pulses}", "--time", "1");

        File.WriteAllText(pulses, "1.0\n2.0\n3.0\n");

        Assert.NotEqual(before, Of("--ephys", bin, "--ephys", bin, "--sync-line", $"ephys_1={pulses}", "--time", "1"));
    }

    [Fact]
    public void Compute_FmriCacheFolder_Ignored()
    {
        using var folder = new TempFolder();
        string bin = folder.File("a.dat");
        File.WriteAllText(bin, "samples");

        Assert.Equal(Of("--ephys", bin, "--time", "1", "--fmri-cache", folder.Path), Of("--ephys", bin, "--time", "1", "--fmri-cache", "/elsewhere"));
    }
}

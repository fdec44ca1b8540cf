using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>The reading example in docs/output-format.md runs against a real export.</summary>
public class OutputFormatExampleTests
{
    [Slow]
    [RequiresFact(Needs.Python)]
    public void Example_ReadsARealExport()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 60_000, 384);
        string output = folder.File("o.h5");
        var (code, _, stderr) = CliRunner.Run("--ephys", input, "--times", "0.5,1", "--after", "0.5", "--ephys-gain-uv", "0.195", "--out", output);
        Assert.True(code == 0, stderr);

        string printed = Python.Run(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "examples", "read_export.py")), output);

        Assert.Contains("2 windows, ephys (2, 15000, 384) int16", printed);
    }

    [Fact]
    public void OutputFormatDoc_ShowsTheExample()
    {
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "output-format.md"));

        Assert.Contains("docs/examples/read_export.py", doc);
        Assert.Contains("torch.utils.data.Dataset", doc);
    }
}

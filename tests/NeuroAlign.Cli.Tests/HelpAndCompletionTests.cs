using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Help and shell completion come from the same declarations as parsing (issue 16): every option
/// of a command is listed with its value and default, and completion offers commands and options.
/// </summary>
public sealed class HelpAndCompletionTests
{
    [Theory]
    [InlineData("export")]
    [InlineData("info")]
    [InlineData("sync")]
    [InlineData("demo")]
    [InlineData("merge")]
    [InlineData("batch")]
    [InlineData("slurm submit")]
    [InlineData("slurm status")]
    public void CommandHelp_ListsEveryOptionWithItsValueAndDefault(string name)
    {
        CliCommand command = Program.Commands.Single(c => c.Name == name);

        var (code, stdout, _) = CliRunner.Run([.. name.Split(' '), "--help"]);

        Assert.Equal(0, code);
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"Usage: neuro-align {command.Synopsis}", lines[0], StringComparison.Ordinal);
        foreach (Setting setting in command.Settings)
        {
            string left = setting.IsSwitch ? $"  --{setting.Key} " : $"  --{setting.Key} {setting.ValueName} ";
            string line = Assert.Single(lines, l => l.StartsWith(left, StringComparison.Ordinal));
            if (setting.DefaultText is { } d)
            {
                Assert.EndsWith($"(default: {d})", line, StringComparison.Ordinal);
            }
        }

        // Only that command's options: merge's help does not offer the inputs of an export.
        Assert.Equal(command.Settings.Count, lines.Count(l => l.StartsWith("  --", StringComparison.Ordinal)));
    }

    [Fact]
    public void Completion_OffersCommandsThenTheCommandsOptions()
    {
        Assert.Equal(["merge"], Complete("neuro-align mer"));
        Assert.Equal(["status", "submit"], Complete("neuro-align slurm s").Order(StringComparer.Ordinal));
        Assert.Contains("--video-sync", Complete("neuro-align export --video-s"));
        Assert.Contains("--remove-shards", Complete("neuro-align merge --"));
        Assert.DoesNotContain("--ephys", Complete("neuro-align merge --"));

        // Without a command: the export's options, as the original command line has them.
        Assert.Contains("--fmri", Complete("neuro-align --fm"));
    }

    [Fact]
    public void Completion_ThroughTheCommandLine_OnePerLine()
    {
        const string line = "neuro-align batch --only";
        var (code, stdout, _) = CliRunner.Run($"[suggest:{line.Length}]", line);

        Assert.Equal(0, code);
        Assert.Equal("--only-missing\n", stdout.ReplaceLineEndings("\n"));
    }

    private static string[] Complete(string line) =>
        [.. CommandTree.Completions(Program.Commands, line, line.Length).Where(c => c.StartsWith(line.Split(' ')[^1], StringComparison.Ordinal))];
}

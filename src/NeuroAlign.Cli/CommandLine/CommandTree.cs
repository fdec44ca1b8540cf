using System.CommandLine;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>One command of the tool: its words (<c>slurm status</c>), its synopsis, its options and what runs it.</summary>
/// <param name="Name">The words after <c>neuro-align</c> that select it.</param>
/// <param name="Synopsis">How it is called, for help: <c>info FILE... [options]</c>.</param>
/// <param name="Summary">What it does, one line.</param>
/// <param name="Settings">Every option it takes.</param>
/// <param name="Run">Runs it on the parsed arguments; returns the exit code. Null for a command that parses its own words (slurm submit).</param>
internal sealed record CliCommand(string Name, string Synopsis, string Summary, IReadOnlyList<Setting> Settings, Func<ParsedArgs, CliContext, int>? Run);

/// <summary>
/// The commands as System.CommandLine symbols: one option per <see cref="Setting"/>, for parsing
/// (<see cref="ParsedArgs"/>) and for shell completion (<see cref="Completions"/>), so both come
/// from the same declarations as the help.
/// </summary>
internal static class CommandTree
{
    /// <summary>A command whose options are <paramref name="settings"/>, with the symbol of each.</summary>
    public static Command Symbols(string name, IReadOnlyList<Setting> settings, out Dictionary<Option, Setting> bySymbol)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // A plain command even for the root: RootCommand would add --help and --version options
        // of its own, which the tool handles before parsing (Program.Dispatch).
        var command = new Command(name);
        bySymbol = [];
        foreach (Setting setting in settings)
        {
            string flag = SettingOptions.Flag(setting.Key);
            Option option = setting.IsSwitch
                ? new Option<bool>(flag) { Arity = ArgumentArity.Zero, Description = setting.Help }
                : new Option<string[]>(flag) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false, HelpName = setting.ValueName, Description = setting.Help };
            command.Options.Add(option);
            bySymbol[option] = setting;
        }

        command.Arguments.Add(new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore });
        return command;
    }

    /// <summary>
    /// The completions of a partial command line at a cursor position, as bash's completion hook
    /// asks for them (<c>neuro-align [suggest:POSITION] "LINE"</c>, scripts/neuro-align-completion.bash):
    /// the commands, then each command's options.
    /// </summary>
    public static IEnumerable<string> Completions(IReadOnlyList<CliCommand> commands, string line, int position)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(line);

        // The first word is the tool's own name, as the shell passes it.
        int nameEnd = line.TrimStart().Length == 0 ? 0 : line.IndexOf(line.TrimStart().Split(' ')[0], StringComparison.Ordinal) + line.TrimStart().Split(' ')[0].Length;
        string rest = line[nameEnd..];
        int at = Math.Clamp(position - nameEnd, 0, rest.Length);
        var root = new RootCommand();
        foreach (Option option in Symbols("neuro-align", commands[0].Settings, out _).Options.ToArray())
        {
            root.Options.Add(option);
        }

        foreach (var group in commands.Skip(1).GroupBy(c => c.Name.Split(' ')[0]))
        {
            if (group.Count() == 1 && !group.First().Name.Contains(' ', StringComparison.Ordinal))
            {
                root.Subcommands.Add(Symbols(group.Key, group.First().Settings, out _));
                continue;
            }

            var parent = new Command(group.Key);
            foreach (CliCommand c in group)
            {
                parent.Subcommands.Add(Symbols(c.Name.Split(' ')[1], c.Settings, out _));
            }

            root.Subcommands.Add(parent);
        }

        return root.Parse(rest[..at]).GetCompletions(at).Select(c => c.Label).Where(l => !l.StartsWith('-') || l.StartsWith("--", StringComparison.Ordinal));
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>A wrong command line: printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : NeuroAlignException(message);

/// <summary>
/// The parsed command line. System.CommandLine tokenizes and matches it (inline <c>--opt=value</c>,
/// response files <c>@args.txt</c>, <c>--</c>); the mistakes it finds are rendered here as the one
/// line the error contract asks for, with the nearest option for a typo. Every option is a
/// <see cref="Setting"/>, parsed as it is read: commands get typed <see cref="Values"/>.
/// </summary>
internal sealed class ParsedArgs
{
    private ParsedArgs(SettingValues values) => Values = values;

    public List<string> Positionals { get; } = [];

    /// <summary>The options given, typed and in order: every option of a command is a <see cref="Setting"/>.</summary>
    public SettingValues Values { get; }

    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<Setting> settings)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(settings);
        Command command = CommandTree.Symbols("neuro-align", settings, out Dictionary<Option, Setting> bySymbol);
        ParseResult result = command.Parse(args.ToArray());
        var byFlag = settings.ToDictionary(s => SettingOptions.Flag(s.Key), StringComparer.Ordinal);
        if (result.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal) && t != "--") is { } unmatched)
        {
            throw Unknown(unmatched, settings);
        }

        foreach (OptionResult given in result.CommandResult.Children.OfType<OptionResult>())
        {
            Setting setting = bySymbol[given.Option];
            if (!setting.IsSwitch && given.Tokens.Count == 0)
            {
                throw new SettingException(setting, $"needs a value ({setting.ValueName})");
            }

            if (!setting.IsSwitch && !Repeatable(setting) && given.Tokens.Count > 1)
            {
                throw new SettingException(setting, $"given twice ('{given.Tokens[0].Value}' and '{given.Tokens[1].Value}'); it takes one value");
            }
        }

        if (result.Errors.Count > 0)
        {
            throw new UsageException(result.Errors[0].Message.ReplaceLineEndings(" ").TrimEnd('.'));
        }

        // The order the user gave: option tokens, each with the value token that follows it.
        var parsed = new ParsedArgs(new SettingValues());
        IReadOnlyList<Token> tokens = result.Tokens;
        bool afterDoubleDash = false;
        for (int i = 0; i < tokens.Count; i++)
        {
            Token token = tokens[i];
            if (token.Type == TokenType.Option && byFlag.TryGetValue(token.Value, out Setting? setting))
            {
                // A repeatable option given once with a value and once more at the very end has
                // tokens in total, so the check above passes; this occurrence still has none.
                if (!setting.IsSwitch && (i + 1 >= tokens.Count || tokens[i + 1].Type != TokenType.Argument))
                {
                    throw new SettingException(setting, $"needs a value ({setting.ValueName})");
                }

                parsed.Values.Add(setting, setting.IsSwitch ? null : tokens[++i].Value);
            }
            else if (token.Type == TokenType.DoubleDash)
            {
                afterDoubleDash = true;
                parsed.Positionals.Add(token.Value);
            }
            else if (token.Type == TokenType.Argument)
            {
                // A word that looks like an option but is none lands among the positionals: a typo.
                if (!afterDoubleDash && token.Value.StartsWith("--", StringComparison.Ordinal))
                {
                    throw Unknown(token.Value, settings);
                }

                parsed.Positionals.Add(token.Value);
            }
        }

        return parsed;
    }

    /// <summary>Whether the option may be given more than once: repeatable settings, and per-stream ones (one value per stream).</summary>
    public static bool Repeatable(Setting setting) => setting.Repeatable || setting.Scope == SettingScope.PerStream;

    /// <summary>An option no setting names, with the nearest one for a typo; a switch given a value says so.</summary>
    private static UsageException Unknown(string token, IReadOnlyList<Setting> settings)
    {
        string name = token.Split('=', 2)[0];
        if (settings.FirstOrDefault(s => SettingOptions.Flag(s.Key) == name) is { IsSwitch: true })
        {
            return new UsageException($"option {name} takes no value, found '{token[(name.Length + 1)..]}'");
        }

        string? guess = settings.Select(s => SettingOptions.Flag(s.Key)).OrderBy(n => EditDistance.Between(n, name)).FirstOrDefault();
        string hint = guess != null && EditDistance.Between(guess, name) <= 3 ? $" (did you mean {guess}?)" : string.Empty;
        return new UsageException($"unknown option '{name}'{hint}; see --help");
    }

    /// <summary>
    /// The options as arguments again (positionals first), without those in <paramref name="leaveOut"/>:
    /// how a command hands the same work to another process.
    /// </summary>
    public List<string> ToArguments(params Setting[] leaveOut)
    {
        var arguments = new List<string>(Positionals);
        foreach (var (setting, value) in Values.Given.Where(g => !leaveOut.Contains(g.Setting)))
        {
            arguments.Add(SettingOptions.Flag(setting.Key));
            if (value != null)
            {
                arguments.Add(value);
            }
        }

        return arguments;
    }
}

/// <summary>Help text from settings: flag, value, help and default, one line each.</summary>
internal static class HelpText
{
    public static string Options(IEnumerable<Setting> settings)
    {
        var lines = settings.Select(s => (Left: s.IsSwitch ? SettingOptions.Flag(s.Key) : $"{SettingOptions.Flag(s.Key)} {s.ValueName}", Help: SettingOptions.HelpLine(s))).ToArray();
        int width = lines.Max(l => l.Left.Length) + 2;
        return string.Join(Environment.NewLine, lines.Select(l => $"  {l.Left.PadRight(width)}{l.Help}"));
    }
}

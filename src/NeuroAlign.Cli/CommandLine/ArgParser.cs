using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>A wrong command line: printed as one line, exit code 2.</summary>
internal sealed class UsageException(string message) : NeuroAlignException(message);

/// <summary>One option a command accepts.</summary>
/// <param name="Name">Long name with dashes: --time.</param>
/// <param name="ValueName">Placeholder shown in help (SECONDS); null for a flag without a value.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Repeatable">Whether the option may be given more than once.</param>
internal sealed record OptionSpec(string Name, string? ValueName, string Help, bool Repeatable = false)
{
    public bool TakesValue => ValueName != null;

    /// <summary>Whether the value names a file or folder (by the placeholder's convention: PATH, FILE, JSON).</summary>
    public bool TakesPath => ValueName is "PATH" or "[NAME=]PATH" or "FILE" or "JSON";
}

/// <summary>
/// The parsed command line. System.CommandLine tokenizes and matches it (inline <c>--opt=value</c>,
/// response files <c>@args.txt</c>, <c>--</c>); the mistakes it finds are rendered here as the one
/// line the error contract asks for, with the nearest option for a typo. Commands then read typed
/// values: <see cref="SettingOptions.Read"/> turns the options that are Core settings into
/// <c>SettingValues</c>.
/// </summary>
internal sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly List<(string Name, string? Value)> _given = [];

    public List<string> Positionals { get; } = [];

    /// <summary>The options as given, in order: a flag's value is null.</summary>
    public IReadOnlyList<(string Name, string? Value)> Given => _given;

    public static ParsedArgs Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var command = new Command("neuro-align");
        var bySymbol = new Dictionary<Option, OptionSpec>();
        foreach (OptionSpec spec in specs)
        {
            Option option = spec.TakesValue
                ? new Option<string[]>(spec.Name) { Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false, HelpName = spec.ValueName, Description = spec.Help }
                : new Option<bool>(spec.Name) { Arity = ArgumentArity.Zero, Description = spec.Help };
            command.Options.Add(option);
            bySymbol[option] = spec;
        }

        var positionals = new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore };
        command.Arguments.Add(positionals);
        ParseResult result = command.Parse(args.ToArray());
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (result.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal) && t != "--") is { } unmatched)
        {
            throw Unknown(unmatched, specs);
        }

        foreach (OptionResult given in result.CommandResult.Children.OfType<OptionResult>())
        {
            OptionSpec spec = bySymbol[given.Option];
            if (spec.TakesValue && given.Tokens.Count == 0)
            {
                throw new UsageException($"option {spec.Name} needs a value ({spec.ValueName})");
            }

            if (spec.TakesValue && !spec.Repeatable && given.Tokens.Count > 1)
            {
                throw new UsageException($"option {spec.Name} was given twice ('{given.Tokens[0].Value}' and '{given.Tokens[1].Value}'); it takes one value");
            }
        }

        if (result.Errors.Count > 0)
        {
            throw new UsageException(result.Errors[0].Message.ReplaceLineEndings(" ").TrimEnd('.'));
        }

        // The order the user gave: option tokens, each with the value token that follows it.
        var parsed = new ParsedArgs();
        IReadOnlyList<Token> tokens = result.Tokens;
        bool afterDoubleDash = false;
        for (int i = 0; i < tokens.Count; i++)
        {
            Token token = tokens[i];
            if (token.Type == TokenType.Option && byName.TryGetValue(token.Value, out OptionSpec? spec))
            {
                if (!spec.TakesValue)
                {
                    parsed._flags.Add(spec.Name);
                    parsed._given.Add((spec.Name, null));
                    continue;
                }

                string value = tokens[++i].Value;
                if (!parsed._values.TryGetValue(spec.Name, out List<string>? list))
                {
                    parsed._values[spec.Name] = list = [];
                }

                list.Add(value);
                parsed._given.Add((spec.Name, value));
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
                    throw Unknown(token.Value, specs);
                }

                parsed.Positionals.Add(token.Value);
            }
        }

        return parsed;
    }

    /// <summary>An option no spec names, with the nearest one for a typo; a flag given a value says so.</summary>
    private static UsageException Unknown(string token, IReadOnlyList<OptionSpec> specs)
    {
        string name = token.Split('=', 2)[0];
        if (specs.FirstOrDefault(s => s.Name == name) is { TakesValue: false })
        {
            return new UsageException($"option {name} takes no value, found '{token[(name.Length + 1)..]}'");
        }

        string? guess = specs.Select(s => s.Name).OrderBy(n => Distance(n, name)).FirstOrDefault();
        string hint = guess != null && Distance(guess, name) <= 3 ? $" (did you mean {guess}?)" : string.Empty;
        return new UsageException($"unknown option '{name}'{hint}; see --help");
    }

    /// <summary>
    /// The options as arguments again (positionals first), without those in <paramref name="leaveOut"/>:
    /// how a command hands the same work to another process.
    /// </summary>
    public List<string> ToArguments(params string[] leaveOut)
    {
        var arguments = new List<string>(Positionals);
        foreach (var (name, value) in _given.Where(g => !leaveOut.Contains(g.Name)))
        {
            arguments.Add(name);
            if (value != null)
            {
                arguments.Add(value);
            }
        }

        return arguments;
    }

    public bool Has(string name) => _flags.Contains(name) || _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out List<string>? v) ? v[0] : null;

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out List<string>? v) ? v : [];

    public double GetDouble(string name, double defaultValue, bool allowNegative = true)
    {
        string? text = Get(name);
        return text == null ? defaultValue : ParseSeconds(name, text, allowNegative);
    }

    public int GetInt(string name, int defaultValue, int minimum)
    {
        string? text = Get(name);
        if (text == null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            throw new UsageException($"option {name}: '{text}' is not a whole number ≥ {minimum}");
        }

        return value;
    }

    public long GetLong(string name, long defaultValue, long minimum)
    {
        string? text = Get(name);
        if (text == null)
        {
            return defaultValue;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < minimum)
        {
            throw new UsageException($"option {name}: '{text}' is not a whole number ≥ {minimum}");
        }

        return value;
    }

    /// <summary>A finite number, as users type it (invariant culture: 2.5, never 2,5).</summary>
    public static double ParseSeconds(string name, string text, bool allowNegative = true)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new UsageException($"option {name}: '{text}' is not a finite number");
        }

        if (!allowNegative && value < 0)
        {
            throw new UsageException($"option {name}: {text} is negative; expected zero or more");
        }

        return value;
    }

    /// <summary>Edit distance, for "did you mean" hints.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>Help text from option specs.</summary>
internal static class HelpText
{
    public static string Options(IEnumerable<OptionSpec> specs)
    {
        var lines = specs.Select(s => (Left: s.TakesValue ? $"{s.Name} {s.ValueName}" : s.Name, s.Help)).ToArray();
        int width = lines.Max(l => l.Left.Length) + 2;
        return string.Join(Environment.NewLine, lines.Select(l => $"  {l.Left.PadRight(width)}{l.Help}"));
    }
}

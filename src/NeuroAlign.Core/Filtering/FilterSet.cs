namespace NeuroAlign.Filtering;

/// <summary>One parsed rule, such as <c>ephys: abs(signal) &lt; 500 uV</c>.</summary>
public sealed class FilterRule
{
    private FilterRule(ParsedRule parsed) => Parsed = parsed;

    /// <summary>The rule as written.</summary>
    public string Text => Parsed.Text;

    /// <summary>The name before ':' (a modality or a stream), or null: an unscoped rule applies to the modalities that take unscoped rules (ephys and fMRI).</summary>
    public string? Scope => Parsed.Scope;

    internal ParsedRule Parsed { get; }

    /// <summary>Parses a rule; a syntax error or a bad unit throws <see cref="FilterSyntaxException"/>. Names are resolved by <see cref="FilterSet.Validate"/>.</summary>
    /// <param name="text">The rule.</param>
    /// <param name="vocabulary">The scopes on offer, to sharpen messages ("'signal' is a variable, not a function"); optional.</param>
    public static FilterRule Parse(string text, FilterVocabulary? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FilterRule(FilterParser.Parse(text, vocabulary?.VariableNames));
    }

    /// <summary>
    /// Whether the rule applies to a stream: its scope names the stream or the stream's modality;
    /// without scope, whether the modality takes unscoped rules (ephys and fMRI, as in the original tool).
    /// </summary>
    public bool AppliesTo(FilterStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Scope is { } scope ? scope == stream.Name || scope == stream.Scope.Name : stream.Scope.AppliesUnscoped;
    }

    public override string ToString() => Text;
}

/// <summary>
/// The rules of one command (several --filter options), combined with AND per stream. Parse it
/// once, <see cref="Validate"/> it against the offered and loaded modalities before any file is
/// opened, then <see cref="Compile"/> one evaluator per stream once it is open.
/// </summary>
public sealed class FilterSet
{
    private FilterVocabulary? _vocabulary;

    private FilterSet(IReadOnlyList<FilterRule> rules) => Rules = rules;

    public IReadOnlyList<FilterRule> Rules { get; }

    /// <summary>The rules as one line, for the output's <c>filter</c> attribute: each rule, joined by " AND ".</summary>
    public string Text => string.Join(" AND ", Rules.Select(r => Rules.Count == 1 ? r.Text : $"({r.Text})"));

    /// <summary>Parses every rule; the first bad one throws <see cref="FilterSyntaxException"/>.</summary>
    public static FilterSet Parse(IEnumerable<string> rules, FilterVocabulary? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var parsed = rules.Select(r => FilterRule.Parse(r, vocabulary)).ToArray();
        if (parsed.Length == 0)
        {
            throw new ArgumentException("at least one rule is needed", nameof(rules));
        }

        return new FilterSet(parsed) { _vocabulary = vocabulary };
    }

    /// <summary>Whether any rule applies to <paramref name="stream"/>.</summary>
    public bool AppliesTo(FilterStream stream) => Rules.Any(r => r.AppliesTo(stream));

    /// <summary>
    /// Checks every rule against the streams a command loads, before any file is opened: an
    /// unknown scope, a scope naming a modality that is not loaded or is ambiguous, a rule that
    /// applies to nothing loaded, or a name, unit or type that does not fit a stream it applies to
    /// throws <see cref="FilterSyntaxException"/>. Names a file's columns may supply are checked
    /// again by <see cref="Compile"/>, once the file is open.
    /// </summary>
    public void Validate(FilterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
        foreach (FilterRule rule in Rules)
        {
            foreach (FilterStream target in Targets(rule.Parsed, vocabulary))
            {
                FilterChecker.Check(rule.Parsed, target, vocabulary);
            }
        }
    }

    /// <summary>
    /// Compiles the rules that apply to <paramref name="target"/>'s stream into one evaluator (their AND).
    /// Throws <see cref="FilterSyntaxException"/> when a rule does not fit the stream (a column
    /// its file does not have) and <see cref="InvalidOperationException"/> when no rule applies
    /// (check <see cref="AppliesTo"/>).
    /// </summary>
    public CompiledFilter Compile(FilterTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var rules = Rules.Where(r => r.AppliesTo(target.Stream)).ToArray();
        if (rules.Length == 0)
        {
            throw new InvalidOperationException($"no rule applies to {target.Stream.Name}");
        }

        FilterVocabulary vocabulary = _vocabulary ?? FilterVocabulary.Of(target.Stream);
        foreach (FilterRule rule in rules)
        {
            FilterChecker.Check(rule.Parsed, target.Stream, vocabulary);
        }

        return FilterCompiler.Compile(target, rules.Select(r => r.Parsed).ToArray());
    }

    /// <summary>The loaded streams a rule applies to; a scope that names nothing usable throws, with the caret under it.</summary>
    private static FilterStream[] Targets(ParsedRule rule, FilterVocabulary vocabulary)
    {
        IReadOnlyList<string> loadedScopes = vocabulary.LoadedScopes;
        string have = loadedScopes.Count == 0 ? "none" : string.Join(", ", loadedScopes);
        if (rule.Scope is not { } name)
        {
            FilterStream[] unscoped = vocabulary.Loaded.Where(s => s.Scope.AppliesUnscoped).ToArray();
            if (unscoped.Length == 0)
            {
                IReadOnlyList<string> defaults = vocabulary.UnscopedScopes;
                string[] offer = loadedScopes.Where(n => vocabulary.Known.First(k => k.Name == n).Variables.Count > 0).ToArray();
                string start = offer.Length == 0 ? string.Empty : $"; start it with {string.Join(" or ", offer.Select(n => $"'{n}:'"))} to filter {FilterVocabulary.List(offer)}";
                throw Error(rule, 0, rule.Text.Length, $"a rule without scope applies to {FilterVocabulary.List(defaults, "and")}, and {(defaults.Count == 2 ? "neither" : "none")} is loaded (loaded: {have}){start}");
            }

            return unscoped;
        }

        FilterScope? modality = vocabulary.Known.FirstOrDefault(k => k.Name == name);
        FilterStream[] streams = vocabulary.Loaded.Where(s => s.Scope.Name == name).ToArray();
        FilterStream? namesake = vocabulary.Loaded.FirstOrDefault(s => s.Name == name && s.Scope.Name != name);
        if (modality is not null && streams.Length > 0)
        {
            if (namesake is not null)
            {
                throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"'{name}' names both the {name} modality and the {namesake.Scope.Name} stream {name}: name that stream otherwise to filter it alone");
            }

            if (modality.Variables.Count == 0)
            {
                throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"{name} offers no filter variables: no rule applies to its streams");
            }

            // Columns differ from file to file: a modality's name stands for one file's columns only when one is loaded.
            if (streams.Length > 1 && modality.FileColumns is not null && FirstName(rule.Body, v => v.Quoted || modality.Find(v.Name) is null) is { } column)
            {
                throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"{streams.Length} {name} streams are loaded ({string.Join(", ", streams.Select(s => s.Name))}), each with its own columns, and the rule reads '{column.Name}': start it with the stream's name, e.g. '{streams[0].Name}:'");
            }

            return streams;
        }

        if (vocabulary.Loaded.FirstOrDefault(s => s.Name == name) is { } stream)
        {
            return stream.Scope.Variables.Count == 0
                ? throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"{name} is a {stream.Scope.Name} stream, which offers no filter variables")
                : [stream];
        }

        if (modality is not null)
        {
            throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"the scope names {name}, which is not loaded (loaded: {have})");
        }

        string[] streamNames = vocabulary.Loaded.Select(s => s.Name).Where(n => !loadedScopes.Contains(n)).ToArray();
        string expected = loadedScopes.Count == 0
            ? "a loaded modality (none is loaded)"
            : streamNames.Length == 0 ? FilterVocabulary.List(loadedScopes) : $"{string.Join(", ", loadedScopes)} or a stream's name ({FilterVocabulary.List(streamNames)})";
        string suggestion = FilterParser.Suggest(name, vocabulary.Known.Select(k => k.Name).Concat(streamNames));
        throw Error(rule, rule.ScopeStart, rule.ScopeLength, $"unknown scope '{name}': expected {expected}{suggestion}");
    }

    /// <summary>The first name in <paramref name="node"/> that satisfies <paramref name="match"/>, or null.</summary>
    private static VariableNode? FirstName(FilterNode node, Func<VariableNode, bool> match) => node switch
    {
        VariableNode v => match(v) ? v : null,
        NegateNode n => FirstName(n.Operand, match),
        NotNode n => FirstName(n.Operand, match),
        ArithmeticNode n => FirstName(n.Left, match) ?? FirstName(n.Right, match),
        ComparisonNode n => FirstName(n.Left, match) ?? FirstName(n.Right, match),
        LogicalNode n => FirstName(n.Left, match) ?? FirstName(n.Right, match),
        CallNode n => n.Arguments.Select(a => FirstName(a, match)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    private static FilterSyntaxException Error(ParsedRule rule, int start, int length, string reason) => new(rule.Text, start, length, reason);
}

namespace NeuroAlign.Filtering;

/// <summary>One parsed rule, such as <c>ephys: abs(signal) &lt; 500 uV</c>.</summary>
public sealed class FilterRule
{
    private FilterRule(ParsedRule parsed) => Parsed = parsed;

    /// <summary>The rule as written.</summary>
    public string Text => Parsed.Text;

    /// <summary>The modality named before ':', or null: an unscoped rule applies to ephys and fMRI.</summary>
    public ModalityKind? Scope => Parsed.Scope;

    internal ParsedRule Parsed { get; }

    /// <summary>Parses a rule; a syntax error, unknown name or bad unit throws <see cref="FilterSyntaxException"/>.</summary>
    public static FilterRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new FilterRule(FilterParser.Parse(text));
    }

    /// <summary>Whether the rule applies to a modality: its scope, or ephys and fMRI when it has none (as in the original tool).</summary>
    public bool AppliesTo(ModalityKind kind) => Scope is { } scope ? scope == kind : kind is ModalityKind.Ephys or ModalityKind.Fmri;

    public override string ToString() => Text;
}

/// <summary>
/// The rules of one command (several --filter options), combined with AND per modality. Parse it
/// once, <see cref="Validate"/> it against the loaded modalities before any work, then
/// <see cref="Compile"/> one evaluator per modality.
/// </summary>
public sealed class FilterSet
{
    private FilterSet(IReadOnlyList<FilterRule> rules) => Rules = rules;

    public IReadOnlyList<FilterRule> Rules { get; }

    /// <summary>The rules as one line, for the output's <c>filter</c> attribute: each rule, joined by " AND ".</summary>
    public string Text => string.Join(" AND ", Rules.Select(r => Rules.Count == 1 ? r.Text : $"({r.Text})"));

    /// <summary>Parses every rule; the first bad one throws <see cref="FilterSyntaxException"/>.</summary>
    public static FilterSet Parse(IEnumerable<string> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var parsed = rules.Select(FilterRule.Parse).ToArray();
        if (parsed.Length == 0)
        {
            throw new ArgumentException("at least one rule is needed", nameof(rules));
        }

        return new FilterSet(parsed);
    }

    /// <summary>Whether any rule applies to <paramref name="kind"/>.</summary>
    public bool AppliesTo(ModalityKind kind) => Rules.Any(r => r.AppliesTo(kind));

    /// <summary>
    /// Checks every rule against the modalities an export loads: a scope naming a modality that is
    /// not loaded, a rule that applies to nothing loaded, or a name, unit or type that does not fit a
    /// modality it applies to throws <see cref="FilterSyntaxException"/>.
    /// </summary>
    public void Validate(IReadOnlyCollection<ModalityKind> loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        string have = loaded.Count == 0 ? "none" : string.Join(", ", loaded.Distinct().Order().Select(k => k.Text()));
        foreach (FilterRule rule in Rules)
        {
            ParsedRule parsed = rule.Parsed;
            if (parsed.Scope is { } scope && !loaded.Contains(scope))
            {
                throw new FilterSyntaxException(parsed.Text, parsed.ScopeStart, parsed.ScopeLength, $"the scope names {scope.Text()}, which is not loaded (loaded: {have})");
            }

            var targets = loaded.Distinct().Where(rule.AppliesTo).ToArray();
            if (targets.Length == 0)
            {
                throw new FilterSyntaxException(parsed.Text, 0, parsed.Text.Length, $"a rule without scope applies to ephys and fmri, and neither is loaded (loaded: {have}); start it with {string.Join(" or ", loaded.Distinct().Select(k => $"'{k.Text()}:'"))} to filter {string.Join(" or ", loaded.Distinct().Select(k => k.Text()))}");
            }

            foreach (ModalityKind target in targets)
            {
                FilterChecker.Check(parsed, target);
            }
        }
    }

    /// <summary>
    /// Compiles the rules that apply to <paramref name="target"/>'s modality into one evaluator (their AND).
    /// Throws <see cref="FilterSyntaxException"/> when a rule does not fit the modality and
    /// <see cref="InvalidOperationException"/> when no rule applies (check <see cref="AppliesTo"/>).
    /// </summary>
    public CompiledFilter Compile(FilterTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var rules = Rules.Where(r => r.AppliesTo(target.Kind)).ToArray();
        if (rules.Length == 0)
        {
            throw new InvalidOperationException($"no rule applies to {target.Kind.Text()}");
        }

        foreach (FilterRule rule in rules)
        {
            FilterChecker.Check(rule.Parsed, target.Kind);
        }

        return FilterCompiler.Compile(target, rules.Select(r => r.Parsed).ToArray());
    }
}

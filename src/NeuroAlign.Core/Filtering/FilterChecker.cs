namespace NeuroAlign.Filtering;

/// <summary>
/// Checks names, units and types of a parsed rule for one stream: names its modality declares,
/// conditions where conditions belong, numbers where numbers belong, and dimensions that agree (a
/// voltage never meets a time). A number without unit takes the unit of what it meets: µV beside
/// ephys signal, seconds beside t. Before a file is open, a name its scope may get from the file's
/// columns passes as a number without unit; the check once it is open decides it.
/// </summary>
internal sealed class FilterChecker
{
    private readonly ParsedRule _rule;
    private readonly FilterStream _target;
    private readonly FilterVocabulary _vocabulary;

    private FilterChecker(ParsedRule rule, FilterStream target, FilterVocabulary vocabulary)
    {
        _rule = rule;
        _target = target;
        _vocabulary = vocabulary;
    }

    private FilterScope Scope => _target.Scope;

    /// <summary>The type of a node: a condition, or a number of some dimension.</summary>
    private readonly record struct NodeType(bool IsCondition, Dimension Dimension)
    {
        public static NodeType Condition => new(true, Dimension.None);

        public static NodeType Number(Dimension dimension) => new(false, dimension);
    }

    /// <summary>Throws <see cref="FilterSyntaxException"/> unless the rule is a well-typed condition for <paramref name="target"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="target">The stream it applies to, with its scope's variables.</param>
    /// <param name="vocabulary">Every scope offered, for messages (which modality has a name).</param>
    public static void Check(ParsedRule rule, FilterStream target, FilterVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var checker = new FilterChecker(rule, target, vocabulary);
        NodeType type = checker.TypeOf(rule.Body);
        if (!type.IsCondition)
        {
            throw checker.Error(rule.Body, $"the rule must be a condition such as signal > 0.8, found {checker.Describe(rule.Body, type)}");
        }
    }

    private NodeType TypeOf(FilterNode node) => node switch
    {
        NumberNode number => NodeType.Number(number.Unit?.Dimension ?? Dimension.Free),
        VariableNode variable => TypeOf(variable),
        NegateNode negate => NodeType.Number(NumberOf(negate.Operand, "'-'")),
        NotNode not => ConditionOf(not.Operand, "'not'"),
        ArithmeticNode arithmetic => TypeOf(arithmetic),
        ComparisonNode comparison => TypeOf(comparison),
        LogicalNode logical => TypeOf(logical),
        CallNode call => TypeOf(call),
        _ => throw new InvalidOperationException($"unexpected node {node.GetType().Name}"),
    };

    private NodeType TypeOf(VariableNode variable)
    {
        if (!variable.Quoted && Scope.IsShadowed(variable.Name) && Scope.Find(variable.Name) is { } own)
        {
            // Either reading would be a guess, and a wrong one is silent: the same rule means one
            // thing for a file with this column and another for a file without it.
            throw Error(variable, $"'{variable.Name}' is both {Where}'s {own.Name} ({own.Help}) and a column of its file: write `{variable.Name}` (in backticks) for the column");
        }

        if (Scope.Resolve(variable.Name, variable.Quoted) is { } declared)
        {
            return NodeType.Number(DimensionOf(declared.Quantity));
        }

        // A column of a file not yet open: checked again, by name, once the file is open.
        return Scope.IsComplete ? throw Unknown(variable) : NodeType.Number(Dimension.None);
    }

    internal static Dimension DimensionOf(FilterQuantity quantity) => quantity switch
    {
        FilterQuantity.Voltage => Dimension.Voltage,
        FilterQuantity.Time => Dimension.Time,
        _ => Dimension.None,
    };

    /// <summary>A name the target's scope does not declare: say who has it, or what the scope has.</summary>
    private FilterSyntaxException Unknown(VariableNode variable)
    {
        string name = variable.Name;
        if (variable.Quoted && Scope.FileColumns is not null)
        {
            // A name in backticks is a column's: say which columns there are, and what the bare name would read.
            string[] columns = Scope.Variables.Where(v => v.Source == VariableSource.Column).Select(Scope.Written).ToArray();
            string bare = Scope.Find(name) is { } own ? $"; without backticks, {name} is {own.Help}" : string.Empty;
            string listed = columns.Length == 0 ? "it has none" : $"its columns are {FilterVocabulary.List(columns, "and")}";
            return Error(variable, $"{Where} has no column '{name}': {listed}{bare}{FilterParser.Suggest($"`{name}`", columns)}");
        }

        string[] owners = _vocabulary.Known.Where(k => k.Name != Scope.Name && k.Find(name) is not null).Select(k => k.Name).ToArray();
        string variables = FilterVocabulary.List(Scope.WritableNames, "and");
        if (owners.Length == 1)
        {
            return Error(variable, $"'{name}' exists only for {owners[0]}, and this rule applies to {Where}{ScopeHint()}");
        }

        if (owners.Length > 1)
        {
            return Error(variable, $"{Where} has no '{name}': its variables are {variables}{ScopeHint()}");
        }

        if (_vocabulary.Known.Any(k => k.Name == name) || _vocabulary.Loaded.Any(s => s.Name == name))
        {
            return Error(variable, $"'{name}' is a scope: write it first, as in {name}: signal > 3");
        }

        string[] names = Scope.WritableNames.ToArray();
        return Error(variable, $"unknown name '{name}': expected {FilterVocabulary.List(names)}{FilterParser.Suggest(FilterLexer.AsWritten(name), names)}");
    }

    /// <summary>The stream the rule is being checked for: its modality, or "wheel (table)" for a stream named apart.</summary>
    private string Where => _target.Name == Scope.Name ? Scope.Name : $"{_target.Name} ({Scope.Name})";

    private NodeType TypeOf(ArithmeticNode node)
    {
        string op = $"'{node.Operator.Text()}'";
        Dimension left = NumberOf(node.Left, op);
        Dimension right = NumberOf(node.Right, op);
        switch (node.Operator)
        {
            case ArithmeticOperator.Add or ArithmeticOperator.Subtract:
                return Unify(left, right) is { } sum
                    ? NodeType.Number(sum)
                    : throw Mismatch(node.Left, left, node.Right, right, node.Operator == ArithmeticOperator.Add ? "cannot add {0} and {1}" : "cannot subtract {1} from {0}");
            case ArithmeticOperator.Multiply:
                if (IsPhysical(left) && IsPhysical(right))
                {
                    throw Error(node.Right, $"cannot multiply {Describe(node.Left, NodeType.Number(left))} by {Describe(node.Right, NodeType.Number(right))}: products of units are not supported{ScopeHint()}");
                }

                return NodeType.Number(IsPhysical(left) ? left : IsPhysical(right) ? right : Unify(left, right) ?? Dimension.None);
            default:
                if (IsPhysical(right))
                {
                    // A voltage over a voltage is a ratio (a plain number adopts the unit it meets: 5 / signal
                    // is 5 µV / signal); anything else over a unit would need units like 1/s.
                    return left == right || left == Dimension.Free
                        ? NodeType.Number(Dimension.None)
                        : throw Error(node.Right, $"cannot divide {Describe(node.Left, NodeType.Number(left))} by {Describe(node.Right, NodeType.Number(right))}: only a quantity divided by the same kind of quantity gives a number{ScopeHint()}");
                }

                return NodeType.Number(IsPhysical(left) ? left : Unify(left, right) ?? Dimension.None);
        }
    }

    private NodeType TypeOf(LogicalNode node)
    {
        string op = $"'{_rule.Text.Substring(node.OperatorStart, node.OperatorLength)}'";
        ConditionOf(node.Left, op);
        ConditionOf(node.Right, op);
        return NodeType.Condition;
    }

    private NodeType TypeOf(ComparisonNode node)
    {
        string op = $"'{node.Operator.Text()}'";
        Dimension left = NumberOf(node.Left, op);
        Dimension right = NumberOf(node.Right, op);
        return Unify(left, right) is null
            ? throw Mismatch(node.Left, left, node.Right, right, "cannot compare {0} with {1}")
            : NodeType.Condition;
    }

    private NodeType TypeOf(CallNode call)
    {
        string name = call.Function.Text();
        Dimension result = NumberOf(call.Arguments[0], name);
        for (int i = 1; i < call.Arguments.Count; i++)
        {
            Dimension next = NumberOf(call.Arguments[i], name);
            result = Unify(result, next) ?? throw Mismatch(call.Arguments[0], result, call.Arguments[i], next, $"cannot take the {name} of {{0}} and {{1}}");
        }

        return NodeType.Number(result);
    }

    /// <summary>The dimension of a node that must be a number, or an error naming the operator that needed it.</summary>
    private Dimension NumberOf(FilterNode node, string usedBy)
    {
        NodeType type = TypeOf(node);
        return type.IsCondition
            ? throw Error(node, $"{usedBy} needs a number, found a condition ({Excerpt(node)})")
            : type.Dimension;
    }

    private NodeType ConditionOf(FilterNode node, string usedBy)
    {
        NodeType type = TypeOf(node);
        return type.IsCondition
            ? type
            : throw Error(node, $"{usedBy} needs a condition such as signal > 0.8, found {Describe(node, type)}");
    }

    private static Dimension? Unify(Dimension a, Dimension b) =>
        a == Dimension.Free ? b : b == Dimension.Free ? a : a == b ? a : null;

    private static bool IsPhysical(Dimension d) => d is Dimension.Voltage or Dimension.Time;

    /// <summary>A dimension clash between two operands; the caret goes under the one written as a constant when only one is.</summary>
    private FilterSyntaxException Mismatch(FilterNode left, Dimension leftDimension, FilterNode right, Dimension rightDimension, string phrase)
    {
        FilterNode blamed = IsConstant(right) || !IsConstant(left) ? right : left;
        string reason = string.Format(
            System.Globalization.CultureInfo.InvariantCulture,
            phrase,
            Describe(left, NodeType.Number(leftDimension)),
            Describe(right, NodeType.Number(rightDimension)));
        if (Scope.Find("signal") is { Quantity: FilterQuantity.None } signal
            && (leftDimension == Dimension.Voltage || rightDimension == Dimension.Voltage)
            && (Reads(left, "signal") || Reads(right, "signal")))
        {
            reason += $": {Scope.Name} signal has no unit (it is {signal.Help})";
        }

        return Error(blamed, reason + ScopeHint());
    }

    private static bool Reads(FilterNode node, string name) => node switch
    {
        VariableNode v => v.Name == name && !v.Quoted,
        NegateNode n => Reads(n.Operand, name),
        NotNode n => Reads(n.Operand, name),
        ArithmeticNode n => Reads(n.Left, name) || Reads(n.Right, name),
        ComparisonNode n => Reads(n.Left, name) || Reads(n.Right, name),
        LogicalNode n => Reads(n.Left, name) || Reads(n.Right, name),
        CallNode n => n.Arguments.Any(a => Reads(a, name)),
        _ => false,
    };

    private static bool IsConstant(FilterNode node) => node switch
    {
        NumberNode => true,
        VariableNode => false,
        NegateNode n => IsConstant(n.Operand),
        NotNode n => IsConstant(n.Operand),
        ArithmeticNode n => IsConstant(n.Left) && IsConstant(n.Right),
        ComparisonNode n => IsConstant(n.Left) && IsConstant(n.Right),
        LogicalNode n => IsConstant(n.Left) && IsConstant(n.Right),
        CallNode n => n.Arguments.All(IsConstant),
        _ => false,
    };

    private string Describe(FilterNode node, NodeType type)
    {
        string what = type.IsCondition ? "a condition" : type.Dimension switch
        {
            Dimension.Voltage => "a voltage",
            Dimension.Time => "a time",
            Dimension.None => "a number without unit",
            _ => "a number",
        };
        return $"{what} ({Excerpt(node)})";
    }

    private string Excerpt(FilterNode node)
    {
        string text = _rule.Text[node.Start..node.End];
        return text.Length <= 40 ? text : text[..39] + "…";
    }

    /// <summary>For an unscoped rule failing on fMRI: how to keep it to ephys (the first modality unscoped rules apply to).</summary>
    private string ScopeHint()
    {
        IReadOnlyList<string> unscoped = _vocabulary.UnscopedScopes;
        return _rule.Scope is null && unscoped.Count > 1 && Scope.Name != unscoped[0]
            ? $" (a rule without scope applies to {FilterVocabulary.List(unscoped, "and")}: start it with '{unscoped[0]}:' to apply it to {unscoped[0]} only)"
            : string.Empty;
    }

    private FilterSyntaxException Error(FilterNode node, string reason) => new(_rule.Text, node.Start, node.Length, reason);
}

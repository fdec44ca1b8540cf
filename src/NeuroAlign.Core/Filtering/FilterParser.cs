namespace NeuroAlign.Filtering;

/// <summary>A rule after parsing: its optional scope and its expression.</summary>
/// <param name="Text">The rule as written.</param>
/// <param name="Scope">The name before ':' (a modality or a stream), or null for an unscoped rule; resolved by <see cref="FilterSet.Validate"/>.</param>
/// <param name="ScopeStart">Where the scope's name starts (0 when there is none).</param>
/// <param name="ScopeLength">Length of the scope's name (0 when there is none).</param>
/// <param name="Body">The condition.</param>
internal sealed record ParsedRule(string Text, string? Scope, int ScopeStart, int ScopeLength, FilterNode Body);

/// <summary>
/// Recursive-descent parser. Precedence, loosest first: or, and, not, comparison (not chainable),
/// + -, * /, unary minus, then numbers (with units), names, calls and parentheses. Names are not
/// resolved here: which variables exist depends on the streams a rule applies to
/// (<see cref="FilterChecker"/>); the names the modalities declare only sharpen messages.
/// </summary>
internal sealed class FilterParser
{
    private static readonly string[] Functions = ["abs", "min", "max"];
    private static readonly string[] Units = ["uV", "mV", "V", "s", "ms"];

    private readonly string _rule;
    private readonly List<Token> _tokens;
    private readonly string[] _variables;
    private int _next;

    private FilterParser(string rule, IEnumerable<string> variables)
    {
        _rule = rule;
        _tokens = FilterLexer.Tokenize(rule);
        _variables = variables.ToArray();
    }

    private Token Current => _tokens[_next];

    /// <param name="rule">The rule.</param>
    /// <param name="variables">The variable names the modalities declare, for messages ("'signal' is a variable, not a function"); may be empty.</param>
    public static ParsedRule Parse(string rule, IEnumerable<string>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parser = new FilterParser(rule, variables ?? []);
        return parser.ParseRule();
    }

    private ParsedRule ParseRule()
    {
        string? scope = null;
        int scopeStart = 0, scopeLength = 0;
        if (Current.Kind == TokenKind.Identifier && _tokens[_next + 1].Kind == TokenKind.Colon)
        {
            Token name = Current;
            scope = name.Text;
            scopeStart = name.Start;
            scopeLength = name.Length;
            _next += 2;
        }

        if (Current.Kind == TokenKind.End)
        {
            throw Error(Current, scope is null ? "the rule is empty: expected a condition such as signal > 0.8" : "nothing follows the scope: expected a condition such as signal > 0.8");
        }

        FilterNode body = ParseOr();
        Token extra = Current;
        if (extra.Kind != TokenKind.End)
        {
            throw extra.Kind switch
            {
                TokenKind.RightParen => Error(extra, "unbalanced parentheses: this ')' has no matching '('"),
                TokenKind.Colon => Error(extra, "a scope (ephys:, fmri:, video:) can only start a rule"),
                _ => Error(extra, $"expected an operator (and, or, >, +, …) or the end of the rule, found {extra.Describe()}"),
            };
        }

        return new ParsedRule(_rule, scope, scopeStart, scopeLength, body);
    }

    private FilterNode ParseOr()
    {
        FilterNode left = ParseAnd();
        while (Current.Kind == TokenKind.Or)
        {
            Token op = Take();
            FilterNode right = ParseAnd();
            left = new LogicalNode(LogicalOperator.Or, left, right, op.Start, op.Length);
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        FilterNode left = ParseNot();
        while (Current.Kind == TokenKind.And)
        {
            Token op = Take();
            FilterNode right = ParseNot();
            left = new LogicalNode(LogicalOperator.And, left, right, op.Start, op.Length);
        }

        return left;
    }

    private FilterNode ParseNot()
    {
        if (Current.Kind == TokenKind.Not)
        {
            Token op = Take();
            FilterNode operand = ParseNot();
            return new NotNode(operand, op.Start, operand.End);
        }

        return ParseComparison();
    }

    private FilterNode ParseComparison()
    {
        FilterNode left = ParseAdditive();
        if (ComparisonOf(Current.Kind) is not { } op)
        {
            return left;
        }

        Token opToken = Take();
        FilterNode right = ParseAdditive();
        if (ComparisonOf(Current.Kind) is not null)
        {
            throw Error(Current, "comparisons cannot be chained: write a < signal and signal < b");
        }

        return new ComparisonNode(op, left, right, opToken.Start, opToken.Length);
    }

    private FilterNode ParseAdditive()
    {
        FilterNode left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            Token op = Take();
            FilterNode right = ParseMultiplicative();
            var kind = op.Kind == TokenKind.Plus ? ArithmeticOperator.Add : ArithmeticOperator.Subtract;
            left = new ArithmeticNode(kind, left, right, op.Start, op.Length);
        }

        return left;
    }

    private FilterNode ParseMultiplicative()
    {
        FilterNode left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            Token op = Take();
            FilterNode right = ParseUnary();
            var kind = op.Kind == TokenKind.Star ? ArithmeticOperator.Multiply : ArithmeticOperator.Divide;
            left = new ArithmeticNode(kind, left, right, op.Start, op.Length);
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        if (Current.Kind == TokenKind.Minus)
        {
            Token op = Take();
            FilterNode operand = ParseUnary();
            return new NegateNode(operand, op.Start, operand.End);
        }

        if (Current.Kind == TokenKind.Plus)
        {
            throw Error(Current, "unary '+' is not supported: write the number without it");
        }

        return ParsePrimary();
    }

    private FilterNode ParsePrimary()
    {
        Token token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                return ParseNumber();
            case TokenKind.Identifier:
                return ParseName();
            case TokenKind.LeftParen:
                {
                    Take();
                    FilterNode inner = ParseOr();
                    if (Current.Kind != TokenKind.RightParen)
                    {
                        throw Current.Kind == TokenKind.End
                            ? Error(token, "unbalanced parentheses: this '(' is never closed")
                            : Error(Current, $"expected ')' to close the '(' at position {token.Start + 1}, found {Current.Describe()}");
                    }

                    Token close = Take();
                    return inner with { Start = token.Start, End = close.End };
                }

            default:
                string after = _next > 0 ? $" after {_tokens[_next - 1].Describe()}" : string.Empty;
                throw token.Kind == TokenKind.RightParen && _next > 0 && _tokens[_next - 1].Kind == TokenKind.LeftParen
                    ? Error(token, "empty parentheses: expected a value inside")
                    : Error(token, $"expected a value (a number, signal, t, channel, a function or '('){after}, found {token.Describe()}");
        }
    }

    private NumberNode ParseNumber()
    {
        Token number = Take();
        if (Current is { Kind: TokenKind.Identifier, Quoted: false })
        {
            Token word = Current;
            FilterUnit? unit = FilterUnit.Find(word.Text);
            if (unit is not null)
            {
                Take();
                return new NumberNode(FilterLexer.ParseNumber(number.Text, unit.PowerOfTen), unit, number.Start, word.End);
            }

            // "3mv" is surely a unit; "3 mv" too, and "3 mW" when it is no name of the language but
            // near a unit's (a name after a number is never valid, so only the message is at stake).
            string nearUnit = Suggest(word.Text, Units);
            bool isName = Array.IndexOf(_variables, word.Text) >= 0 || Array.IndexOf(Functions, word.Text) >= 0;
            bool unitInOtherCase = Array.Exists(Units, u => string.Equals(u, word.Text, StringComparison.OrdinalIgnoreCase));
            if (word.Start == number.End || unitInOtherCase || (!isName && _variables.Length > 0 && nearUnit.Length > 0))
            {
                throw Error(word, $"unknown unit '{word.Text}': expected {FilterUnit.Names}{nearUnit}");
            }
        }

        return new NumberNode(FilterLexer.ParseNumber(number.Text, 0), null, number.Start, number.End);
    }

    private FilterNode ParseName()
    {
        Token name = Take();
        if (name.Quoted)
        {
            // A name in backticks is a column's, whatever it spells (`abs`, `mV`, `pupil size`, `t`).
            return new VariableNode(name.Text, name.Start, name.End, Quoted: true);
        }

        if (Current.Kind == TokenKind.LeftParen)
        {
            FilterFunction function = name.Text switch
            {
                "abs" => FilterFunction.Abs,
                "min" => FilterFunction.Min,
                "max" => FilterFunction.Max,
                _ when Array.IndexOf(_variables, name.Text) >= 0 => throw Error(name, $"'{name.Text}' is a variable, not a function"),
                _ => throw Error(name, $"unknown function '{name.Text}': expected abs, min or max{Suggest(name.Text, Functions)}"),
            };
            return ParseCall(name, function);
        }

        return name.Text switch
        {
            _ when Array.IndexOf(Functions, name.Text) >= 0 => throw Error(name, $"'{name.Text}' is a function: write {name.Text}(…)"),
            _ when FilterUnit.Find(name.Text) is not null => throw Error(name, $"the unit '{name.Text}' must follow a number, as in 3 {name.Text}"),
            _ => new VariableNode(name.Text, name.Start, name.End),
        };
    }

    private CallNode ParseCall(Token name, FilterFunction function)
    {
        Token open = Take();
        var arguments = new List<FilterNode>();
        if (Current.Kind == TokenKind.RightParen)
        {
            throw Error(Current, $"{name.Text}() needs {(function == FilterFunction.Abs ? "one argument" : "at least two arguments")}");
        }

        while (true)
        {
            arguments.Add(ParseOr());
            if (Current.Kind == TokenKind.Comma)
            {
                Take();
                continue;
            }

            if (Current.Kind == TokenKind.RightParen)
            {
                break;
            }

            throw Current.Kind == TokenKind.End
                ? Error(open, "unbalanced parentheses: this '(' is never closed")
                : Error(Current, $"expected ',' or ')' in the arguments of {name.Text}, found {Current.Describe()}");
        }

        Token close = Take();
        var call = new CallNode(function, arguments, name.Start, close.End);
        if (function == FilterFunction.Abs && arguments.Count != 1)
        {
            throw Error(arguments[1].Start, close.End - arguments[1].Start - 1, $"abs takes one argument, found {arguments.Count}");
        }

        if (function != FilterFunction.Abs && arguments.Count < 2)
        {
            throw Error(call.Start, call.Length, $"{name.Text} takes at least two arguments, found 1");
        }

        return call;
    }

    private Token Take() => _tokens[_next++];

    private static ComparisonOperator? ComparisonOf(TokenKind kind) => kind switch
    {
        TokenKind.Greater => ComparisonOperator.Greater,
        TokenKind.GreaterEqual => ComparisonOperator.GreaterEqual,
        TokenKind.Less => ComparisonOperator.Less,
        TokenKind.LessEqual => ComparisonOperator.LessEqual,
        TokenKind.Equal => ComparisonOperator.Equal,
        TokenKind.NotEqual => ComparisonOperator.NotEqual,
        _ => null,
    };

    private FilterSyntaxException Error(Token token, string reason) => Error(token.Start, token.Length, reason);

    private FilterSyntaxException Error(int start, int length, string reason) => new(_rule, start, length, reason);

    /// <summary>"; did you mean 'signal'?" for a near miss (case or up to two edits), else nothing.</summary>
    internal static string Suggest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = string.Equals(word, candidate, StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance.Between(word, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= Math.Min(2, Math.Max(1, word.Length / 2)) ? $"; did you mean '{best}'?" : string.Empty;
    }
}

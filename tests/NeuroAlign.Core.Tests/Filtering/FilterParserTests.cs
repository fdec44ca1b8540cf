using NeuroAlign.Filtering;

namespace NeuroAlign.Core.Tests.Filtering;

public sealed class FilterParserTests
{
    [Fact]
    public void Parse_SimpleComparison_BuildsComparisonOfSignalAndNumber()
    {
        ParsedRule rule = FilterParser.Parse("signal > 0.8");

        var comparison = Assert.IsType<ComparisonNode>(rule.Body);
        Assert.Equal(ComparisonOperator.Greater, comparison.Operator);
        Assert.Equal("signal", Assert.IsType<VariableNode>(comparison.Left).Name);
        Assert.Equal(0.8, Assert.IsType<NumberNode>(comparison.Right).Value);
        Assert.Null(rule.Scope);
    }

    [Theory]
    [InlineData("signal > 1 or signal < -1 and t > 2", "(signal > 1) or ((signal < -(1)) and (t > 2))")]
    [InlineData("signal > 1 || signal < 2 && t > 3", "(signal > 1) or ((signal < 2) and (t > 3))")]
    [InlineData("not signal > 3", "not (signal > 3)")]
    [InlineData("!signal > 3 and t < 1", "(not (signal > 3)) and (t < 1)")]
    [InlineData("not not t > 1", "not (not (t > 1))")]
    [InlineData("-signal * 2 + 1 > 0", "(((-(signal) * 2) + 1) > 0)")]
    [InlineData("signal - 1 - 2 > 0", "(((signal - 1) - 2) > 0)")]
    [InlineData("signal / 2 / 4 > 0", "(((signal / 2) / 4) > 0)")]
    [InlineData("signal - (1 - 2) > 0", "((signal - (1 - 2)) > 0)")]
    [InlineData("min(signal, 1, t) >= abs(-channel)", "(min(signal, 1, t) >= abs(-(channel)))")]
    [InlineData("(t > 1) and (t < 2 or t > 3)", "(t > 1) and ((t < 2) or (t > 3))")]
    [InlineData("signal>=1&&signal<=2", "(signal >= 1) and (signal <= 2)")]
    [InlineData("signal == 1 or signal != 2", "(signal == 1) or (signal != 2)")]
    public void Parse_Precedence_GroupsAsDocumented(string rule, string expected)
    {
        Assert.Equal(Normalize(expected), Normalize(Print(FilterParser.Parse(rule).Body)));
    }

    [Theory]
    [InlineData("signal > 0.8 mV", 800.0)]
    [InlineData("signal > 0.8mV", 800.0)]
    [InlineData("signal > 3 V", 3e6)]
    [InlineData("signal > 1.5e-3 V", 1500.0)]
    [InlineData("signal > 2 uV", 2.0)]
    [InlineData("signal > 2 µV", 2.0)]
    [InlineData("signal > 2 μV", 2.0)]
    [InlineData("t > 500 ms", 0.5)]
    [InlineData("t > 0.1 ms", 1e-4)]
    [InlineData("t > 2 s", 2.0)]
    [InlineData("t > .25", 0.25)]
    [InlineData("t > 1E2", 100.0)]
    [InlineData("t > 7.", 7.0)]
    public void Parse_NumberWithUnit_IsExactInMicrovoltsOrSeconds(string rule, double expected)
    {
        // The unit shifts the decimal exponent before rounding: 0.8 mV is exactly 800 µV, 0.1 ms exactly 1e-4 s.
        var comparison = Assert.IsType<ComparisonNode>(FilterParser.Parse(rule).Body);
        Assert.Equal(expected, Assert.IsType<NumberNode>(comparison.Right).Value);
    }

    [Theory]
    [InlineData("ephys: signal > 3", "ephys")]
    [InlineData("fmri:signal > 3", "fmri")]
    [InlineData("  video :  signal > 3", "video")]
    [InlineData("wheel: position > 0.3", "wheel")]
    public void Parse_Scope_IsRecordedWithItsPosition(string rule, string scope)
    {
        ParsedRule parsed = FilterParser.Parse(rule);

        Assert.Equal(scope, parsed.Scope);
        Assert.Equal(rule.IndexOf(scope, StringComparison.Ordinal), parsed.ScopeStart);
        Assert.Equal(scope.Length, parsed.ScopeLength);
    }

    [Theory]
    [InlineData("sigal > 3", 0, 5, "unknown name 'sigal': expected signal, t or channel; did you mean 'signal'?")]
    [InlineData("Signal > 3", 0, 6, "did you mean 'signal'?")]
    [InlineData("signal > 3 #", 11, 1, "unexpected character '#'")]
    [InlineData("(signal > 3", 0, 1, "unbalanced parentheses: this '(' is never closed")]
    [InlineData("abs(signal > 3", 3, 1, "unbalanced parentheses: this '(' is never closed")]
    [InlineData("signal > 3)", 10, 1, "unbalanced parentheses: this ')' has no matching '('")]
    [InlineData("(signal > 3 t", 12, 1, "expected ')' to close the '(' at position 1, found 't'")]
    [InlineData("signal = 3", 7, 1, "'=' is not an operator: write '==' to test equality")]
    [InlineData("signal > 3 & t > 1", 11, 1, "write '&&' or 'and'")]
    [InlineData("signal > 3 | t > 1", 11, 1, "write '||' or 'or'")]
    [InlineData("signal ^ 2 > 3", 7, 1, "powers are not supported")]
    [InlineData("signal > 3 xyz", 11, 3, "expected an operator (and, or, >, +, …) or the end of the rule, found 'xyz'")]
    [InlineData("signal > 3xyz", 10, 3, "unknown unit 'xyz': expected uV, mV, V, s or ms")]
    [InlineData("signal > 3 mv", 11, 2, "unknown unit 'mv': expected uV, mV, V, s or ms; did you mean 'mV'?")]
    [InlineData("signal > 3 t", 11, 1, "expected an operator")]
    [InlineData("signal > 3mv", 10, 2, "unknown unit 'mv': expected uV, mV, V, s or ms; did you mean 'mV'?")]
    [InlineData("eeg: signal > 3", 0, 3, "unknown scope 'eeg': expected ephys")]
    [InlineData("vide: signal > 3", 0, 4, "unknown scope 'vide': expected ephys; did you mean 'video'?")]
    [InlineData("", 0, 1, "the rule is empty")]
    [InlineData("   ", 3, 1, "the rule is empty")]
    [InlineData("ephys:", 6, 1, "nothing follows the scope")]
    [InlineData("signal >", 8, 1, "expected a value (a number, signal, t, channel, a function or '(') after '>', found the end of the rule")]
    [InlineData("signal > 1 and", 14, 1, "after 'and', found the end of the rule")]
    [InlineData("1 < signal < 2", 11, 1, "comparisons cannot be chained: write a < signal and signal < b")]
    [InlineData("abs(signal, 2) > 1", 12, 1, "abs takes one argument, found 2")]
    [InlineData("min(signal) > 1", 0, 11, "min takes at least two arguments, found 1")]
    [InlineData("max() > 1", 4, 1, "max() needs at least two arguments")]
    [InlineData("foo(signal) > 1", 0, 3, "unknown function 'foo': expected abs, min or max")]
    [InlineData("signal(3) > 1", 0, 6, "'signal' is a variable, not a function")]
    [InlineData("abs > 1", 0, 3, "'abs' is a function: write abs(…)")]
    [InlineData("mV > 1", 0, 2, "the unit 'mV' must follow a number, as in 3 mV")]
    [InlineData("t > ephys", 4, 5, "'ephys' is a scope: write it first")]
    [InlineData("signal > 1e", 10, 1, "the exponent of 1e has no digits")]
    [InlineData("signal > 1.2.3", 12, 1, "followed by a second '.'")]
    [InlineData("signal > 3 : 2", 11, 1, "a scope (ephys:, fmri:, video:) can only start a rule")]
    [InlineData("() > 1", 1, 1, "empty parentheses: expected a value inside")]
    [InlineData("signal > +3", 9, 1, "unary '+' is not supported")]
    [InlineData("signal, t", 6, 1, "expected an operator")]
    [InlineData("`pupil size > 1", 0, 15, "this '`' is never closed")]
    [InlineData("signal > `` + 1", 9, 2, "empty name")]
    public void Parse_BadRule_ThrowsWithCaretAtPosition(string rule, int position, int length, string reason)
    {
        // As an export with one ephys stream checks it, before opening files.
        var e = Assert.Throws<FilterSyntaxException>(() => TestScopes.Validate([rule], TestScopes.Loaded([ModalityKind.Ephys])));

        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
        Assert.Equal(rule, e.Rule);
    }

    [Fact]
    public void Parse_NameInBackticks_IsAVariableWhateverItSpells()
    {
        // Columns as files name them: a space, a dash, a keyword, a unit, a function's name.
        ParsedRule rule = FilterParser.Parse("wheel: `pupil size` > 3 and `lick-rate` < `and` + `mV` - abs(`abs`)");

        Assert.Equal("wheel", rule.Scope);
        Assert.Equal(
            Normalize("(pupil size > 3) and (lick-rate < ((and + mV) - abs(abs)))"),
            Normalize(Print(rule.Body)));
        var size = Assert.IsType<VariableNode>(Assert.IsType<ComparisonNode>(Assert.IsType<LogicalNode>(rule.Body).Left).Left);
        Assert.Equal((7, 19), (size.Start, size.End));
    }

    [Fact]
    public void Parse_NumberThenNameInBackticks_IsNotAUnit()
    {
        // 3 mV is a voltage; 3 `mV` is the number 3 followed by a column: an operator is missing.
        var e = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse("signal > 3 `mV`"));

        Assert.Contains("expected an operator", e.Reason, StringComparison.Ordinal);
        Assert.Equal(11, e.Position);
    }

    [Theory]
    [InlineData("speed", "speed")]
    [InlineData("pupil size", "`pupil size`")]
    [InlineData("lick-rate", "`lick-rate`")]
    [InlineData("2nd", "`2nd`")]
    [InlineData("and", "`and`")]
    public void AsWritten_QuotesWhatIsNoIdentifier(string name, string written)
    {
        Assert.Equal(written, FilterLexer.AsWritten(name));
        Assert.True(FilterVariable.IsWritable(name));
    }

    [Fact]
    public void FilterSyntaxException_Message_QuotesRuleWithCaretUnderOffendingText()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["signal > 3 s"]).Validate(TestScopes.Loaded([ModalityKind.Ephys])));

        Assert.Equal(
            "filter \"signal > 3 s\": cannot compare a voltage (signal) with a time (3 s)\n" +
            "    signal > 3 s\n" +
            "             ^^^",
            e.Message);
    }

    [Fact]
    public void FilterSyntaxException_TabsInRule_KeepCaretAligned()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => TestScopes.Validate(["signal\t> sigal"], TestScopes.Loaded([ModalityKind.Ephys])));

        string[] lines = e.Message.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(lines[1].IndexOf("sigal", StringComparison.Ordinal), lines[2].IndexOf('^', StringComparison.Ordinal));
        Assert.IsAssignableFrom<NeuroAlignException>(e);
    }

    /// <summary>The tree as fully parenthesised text, to compare groupings.</summary>
    private static string Print(FilterNode node) => node switch
    {
        NumberNode n => n.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ComparisonNode c => $"{Print(c.Left)} {c.Operator.Text()} {Print(c.Right)}",
        VariableNode v => v.Name,
        NegateNode n => $"-({Print(n.Operand)})",
        NotNode n => $"not ({Print(n.Operand)})",
        ArithmeticNode a => $"({Print(a.Left)} {a.Operator.Text()} {Print(a.Right)})",
        LogicalNode l => $"({Print(l.Left)}) {(l.Operator == LogicalOperator.And ? "and" : "or")} ({Print(l.Right)})",
        CallNode c => $"{c.Function.Text()}({string.Join(", ", c.Arguments.Select(Print))})",
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Drops redundant outer parentheses and spaces so expectations can be written naturally.</summary>
    private static string Normalize(string text)
    {
        string t = text.Replace(" ", string.Empty, StringComparison.Ordinal);
        while (t.StartsWith('(') && t.EndsWith(')') && Balanced(t[1..^1]))
        {
            t = t[1..^1];
        }

        return t;
    }

    private static bool Balanced(string text)
    {
        int depth = 0;
        foreach (char c in text)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }

        return depth == 0;
    }
}

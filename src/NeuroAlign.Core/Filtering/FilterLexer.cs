using System.Globalization;

namespace NeuroAlign.Filtering;

/// <summary>The kinds of token of the rule language (docs/filter.md).</summary>
internal enum TokenKind
{
    Number,
    Identifier,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
    NotEqual,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    LeftParen,
    RightParen,
    Comma,
    Colon,
    End,
}

/// <summary>One token: its kind, where it is in the rule, and its text (a quoted name's text is the name, without its backticks).</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int Length, string Text, bool Quoted = false)
{
    public int End => Start + Length;

    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the rule",
        TokenKind.Number => $"the number {Text}",
        TokenKind.Identifier => $"'{Text}'",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits a rule into tokens; a character that starts no token is an error with a caret.</summary>
internal static class FilterLexer
{
    public static List<Token> Tokenize(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var tokens = new List<Token>();
        int i = 0;
        while (i < rule.Length)
        {
            char c = rule[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            int start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < rule.Length && char.IsAsciiDigit(rule[i + 1])))
            {
                i = ReadNumber(rule, i);
                tokens.Add(new Token(TokenKind.Number, start, i - start, rule[start..i]));
                continue;
            }

            if (c == '`')
            {
                // A name in backticks, as pandas' query() writes a column that is no identifier:
                // `pupil diameter` > 3, `lick-rate` > 0. Never a keyword, a unit or a function.
                int close = rule.IndexOf('`', i + 1);
                if (close < 0)
                {
                    throw new FilterSyntaxException(rule, i, rule.Length - i, "this '`' is never closed: a name in backticks ends with a second '`'");
                }

                if (close == i + 1)
                {
                    throw new FilterSyntaxException(rule, i, 2, "empty name: write the column's name between the backticks");
                }

                i = close + 1;
                tokens.Add(new Token(TokenKind.Identifier, start, i - start, rule[(start + 1)..close], Quoted: true));
                continue;
            }

            if (IsIdentifierStart(c))
            {
                while (i < rule.Length && IsIdentifierPart(rule[i]))
                {
                    i++;
                }

                string word = rule[start..i];
                tokens.Add(new Token(KindOfWord(word), start, i - start, word));
                continue;
            }

            char next = i + 1 < rule.Length ? rule[i + 1] : '\0';
            (TokenKind Kind, int Length)? op = (c, next) switch
            {
                ('>', '=') => (TokenKind.GreaterEqual, 2),
                ('<', '=') => (TokenKind.LessEqual, 2),
                ('=', '=') => (TokenKind.Equal, 2),
                ('!', '=') => (TokenKind.NotEqual, 2),
                ('&', '&') => (TokenKind.And, 2),
                ('|', '|') => (TokenKind.Or, 2),
                ('>', _) => (TokenKind.Greater, 1),
                ('<', _) => (TokenKind.Less, 1),
                ('!', _) => (TokenKind.Not, 1),
                ('+', _) => (TokenKind.Plus, 1),
                ('-', _) => (TokenKind.Minus, 1),
                ('*', _) => (TokenKind.Star, 1),
                ('/', _) => (TokenKind.Slash, 1),
                ('(', _) => (TokenKind.LeftParen, 1),
                (')', _) => (TokenKind.RightParen, 1),
                (',', _) => (TokenKind.Comma, 1),
                (':', _) => (TokenKind.Colon, 1),
                _ => null,
            };
            if (op is null)
            {
                throw new FilterSyntaxException(rule, i, 1, UnexpectedCharacter(c, next));
            }

            tokens.Add(new Token(op.Value.Kind, start, op.Value.Length, rule.Substring(start, op.Value.Length)));
            i += op.Value.Length;
        }

        tokens.Add(new Token(TokenKind.End, rule.Length, 0, string.Empty));
        return tokens;
    }

    /// <summary>Reads digits [. digits] [e [+-] digits] and returns the position after the number.</summary>
    private static int ReadNumber(string rule, int i)
    {
        int start = i;
        while (i < rule.Length && char.IsAsciiDigit(rule[i]))
        {
            i++;
        }

        if (i < rule.Length && rule[i] == '.')
        {
            i++;
            while (i < rule.Length && char.IsAsciiDigit(rule[i]))
            {
                i++;
            }
        }

        if (i < rule.Length && (rule[i] == 'e' || rule[i] == 'E'))
        {
            int e = i++;
            if (i < rule.Length && (rule[i] == '+' || rule[i] == '-'))
            {
                i++;
            }

            if (i >= rule.Length || !char.IsAsciiDigit(rule[i]))
            {
                throw new FilterSyntaxException(rule, e, i - e, $"the exponent of {rule[start..i]} has no digits");
            }

            while (i < rule.Length && char.IsAsciiDigit(rule[i]))
            {
                i++;
            }
        }

        if (i < rule.Length && rule[i] == '.')
        {
            throw new FilterSyntaxException(rule, i, 1, $"the number {rule[start..i]} is followed by a second '.'");
        }

        return i;
    }

    /// <summary>A name as a rule writes it: as it is when it is an identifier, else in backticks.</summary>
    public static string AsWritten(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool plain = name.Length > 0 && IsIdentifierStart(name[0]) && name.All(IsIdentifierPart) && KindOfWord(name) == TokenKind.Identifier;
        return plain || name.Contains('`', StringComparison.Ordinal) ? name : $"`{name}`";
    }

    /// <summary>A word's token: a keyword (and, or, not) or a name.</summary>
    private static TokenKind KindOfWord(string word) => word switch
    {
        "and" => TokenKind.And,
        "or" => TokenKind.Or,
        "not" => TokenKind.Not,
        _ => TokenKind.Identifier,
    };

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == 'µ' || c == 'μ';

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || char.IsAsciiDigit(c);

    private static string UnexpectedCharacter(char c, char next) => c switch
    {
        '=' => "'=' is not an operator: write '==' to test equality",
        '&' => "'&' is not an operator: write '&&' or 'and'",
        '|' => "'|' is not an operator: write '||' or 'or'",
        '^' => "'^' is not an operator: powers are not supported",
        '%' => "'%' is not an operator: the language has + - * /",
        '[' or ']' or '{' or '}' => $"'{c}' is not allowed: group with ( and )",
        _ when char.IsHighSurrogate(c) && char.IsLowSurrogate(next) => $"unexpected character '{c}{next}'",
        _ => $"unexpected character '{c}' (U+{(int)c:X4})",
    };

    /// <summary>The invariant-culture value of a number token scaled by 10^<paramref name="powerOfTen"/>, rounded once.</summary>
    public static double ParseNumber(string text, int powerOfTen)
    {
        // Shifting the decimal exponent in the text (0.8 mV → 0.8e3 µV) rounds the exact decimal once,
        // where multiplying by 1e3 after parsing would round twice.
        int e = text.IndexOfAny(['e', 'E']);
        string mantissa = e < 0 ? text : text[..e];
        long exponent = 0;
        if (e >= 0 && !long.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            // More exponent digits than a long holds: far beyond double's range either way.
            exponent = text[e + 1] == '-' ? -100_000 : 100_000;
        }

        exponent = Math.Clamp(exponent + powerOfTen, -100_000, 100_000);
        return double.Parse($"{mantissa}e{exponent}", NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}

using System.Text;

namespace NeuroAlign.Filtering;

/// <summary>
/// A filter rule that cannot be used: a bad token, an unknown name, unbalanced parentheses, a unit
/// that does not fit, a scope naming a modality that is not loaded. Raised before any work starts.
/// The message quotes the rule and puts a caret under the offending position:
/// <code>
/// filter "signal > 3 s": cannot compare a voltage (signal) with a time (3 s)
///     signal > 3 s
///              ^^^
/// </code>
/// </summary>
public sealed class FilterSyntaxException : NeuroAlignException
{
    private const string Indent = "    ";

    public FilterSyntaxException(string rule, int position, int length, string reason)
        : base(Format(rule, position, length, reason))
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(reason);
        Rule = rule;
        Position = Math.Clamp(position, 0, rule.Length);
        Length = Math.Max(1, length);
        Reason = reason;
    }

    public FilterSyntaxException()
    {
        Rule = Reason = string.Empty;
    }

    public FilterSyntaxException(string message)
        : base(message)
    {
        Rule = Reason = string.Empty;
    }

    public FilterSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Rule = Reason = string.Empty;
    }

    /// <summary>The rule as the user wrote it.</summary>
    public string Rule { get; }

    /// <summary>Zero-based character position of the offending part (the rule's length for "at the end").</summary>
    public int Position { get; }

    /// <summary>Characters the caret underlines (at least 1).</summary>
    public int Length { get; }

    /// <summary>What is wrong, without the quoted rule.</summary>
    public string Reason { get; }

    private static string Format(string rule, int position, int length, string reason)
    {
        ArgumentNullException.ThrowIfNull(rule);
        position = Math.Clamp(position, 0, rule.Length);
        length = Math.Clamp(length, 1, Math.Max(1, rule.Length - position));

        // Control characters (tabs, newlines) would break the caret's alignment: show them as spaces.
        var shown = new StringBuilder(rule.Length);
        foreach (char c in rule)
        {
            shown.Append(char.IsControl(c) ? ' ' : c);
        }

        return $"filter \"{shown}\": {reason}\n{Indent}{shown}\n{Indent}{new string(' ', position)}{new string('^', length)}";
    }
}

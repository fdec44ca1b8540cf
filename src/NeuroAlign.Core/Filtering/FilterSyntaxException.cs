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
        : base(Format(rule, position, length, reason), alreadyPrintable: true)
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

        // Characters that do not print as themselves (tabs, newlines, bidirectional controls) would
        // break the caret's alignment or reorder the line: shown as spaces. The message's lines are
        // made printable here, so the base class does not escape the line breaks between them.
        var shown = new StringBuilder(rule.Length);
        for (int i = 0; i < rule.Length; i++)
        {
            shown.Append(Printable.IsSafeAt(rule, i) || (char.IsLowSurrogate(rule[i]) && i > 0 && char.IsHighSurrogate(rule[i - 1])) ? rule[i] : ' ');
        }

        return $"filter \"{Printable.Escape(rule)}\": {Printable.Escape(reason)}\n{Indent}{shown}\n{Indent}{new string(' ', position)}{new string('^', length)}";
    }
}

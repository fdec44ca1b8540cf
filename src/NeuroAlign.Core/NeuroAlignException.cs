namespace NeuroAlign;

/// <summary>
/// The one error type the library raises for problems a user can fix: a bad file, a bad option,
/// an impossible request. Its message is a single line meant to be shown as it is.
/// </summary>
/// <remarks>
/// Every message goes through <see cref="Printable.Escape"/> here, once for all subclasses: a message
/// quotes values from files and command lines (an attribute, a rule, a path), which may hold control
/// or bidirectional characters, and must stay one printable line (issue 17's fuzzers found three
/// messages that did not). Escaping is idempotent, so a subclass that escapes too does no harm.
/// </remarks>
public class NeuroAlignException : Exception
{
    public NeuroAlignException(string message)
        : base(Printable.Escape(message))
    {
    }

    public NeuroAlignException(string message, Exception innerException)
        : base(Printable.Escape(message), innerException)
    {
    }

    public NeuroAlignException()
    {
    }

    /// <summary>A message the subclass made printable itself (a filter error's caret lines are meant to be lines).</summary>
    protected NeuroAlignException(string printableMessage, bool alreadyPrintable)
        : base(alreadyPrintable ? printableMessage : Printable.Escape(printableMessage))
    {
    }
}

/// <summary>
/// A file that does not hold what its format promises. Carries the file, where in it (a field
/// name, a key or a byte offset), what was found there and what was expected.
/// </summary>
public sealed class InvalidRecordingException : NeuroAlignException
{
    /// <remarks>
    /// Every part goes through <see cref="Printable.Escape"/>: a field or value read from a file may
    /// hold control characters, and the message must stay one printable line.
    /// </remarks>
    public InvalidRecordingException(string path, string location, string found, string expected)
        : base(Printable.Escape($"{path}: {location}: found {found}, expected {expected}"))
    {
        FilePath = path;
        Location = location;
        Found = found;
        Expected = expected;
    }

    public InvalidRecordingException()
    {
        FilePath = Location = Found = Expected = string.Empty;
    }

    public InvalidRecordingException(string message)
        : base(Printable.Escape(message))
    {
        FilePath = Location = Found = Expected = string.Empty;
    }

    public InvalidRecordingException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = Location = Found = Expected = string.Empty;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The field, key or byte offset at fault.</summary>
    public string Location { get; }

    /// <summary>What the file holds there.</summary>
    public string Found { get; }

    /// <summary>What the format requires there.</summary>
    public string Expected { get; }
}

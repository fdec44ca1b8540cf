namespace NeuroAlign.Cli.ScaleOut;

/// <summary>
/// The one bash quoter: sbatch scripts, the command lines `batch` and local tasks print, and the
/// CLI's own echo of a command all quote an argument the same way.
/// </summary>
internal static class BashQuoting
{
    /// <summary>Characters that need no quoting anywhere in a bash word (ASCII only: other letters depend on the locale).</summary>
    private const string PlainPunctuation = "-_./=:,+@%";

    /// <summary>Quotes one argument for bash: bare when it is plain, else in single quotes (a quote inside as '\'').</summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || PlainPunctuation.Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A command line: each argument quoted, joined by spaces.</summary>
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));
}

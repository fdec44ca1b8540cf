namespace NeuroAlign.Cli.ScaleOut;

/// <summary>
/// The one line that says why a task failed, picked from the lines it printed to stderr: its last
/// error line, not the lines some errors add beneath it (a filter rule and its caret), which
/// would otherwise stand for the whole error in a batch summary (<c>s1 (^)</c>, issue 17).
/// Without an error line: the last non-empty line.
/// </summary>
internal sealed class FailureLine
{
    private bool _isError;

    /// <summary>The line so far; null before any.</summary>
    public string? Line { get; private set; }

    public void Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string trimmed = line.Trim();
        bool isError = trimmed.StartsWith("neuro-align: error:", StringComparison.Ordinal) || trimmed.StartsWith("neuro-align: internal error:", StringComparison.Ordinal);
        if (trimmed.Length == 0 || (_isError && !isError))
        {
            return;
        }

        Line = trimmed;
        _isError = isError;
    }
}

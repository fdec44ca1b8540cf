namespace NeuroAlign.Cli;

/// <summary>What a command needs from its surroundings; tests pass string writers.</summary>
/// <param name="Out">Standard output: results and summaries.</param>
/// <param name="Error">Standard error: progress, warnings, errors.</param>
/// <param name="IsTerminal">Whether stderr is a terminal (live progress bar) or a log (plain lines).</param>
/// <param name="CommandLine">The command line as typed, for provenance.</param>
/// <param name="Cancellation">Cancelled by Ctrl-C.</param>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    bool IsTerminal,
    string CommandLine,
    CancellationToken Cancellation)
{
    /// <summary>
    /// When set, export stops once its window times are known and reports their count here instead
    /// of writing: how `slurm submit` checks a sharded export before submitting it.
    /// </summary>
    public Action<int>? WindowCountProbe { get; init; }

    public void Warn(string message) => Error.WriteLine($"neuro-align: warning: {message}");
}

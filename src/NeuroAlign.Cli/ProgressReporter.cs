using System.Diagnostics;
using NeuroAlign.Alignment;

namespace NeuroAlign.Cli;

/// <summary>
/// Shows export progress on stderr: a live bar with rate and ETA on a terminal, a plain line every
/// few seconds otherwise (logs of batch jobs), nothing for exports that finish quickly.
/// </summary>
internal sealed class ProgressReporter(TextWriter error, bool isTerminal) : IProgress<AlignmentProgress>
{
    private static readonly TimeSpan QuietStart = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private bool _drewBar;

    public void Report(AlignmentProgress value)
    {
        bool last = value.WindowsDone == value.WindowCount;
        TimeSpan interval = isTerminal ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10);
        if (value.Elapsed < QuietStart || (!last && _sinceLast.Elapsed < interval))
        {
            return;
        }

        _sinceLast.Restart();
        double fraction = (double)value.WindowsDone / value.WindowCount;
        double mbPerSecond = value.BytesWritten / 1e6 / Math.Max(value.Elapsed.TotalSeconds, 1e-9);
        TimeSpan eta = fraction > 0 ? TimeSpan.FromSeconds(value.Elapsed.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
        string figures = $"{value.WindowsDone}/{value.WindowCount} windows, {mbPerSecond:F0} MB/s, ETA {eta:hh\\:mm\\:ss}";
        if (isTerminal)
        {
            const int Width = 30;
            int filled = (int)(fraction * Width);
            error.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {fraction:P0} {figures}   ");
            _drewBar = true;
            if (last)
            {
                error.WriteLine();
                _drewBar = false;
            }
        }
        else
        {
            error.WriteLine($"progress: {fraction:P0}, {figures}");
        }
    }

    /// <summary>Ends a bar left open by an interrupted export, so the error message starts on its own line.</summary>
    public void Finish()
    {
        if (_drewBar)
        {
            error.WriteLine();
            _drewBar = false;
        }
    }
}

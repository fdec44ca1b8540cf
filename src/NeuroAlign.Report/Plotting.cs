namespace NeuroAlign.Report;

/// <summary>The plotting library could not start: its native part (libSkiaSharp.so) did not load.</summary>
public sealed class PlottingUnavailableException(string message, Exception inner) : NeuroAlignException(message, inner);

/// <summary>
/// Checks, before a figure is drawn, that SkiaSharp's native library loads, so that a missing or
/// unloadable libSkiaSharp.so is one line saying what to do instead of a type-initialisation failure
/// deep in a plot. The published single file (scripts/publish.sh) keeps it beside the executable.
/// </summary>
public static class Plotting
{
    /// <summary>The native library the plots need.</summary>
    public const string NativeLibrary = "libSkiaSharp.so";

    /// <summary>Throws <see cref="PlottingUnavailableException"/> unless SkiaSharp's native library loads.</summary>
    public static void Require() => Require(static () =>
    {
        using var bitmap = new SkiaSharp.SKBitmap(1, 1);
    });

    /// <summary>Runs <paramref name="touchNative"/>; a failure to load native code becomes one line.</summary>
    public static void Require(Action touchNative)
    {
        ArgumentNullException.ThrowIfNull(touchNative);
        try
        {
            touchNative();
        }
        catch (Exception e) when (Cause(e) is { } cause)
        {
            string beside = Path.Combine(AppContext.BaseDirectory, NativeLibrary);
            throw new PlottingUnavailableException(
                $"the report cannot be drawn: SkiaSharp's native library {NativeLibrary} did not load ({FirstLine(cause.Message)}); keep {NativeLibrary} beside the neuro-align executable ({beside}), as scripts/publish.sh ships it",
                e);
        }
    }

    /// <summary>The native-loading failure inside <paramref name="e"/> (a type initialiser wraps it), or null.</summary>
    private static Exception? Cause(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
        {
            if (x is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
            {
                return x;
            }
        }

        return null;
    }

    private static string FirstLine(string message)
    {
        string line = message.ReplaceLineEndings("\n").Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}

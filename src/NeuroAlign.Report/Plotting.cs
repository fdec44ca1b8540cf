namespace NeuroAlign.Report;

/// <summary>The plotting library could not start: its native part (libSkiaSharp.so, libHarfBuzzSharp.so) did not load.</summary>
public sealed class PlottingUnavailableException(string message, Exception inner) : NeuroAlignException(message, inner);

/// <summary>
/// Checks, before a figure is drawn, that the plotting library's native code loads, so that a missing
/// or unloadable libSkiaSharp.so or libHarfBuzzSharp.so is one line saying what to do instead of a
/// type-initialisation failure deep in a plot. The published single file (scripts/publish.sh) keeps
/// them beside the executable.
/// </summary>
public static class Plotting
{
    /// <summary>The native libraries the plots need: SkiaSharp's drawing and HarfBuzz's text shaping (ScottPlot uses both).</summary>
    public const string NativeLibraries = "libSkiaSharp.so and libHarfBuzzSharp.so";

    /// <summary>Throws <see cref="PlottingUnavailableException"/> unless both native libraries load.</summary>
    public static void Require() => Require(static () =>
    {
        using var bitmap = new SkiaSharp.SKBitmap(1, 1);
        using var text = new HarfBuzzSharp.Buffer();
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
            string folder = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            throw new PlottingUnavailableException(
                $"the report cannot be drawn: the plotting library's native code did not load ({FirstLine(cause.Message)}); keep {NativeLibraries} beside the neuro-align executable (in {folder}), as scripts/publish.sh ships them",
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

using NeuroAlign.Report;

namespace NeuroAlign.Cli.Tests.Report;

/// <summary>A plotting library that cannot load is one line saying what to do (the published binary's case: PublishedBinaryTests).</summary>
public class PlottingTests
{
    [Fact]
    public void Require_NativeLibraryMissing_OneLineNamingTheLibraryAndWhereItBelongs()
    {
        // What SkiaSharp throws when libSkiaSharp.so is absent: its type initialiser wrapping the loader's failure.
        var e = Assert.Throws<PlottingUnavailableException>(() => Plotting.Require(() =>
            throw new TypeInitializationException("SkiaSharp.SKImageInfo", new DllNotFoundException("Unable to load shared library 'libSkiaSharp' or one of its dependencies.\nmore"))));

        Assert.Equal(
            $"the report cannot be drawn: the plotting library's native code did not load (Unable to load shared library 'libSkiaSharp' or one of its dependencies.); keep libSkiaSharp.so and libHarfBuzzSharp.so beside the neuro-align executable (in {AppContext.BaseDirectory.TrimEnd('/')}), as scripts/publish.sh ships them",
            e.Message);
    }

    [Fact]
    public void Require_OtherFailures_NotMistakenForAMissingLibrary()
    {
        Assert.Throws<InvalidOperationException>(() => Plotting.Require(() => throw new InvalidOperationException("a bug")));
        Plotting.Require(); // here both native libraries load
    }
}

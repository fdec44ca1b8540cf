using NeuroAlign.Formats.Mtscomp;
using NeuroAlign.Time;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// harness cbin-window CBIN REPS START,START,...: random 1 s windows of an mtscomp .cbin through
/// <see cref="MtscompStream"/> (chunks decompressed over the cores, bounded cache), for
/// bench/peers/cbin_window.py (<see cref="WindowReadHarness"/>).
/// </summary>
public static class CbinHarness
{
    public static void Run(string[] a)
    {
        string cbin = a[0];
        using MtscompStream stream = MtscompStream.Open(cbin, Path.ChangeExtension(cbin, ".ch"), n => new RegularClock(0, 30000, n), null, null, "mtscomp");
        WindowReadHarness.Run("cbin-window", stream, a[1..], new Dictionary<string, object> { ["cache_chunks"] = stream.CacheCapacityChunks });
    }
}

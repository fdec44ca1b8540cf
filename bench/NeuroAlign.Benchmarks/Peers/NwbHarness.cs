using NeuroAlign.Formats;
using NeuroAlign.Hdf5.Nwb;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// harness nwb-window NWB#ADDRESS REPS START,START,...: random 1 s windows of an NWB
/// ElectricalSeries (chunked, gzip) through <see cref="NwbSeriesStream"/>, for
/// bench/peers/nwb_window.py (<see cref="WindowReadHarness"/>).
/// </summary>
public static class NwbHarness
{
    public static void Run(string[] a)
    {
        using EphysRecording stream = new NwbEphysOpener().OpenEphys(a[0]);
        WindowReadHarness.Run("nwb-window", stream, a[1..]);
    }
}

using BenchmarkDotNet.Running;
using NeuroAlign.Benchmarks.Peers;

namespace NeuroAlign.Benchmarks;

/// <summary>
/// Runs the benchmarks: `dotnet run -c Release --project bench/NeuroAlign.Benchmarks -- --filter '*'`;
/// or, with `harness TASK ...`, one timed task for bench/peers/compare.py (see <see cref="PeerHarness"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "harness")
        {
            return PeerHarness.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

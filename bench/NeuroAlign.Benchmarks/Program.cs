using BenchmarkDotNet.Running;

namespace NeuroAlign.Benchmarks;

/// <summary>Runs the benchmarks: `dotnet run -c Release --project bench/NeuroAlign.Benchmarks -- --filter '*'`.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

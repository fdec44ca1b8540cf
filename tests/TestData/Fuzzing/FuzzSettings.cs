using System.Globalization;

namespace NeuroAlign.TestData.Fuzzing;

/// <summary>
/// How many mutants each fuzzer runs and from which seed. The normal suite runs a fast fixed-seed
/// set; NEUROALIGN_FUZZ_MUTANTS=10000 (bench/fuzz/run.sh) runs the long one, NEUROALIGN_FUZZ_SEED
/// picks another seed, and NEUROALIGN_FUZZ_REPORT names a file that receives one line of figures
/// per fuzzer.
/// </summary>
public static class FuzzSettings
{
    public const string MutantsVariable = "NEUROALIGN_FUZZ_MUTANTS";
    public const string SeedVariable = "NEUROALIGN_FUZZ_SEED";
    public const string ReportVariable = "NEUROALIGN_FUZZ_REPORT";

    /// <summary>The fixed seed of the fast set: the same mutants on every run and machine.</summary>
    public const ulong DefaultSeed = 0x5EED_17;

    /// <summary>Mutants per fuzzer: <paramref name="fast"/> unless the environment asks for more.</summary>
    public static int Mutants(int fast) =>
        int.TryParse(Environment.GetEnvironmentVariable(MutantsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : fast;

    /// <summary>Whether the environment asks for the long run.</summary>
    public static bool IsLongRun => Environment.GetEnvironmentVariable(MutantsVariable) is { Length: > 0 };

    public static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : DefaultSeed;

    /// <summary>Appends a line of figures to the report file, when one is named.</summary>
    public static void Report(string line)
    {
        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path)
        {
            lock (typeof(FuzzSettings))
            {
                File.AppendAllText(path, line + Environment.NewLine);
            }
        }
    }
}

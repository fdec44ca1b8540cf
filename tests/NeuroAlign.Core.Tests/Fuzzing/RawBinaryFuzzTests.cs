using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Raw binary files carry no metadata: what is fuzzed is the file's length against boundary options
/// (--ephys-channels of 2^31 - 1, --ephys-header-bytes past the file or of 2^62, rates of 1e-308 and
/// ∞, unsupported dtypes, gains of NaN), the way a wrong command line meets a real file.
/// </summary>
public sealed class RawBinaryFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Boundary_options_keep_the_reader_contract()
    {
        Gen<RawBinaryOptions> options =
            from channels in Gen.Elements(384, 1, 2, 3, 0, -1, 385, 1 << 20, (1 << 20) + 1, int.MaxValue, int.MinValue)
            from rate in Gen.Frequency((3, Gen.Constant(30_000.0)), (2, Gen.Elements(Mutations.Boundaries)))
            from type in Gen.Elements(SampleType.Int16, SampleType.UInt16, SampleType.Int32, SampleType.Float32, SampleType.Float64, SampleType.UInt8)
            from header in Gen.Elements(0L, 1L, 2L, -1L, 100L, 4096L, 4097L, 1L << 40, 1L << 62, long.MaxValue)
            from gain in Gen.Frequency((3, Gen.Constant(1.0)), (1, Gen.Elements(Mutations.Boundaries)))
            from start in Gen.Frequency((3, Gen.Constant(0.0)), (1, Gen.Elements(Mutations.Boundaries)))
            select new RawBinaryOptions(channels, rate, type, header, gain, start);
        Gen<Mutant> mutants =
            from o in options
            from length in Gen.Elements(0, 1, 768, 769, 4096, 7680, 7681, 65536)
            select Register(o, length);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("raw binary", mutants, 200, mutant =>
        {
            RawBinaryOptions o = Parse(mutant.Source, out int length);
            string path = folder.File($"case{index++}.dat");
            File.WriteAllBytes(path, Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray());
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    using EphysRecording recording = EphysReader.Open(path, new EphysOpenOptions { Raw = o });
                    ReaderChecks.Ephys(recording);
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }

    // A mutant here is a file length and options, not edits: the runner's mutants carry a
    // description, and each description maps back to the options drawn for it.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (RawBinaryOptions Options, int Length)> Drawn = new(StringComparer.Ordinal);

    private static Mutant Register(RawBinaryOptions options, int length)
    {
        string description = $"{length} bytes with {options}";
        Drawn[description] = (options, length);
        return new Mutant(description, []);
    }

    private static RawBinaryOptions Parse(string source, out int length)
    {
        (RawBinaryOptions options, length) = Drawn[source];
        return options;
    }
}

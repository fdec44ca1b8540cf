using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Timestamped-table mutants: CSV and TSV tables with boundary numbers in the time and value
/// columns (NaN, ±inf, 1e400, 5e-324, times that go back), flips, truncation, control characters;
/// and .npy tables with lying shapes and dtypes. Each either opens with increasing finite times
/// and readable samples, or is refused in one line.
/// </summary>
public sealed class TimedTableFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Texts =
    [
        "t,position,lick\n0.1,1.5,0\n0.2,2.5,1\n0.35,n/a,0\n0.5,-3,1\n",
        "timestamp\tpupil\tstate\n1\t3.25\tgo\n2\t3.5\tstop\n3\t\tgo\n",
    ];

    [Fact]
    public void Mutated_tables_keep_the_reader_contract()
    {
        Gen<Mutant> text =
            from source in Gen.Elements("0", "1")
            from edits in Mutations.Edits(Gen.Frequency(
                (4, from at in Gen.Choose(0, 60)
                    from value in Gen.Elements(Mutations.BoundaryTexts)
                    select (Edit)new TextAt(at, value)),
                (2, Mutations.Flip),
                (2, Mutations.Truncation),
                (1, Mutations.Appending),
                (2, Mutations.ControlInsertion)))
            select new Mutant($"text {source}", edits);
        Gen<Mutant> npy =
            from descr in Gen.Elements("<f8", ">f4", "<i2", "|u1", "<c8", "<U4")
            from shape in Gen.Elements("(12, 3)", "(18, 2)", "(36,)", "(6, 6)", "(36, 1)", "(0, 3)", "(2305843009213693952, 4)", "(3, 1048577)", "(268435456, 2)")
            from edits in Gen.Frequency((3, Gen.Constant(Array.Empty<Edit>())), (1, Mutations.Edits(Gen.OneOf(Mutations.Flip, Mutations.Truncation))))
            select new Mutant($"v1 descr '{descr}' shape {shape} fortran False", edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("timed tables", Gen.Frequency((3, text), (1, npy)), 200, mutant =>
        {
            bool isText = mutant.Source.StartsWith("text ", StringComparison.Ordinal);
            string path = folder.File($"case{index++}{(isText ? (mutant.Source == "text 0" ? ".csv" : ".tsv") : ".npy")}");
            byte[] original = isText ? Encoding.UTF8.GetBytes(Texts[mutant.Source[^1] - '0']) : NpyFuzzTests.Build(mutant.Source);
            File.WriteAllBytes(path, mutant.Apply(original));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    using TimedTableStream table = TimedTableStream.Open(path, new TimedTableOptions(OnWarning: w => ReaderChecks.Printable(w, "a warning")));
                    ReaderChecks.Clock(table.Clock);
                    ReaderChecks.Details(table.Details);
                    long n = table.Clock.SampleCount;
                    ReaderChecks.Require(n > 0 && table.SampleShape[0] > 0, $"{n} rows of {table.SampleShape[0]} columns");
                    for (long k = 1; k < n; k++)
                    {
                        ReaderChecks.Require(table.Clock.TimeOf(k) > table.Clock.TimeOf(k - 1), $"time {k} does not follow time {k - 1}");
                    }

                    byte[] two = new byte[2 * table.SampleShape[0] * sizeof(float)];
                    table.ReadSamples([0, n - 1], two);
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }

    /// <summary>Writes <see cref="Text"/> over the bytes at <see cref="Offset"/> (a cell's place, roughly).</summary>
    private sealed record TextAt(int Offset, string Text) : Edit
    {
        public override byte[] Apply(byte[] input)
        {
            int at = Math.Min(Offset, input.Length);
            byte[] text = Encoding.UTF8.GetBytes(Text);
            return [.. input[..at], .. text, .. input[Math.Min(input.Length, at + text.Length)..]];
        }
    }
}

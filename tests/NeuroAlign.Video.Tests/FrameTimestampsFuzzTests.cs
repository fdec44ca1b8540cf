using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;
using NeuroAlign.Time;

namespace NeuroAlign.Video.Tests;

/// <summary>
/// --video-timestamps files under the reader contract: one-per-line text, CSV with a header and
/// .npy, mutated with boundary numbers, wrong column counts, control characters, lying .npy
/// headers (shapes of 2^61, header lengths past the file), flips, truncation and garbage.
/// </summary>
public sealed class FrameTimestampsFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_timestamp_files_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string npy = folder.File("template.npy");
        NpyWriter.WriteFloat64(npy, Enumerable.Range(0, 20).Select(k => k / 30.0).ToArray());
        var sources = new Dictionary<string, byte[]>
        {
            ["lines.txt"] = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 20).Select(k => (k / 30.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))),
            ["table.csv"] = Encoding.UTF8.GetBytes("frame,time,flag\n" + string.Join('\n', Enumerable.Range(0, 20).Select(k => $"{k},{(k / 30.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture)},1"))),
            ["times.npy"] = File.ReadAllBytes(npy),
        };
        Gen<Mutant> mutants =
            from source in Gen.Elements(sources.Keys.ToArray())
            from edits in Mutations.Edits(Gen.Frequency(
                (3, from position in Gen.Choose(0, int.MaxValue)
                    from text in Gen.Elements(Mutations.BoundaryTexts.Select(t => "\n" + t).Concat([",", ",,", "\t", "time,", "\"t\""]).ToArray())
                    select (Edit)new InsertText((uint)position, text)),
                (3, Mutations.FieldWrite([new("HEADER_LEN", 8, FieldKind.U16), new("major version", 6, FieldKind.U8), new("element 0", 128, FieldKind.F64), new("element 19", 280, FieldKind.F64)], bigEndian: false)),
                (3, Mutations.FlipWithin(128)),
                (1, from position in Gen.Choose(0, 127)
                    from text in Gen.Elements("(2305843009213693952,)", "(-1,)", "(3, 7)", "()", "(99999999999999999999,)", "'<i2'", "'|O'", "True", "")
                    select (Edit)new InsertText((uint)position, text)),
                (1, Mutations.Truncation),
                (1, Mutations.Appending),
                (1, Mutations.ControlInsertion)))
            select new Mutant(source, edits);

        int index = 0;
        FuzzRunner.Run("video timestamps", mutants, 150, mutant =>
        {
            string path = folder.File($"case{index++}{Path.GetExtension(mutant.Source)}");
            File.WriteAllBytes(path, mutant.Apply(sources[mutant.Source]));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    double[] times = FrameTimestampsFile.Read(path);
                    if (times.Length == 0 || times.Any(t => !double.IsFinite(t)) || times.Zip(times.Skip(1)).Any(p => !(p.Second > p.First)))
                    {
                        throw new ContractViolationException("accepted but inconsistent: frame times not finite and strictly increasing");
                    }
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }
}

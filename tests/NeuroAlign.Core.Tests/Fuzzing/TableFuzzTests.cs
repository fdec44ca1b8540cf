using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Sync;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// Core's table reader behind its three uses under the reader contract (issue 17): BIDS events.tsv
/// (window times and the events table), CSV pulse lists (sync), and BIDS physio .tsv.gz (parsed to
/// a cache and mapped). Mutants: boundary texts inserted at random places (numbers, n/a, quotes,
/// separators, line ends), control characters, flips, truncation, garbage; physio also with the gzip
/// stream itself damaged.
/// </summary>
public sealed class TableFuzzTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Sources = new(StringComparer.Ordinal)
    {
        ["events.tsv"] = "onset\tduration\ttrial_type\n0.5\t0.1\tgo\n1.25\t0.1\tstop\nn/a\t0\tgo\n2.0\t0.2\t\"go, fast\"\n3.5\t0.1\tgo\n",
        ["pulses.csv"] = "pulse,time_s,width\n0,0.1,0.01\n1,1.1,0.01\n2,2.1,0.01\n3,3.1,0.01\n4,4.1,0.01\n",
        ["physio.tsv.gz"] = string.Concat(Enumerable.Range(0, 40).Select(k => $"{k * 0.25}\t{(k % 5 == 0 ? 5 : 0)}\t{(k == 7 ? "n/a" : (k * 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture))}\n")),
    };

    private static readonly string[] Pieces =
    [
        .. Mutations.BoundaryTexts, "\t", "\t\t", ",", ";", "\"", "\"\"", "\n", "\r\n", "\r", "n/a", "N/A", "#", "# comment\n", "\uFEFF", "onset", "time",
    ];

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void Empty_time_list_is_one_line_not_an_index_error(string text)
    {
        // Found by this fuzzer: an empty events or pulse file threw ArgumentOutOfRangeException (exit 70).
        using var folder = new TempFolder();
        string path = folder.File("events.tsv");
        File.WriteAllText(path, text);

        var e = Assert.Throws<InvalidRecordingException>(() => WindowTimes.FromTextFile(path));

        Assert.Equal($"{path}: line 1: found no columns (the file is empty), expected a table of event times, or one per line", e.Message);
    }

    [Fact]
    public void Gzip_member_of_an_unknown_method_after_the_first_is_one_line()
    {
        // Found by this fuzzer: a second gzip member with another compression method surfaced as InvalidDataException while the reader started.
        using var folder = new TempFolder();
        string path = folder.File("sub-01_physio.tsv.gz");
        File.WriteAllBytes(path, [.. NiftiFuzzTests.Gzip(Encoding.UTF8.GetBytes("1\t2\t3\n")), 0x1F, 0x8B, 0x07, 0, 0, 0, 0, 0, 0, 0, 0]);
        File.WriteAllText(folder.File("sub-01_physio.json"), "{\"SamplingFrequency\": 10, \"StartTime\": 0, \"Columns\": [\"a\", \"b\", \"c\"]}");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsPhysioStream.Open(path, new BidsPhysioOptions(folder.File("cache"))));

        Assert.StartsWith($"{path}: gzip stream near line 1: found corrupt compressed data", e.Message);
    }

    [Fact]
    public void Mutated_tables_keep_the_reader_contract()
    {
        Gen<Mutant> mutants =
            from source in Gen.Elements(Sources.Keys.ToArray())
            from container in source.EndsWith(".gz", StringComparison.Ordinal) ? Gen.Elements("gzip", "gzip", "gzip damage") : Gen.Constant("text")
            from edits in Mutations.Edits(Gen.Frequency(
                (5, from position in Gen.Choose(0, int.MaxValue)
                    from text in Gen.Elements(Pieces)
                    select (Edit)new InsertText((uint)position, text)),
                (2, Mutations.Flip),
                (1, Mutations.Truncation),
                (1, Mutations.Appending),
                (1, Mutations.ControlInsertion)))
            from outer in container == "gzip damage"
                ? Mutations.Edits(Gen.OneOf(Mutations.Truncation, Mutations.Flip, Mutations.Appending), 2)
                : Gen.Constant(Array.Empty<Edit>())
            select new Mutant(source, container == "gzip damage" ? [] : edits, container, outer);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("tables", mutants, 120, mutant =>
        {
            string dir = Path.Combine(folder.Path, $"case{index++}");
            Directory.CreateDirectory(dir);
            try
            {
                byte[] content = mutant.Apply(Encoding.UTF8.GetBytes(Sources[mutant.Source]));
                string path = Path.Combine(dir, mutant.Source.Replace("physio", "sub-01_physio", StringComparison.Ordinal));
                File.WriteAllBytes(path, mutant.Container == "text" ? content : mutant.ApplyOuter(NiftiFuzzTests.Gzip(content)));
                string sidecar = Path.Combine(dir, "sub-01_physio.json");
                File.WriteAllText(sidecar, "{\"SamplingFrequency\": 10, \"StartTime\": -1.5, \"Columns\": [\"time\", \"trigger\", \"resp\"]}");
                return ReaderContract.Run(mutant.ToString(), [path, sidecar], () => Read(mutant.Source, path, sidecar, Path.Combine(dir, "cache")));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }, output);
    }

    private static void Read(string source, string path, string sidecar, string cache)
    {
        switch (source)
        {
            case "events.tsv":
                var warnings = new List<string>();
                double[] times = WindowTimes.FromTextFile(path, warnings: warnings);
                ReaderChecks.Require(times.All(double.IsFinite), "event times are finite");
                warnings.ForEach(w => ReaderChecks.Printable(w, "warning"));
                BidsEvents events = BidsEvents.Read(path);
                ReaderChecks.Require(events is not null, "events table");
                break;
            case "pulses.csv":
                PulseTrain pulses = PulseTrain.FromFile(path);
                ReaderChecks.Require(pulses.Count > 0, "a pulse train has pulses");
                break;
            default:
                using (BidsPhysioStream physio = BidsPhysioStream.Open(path, new BidsPhysioOptions(cache, sidecar)))
                {
                    ReaderChecks.Clock(physio.Clock);
                    ReaderChecks.Details(physio.Details);
                    if (physio.Clock.SampleCount > 0)
                    {
                        byte[] block = new byte[(int)Math.Min(physio.Clock.SampleCount, 16) * 3 * sizeof(double)];
                        physio.ReadBlock(0, (int)Math.Min(physio.Clock.SampleCount, 16), block);
                    }
                }

                break;
        }
    }
}

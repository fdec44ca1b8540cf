using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Cli.Tests.ScaleOut;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Mistaken command lines (issue 17): the documented ones over small real files, with arguments
/// dropped, repeated, swapped, values replaced by boundary texts, options inserted (known, typed
/// wrong, inline <c>--x=v</c>, response files that do not exist), run in-process. Every outcome is
/// exit 0, or exit 1 or 2 with exactly one error line: never 70, a stack trace, a hang, or a
/// changed input.
/// </summary>
public sealed class CliFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Options =
    [
        "--ephys", "--video", "--fmri", "--time", "--times", "--events", "--event-column", "--event-filter", "--events-from", "--every", "--before", "--after",
        "--rate", "--mode", "--drop-incomplete", "--filter", "--out", "--overwrite", "--max-output-gb", "--shard", "--shards", "--jobs", "--compression", "--level",
        "--ephys-channels", "--ephys-dtype", "--ephys-rate", "--ephys-gain-uv", "--ephys-header-bytes", "--video-sync", "--sync-line", "--out-dir", "--session",
        "--only-missing", "--remove-shards", "--help", "--version", "--aftr", "-x", "--", "@missing-args.txt",
    ];

    private static readonly string[] Values =
    [
        .. Mutations.BoundaryTexts, "ephys=1e-9", "ephys=1e9", "video=30", "ephys:6", "ephys:0:both", "x:y:z", "1/2", "2/2", "0/0", "linear", "ephys=nearest",
        "signal >", "signal > 0 mV", "ephys:XA0>2.5V", "ephys:0:width=10ms±2ms", "physical", "trial_type=", "=go", "gzip", "zstd", "none", "int8", "float64", "native", "-0.001", "1e-300",
    ];

    [Fact]
    public void Mistaken_command_lines_exit_0_1_or_2_with_one_line()
    {
        using var folder = new TempFolder();
        string rec = ScaleOutFiles.Recording(folder, seconds: 0.5);
        string events = folder.File("events.tsv");
        File.WriteAllText(events, "onset\tduration\ttrial_type\n0.1\t0\tgo\n0.3\t0\tstop\n");
        string manifest = folder.File("study.tsv");
        File.WriteAllText(manifest, "session\tephys\ttimes\ns01\trec.dat\t0.1\ns02\trec.dat\t0.2,0.3\n");
        string[] shards = OutputGuardTests.Shards(folder);
        string[] inputs = [rec, events, manifest, .. shards];
        string Out(int n) => folder.File($"out{n}.h5");
        string[][] documented =
        [
            ["--ephys", rec, "--ephys-channels", "16", "--time", "0.1", "--after", "0.01", "--out", Out(0)],
            ["--ephys", rec, "--ephys-channels", "16", "--every", "0.1", "--after", "0.02", "--rate", "ephys=1000", "--out", Out(1)],
            ["--ephys", rec, "--ephys-channels", "16", "--events", events, "--event-filter", "trial_type=go", "--before", "0.01", "--after", "0.01", "--out", Out(2)],
            ["--ephys", rec, "--ephys-channels", "16", "--times", "0.1,0.2", "--after", "0.01", "--filter", "signal > 0", "--compression", "zstd", "--out", Out(3)],
            ["info", "--ephys-channels", "16", rec],
            ["sync", "--ephys", rec, "--ephys-channels", "16"],
            ["batch", manifest, "--out-dir", folder.File("batch"), "--ephys-channels", "16", "--after", "0.01"],
            ["merge", Out(4), shards[0], shards[1]],
        ];
        Gen<Edit> one = Gen.Frequency(
            (4, from at in Gen.Choose(0, 30) from value in Gen.Elements(Values) select (Edit)new ArgumentEdit("set", at, value)),
            (2, from at in Gen.Choose(0, 30) select (Edit)new ArgumentEdit("drop", at, string.Empty)),
            (1, from at in Gen.Choose(0, 30) select (Edit)new ArgumentEdit("twice", at, string.Empty)),
            (1, from at in Gen.Choose(0, 30) select (Edit)new ArgumentEdit("swap", at, string.Empty)),
            (3, from at in Gen.Choose(0, 30) from option in Gen.Elements(Options) from value in Gen.Elements(Values) select (Edit)new ArgumentEdit("insert", at, option + "\0" + value)),
            (1, from at in Gen.Choose(0, 30) from option in Gen.Elements(Options) from value in Gen.Elements(Values) select (Edit)new ArgumentEdit("insert", at, option + "=" + value)),
            (1, from at in Gen.Choose(0, 30) from path in Gen.Elements(inputs) select (Edit)new ArgumentEdit("insert", at, "--out\0" + path)));
        Gen<Mutant> mutants =
            from line in Gen.Choose(0, documented.Length - 1)
            from edits in Mutations.Edits(one, 3)
            select new Mutant(line.ToString(System.Globalization.CultureInfo.InvariantCulture), edits);

        FuzzRunner.Run("command lines", mutants, 120, mutant =>
        {
            string[] args = ArgumentEdit.Split(mutant.Apply(ArgumentEdit.Join(documented[int.Parse(mutant.Source, System.Globalization.CultureInfo.InvariantCulture)])));
            string description = $"neuro-align {string.Join(' ', args.Select(a => a.Replace(folder.Path, "…", StringComparison.Ordinal)))}";
            try
            {
                return ReaderContract.Run(description, inputs, () =>
                {
                    var (code, _, stderr) = CliRunner.Run(args);
                    string[] errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        // A filter rule's error shows the rule and a caret under the fault on two indented lines (by design, docs/filter.md).
                        .Where(l => !l.StartsWith("neuro-align: warning:", StringComparison.Ordinal) && !(stderr.Contains("error: filter \"", StringComparison.Ordinal) && l.StartsWith("    ", StringComparison.Ordinal)))
                        .ToArray();
                    if (code is not (0 or 1 or 2) || stderr.Contains("   at ", StringComparison.Ordinal) || stderr.Contains("internal error", StringComparison.Ordinal))
                    {
                        throw new ContractViolationException($"exit {code}: {stderr.Trim()}");
                    }

                    // batch in this process echoes each failed session's error line as it runs, then its one-line summary.
                    if (args.FirstOrDefault() == "batch" && errors.Length > 1 && errors.All(l => l.StartsWith("neuro-align: error: ", StringComparison.Ordinal)))
                    {
                        errors = errors[^1..];
                    }

                    if (code != 0)
                    {
                        if (errors.Length != 1 || !errors[0].StartsWith("neuro-align: error: ", StringComparison.Ordinal))
                        {
                            throw new ContractViolationException($"exit {code} with {errors.Length} lines: {stderr.Trim()}");
                        }

                        throw new NeuroAlignException(errors[0]["neuro-align: error: ".Length..]);
                    }
                });
            }
            finally
            {
                foreach (string file in Directory.GetFiles(folder.Path, "out*.h5"))
                {
                    File.Delete(file);
                }
            }
        }, output);
    }

    /// <summary>An edit of a command line (arguments joined by NUL): set, drop, repeat or swap the argument at a position, or insert arguments.</summary>
    private sealed record ArgumentEdit(string How, int At, string Text) : Edit
    {
        public static byte[] Join(IEnumerable<string> args) => Encoding.UTF8.GetBytes(string.Join('\0', args));

        public static string[] Split(byte[] bytes) => bytes.Length == 0 ? [] : Encoding.UTF8.GetString(bytes).Split('\0');

        public override byte[] Apply(byte[] input)
        {
            var args = Split(input).ToList();
            int i = args.Count == 0 ? 0 : At % args.Count;
            switch (How)
            {
                case "set" when args.Count > 0: args[i] = Text; break;
                case "drop" when args.Count > 0: args.RemoveAt(i); break;
                case "twice" when args.Count > 0: args.Insert(i, args[i]); break;
                case "swap" when args.Count > 1: (args[i], args[(i + 1) % args.Count]) = (args[(i + 1) % args.Count], args[i]); break;
                case "insert": args.InsertRange(Math.Min(At, args.Count), Text.Split('\0')); break;
                default: break;
            }

            return Join(args);
        }

        public override string ToString() => $"{How} {At} {Printable.Escape(Text.Replace('\0', ' '))}";
    }
}

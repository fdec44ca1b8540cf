using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace NeuroAlign.TestData.Fuzzing;

/// <summary>
/// Runs one fuzzer: FsCheck draws <see cref="FuzzSettings.Mutants"/> mutants from a generator with a
/// fixed seed (so a failure replays), and each mutant goes through <see cref="ReaderContract"/>.
/// FsCheck reports the first mutant that breaks the contract with the edits that made it.
/// </summary>
public static class FuzzRunner
{
    /// <summary>Runs <paramref name="runCase"/> on each mutant; returns the counts of accepted and rejected mutants.</summary>
    public static (int Accepted, int Rejected) Run(
        string fuzzer, Gen<Mutant> mutants, int fastCount, Func<Mutant, (CaseOutcome Outcome, string? Message)> runCase, ITestOutputHelper? output = null)
    {
        int count = FuzzSettings.Mutants(fastCount);
        ulong seed = FuzzSettings.Seed;
        int accepted = 0, rejected = 0;
        var messages = new Dictionary<string, int>(StringComparer.Ordinal);
        var violations = new Dictionary<string, (int Count, string Example)>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        Property property = Prop.ForAll(Arb.From(mutants), (Mutant mutant) =>
        {
            CaseOutcome outcome;
            string? message;
            try
            {
                (outcome, message) = runCase(mutant);
            }
            catch (ContractViolationException e)
            {
                // Every kind of violation is collected (the kind: the exception and where it was thrown),
                // so that one run lists all the defects instead of the first.
                string where = ViolationKind(e);
                violations[where] = (violations.GetValueOrDefault(where).Count + 1, violations.GetValueOrDefault(where).Example ?? e.Message);
                return;
            }

            if (outcome == CaseOutcome.Accepted)
            {
                accepted++;
            }
            else
            {
                rejected++;
                string kind = Kind(message!);
                messages[kind] = messages.GetValueOrDefault(kind) + 1;
            }
        });

        // The gamma of a SplitMix generator must be odd; any odd constant gives a fixed, replayable stream.
        Config config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));
        Check.One(config, property);
        string figures = $"fuzz {fuzzer}: {count} mutants (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s: {accepted} accepted, {rejected} rejected with one-line errors ({messages.Count} distinct kinds), {violations.Values.Sum(v => v.Count)} contract violations";
        output?.WriteLine(figures);
        foreach ((string kind, int n) in messages.OrderByDescending(m => m.Value).Take(12))
        {
            output?.WriteLine($"  {n,6} × {kind}");
        }

        FuzzSettings.Report(figures);
        if (violations.Count > 0)
        {
            throw new ContractViolationException(
                $"{figures}\n" + string.Join("\n\n", violations.Select(v => $"[{v.Value.Count} ×] {v.Key}\n  e.g. {v.Value.Example}")));
        }

        return (accepted, rejected);
    }

    private static string ViolationKind(ContractViolationException e)
    {
        Exception root = e;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        if (root is ContractViolationException)
        {
            // A broken check of the contract itself: its text without the mutant is the kind.
            int colon = root.Message.IndexOf(": accepted", StringComparison.Ordinal);
            string text = colon >= 0 ? root.Message[(colon + 2)..] : root.Message;
            return new string(text.Take(90).Select(c => char.IsAsciiDigit(c) ? '#' : c).ToArray());
        }

        string? frame = root.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("NeuroAlign.", StringComparison.Ordinal) && !l.Contains("Tests", StringComparison.Ordinal));
        return $"{root.GetType().Name} {frame}";
    }

    /// <summary>A message with the case's folder and numbers removed, to count kinds of rejection.</summary>
    private static string Kind(string message)
    {
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        string rest = colon >= 0 ? message[(colon + 2)..] : message;
        var kind = new System.Text.StringBuilder();
        foreach (char c in rest.Length > 70 ? rest[..70] : rest)
        {
            if (!char.IsAsciiDigit(c) || kind.Length == 0 || kind[^1] != '#')
            {
                kind.Append(char.IsAsciiDigit(c) ? '#' : c);
            }
        }

        return kind.ToString();
    }

    /// <summary>
    /// Runs a fuzzer over mutants of one file: up to three edits drawn from <paramref name="edit"/>
    /// applied to <paramref name="original"/>, each written to <paramref name="folder"/> under the
    /// original's extension, read by <paramref name="read"/> under the <see cref="ReaderContract"/>,
    /// then deleted.
    /// </summary>
    public static (int Accepted, int Rejected) RunOnFile(
        string fuzzer, string fileName, byte[] original, Gen<Edit> edit, TempFolder folder, Action<string> read, ITestOutputHelper? output = null, int fastCount = 60)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(read);
        Gen<Mutant> mutants = from edits in Mutations.Edits(edit, 3) select new Mutant(fileName, edits);
        string extension = Path.GetExtension(fileName);
        int index = 0;
        return Run(fuzzer, mutants, fastCount, mutant =>
        {
            string path = folder.File($"case{index++}{extension}");
            File.WriteAllBytes(path, mutant.Apply(original));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () => read(path));
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }
}

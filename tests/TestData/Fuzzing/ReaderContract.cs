using System.Diagnostics;
using System.Security.Cryptography;

namespace NeuroAlign.TestData.Fuzzing;

/// <summary>What one mutant did to a reader that kept the contract.</summary>
public enum CaseOutcome
{
    /// <summary>Opened and read, with self-consistent results.</summary>
    Accepted,

    /// <summary>Refused with a one-line NeuroAlignException.</summary>
    Rejected,
}

/// <summary>
/// The readers' contract on any input, checked around one call: it either succeeds (the body's
/// own consistency checks pass) or throws a <see cref="NeuroAlignException"/> whose message is one
/// printable line; never another exception type, never longer than <see cref="Timeout"/>, never an
/// allocation past <see cref="MaxAllocatedBytes"/> (sizes from headers must be checked before use),
/// never a change to its input files.
/// </summary>
public static class ReaderContract
{
    /// <summary>Far above any honest case (milliseconds on these small files): a case this slow is a hang.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The inputs are kilobytes to a few megabytes; a reader allocating more trusted a size from a header.</summary>
    public const long MaxAllocatedBytes = 256L << 20;

    /// <summary>Runs <paramref name="body"/> under the contract; throws <see cref="ContractViolationException"/> when it is broken.</summary>
    public static (CaseOutcome Outcome, string? Message) Run(string description, IReadOnlyList<string> inputs, Action body)
    {
        Dictionary<string, string> before = HashAll(inputs);
        Exception? thrown = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                body();
            }
            catch (Exception e)
            {
                thrown = e;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        })
        {
            IsBackground = true,
            Name = "fuzz case",
        };
        var clock = Stopwatch.StartNew();
        worker.Start();
        if (!worker.Join(Timeout))
        {
            throw new ContractViolationException($"{description}: still running after {Timeout.TotalSeconds} s (a hang)");
        }

        Dictionary<string, string> after = HashAll(inputs);
        foreach ((string path, string hash) in before)
        {
            if (after[path] != hash)
            {
                throw new ContractViolationException($"{description}: the reader changed its input {path}");
            }
        }

        if (allocated > MaxAllocatedBytes)
        {
            throw new ContractViolationException($"{description}: allocated {allocated >> 20} MiB (limit {MaxAllocatedBytes >> 20} MiB): a size from the file was trusted ({clock.ElapsedMilliseconds} ms; outcome {thrown?.GetType().Name ?? "success"})");
        }

        switch (thrown)
        {
            case null:
                return (CaseOutcome.Accepted, null);
            case ContractViolationException:
                throw new ContractViolationException($"{description}: {thrown.Message}", thrown);
            case NeuroAlignException e:
                CheckMessage(description, e);
                return (CaseOutcome.Rejected, e.Message);
            default:
                throw new ContractViolationException($"{description}: {thrown.GetType().Name} instead of a NeuroAlignException: {thrown.Message}\n{thrown.StackTrace}", thrown);
        }
    }

    /// <summary>A NeuroAlignException's message must be one line without control characters (escaped ones are fine).</summary>
    public static void CheckMessage(string description, Exception e)
    {
        string message = e.Message;
        if (message.Length == 0)
        {
            throw new ContractViolationException($"{description}: {e.GetType().Name} with an empty message", e);
        }

        foreach (char c in message)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' || (c >= '\u202A' && c <= '\u202E'))
            {
                throw new ContractViolationException($"{description}: message holds U+{(int)c:X4}: {Printable.Escape(message)}", e);
            }
        }
    }

    private static Dictionary<string, string> HashAll(IReadOnlyList<string> inputs) =>
        inputs.Where(File.Exists).Distinct().ToDictionary(p => p, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));
}

/// <summary>A broken reader contract: the test fails with this.</summary>
public sealed class ContractViolationException : Exception
{
    public ContractViolationException(string message)
        : base(message)
    {
    }

    public ContractViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ContractViolationException()
    {
    }
}

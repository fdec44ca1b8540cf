namespace NeuroAlign.Time;

/// <summary>A vector of sample times in seconds, strictly increasing. May live in memory or in a mapped file.</summary>
public interface ITimestamps
{
    long Count { get; }

    double this[long index] { get; }
}

/// <summary>Timestamps held in an array.</summary>
public sealed class ArrayTimestamps : ITimestamps
{
    private readonly double[] _seconds;

    public ArrayTimestamps(double[] seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        _seconds = seconds;
    }

    public long Count => _seconds.Length;

    /// <summary>The times themselves, for searches that index the array directly (not to be changed).</summary>
    internal double[] Array => _seconds;

    public double this[long index] => _seconds[index];
}

using System.Globalization;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Modalities.Spikes;

/// <summary>
/// Sorted spikes as an event stream on the clock of the recording they were sorted from: spike
/// sample k is sample k of that recording (its <see cref="SampleClock"/>, firstSample included),
/// so the spikes follow its map to the reference. Units are the clusters kept by the unit
/// selection, in ascending id order. As an <see cref="ISampleStream"/>, sample k is uint16 [U]:
/// the spikes of each unit at sample k.
/// </summary>
public sealed class SpikeStream : IEventStream
{
    private readonly SortedSpikes _spikes;
    private readonly int[] _unitOfId;
    private readonly long[] _idBlock = new long[SortedSpikes.BlockSize];
    private bool _disposed;

    /// <param name="spikes">The spikes; the stream owns and disposes them.</param>
    /// <param name="units">The units kept, ascending ids.</param>
    /// <param name="clock">The sorted recording's clock (its sample k is spike sample k).</param>
    /// <param name="clockSource">Which stream the clock is, in words, for info.</param>
    public SpikeStream(SortedSpikes spikes, IReadOnlyList<SortedUnit> units, SampleClock clock, string clockSource)
    {
        ArgumentNullException.ThrowIfNull(spikes);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(clock);
        _spikes = spikes;
        Units = units;
        Clock = clock;
        ClockSource = clockSource;
        long maxId = spikes.Units.Count == 0 ? 0 : spikes.Units[^1].Id;
        _unitOfId = new int[maxId + 1];
        Array.Fill(_unitOfId, -1);
        for (int u = 0; u < units.Count; u++)
        {
            _unitOfId[units[u].Id] = u;
        }

        SampleShape = [units.Count];
        AllEventsSelected = units.Count == spikes.Units.Count;
    }

    /// <summary>The sorted spikes read.</summary>
    public SortedSpikes Spikes => _spikes;

    /// <summary>The units kept, in output order.</summary>
    public IReadOnlyList<SortedUnit> Units { get; }

    /// <summary>Which recording's clock the spikes are on, in words.</summary>
    public string ClockSource { get; }

    public string SourcePath => _spikes.SourcePath;

    public string FormatName => _spikes.FormatName;

    public SampleClock Clock { get; }

    public SampleType ElementType => SampleType.UInt16;

    public IReadOnlyList<int> SampleShape { get; }

    public int UnitCount => Units.Count;

    public long EventCount => _spikes.SpikeCount;

    public bool AllEventsSelected { get; }

    public double DefaultBinRateHz => SpikesSettings.DefaultBinRateHz;

    public IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            var rows = new List<KeyValuePair<string, string>>
            {
                new("sorter", _spikes.Sorter),
                new("sample rate", double.IsFinite(_spikes.SampleRateHz)
                    ? $"{_spikes.SampleRateHz.ToString("R", CultureInfo.InvariantCulture)} Hz (params.py sample_rate)"
                    : "none: spike times in seconds, on an explicit clock of the distinct times"),
                new("spikes", _spikes.SpikeCount.ToString(CultureInfo.InvariantCulture)),
                new("spike samples", _spikes.SpikeCount == 0 ? "none" : $"{_spikes.FirstSample} to {_spikes.LastSample}"),
                new("time span", _spikes.SpikeCount == 0 ? "none" : $"{Seconds(Clock.TimeOf(_spikes.FirstSample))} to {Seconds(Clock.TimeOf(_spikes.LastSample))} s (own clock of the sorted recording)"),
                new("units", $"{_spikes.Units.Count} ({string.Join(", ", _spikes.Units.GroupBy(u => u.Label).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}; labels from {_spikes.LabelSource})"),
                new("units kept", $"{Units.Count} ({Units.Sum(u => u.SpikeCount)} spikes)"),
                new("clock", ClockSource),
            };
            rows.AddRange(_spikes.ParamFacts);
            return rows;
        }
    }

    public long EventSample(long index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _spikes.SampleOf(index);
    }

    public void ReadEvents(long start, Span<long> samples, Span<int> units)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (units.Length != samples.Length)
        {
            throw new ArgumentException("samples and units differ in length", nameof(units));
        }

        for (int done = 0; done < samples.Length; done += _idBlock.Length)
        {
            int n = Math.Min(_idBlock.Length, samples.Length - done);
            _spikes.Read(start + done, samples.Slice(done, n), _idBlock.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                units[done + i] = _unitOfId[_idBlock[i]];
            }
        }
    }

    public void ReleaseEvents(long start, long count) => _spikes.Release(start, count);

    /// <summary>Sample k: the spikes of each unit at sample k (uint16 [U]); -1 gives zeros.</summary>
    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int bytes = UnitCount * sizeof(ushort);
        if (destination.Length < (long)indices.Length * bytes)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes; {indices.Length} samples need {(long)indices.Length * bytes}", nameof(destination));
        }

        Span<long> sample = stackalloc long[1];
        Span<int> unit = stackalloc int[1];
        for (int k = 0; k < indices.Length; k++)
        {
            long index = indices[k];
            if (index < -1 || index >= Clock.SampleCount)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"sample {index} is outside -1..{Clock.SampleCount - 1}");
            }

            Span<ushort> counts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(destination.Slice(k * bytes, bytes));
            counts.Clear();
            if (index < 0)
            {
                continue;
            }

            for (long e = FirstEventAtOrAfter(index); e < EventCount; e++)
            {
                ReadEvents(e, sample, unit);
                if (sample[0] != index)
                {
                    break;
                }

                if (unit[0] >= 0 && counts[unit[0]] < ushort.MaxValue)
                {
                    counts[unit[0]]++;
                }
            }
        }
    }

    /// <summary>The first event at or after sample <paramref name="sample"/> (binary search over the sorted times).</summary>
    public long FirstEventAtOrAfter(long sample)
    {
        long lo = 0, hi = EventCount;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) / 2);
            if (EventSample(mid) < sample)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _spikes.Dispose();
        }
    }

    private static string Seconds(double t) => t.ToString("F6", CultureInfo.InvariantCulture);
}

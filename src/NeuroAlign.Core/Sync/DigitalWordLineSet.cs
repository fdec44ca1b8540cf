using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>
/// Lines stored as bits of one channel of a continuous stream (a digital word sampled with the data:
/// the SpikeGLX imec SY word, NIDQ XD words). Edges are found in one pass over the channel, window by
/// window over the mapping, so memory holds one window and the edge lists, whatever the file's size.
/// Only the lines asked for are scanned: a status bit that flickers every sample costs nothing
/// unless it is requested.
/// </summary>
public sealed class DigitalWordLineSet : DigitalLineSet
{
    /// <summary>Default samples per window of the edge scan (a window of a 385-channel int16 file is 25 MB).</summary>
    public const int DefaultWindowSamples = 32_768;

    private readonly ContinuousStream _stream;
    private readonly int _column;
    private readonly DigitalLine[] _lines;
    private readonly int[] _bits;
    private readonly int _windowSamples;
    private readonly DigitalEdges?[] _edges;
    private readonly Lock _scanLock = new();

    /// <param name="name">Short name for messages and `info`.</param>
    /// <param name="stream">The stream holding the word; not owned: it must outlive this set.</param>
    /// <param name="column">Position of the word's channel in <paramref name="stream"/>.</param>
    /// <param name="lines">Each line with the bit of the word that holds it (0 = least significant).</param>
    /// <param name="windowSamples">Samples read per window of the scan.</param>
    public DigitalWordLineSet(
        string name, ContinuousStream stream, int column, IEnumerable<(DigitalLine Line, int Bit)> lines, int windowSamples = DefaultWindowSamples)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, stream.ChannelCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSamples);
        var sorted = lines.OrderBy(l => l.Line.Number).ToArray();
        int wordBits = stream.ElementType.SizeOf() * 8;
        foreach ((DigitalLine line, int bit) in sorted)
        {
            if (bit < 0 || bit >= wordBits)
            {
                throw new ArgumentOutOfRangeException(nameof(lines), $"line {line.Number}: bit {bit} is outside a {wordBits}-bit word");
            }
        }

        Name = name;
        _stream = stream;
        _column = column;
        _lines = sorted.Select(l => l.Line).ToArray();
        _bits = sorted.Select(l => l.Bit).ToArray();
        _windowSamples = windowSamples;
        _edges = new DigitalEdges?[_lines.Length];
    }

    public override string Name { get; }

    public override SampleClock Clock => _stream.Clock;

    public override IReadOnlyList<DigitalLine> Lines => _lines;

    /// <summary>Position of the word's channel in the stream.</summary>
    public int Column => _column;

    /// <summary>The bit of the word holding line <paramref name="line"/>.</summary>
    public int BitOf(int line)
    {
        int i = Array.FindIndex(_lines, l => l.Number == line);
        return i >= 0 ? _bits[i] : throw new NeuroAlignException($"{Name}: digital line {line} does not exist");
    }

    public override IReadOnlyList<DigitalEdges> GetAllEdges() => Edges(Enumerable.Range(0, _lines.Length).ToArray());

    protected override DigitalEdges GetEdgesAt(int position) => Edges([position])[0];

    /// <summary>The edges of the lines at <paramref name="positions"/>, scanning once for those not yet known.</summary>
    private DigitalEdges[] Edges(int[] positions)
    {
        lock (_scanLock)
        {
            int[] missing = positions.Where(p => _edges[p] is null).ToArray();
            if (missing.Length > 0)
            {
                DigitalEdges[] found = Scan(missing);
                for (int i = 0; i < missing.Length; i++)
                {
                    _edges[missing[i]] = found[i];
                }
            }

            return positions.Select(p => _edges[p]!).ToArray();
        }
    }

    private DigitalEdges[] Scan(int[] positions)
    {
        int[] bits = positions.Select(p => _bits[p]).ToArray();
        var state = new ScanState(bits);
        long total = _stream.SampleCount;
        byte[]? rented = null;
        try
        {
            for (long start = 0; start < total; start += _windowSamples)
            {
                int rows = (int)Math.Min(_windowSamples, total - start);
                if (!_stream.TryGetWindow(start, rows, out ReadOnlySpan<byte> window))
                {
                    rented ??= ArrayPool<byte>.Shared.Rent(_windowSamples * _stream.FrameBytes);
                    _stream.ReadBlock(start, rows, rented);
                    window = rented.AsSpan(0, rows * _stream.FrameBytes);
                }

                switch (_stream.ElementType.SizeOf())
                {
                    case 1: state.Scan(window, rows, _stream.ChannelCount, _column, start); break;
                    case 2: state.Scan(MemoryMarshal.Cast<byte, ushort>(window), rows, _stream.ChannelCount, _column, start); break;
                    case 4: state.Scan(MemoryMarshal.Cast<byte, uint>(window), rows, _stream.ChannelCount, _column, start); break;
                    default: state.Scan(MemoryMarshal.Cast<byte, ulong>(window), rows, _stream.ChannelCount, _column, start); break;
                }
            }
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return state.Finish(positions.Select(p => _lines[p]).ToArray());
    }

    private sealed class ScanState(int[] bits)
    {
        private readonly List<long>[] _rising = bits.Select(_ => new List<long>()).ToArray();
        private readonly List<long>[] _falling = bits.Select(_ => new List<long>()).ToArray();
        private readonly ulong _mask = bits.Aggregate(0UL, (m, b) => m | (1UL << b));
        private ulong _previous;
        private ulong _initial;
        private bool _started;

        public void Scan<T>(ReadOnlySpan<T> values, int rows, int stride, int column, long firstSample)
            where T : unmanaged, IBinaryInteger<T>
        {
            int r = 0;
            if (!_started && rows > 0)
            {
                _initial = _previous = ulong.CreateTruncating(values[column]) & _mask;
                _started = true;
                r = 1;
            }

            ulong previous = _previous;
            for (int at = (r * stride) + column; r < rows; r++, at += stride)
            {
                ulong word = ulong.CreateTruncating(values[at]) & _mask;
                ulong changed = word ^ previous;
                if (changed != 0)
                {
                    for (int i = 0; i < bits.Length; i++)
                    {
                        if (((changed >> bits[i]) & 1) != 0)
                        {
                            (((word >> bits[i]) & 1) != 0 ? _rising[i] : _falling[i]).Add(firstSample + r);
                        }
                    }

                    previous = word;
                }
            }

            _previous = previous;
        }

        public DigitalEdges[] Finish(DigitalLine[] lines) =>
            lines.Select((line, i) => new DigitalEdges(line.Number, ((_initial >> bits[i]) & 1) != 0, _rising[i].ToArray(), _falling[i].ToArray()))
                .ToArray();
    }
}

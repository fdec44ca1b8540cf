using NeuroAlign.Alignment;
using NeuroAlign.Streams;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// A synthetic export whose every value is a function of the global window index, written whole
/// or as shards with <see cref="Hdf5Sink"/>: the truth a merge must reproduce.
/// </summary>
internal static class SyntheticExport
{
    public const string Fingerprint = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static ModalityLayout[] Layouts(int ephysPoints = 50, int channels = 16) =>
    [
        new("ephys", SampleType.Int16, [channels], ephysPoints, Attributes(), new Dictionary<string, Array>
        {
            ["gain_to_uV"] = Enumerable.Range(0, channels).Select(c => 2.34375 + c).ToArray(),
            ["channel_ids"] = Enumerable.Range(0, channels).Select(c => c * 2).ToArray(),
        }),
        new("video", SampleType.UInt8, [6, 8], 5, Attributes(), new Dictionary<string, Array>()),
    ];

    public static double Time(int w) => 0.25 + (w * 0.5);

    /// <summary>Writes windows [first, first + count) of a <paramref name="total"/>-window export; as shard <paramref name="shard"/> when given.</summary>
    public static void Write(
        string path,
        int total,
        int first,
        int count,
        ShardSpec? shard,
        string fingerprint = Fingerprint,
        ModalityLayout[]? layouts = null,
        Hdf5SinkOptions? options = null)
    {
        layouts ??= Layouts();
        options ??= new Hdf5SinkOptions();
        var root = new Dictionary<string, object>
        {
            ["schema_version"] = 1L,
            ["command_line"] = "neuro-align synthetic",
            ["answer"] = 42,
            ["windows_incomplete"] = (long)Enumerable.Range(first, count).Count(w => w % 3 == 0),
        };
        if (shard is { } s)
        {
            root[ShardAttributes.Index] = (long)s.Index;
            root[ShardAttributes.Count] = (long)s.Count;
            root[ShardAttributes.TotalWindows] = (long)total;
            root[ShardAttributes.FirstWindow] = (long)first;
            root[ShardAttributes.Fingerprint] = fingerprint;
            root[ShardAttributes.Compression] = options.Describe();
        }

        var withCounters = layouts.Select(l => l with
        {
            Attributes = new Dictionary<string, object>(l.Attributes)
            {
                ["samples_outside"] = (long)count * 2,
                ["windows_incomplete"] = (long)count,
            },
        }).ToArray();
        using var sink = new Hdf5Sink(path, options);
        sink.Begin(new ExportLayout(Enumerable.Range(first, count).Select(Time).ToArray(), withCounters, root));
        var buffers = withCounters.Select(l => new WindowBuffer(l)).ToArray();
        for (int w = 0; w < count; w++)
        {
            for (int m = 0; m < buffers.Length; m++)
            {
                Fill(buffers[m], first + w, m);
                sink.Write(w, m, buffers[m]);
            }
        }

        sink.Complete();
    }

    /// <summary>Writes the export as <paramref name="count"/> shard files in <paramref name="folder"/>; returns their paths.</summary>
    public static string[] WriteShards(string folder, int total, int count, string fingerprint = Fingerprint)
    {
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            var spec = new ShardSpec(i, count);
            var (first, n) = spec.Range(total);
            paths[i] = Path.Combine(folder, $"shard-{i}.h5");
            Write(paths[i], total, first, n, spec, fingerprint);
        }

        return paths;
    }

    private static Dictionary<string, object> Attributes() => new()
    {
        ["format"] = "synthetic",
        ["native_rate_hz"] = 30000.0,
    };

    private static void Fill(WindowBuffer b, int w, int m)
    {
        switch (b.Data)
        {
            case short[] a: for (int i = 0; i < a.Length; i++) { a[i] = (short)((w * 131) - (i * 7) + m); } break;
            case byte[] a: for (int i = 0; i < a.Length; i++) { a[i] = (byte)((w * 31) + i); } break;
            default: throw new InvalidOperationException();
        }

        for (int k = 0; k < b.Timestamps.Length; k++)
        {
            b.Timestamps[k] = Time(w) + (k / 1000.0);
            b.SourceIndex[k] = w % 3 == 0 && k == 0 ? -1 : (w * 1000L) + k;
            b.SourceTime[k] = b.SourceIndex[k] < 0 ? double.NaN : Time(w) + (k / 1000.0);
        }
    }
}

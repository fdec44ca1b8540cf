using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5;
using NeuroAlign.Memory;
using NeuroAlign.Streams;

namespace NeuroAlign.Benchmarks.Hdf5;

/// <summary>
/// Each codec × level writing the same ten windows of one modality through <see cref="Hdf5Sink"/>
/// (chunks compressed on every core): realistic int16 ephys (384 channels, noise sd 30 counts + an
/// 8 Hz wave, <see cref="BenchFiles.WriteRealisticEphys"/>), video-like uint8 frames (smooth
/// shading, a moving bright disc, sensor noise) and an fMRI-like float32 run (a smooth "brain"
/// of about 1000 with noise sd 15). About 92 MB of samples per modality, written to /dev/shm.
/// <c>harness codec MODALITY CODEC[-LEVEL] REPS [KEEP|-] [THREADS] [buffers|mapped]</c> times the same export for bench/peers/codecs.py,
/// which runs h5py + hdf5plugin on the same bytes and prints the table in docs/benchmarks.md.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private CodecData _data = null!;
    private string _folder = null!;

    [Params("ephys", "video", "fmri")]
    public string Modality { get; set; } = "ephys";

    /// <summary>CODEC-LEVEL, or CODEC for codecs without levels.</summary>
    [Params("none", "gzip-1", "gzip-4", "zstd-1", "zstd-3", "zstd--3", "lz4-0", "bitshuffle-lz4", "bitshuffle-zstd-1", "bitshuffle-zstd-3", "bitshuffle-zstd--2")]
    public string Codec { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _data = CodecData.Load(Modality);
        _folder = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"neuroalign-bench-codec-{Environment.ProcessId}")).FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Description = "Hdf5Sink, ten windows")]
    public long Export() => _data.Export(Path.Combine(_folder, "c.h5"), Options(Codec));

    /// <summary>"zstd-3" → zstd at level 3; "bitshuffle-lz4" → its only setting.</summary>
    public static Hdf5SinkOptions Options(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // The level is the last number, which may be negative (zstd's fast levels): "zstd--3".
        Match withLevel = Regex.Match(text, @"^(?<codec>.+?)-(?<level>-?[0-9]+)$");
        if (withLevel.Success)
        {
            return new Hdf5SinkOptions(CompressionCodecs.Parse(withLevel.Groups["codec"].Value), int.Parse(withLevel.Groups["level"].Value, CultureInfo.InvariantCulture));
        }

        return text == "none" ? Hdf5SinkOptions.Uncompressed : new Hdf5SinkOptions(CompressionCodecs.Parse(text));
    }

    /// <summary>
    /// For the harness: the codec alone (<c>ChunkCodec.Encode</c>, what a worker runs per chunk) on the
    /// export's twenty chunks (each window is two chunks, as the sink cuts them), on
    /// <paramref name="threads"/> threads, <paramref name="reps"/> times: the best and median
    /// milliseconds per chunk (wall, all chunks / chunks) and the ratio. With
    /// <paramref name="preShuffled"/> the chunks are byte-shuffled beforehand and the codec runs
    /// without its shuffle: the compressor alone, to set beside C's (bench/peers/zstd_chunks.py).
    /// </summary>
    public static void ChunkHarness(string modality, string codecText, int reps, int threads, bool preShuffled)
    {
        CodecData data = CodecData.Load(modality);
        Hdf5SinkOptions options = Options(codecText);
        int elementBytes = data.Layout.DataType.SizeOf();
        var codec = new NeuroAlign.Hdf5.Compression.ChunkCodec(options.Codec, options.EffectiveLevel ?? 0, preShuffled ? 1 : elementBytes, shuffle: !preShuffled);
        var chunks = new List<byte[]>();
        foreach (WindowBuffer b in data.Buffers)
        {
            int half = b.DataBytes.Length / 2;
            for (int c = 0; c < 2; c++)
            {
                byte[] chunk = b.DataBytes.Slice(c * half, half).ToArray();
                if (preShuffled)
                {
                    byte[] shuffled = new byte[chunk.Length];
                    NeuroAlign.Hdf5.Compression.ChunkFilters.ShuffleInto(chunk, elementBytes, shuffled);
                    chunk = shuffled;
                }

                chunks.Add(chunk);
            }
        }

        var outputs = chunks.Select(c => new NeuroAlign.Hdf5.Compression.ChunkOutput(c.Length + (c.Length / 100) + 4096)).ToArray();
        var times = new List<double>();
        for (int r = 0; r <= reps; r++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => codec.Encode(chunks[i], outputs[i]));
            if (r > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds / chunks.Count);
            }
        }

        times.Sort();
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["modality"] = modality,
            ["codec"] = codecText,
            ["threads"] = threads,
            ["pre_shuffled"] = preShuffled,
            ["chunk_bytes"] = chunks[0].Length,
            ["best_ms_per_chunk"] = times[0],
            ["median_ms_per_chunk"] = times[times.Count / 2],
            ["ratio"] = (double)outputs.Sum(o => (long)o.Written.Length) / chunks.Sum(c => (long)c.Length),
        }));
    }

    /// <summary>
    /// For the harness: median seconds of <paramref name="reps"/> exports, and the sizes; the last
    /// file is kept as <paramref name="keep"/> when given. <paramref name="threads"/>: the sink's
    /// compression threads (0: one per core; 1: on the writing thread, the codec's own cost).
    /// <paramref name="mapped"/>: windows come as memory over the mapped data file
    /// (<see cref="WindowBuffer.SourceData"/>, as from a recording at its native rate: the
    /// uncompressed export writes it without a copy) instead of filled buffers.
    /// </summary>
    public static void Harness(string modality, string codec, int reps, string? keep, int threads = 0, bool mapped = false)
    {
        CodecData data = CodecData.Load(modality);
        string folder = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"neuroalign-bench-codec-{Environment.ProcessId}")).FullName;
        try
        {
            string path = Path.Combine(folder, "c.h5");
            Hdf5SinkOptions options = Options(codec) with { CompressionThreads = threads };
            using MappedFile? mapping = mapped ? MappedFile.OpenRead(data.Path) : null;
            data.Export(path, options, mapping);
            var times = new List<double>();
            var cpu = new List<double>();
            long bytes = 0;
            using var process = Process.GetCurrentProcess();
            for (int r = 0; r < reps; r++)
            {
                process.Refresh();
                TimeSpan cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                bytes = data.Export(path, options, mapping);
                times.Add(clock.Elapsed.TotalSeconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
            }

            // In the order taken: the first exports show what tiered compilation costs.
            double[] wallInOrder = [.. times];
            double[] cpuInOrder = [.. cpu];
            times.Sort();
            cpu.Sort();
            if (keep != null)
            {
                File.Copy(path, keep, overwrite: true);
            }

            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["modality"] = modality,
                ["codec"] = codec,
                ["median_s"] = times[times.Count / 2],
                ["median_cpu_s"] = cpu[cpu.Count / 2],
                ["min_s"] = times[0],
                ["min_cpu_s"] = cpu[0],
                ["wall_s"] = wallInOrder,
                ["cpu_s"] = cpuInOrder,
                ["raw_bytes"] = data.RawBytes,
                ["file_bytes"] = bytes,
                ["data_file"] = data.Path,
                ["shape"] = data.Shape,
                ["dtype"] = data.Layout.DataType.ToText(),
                ["windows"] = mapped ? "mapped" : "buffers",
            }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>Ten windows of one modality, kept as raw C-order bytes in <see cref="BenchFiles.Folder"/> for both sides.</summary>
internal sealed class CodecData
{
    private const int Windows = 10;

    private CodecData(string path, ModalityLayout layout, WindowBuffer[] windows, int[] shape)
    {
        Path = path;
        Layout = layout;
        Buffers = windows;
        Shape = shape;
    }

    public string Path { get; }

    public ModalityLayout Layout { get; }

    public WindowBuffer[] Buffers { get; }

    /// <summary>[windows, points, sample shape…].</summary>
    public int[] Shape { get; }

    public long RawBytes => Buffers.Sum(b => (long)b.DataBytes.Length);

    public static CodecData Load(string modality)
    {
        (SampleType type, int points, int[] sampleShape) = modality switch
        {
            "ephys" => (SampleType.Int16, 12_000, new[] { 384 }),
            "video" => (SampleType.UInt8, 30, new[] { 480, 640 }),
            "fmri" => (SampleType.Float32, 4, new[] { 96, 96, 64 }),
            _ => throw new ArgumentException($"modality {modality}: expected ephys, video or fmri"),
        };
        var layout = new ModalityLayout(modality, type, sampleShape, points, new Dictionary<string, object>(), new Dictionary<string, Array>());
        var buffers = Enumerable.Range(0, Windows).Select(_ => new WindowBuffer(layout)).ToArray();
        string path = System.IO.Path.Combine(BenchFiles.Folder, $"codec_{modality}.bin");
        long bytes = buffers.Sum(b => (long)b.DataBytes.Length);
        if (!File.Exists(path) || new FileInfo(path).Length != bytes)
        {
            Make(modality, path, bytes, buffers);
        }

        using (FileStream file = File.OpenRead(path))
        {
            foreach (WindowBuffer b in buffers)
            {
                file.ReadExactly(b.DataBytes);
            }
        }

        for (int w = 0; w < Windows; w++)
        {
            for (int k = 0; k < points; k++)
            {
                buffers[w].Timestamps[k] = w + (k * 1e-3);
                buffers[w].SourceIndex[k] = (w * points) + k;
                buffers[w].SourceTime[k] = buffers[w].Timestamps[k];
            }
        }

        return new CodecData(path, layout, buffers, [Windows, points, .. sampleShape]);
    }

    /// <summary>Writes the ten windows: from the filled buffers, or as memory over <paramref name="mapping"/> (the data file) when given.</summary>
    public long Export(string path, Hdf5SinkOptions options, MappedFile? mapping = null)
    {
        using (var sink = new Hdf5Sink(path, options))
        {
            sink.Begin(new ExportLayout(Enumerable.Range(0, Windows).Select(w => (double)w).ToArray(), [Layout], new Dictionary<string, object> { ["schema_version"] = 1L }));
            long offset = 0;
            for (int w = 0; w < Windows; w++)
            {
                int bytes = Buffers[w].DataBytes.Length;
                Buffers[w].SourceData = mapping?.GetMemory(offset, bytes) ?? default;
                offset += bytes;
                sink.Write(w, 0, Buffers[w]);
            }

            sink.Complete();
        }

        return new FileInfo(path).Length;
    }

    private static void Make(string modality, string path, long bytes, WindowBuffer[] buffers)
    {
        var random = new Random(7);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        if (modality == "ephys")
        {
            BenchFiles.WriteRealisticEphys(path, bytes);
            return;
        }

        using var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write);
        int frame = 0;
        foreach (WindowBuffer b in buffers)
        {
            if (b.Data is byte[] pixels)
            {
                // 480 × 640 gray frames: shading, a disc moving 4 px per frame, noise sd 2.
                for (int f = 0; f < pixels.Length / (480 * 640); f++, frame++)
                {
                    double cx = 100 + ((4 * frame) % 440), cy = 240 + (80 * Math.Sin(frame / 20.0));
                    for (int y = 0; y < 480; y++)
                    {
                        for (int x = 0; x < 640; x++)
                        {
                            double v = 60 + (0.1 * x) + (0.05 * y) + (((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < 900 ? 120 : 0) + (2 * Gaussian());
                            pixels[(f * 480 * 640) + (y * 640) + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                        }
                    }
                }
            }
            else if (b.Data is float[] voxels)
            {
                // 96 × 96 × 64 volumes: an ellipsoid of about 1000 (smooth inside) in zeros, noise sd 15 inside.
                for (int v = 0; v < voxels.Length / (96 * 96 * 64); v++)
                {
                    int at = v * 96 * 96 * 64;
                    for (int i = 0; i < 96; i++)
                    {
                        for (int j = 0; j < 96; j++)
                        {
                            for (int k = 0; k < 64; k++, at++)
                            {
                                double r = Math.Pow((i - 48) / 40.0, 2) + Math.Pow((j - 48) / 44.0, 2) + Math.Pow((k - 32) / 28.0, 2);
                                voxels[at] = r < 1 ? (float)(1000 + (200 * Math.Cos(i / 9.0) * Math.Sin(j / 7.0)) + (15 * Gaussian())) : 0f;
                            }
                        }
                    }
                }
            }

            file.Write(b.DataBytes);
        }

        file.Dispose();
        File.Move(path + ".partial", path, overwrite: true);
    }
}

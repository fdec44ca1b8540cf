using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Hdf5;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Benchmarks.Hdf5;

/// <summary>
/// Aligning and writing ten 1 s × 384-channel int16 windows (230 MB) of a realistic recording in
/// the page cache to HDF5: uncompressed, and gzip + shuffle at levels 1 and 4 on one thread or on
/// every core; against writing the same windows' bytes to a plain file, copied out first (what a
/// simple program does) or straight from the mapping (the fastest a write can be). h5py with gzip 4 + shuffle
/// on the same data is the "export" task of bench/peers/compare.py.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private const int Windows = 10;
    private InterleavedBinaryStream _recording = null!;
    private AlignedStream _aligned = null!;
    private double[] _times = null!;
    private string _folder = null!;
    private short[] _window = null!;

    /// <summary>none; gzip-L-serial (one thread); gzip-L-parallel (one per core).</summary>
    [Params("none", "gzip-1-serial", "gzip-1-parallel", "gzip-4-serial", "gzip-4-parallel")]
    public string Storage { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _recording = RawBinaryReader.Open(BenchFiles.RealisticRecording(60), new RawBinaryOptions());
        _aligned = new AlignedStream("ephys", _recording, ClockMap.Offset(0), new SamplingGrid(0, 1, 30_000), IndexMode.Previous, new Dictionary<string, object>(), new Dictionary<string, Array>());
        _times = Enumerable.Range(0, Windows).Select(w => w * 5.0).ToArray();
        // Into memory (tmpfs) where there is one: on a disk, write-back throttling after a few
        // hundred MB decides the times, whoever writes.
        _folder = Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", $"neuroalign-bench-export-{Environment.ProcessId}")).FullName
            : Directory.CreateTempSubdirectory("neuroalign-bench-export-").FullName;
        _window = new short[30_000 * 384];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recording.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "the windows' bytes to a plain file (FileStream)")]
    public long PlainFile()
    {
        string path = Path.Combine(_folder, "plain.bin");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            foreach (double t in _times)
            {
                _recording.ReadBlock((long)(t * 30_000), 30_000, MemoryMarshal.AsBytes(_window.AsSpan()));
                file.Write(MemoryMarshal.AsBytes(_window.AsSpan()));
            }
        }

        return new FileInfo(path).Length;
    }

    [Benchmark(Description = "the windows' bytes to a plain file straight from the mapping (no copy)")]
    public long PlainFileFromMapping()
    {
        string path = Path.Combine(_folder, "plain-mapped.bin");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            foreach (double t in _times)
            {
                file.Write(_recording.GetWindow<byte>((long)(t * 30_000), 30_000));
            }
        }

        return new FileInfo(path).Length;
    }

    [Benchmark(Description = "Aligner.Run into Hdf5Sink")]
    public long Export()
    {
        string path = Path.Combine(_folder, "export.h5");
        string[] parts = Storage.Split('-');
        Hdf5SinkOptions options = parts[0] == "none"
            ? Hdf5SinkOptions.Uncompressed
            : new Hdf5SinkOptions(CompressionCodec.Gzip, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), CompressionThreads: parts[2] == "serial" ? 1 : 0);
        using (var sink = new Hdf5Sink(path, options))
        {
            Aligner.Run([_aligned], _times, sink, new Dictionary<string, object>());
        }

        return new FileInfo(path).Length;
    }
}

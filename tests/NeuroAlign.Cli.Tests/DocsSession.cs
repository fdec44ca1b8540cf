using System.IO.Compression;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// The files the docs' command lines are run on, made once for <see cref="DocumentedCommandLinesTests"/>:
/// the demo session (`neuro-align demo`), a 20 s SpikeGLX recording, an .mp4, a .nii.gz with its
/// sidecar, a BIDS physio file and a sessions manifest.
/// </summary>
public sealed class DocsSession : IDisposable
{
    public const string Ephys = "x.bin";
    public const string Video = "y.mp4";
    public const string Fmri = "z.nii.gz";
    public const string Physio = "run_physio.tsv.gz";
    public const string Manifest = "study.tsv";
    public const string Wheel = "wheel.csv";

    private const int EphysApChannels = 8;
    private const double EphysRateHz = 30_000;
    private const double EphysSeconds = 20;

    private readonly TempFolder _folder = new();
    private int _workFolders;

    public DocsSession()
    {
        if (Ffmpeg.MissingReason != null)
        {
            // The tests are skipped; the demo session needs ffmpeg for its video.
            return;
        }

        // The demo session is written by the documented command itself.
        var (code, _, stderr) = CliRunner.Run("demo", "--dir", _folder.File("demo"));
        Assert.True(code == 0, $"neuro-align demo: exit {code}: {stderr}");

        string ephys = _folder.File(Ephys);
        SyntheticSync.WriteRecording(
            ephys, EphysApChannels + 1, EphysRateHz, (long)(EphysSeconds * EphysRateHz), new DeviceClock(0, 0),
            [(6, SyntheticSync.SquareWave(1, 0.5, 0.25))]);
        SyntheticSpikeGlxMeta.WriteImec(ephys, EphysApChannels, EphysRateHz);

        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=64x48:rate=30", "-t", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p", _folder.File(Video));

        // The demo's NIfTI under the docs' name; its sidecar follows the name (BIDS discovery).
        File.Copy(_folder.File("demo/sub-demo_task-demo_bold.nii.gz"), _folder.File(Fmri));
        File.Copy(_folder.File("demo/sub-demo_task-demo_bold.json"), _folder.File("z.json"));

        File.WriteAllText(_folder.File("run_physio.json"), """{"SamplingFrequency": 50, "StartTime": -1.5, "Columns": ["cardiac", "respiratory"]}""");
        using (var gzip = new GZipStream(File.Create(_folder.File(Physio)), CompressionLevel.Fastest))
        {
            gzip.Write("1\t2\n3\t4\n5\t6\n"u8);
        }

        // A wheel table on the reference clock: 0-10 s every 10 ms, position a ramp from -1 to 1.
        File.WriteAllText(_folder.File(Wheel), "time,position\n" + string.Concat(Enumerable.Range(0, 1001).Select(k => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{k / 100.0},{(k / 500.0) - 1}\n"))));

        File.WriteAllText(_folder.File(Manifest), $"session\tephys\tvideo\ns01\t{Ephys}\t{Video}\ns02\t{Ephys}\t\n");
    }

    public string Folder => _folder.Path;

    /// <summary>A fresh folder for one command's outputs.</summary>
    public string NewWorkFolder()
    {
        string path = _folder.File($"work{Interlocked.Increment(ref _workFolders)}");
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => _folder.Dispose();
}

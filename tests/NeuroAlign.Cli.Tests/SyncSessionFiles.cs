using System.Globalization;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// A 20-second session on disk with known truth: two imec probes (2 AP channels + SY, 30 kHz; the
/// second 20 ppm slow) and a NIDQ (XA0 + XD0, 25 kHz nominal, 35 ppm fast), all recording the 1 Hz
/// sync wave (SY bit 6; NIDQ line 0). The NIDQ also records a scanner's triggers on line 2 (TR 1 s,
/// 4 dummy scans, 12 volumes) and, when asked, a camera's strobe on line 1 (30 fps, 80 ppm fast,
/// starting 0.4 s in, skipping two exposures). Short and few-channeled: the files total 9 MB.
/// </summary>
internal sealed class SyncSessionFiles : IDisposable
{
    public const double Seconds = 20;
    public const double ImecRateHz = 30_000;
    public const double NidqRateHz = 25_000;
    public const double Tr = 1;
    public const int DummyScans = 4;
    public const int Volumes = 12;
    public const double Fps = 30;
    public const int SyncBit = 6, NidqSyncLine = 0, StrobeLine = 1, TriggerLine = 2, SecondStrobeLine = 3;
    public const double SyncPeriodSeconds = 1.000037;

    public static readonly DeviceClock Probe0 = new(0, 0);
    public static readonly DeviceClock Probe1 = new(0.0007, -20);
    public static readonly DeviceClock Nidq = new(-0.0011, 35);
    public static readonly DeviceClock Camera = new(0.4, 80);
    public static readonly DeviceClock Scanner = new(1.3, 0);
    public static readonly int[] SkippedExposures = [100, 250];

    /// <summary>A second camera: starts 0.9 s in, its crystal 50 ppm slow, one exposure skipped; its strobe on NIDQ line 3.</summary>
    public static readonly DeviceClock SecondCamera = new(0.9, -50);
    public static readonly int[] SecondSkippedExposures = [77];

    private readonly TempFolder _folder = new();

    /// <param name="probe1Sync">The line on probe 1's SY bit 6 (default: the shared sync wave).</param>
    /// <param name="probe1">Probe 1's clock (default <see cref="Probe1"/>).</param>
    /// <param name="triggers">How many scanner triggers the NIDQ records (default: dummies + volumes).</param>
    /// <param name="nidqNamesSyncLine">Whether the NIDQ .meta names its sync line (syncNiChan).</param>
    /// <param name="secondCamera">Whether the NIDQ also records <see cref="SecondCamera"/>'s strobe on <see cref="SecondStrobeLine"/>.</param>
    public SyncSessionFiles(LineSignal? probe1Sync = null, DeviceClock? probe1 = null, int triggers = DummyScans + Volumes, bool nidqNamesSyncLine = true, bool secondCamera = false)
    {
        Probe1Clock = probe1 ?? Probe1;
        // The sync generator has its own crystal (37 ppm off the reference's), so its edges fall at every
        // phase of each device's sample period, as they do when neither device generates them.
        LineSignal sync = SyntheticSync.SquareWave(SyncPeriodSeconds, 0.5, 0.25);
        Exposures = Enumerable.Range(0, (int)((Seconds - 1) * Fps)).Where(s => !SkippedExposures.Contains(s)).Select(s => Camera.ReferenceOf(s / Fps)).ToArray();
        SecondExposures = secondCamera
            ? Enumerable.Range(0, (int)((Seconds - 2) * Fps)).Where(s => !SecondSkippedExposures.Contains(s)).Select(s => SecondCamera.ReferenceOf(s / Fps)).ToArray()
            : [];
        Triggers = Enumerable.Range(0, triggers).Select(i => Scanner.ReferenceOf(i * Tr)).ToArray();

        Probe0Path = _folder.File("run_g0_t0.imec0.ap.bin");
        Probe1Path = _folder.File("run_g0_t0.imec1.ap.bin");
        NidqPath = _folder.File("run_g0_t0.nidq.bin");
        SyntheticSync.WriteRecording(Probe0Path, 3, ImecRateHz, (long)(Seconds * ImecRateHz), Probe0, [(SyncBit, sync)]);
        SyntheticSync.WriteRecording(Probe1Path, 3, ImecRateHz, (long)(Seconds * ImecRateHz), Probe1Clock, [(SyncBit, probe1Sync ?? sync)]);
        SyntheticSync.WriteRecording(NidqPath, 2, NidqRateHz, (long)(Seconds * NidqRateHz), Nidq,
            [
                (NidqSyncLine, sync), (StrobeLine, SyntheticSync.Pulses(Exposures, 0.004)), (TriggerLine, SyntheticSync.Pulses(Triggers, 0.010)),
                .. secondCamera ? [(SecondStrobeLine, SyntheticSync.Pulses(SecondExposures, 0.004))] : Array.Empty<(int, LineSignal)>(),
            ]);
        SyntheticSpikeGlxMeta.WriteImec(Probe0Path, 2, ImecRateHz);
        SyntheticSpikeGlxMeta.WriteImec(Probe1Path, 2, ImecRateHz);
        SyntheticSpikeGlxMeta.WriteNidq(NidqPath, NidqRateHz, nidqNamesSyncLine ? NidqSyncLine : null);

        // The run: 12 volumes of 4 × 3 × 2 voxels, every voxel of volume k holding k.
        FmriPath = _folder.File("sub-01_task-sync_bold.nii");
        var voxels = new short[4 * 3 * 2 * Volumes];
        for (int i = 0; i < voxels.Length; i++)
        {
            voxels[i] = (short)(i / 24);
        }

        NiftiWriter.Write<short>(FmriPath, voxels, [4, 3, 2, Volumes], new NiftiWriteOptions(RepetitionTime: Tr));
        System.IO.File.WriteAllText(_folder.File("sub-01_task-sync_bold.json"), "{\"RepetitionTime\": 1.0}\n");
    }

    public string Folder => _folder.Path;

    public string Probe0Path { get; }

    public string Probe1Path { get; }

    public string NidqPath { get; }

    public string FmriPath { get; }

    public DeviceClock Probe1Clock { get; }

    /// <summary>Reference times of the frames the camera saved (and strobed).</summary>
    public double[] Exposures { get; }

    public double[] Triggers { get; }

    /// <summary>Reference times of the frames the second camera saved (empty without it).</summary>
    public double[] SecondExposures { get; }

    public string File(string name) => _folder.File(name);

    /// <summary>Writes the camera's video (frame k shows gray level k mod 256) and returns its path.</summary>
    public string WriteVideo() =>
        Video.IndexPatternVideo.Write(_folder.File("camera.avi"), Exposures.Length, "30", new Video.FrameSize(16, 12));

    /// <summary>The sample of a device at or before reference time t: the truth a sync fit must reproduce.</summary>
    public static long SampleAt(DeviceClock clock, double rateHz, double t) => (long)Math.Floor(clock.OwnOf(t) * rateHz);

    /// <summary>Writes the second camera's video (frame k shows gray level k mod 256) and returns its path.</summary>
    public string WriteSecondVideo() =>
        Video.IndexPatternVideo.Write(_folder.File("body.avi"), SecondExposures.Length, "30", new Video.FrameSize(16, 12));

    public long FrameAt(double t) => Array.FindLastIndex(Exposures, e => e <= t);

    public long SecondFrameAt(double t) => Array.FindLastIndex(SecondExposures, e => e <= t);

    public long VolumeAt(double t) => Math.Max(-1, Array.FindLastIndex(Triggers, s => s <= t) - DummyScans);

    /// <summary>
    /// Window times away from every boundary: near the middle between two exposures, where both probe 1
    /// and the NIDQ are in the middle of a sample period, so an answer off by one sample or frame cannot
    /// pass by luck.
    /// </summary>
    public double[] SafeTimes(int count)
    {
        static double Phase(DeviceClock clock, double rateHz, double t)
        {
            double position = clock.OwnOf(t) * rateHz;
            return position - Math.Floor(position);
        }

        var times = new double[count];
        for (int w = 0; w < count; w++)
        {
            double target = 2.5 + (w * 15.0 / count);
            int k = Array.FindLastIndex(Exposures, e => e <= target);
            double t = (Exposures[k] + Exposures[k + 1]) / 2;
            while (Phase(Probe1Clock, ImecRateHz, t) is < 0.3 or > 0.7 || Phase(Nidq, NidqRateHz, t) is < 0.3 or > 0.7)
            {
                t += 1.1e-6;
            }

            times[w] = t;
        }

        return times;
    }

    public static string Join(IEnumerable<double> times) => string.Join(',', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture)));

    public void Dispose() => _folder.Dispose();
}

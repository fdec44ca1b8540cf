using System.Buffers.Binary;
using NeuroAlign.Formats.Nifti;

namespace NeuroAlign.Samples;

/// <summary>
/// A small deterministic synthetic session whose values encode their own truth, so a user can see
/// that alignment is right (<c>neuro-align demo</c>). Each modality adds its file here; the video,
/// written with ffmpeg, is the video project's (<c>IndexPatternVideo</c>, these constants).
/// </summary>
public static class DemoSession
{
    public const int EphysChannels = 384;

    /// <summary>Saved channels of the probe file: the 384 AP channels and the SY word (column 384).</summary>
    public const int EphysSavedChannels = EphysChannels + 1;
    public const double EphysRateHz = 30_000;
    public const double EphysSeconds = 4;
    public const string EphysFile = "demo_g0_t0.imec0.ap.bin";

    /// <summary>The demo probe's first sample on its acquisition clock: the file starts 3 s into the run.</summary>
    public const long EphysFirstSample = 90_000;

    /// <summary>NP 1.0 gain: imAiRangeMax 0.6 V / imMaxInt 512 / AP gain 500, in µV per count.</summary>
    public const double EphysGainToMicrovolts = 0.6 / 512 / 500 * 1e6;

    public const string VideoFile = "behaviour.avi";

    /// <summary>NTSC's 29.97 fps: a non-integer rate, as many cameras have.</summary>
    public const string VideoRate = "30000/1001";

    /// <summary>4 s of video at 29.97 fps.</summary>
    public const int VideoFrames = 120;

    public const int VideoWidth = 64;
    public const int VideoHeight = 48;

    public const string FmriFile = "sub-demo_task-demo_bold.nii.gz";
    public const string FmriSidecar = "sub-demo_task-demo_bold.json";
    public const double FmriRepetitionTime = 0.5;
    public const int FmriVolumes = 8;
    public static readonly int[] FmriShape = [8, 6, 4];

    /// <summary>
    /// Value (after scaling) of fMRI voxel (x, y, z) in volume k: 1000 k + 100 x + 10 y + z, so the
    /// value names its own volume and position. Stored as int16 twice that, with scl_slope 0.5.
    /// </summary>
    public static double FmriValue(int volume, int x, int y, int z) => (1000 * volume) + (100 * x) + (10 * y) + z;

    /// <summary>
    /// Writes a 4-D run (8 × 6 × 4 voxels, 8 volumes, TR 0.5 s: the 4 s of the ephys file) and its
    /// BIDS sidecar with RepetitionTime and SliceTiming; returns the image's path.
    /// </summary>
    public static string WriteFmri(string folder)
    {
        int[] s = FmriShape;
        var stored = new short[s[0] * s[1] * s[2] * FmriVolumes];
        int i = 0;
        for (int k = 0; k < FmriVolumes; k++)
        {
            for (int z = 0; z < s[2]; z++)
            {
                for (int y = 0; y < s[1]; y++)
                {
                    for (int x = 0; x < s[0]; x++)
                    {
                        // NIfTI stores x fastest (NIfTI-1 §dim).
                        stored[i++] = (short)(2 * FmriValue(k, x, y, z));
                    }
                }
            }
        }

        string path = Path.Combine(folder, FmriFile);
        NiftiWriter.Write<short>(
            path + ".partial.gz",
            stored,
            [s[0], s[1], s[2], FmriVolumes],
            new NiftiWriteOptions(RepetitionTime: FmriRepetitionTime, VoxelSizeMillimeters: 3, SclSlope: 0.5f, Description: "neuro-align demo"));
        File.Move(path + ".partial.gz", path, overwrite: true);
        File.WriteAllText(
            Path.Combine(folder, FmriSidecar),
            """
            {
              "TaskName": "demo",
              "RepetitionTime": 0.5,
              "SliceTiming": [0.0, 0.25, 0.125, 0.375]
            }

            """);
        return path;
    }

    /// <summary>
    /// Raw int16 value of AP channel <paramref name="channel"/> at sample <paramref name="sample"/>:
    /// value / 64 is the channel, value % 64 is the sample modulo 64.
    /// </summary>
    public static short EphysValue(long sample, int channel) => (short)((channel * 64) + (int)(sample % 64));

    // The session's sync wiring (docs/sync.md). Times are on the reference clock: the probe's, zero at
    // its first sample (3 s into the SpikeGLX run).

    /// <summary>The 1 Hz sync square wave: high for half of each second from 0.25 s (imec SY bit 6, NIDQ line 0).</summary>
    public const double SyncFirstRiseSeconds = 0.25;

    /// <summary>The NIDQ: 2 saved channels (XA0, XD0) at a nominal 25 kHz for 5 s, starting with the probe file.</summary>
    public const string NidqFile = "demo_g0_t0.nidq.bin";

    public const double NidqRateHz = 25_000;
    public const double NidqSeconds = 5;
    public const long NidqFirstSample = 75_000;

    /// <summary>The NIDQ's crystal runs 50 ppm slow: its nominal 25 kHz is 24 998.75 Hz on the probe's clock.</summary>
    public const double NidqRatePpm = -50;

    /// <summary>The NIDQ's counter started 10 µs before the probe's (it is not the probe's clock).</summary>
    public const double NidqLeadSeconds = 10e-6;

    /// <summary>NIDQ digital lines: 0 the sync wave (syncNiChan), 1 the camera strobe.</summary>
    public const int NidqSyncLine = 0, NidqStrobeLine = 1;

    /// <summary>The camera starts exposing 0.3 s into the reference clock, at 30000/1001 fps on its own clock.</summary>
    public const double CameraStartSeconds = 0.3;

    /// <summary>The camera skips exposure 40 (no strobe, no frame): frames from 40 on show exposures 41, 42…</summary>
    public const int CameraSkippedExposure = 40;

    /// <summary>Reference time of camera exposure <paramref name="slot"/>.</summary>
    public static double ExposureSeconds(int slot) => CameraStartSeconds + (slot * 1001 / 30000.0);

    /// <summary>The video frame on screen at reference time <paramref name="seconds"/> (the truth the strobe recovers).</summary>
    public static int FrameAt(double seconds)
    {
        int slot = (int)Math.Floor((seconds - CameraStartSeconds) * 30000 / 1001);
        return slot >= CameraSkippedExposure ? slot - 1 : slot;
    }

    /// <summary>The NIDQ sample at or before reference time <paramref name="seconds"/> (the truth the shared sync wave recovers).</summary>
    public static long NidqSampleAt(double seconds) =>
        (long)Math.Floor(NidqOwnSeconds(seconds) * NidqRateHz) - NidqFirstSample;

    /// <summary>The NIDQ's own (run) clock at reference time <paramref name="seconds"/>.</summary>
    private static double NidqOwnSeconds(double seconds) =>
        (seconds + (EphysFirstSample / EphysRateHz) + NidqLeadSeconds) * (1 + (NidqRatePpm * 1e-6));

    private static bool SyncHigh(double seconds) => ((seconds - SyncFirstRiseSeconds) % 1 + 1) % 1 < 0.5;

    private static bool StrobeHigh(double seconds)
    {
        // 4 ms strobe at each exposure the camera made.
        int slot = (int)Math.Floor((seconds - CameraStartSeconds) * 30000 / 1001);
        return slot >= 0 && slot <= VideoFrames && slot != CameraSkippedExposure && seconds - ExposureSeconds(slot) < 0.004;
    }

    /// <summary>
    /// Writes the NIDQ pair: XA0 holds the sample index (low 15 bits) so a read sample names itself;
    /// XD0 carries the sync wave and the camera strobe, sampled on the NIDQ's own (drifting) clock.
    /// </summary>
    public static string WriteNidq(string folder)
    {
        string path = Path.Combine(folder, NidqFile);
        long samples = (long)(NidqSeconds * NidqRateHz);
        var row = new byte[2 * sizeof(short)];
        using (var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long j = 0; j < samples; j++)
            {
                // Own (run) time of sample j → reference time, inverting NidqOwnSeconds.
                double own = (NidqFirstSample + j) / NidqRateHz;
                double t = (own / (1 + (NidqRatePpm * 1e-6))) - NidqLeadSeconds - (EphysFirstSample / EphysRateHz);
                int word = (SyncHigh(t) ? 1 << NidqSyncLine : 0) | (StrobeHigh(t) ? 1 << NidqStrobeLine : 0);
                BinaryPrimitives.WriteInt16LittleEndian(row, (short)(j & 0x7FFF));
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(sizeof(short)), (short)word);
                file.Write(row);
            }
        }

        File.Move(path + ".partial", path, overwrite: true);
        string[] meta =
        [
            "typeThis=nidq",
            $"niSampRate={NidqRateHz:R}",
            "nSavedChans=2",
            "acqMnMaXaDw=0,0,1,1",
            "snsMnMaXaDw=0,0,1,1",
            "snsSaveChanSubset=all",
            "niAiRangeMax=5",
            "niAiRangeMin=-5",
            "niMaxInt=32768",
            "niMNGain=200",
            "niMAGain=1",
            "niXDChans1=0:7",
            "niXDBytes1=1",
            "syncSourceIdx=1",
            "syncNiChanType=0",
            $"syncNiChan={NidqSyncLine}",
            $"firstSample={NidqFirstSample}",
            $"fileSizeBytes={samples * 2 * sizeof(short)}",
            "userNotes=NeuroAlign demo session: XA0 = sample index (low 15 bits); XD0 line 0 = 1 Hz sync, line 1 = camera strobe; the NIDQ clock runs 50 ppm slow",
        ];
        File.WriteAllLines(Path.ChangeExtension(path, ".meta"), meta);
        return path;
    }

    /// <summary>
    /// Writes the session's probe recording, a SpikeGLX pair (384 AP channels and the SY word whose bit 6
    /// carries the 1 Hz sync wave, 30 kHz, int16, 4 s; the .meta gives rate, gains and firstSample),
    /// and returns the .bin's path.
    /// </summary>
    public static string WriteEphys(string folder)
    {
        string path = Path.Combine(folder, EphysFile);
        long samples = (long)(EphysSeconds * EphysRateHz);
        var row = new byte[EphysSavedChannels * sizeof(short)];
        using (var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long k = 0; k < samples; k++)
            {
                for (int c = 0; c < EphysChannels; c++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * sizeof(short)), EphysValue(k, c));
                }

                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(EphysChannels * sizeof(short)), (short)(SyncHigh(k / EphysRateHz) ? 1 << 6 : 0));

                file.Write(row);
            }
        }

        File.Move(path + ".partial", path, overwrite: true);
        WriteEphysMeta(Path.ChangeExtension(path, ".meta"), samples * EphysSavedChannels * sizeof(short));
        return path;
    }

    /// <summary>A SpikeGLX .meta for an NP 1.0 probe saving its 384 AP channels and the SY word, every AP gain 500.</summary>
    private static void WriteEphysMeta(string path, long fileSizeBytes)
    {
        var imro = new System.Text.StringBuilder($"(0,{EphysChannels})");
        for (int c = 0; c < EphysChannels; c++)
        {
            imro.Append($"({c} 0 0 500 250 1)");
        }

        string[] lines =
        [
            "typeThis=imec",
            "imDatPrb_type=0",
            $"imSampRate={EphysRateHz:R}",
            $"nSavedChans={EphysSavedChannels}",
            $"acqApLfSy={EphysChannels},{EphysChannels},1",
            $"snsApLfSy={EphysChannels},0,1",
            $"snsSaveChanSubset=0:{EphysChannels - 1},{2 * EphysChannels}",
            "imAiRangeMax=0.6",
            "imAiRangeMin=-0.6",
            "imMaxInt=512",
            $"firstSample={EphysFirstSample}",
            $"fileSizeBytes={fileSizeBytes}",
            "syncSourceIdx=0",
            "syncImInputSlot=2",
            "userNotes=NeuroAlign demo session: raw value = channel x 64 + (sample mod 64); SY bit 6 = 1 Hz sync",
            $"~imroTbl={imro}",
        ];
        File.WriteAllLines(path, lines);
    }
}

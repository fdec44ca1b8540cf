using System.Buffers.Binary;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Demo;

/// <summary>
/// A small deterministic synthetic session whose values encode their own truth, so a user can see
/// that alignment is right. Each modality adds its file here.
/// </summary>
internal static class DemoSession
{
    public const int EphysChannels = 384;
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

    public static readonly FrameSize VideoSize = new(64, 48);

    /// <summary>Writes the session's video (frame k: every pixel gray level k) with ffmpeg and returns its path.</summary>
    public static string WriteVideo(string folder) =>
        IndexPatternVideo.Write(Path.Combine(folder, VideoFile), VideoFrames, VideoRate, VideoSize);

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
    /// Raw int16 value of channel <paramref name="channel"/> at sample <paramref name="sample"/>:
    /// value / 64 is the channel, value % 64 is the sample modulo 64.
    /// </summary>
    public static short EphysValue(long sample, int channel) => (short)((channel * 64) + (int)(sample % 64));

    /// <summary>
    /// Writes the session's ephys recording, a SpikeGLX pair (384 AP channels, 30 kHz, int16, 4 s; the
    /// .meta gives rate, gains and firstSample), and returns the .bin's path.
    /// </summary>
    public static string WriteEphys(string folder)
    {
        string path = Path.Combine(folder, EphysFile);
        long samples = (long)(EphysSeconds * EphysRateHz);
        var row = new byte[EphysChannels * sizeof(short)];
        using (var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long k = 0; k < samples; k++)
            {
                for (int c = 0; c < EphysChannels; c++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * sizeof(short)), EphysValue(k, c));
                }

                file.Write(row);
            }
        }

        File.Move(path + ".partial", path, overwrite: true);
        WriteEphysMeta(Path.ChangeExtension(path, ".meta"), samples * EphysChannels * sizeof(short));
        return path;
    }

    /// <summary>A SpikeGLX .meta for an NP 1.0 probe saving its 384 AP channels (no SY word), every AP gain 500.</summary>
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
            $"nSavedChans={EphysChannels}",
            $"acqApLfSy={EphysChannels},{EphysChannels},1",
            $"snsApLfSy={EphysChannels},0,0",
            $"snsSaveChanSubset=0:{EphysChannels - 1}",
            "imAiRangeMax=0.6",
            "imAiRangeMin=-0.6",
            "imMaxInt=512",
            $"firstSample={EphysFirstSample}",
            $"fileSizeBytes={fileSizeBytes}",
            "userNotes=NeuroAlign demo session: raw value = channel x 64 + (sample mod 64)",
            $"~imroTbl={imro}",
        ];
        File.WriteAllLines(path, lines);
    }
}

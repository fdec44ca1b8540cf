using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Samples;
using NeuroAlign.Sessions;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Commands;

/// <summary>`neuro-align demo`: writes the built-in sample session, aligns it and says what it wrote.</summary>
internal static class DemoCommand
{
    public static readonly Setting<string> Folder = Setting.Text("dir", "DIR", "folder for the sample session and its output", "./neuroalign-demo");

    /// <summary>A rule whose effect the session's values make plain: raw = channel × 64 + …, so below 6400 counts (15 mV) is channels 0-99.</summary>
    public const string DemoFilter = "ephys: signal < 15 mV";

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        }

        string folder = Path.GetFullPath(args.Values.Find(Folder) ?? "neuroalign-demo");
        string? parent = Path.GetDirectoryName(folder);
        if (parent != null && !Directory.Exists(parent))
        {
            throw new NeuroAlignException($"{Folder} {folder}: no such folder {parent}");
        }

        Directory.CreateDirectory(folder);
        context.Out.WriteLine($"writing the sample session to {folder}");
        string ephys = DemoSession.WriteEphys(folder);
        context.Out.WriteLine(
            $"  {DemoSession.EphysFile} + .meta (SpikeGLX): {DemoSession.EphysSeconds:G} s of {DemoSession.EphysChannels} AP channels + SY word, int16 at {DemoSession.EphysRateHz:G} Hz, {DemoSession.EphysGainToMicrovolts:G} uV per count, firstSample {DemoSession.EphysFirstSample}; raw value = channel × 64 + (sample mod 64); SY bit 6 = 1 Hz sync");
        string nidq = DemoSession.WriteNidq(folder);
        context.Out.WriteLine(
            $"  {DemoSession.NidqFile} + .meta (SpikeGLX NIDQ): {DemoSession.NidqSeconds:G} s at a nominal {DemoSession.NidqRateHz:G} Hz whose crystal runs {-DemoSession.NidqRatePpm:G} ppm slow; XA0 = sample index; XD0 line {DemoSession.NidqSyncLine} = the same 1 Hz sync, line {DemoSession.NidqStrobeLine} = the camera's strobe");

        string? video = null;
        try
        {
            // Frame k: every pixel gray level k.
            var size = new FrameSize(DemoSession.VideoWidth, DemoSession.VideoHeight);
            video = IndexPatternVideo.Write(Path.Combine(folder, DemoSession.VideoFile), DemoSession.VideoFrames, DemoSession.VideoRate, size);
            context.Out.WriteLine(
                $"  {DemoSession.VideoFile}: {DemoSession.VideoFrames} frames of {size} gray at {DemoSession.VideoRate} fps (29.97); every pixel of frame k has gray level k; the camera started {DemoSession.CameraStartSeconds:G} s in and skipped exposure {DemoSession.CameraSkippedExposure} (its strobe shows both)");
        }
        catch (NeuroAlignException e)
        {
            context.Warn($"the sample session has no video: {e.Message}");
        }

        string fmri = DemoSession.WriteFmri(folder);
        context.Out.WriteLine(
            $"  {DemoSession.FmriFile} + {DemoSession.FmriSidecar}: {string.Join("×", DemoSession.FmriShape)} voxels × {DemoSession.FmriVolumes} volumes, TR {DemoSession.FmriRepetitionTime:G} s, int16 × scl_slope 0.5; value = 1000 volume + 100 x + 10 y + z");

        string output = Path.Combine(folder, "aligned.h5");
        string[] exportArgs =
        [
            "--ephys", ephys, "--ephys", nidq,
            .. video is null ? Array.Empty<string>() : ["--video", video, "--video-sync", $"ephys_1:{DemoSession.NidqStrobeLine}"],
            "--fmri", fmri, "--fmri-cache", Path.Combine(folder, "cache"),
            "--time", "2.5", "--after", "1", "--filter", DemoFilter, "--out", output, "--report",
        ];
        context.Out.WriteLine($"running: neuro-align {string.Join(' ', exportArgs.Select(BashQuoting.Quote))}");
        int code = Program.Run(exportArgs, context with { CommandLine = "neuro-align " + string.Join(' ', exportArgs.Select(BashQuoting.Quote)) });
        if (code != 0)
        {
            return code;
        }

        context.Out.WriteLine("check it (h5py):");
        context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); d = f['ephys/data']; print(d.shape, f['ephys/source_index'][0, 0], d[0, 0, 5] // 64, d[0, 0, 5] % 64, f['ephys/gain_to_uV'][5])\"");
        context.Out.WriteLine($"  expected: (1, 30000, 385) 75000 5 {75000 % 64} {DemoSession.EphysGainToMicrovolts:R}  (2.5 s after the recording starts is sample 75000; channel 5; gain from the .meta)");
        long nidqTruth = DemoSession.NidqSampleAt(2.5);
        long nidqNominal = (long)Math.Floor((2.5 + (DemoSession.EphysFirstSample / DemoSession.EphysRateHz)) * DemoSession.NidqRateHz) - DemoSession.NidqFirstSample;
        context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); s = f['sync/ephys_1'].attrs; print(f['ephys_1/source_index'][0, 0], f['ephys_1/data'][0, 0, 0], s['method'], round(s['drift_ppm'], 1))\"");
        context.Out.WriteLine($"  expected: {nidqTruth} {nidqTruth & 0x7FFF} linear ~{-DemoSession.NidqRatePpm:G}  (the true NIDQ sample at 2.5 s, whose XA0 holds its index; at its nominal rate it would be {nidqNominal}: the shared 1 Hz wave corrects the NIDQ's {-DemoSession.NidqRatePpm:G} ppm slow clock; 4 pulses give the drift to a few ppm and the sample to about one)");
        context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); m = f['ephys/mask'][0]; print(m[:, :100].all(), m[:, 100:384].any(), m[:, 384].all(), f['ephys/kept_fraction'][0])\"");
        context.Out.WriteLine($"  expected: True False True {101.0 / DemoSession.EphysSavedChannels:R}  (--filter \"{DemoFilter}\": 15 mV is 6400 counts at {DemoSession.EphysGainToMicrovolts:G} uV per count, so channels 0-99 pass, and the SY word, 0 or 64 at 1 uV per count)");
        if (video is not null)
        {
            int frame = DemoSession.FrameAt(2.5);
            context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); v = f['video/data']; print(v.shape, f['video/source_index'][0, :3], v[0, :3].mean(axis=(1, 2)), f['sync/video'].attrs['frames_dropped'])\"");
            context.Out.WriteLine($"  expected: (1, 30, 48, 64) [{frame} {frame + 1} {frame + 2}] [{frame}. {frame + 1}. {frame + 2}.] 1  (the strobe puts frame {frame} on screen at 2.5 s, not the nominal rate's frame {(int)Math.Floor(2.5 * 30000 / 1001)}: the camera started {DemoSession.CameraStartSeconds:G} s in and skipped exposure {DemoSession.CameraSkippedExposure})");
        }

        context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); print(f['fmri/data'].shape, f['fmri/source_index'][0], f['fmri/data'][0, 1, 3, 2, 1])\"");
        context.Out.WriteLine("  expected: (1, 2, 8, 6, 4) [5 6] 6321.0  (TR 0.5 s: volumes 5 and 6 start at 2.5 s and 3 s; value 1000·6 + 100·3 + 10·2 + 1)");
        context.Out.WriteLine($"look at it: open {NeuroAlign.Report.HtmlReport.DefaultPath(output)} in a browser (the camera's dropped frame on the timeline, the NIDQ's drift, where the fMRI run sits)");
        return 0;
    }
}

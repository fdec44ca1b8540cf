using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Inputs;

/// <summary>
/// Opens a session's recordings (every --ephys, --video, --fmri) and puts each on the reference
/// clock: the first ephys stream's (else the video's, else the fMRI run's), zero at its first sample.
/// Shared sync pulses, strobes, triggers and offsets are fitted here, before anything is written.
/// </summary>
internal static class SessionInputs
{
    /// <summary>Whether any input is given.</summary>
    public static bool HasInput(ParsedArgs args) => args.Has("--ephys") || args.Has("--video") || args.Has("--fmri");

    /// <summary>The checks that need no file: inputs named, sync options consistent.</summary>
    public static void CheckOptions(ParsedArgs args)
    {
        int ephys = args.GetAll("--ephys").Count;
        SyncInput.CheckOptions(args, ephys, args.Has("--video"), args.Has("--fmri"));
        if (ephys == 0 && args.Has("--video") && (args.Has("--video-sync") || args.Has("--video-led")))
        {
            throw new UsageException($"option {(args.Has("--video-led") ? "--video-led" : "--video-sync")}: without --ephys the video is the reference clock; there is nothing to tie it to");
        }

        if (ephys == 0 && !args.Has("--video") && args.Has("--fmri-sync"))
        {
            throw new UsageException("option --fmri-sync: without --ephys or --video the fMRI run is the reference clock; there is nothing to tie it to");
        }
    }

    /// <summary>
    /// Opens every input and fits the clocks. Streams are added to <paramref name="opened"/> as they
    /// open, so the caller disposes them whatever happens.
    /// </summary>
    public static List<SessionStream> Open(ParsedArgs args, CliContext context, List<ISampleStream> opened, PerModality<double?>? rates)
    {
        var session = new List<SessionStream>();
        IReadOnlyList<string> ephysPaths = args.GetAll("--ephys");
        for (int i = 0; i < ephysPaths.Count; i++)
        {
            string name = SyncInput.EphysName(i);
            ContinuousStream ephys = EphysInput.Open(ephysPaths[i], args, name, out IReadOnlyList<DigitalLineSet> lines);
            opened.Add(ephys);
            if (ephys.SampleCount == 0)
            {
                throw new NeuroAlignException($"{ephysPaths[i]}: the recording holds no samples");
            }

            if (i == 0)
            {
                // The reference clock's zero is the reference stream's first sample (ARCHITECTURE.md).
                session.Add(new SessionStream(name, ephys, ClockMap.Offset(-ephys.Clock.StartSeconds), null, lines, "reference clock: its first sample is time zero"));
                continue;
            }

            // Streams of one acquisition system count from the same start (SpikeGLX firstSample, Open
            // Ephys sample numbers): that is where they sit before sync. Others start together.
            SessionStream reference = session[0];
            bool sharedStart = ephys.FormatName == reference.Stream.FormatName && ephys.FormatName is SpikeGlxReader.FormatName or OpenEphysReader.FormatName;
            ClockMap prior = sharedStart ? reference.Map : ClockMap.Offset(-ephys.Clock.StartSeconds);
            var pending = new SessionStream(name, ephys, prior, null, lines, "");
            ClockFit fit = SyncInput.FitEphys(args, reference, pending, prior, prior.ToReference(0));
            session.Add(pending with { Map = fit.Map, Fit = fit, Placement = Placement(fit) });
        }

        var ephysStreams = session.ToArray();
        if (args.Get("--video") is { } videoPath)
        {
            VideoStream video = VideoInput.Open(videoPath, args);
            opened.Add(video);
            session.Add(PerSample(args, "video", video, ephysStreams, session.Count == 0, $"no shared clock or sync with the {(session.Count > 0 ? session[0].Name : "")} recording; both start at reference time 0 (the first frame at 0 s)"));
        }

        if (args.Get("--fmri") is { } fmriPath)
        {
            // The run's own zero is its first volume's onset (BIDS).
            NiftiStream fmri = FmriInput.Open(fmriPath, args, context);
            opened.Add(fmri);
            if (rates is not null)
            {
                FmriInput.CheckRate(fmri, rates);
            }

            session.Add(PerSample(args, "fmri", fmri, ephysStreams, session.Count == 0, $"no shared clock or sync with the {(session.Count > 0 ? session[0].Name : "")} recording; the first volume's onset is put at reference time 0"));
        }

        return session;
    }

    private static SessionStream PerSample(ParsedArgs args, string name, ISampleStream stream, IReadOnlyList<SessionStream> ephys, bool isReference, string unsynchronised)
    {
        ClockMap prior = ClockMap.Offset(-stream.Clock.StartSeconds);
        if (isReference)
        {
            return new SessionStream(name, stream, prior, null, [], "reference clock: its first sample is time zero");
        }

        ClockFit? fit = SyncInput.FitPerSample(args, name, stream, prior, ephys);
        return fit is null
            ? new SessionStream(name, stream, prior, null, [], unsynchronised)
            : new SessionStream(name, stream, fit.Map, fit, [], Placement(fit));
    }

    private static string Placement(ClockFit fit) => fit.Method switch
    {
        "offset" => $"fixed offset given by hand ({fit.Source})",
        "strobe" or "trigger" => $"one {fit.Method} pulse per sample ({fit.Source})",
        "led" => $"an LED's pulses seen in the frames ({fit.Source})",
        _ => $"shared sync pulses ({fit.Source})",
    };
}

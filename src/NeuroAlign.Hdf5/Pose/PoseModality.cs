using System.Globalization;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Sessions;
using NeuroAlign.Time;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>The settings of pose streams; each may be given per pose stream (<c>left_pose=left</c>).</summary>
public static class PoseSettings
{
    public static readonly Setting<string> Video = Setting.Text(
        "pose-video", "NAME", "the video stream whose frames the rows are (row i = frame i): pose takes its frame times and its sync; per pose file: POSE=NAME",
        "the video named as the pose stream without _pose, else the only video", SettingScope.PerStream);

    public static readonly Setting<string> Timestamps = Setting.Text(
        "pose-timestamps", "PATH", "without a video: the rows' times in seconds (one per line, CSV with a header, or .npy); per pose file: POSE=PATH", scope: SettingScope.PerStream);

    public static readonly Setting<double> Rate = Setting.Number(
        "pose-rate", "HZ", "without a video: rows at this rate, row 0 at 0 s; per pose file: POSE=HZ", minimum: 0, exclusiveMinimum: true, scope: SettingScope.PerStream);

    public static readonly Setting<PulseSource> Sync = Setting.Of(
        "pose-sync", "STREAM:LINE", "without a video: one pulse per row (the camera's strobe) on a line of an ephys stream, or a FILE of pulse times on the reference clock; per pose file: POSE=STREAM:LINE",
        text => PulseSource.Parse("pose-sync", text), scope: SettingScope.PerStream);

    public static IReadOnlyList<Setting> All { get; } = [Video, Timestamps, Rate];
}

/// <summary>
/// Pose tracked in a camera's frames (DeepLabCut, SLEAP): row i of the file is frame i of its
/// video, so the rows take that video stream's frame times on its own clock (variable frame rate,
/// dropped frames, a timestamps file) and its sync (strobe, LED): the session maps them through the
/// camera's map (<see cref="OpenedStream.ClockOf"/>). Without a video, a timestamps file or a rate.
/// </summary>
public sealed class PoseModality : IModality
{
    public string Name => "pose";

    public ModalityKind Kind => ModalityKind.Pose;

    /// <summary>Filter rules (<c>pose:</c>) read a point's x, y and score, judged for the point whole, and t.</summary>
    public FilterScope FilterScope { get; } = new(
        "pose",
        [
            FilterVariable.PointComponent("x", 0, 3, "the point's x in pixels"),
            FilterVariable.PointComponent("y", 1, 3, "the point's y in pixels"),
            FilterVariable.PointComponent("score", 2, 3, "the tracker's confidence (DeepLabCut likelihood, SLEAP point score)"),
            FilterVariable.Time,
        ]);

    public string PathHelp => "pose tracked in a camera's frames: DeepLabCut .h5/.csv, SLEAP analysis .h5, .slp or CSV";

    /// <summary>After video (1) and fMRI (2): a camera opens before its pose.</summary>
    public int ReferencePriority => 3;

    public PerSampleSync PerSampleSync { get; } = new(PoseSettings.Sync, "row", "strobe", ExtraPulsesLead: false);

    public IReadOnlyList<Setting> Settings => PoseSettings.All;

    /// <summary>A .h5 whose contents are a pose file; a .csv is a pose file only when given as one.</summary>
    public bool Claims(string path) => PoseFiles.IsPoseName(path) || IsPoseCsv(path);

    // (NWB pose is opened by its address: FILE.nwb#processing/behavior/PoseEstimation.)

    /// <summary>Whether a rate or a timestamps file times pose rows without a video (for <c>info</c>).</summary>
    public static bool IsTimed(SettingValues settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Has(PoseSettings.Rate) || settings.Has(PoseSettings.Timestamps);
    }

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(streams);
        foreach (StreamRequest r in streams)
        {
            var given = new List<Setting>();
            foreach (Setting s in new Setting[] { PoseSettings.Video, PoseSettings.Timestamps, PoseSettings.Rate })
            {
                if (Has(settings, s, r))
                {
                    given.Add(s);
                }
            }

            if (given.Count > 1)
            {
                throw new SettingException($"options {string.Join(" and ", given)}: give one way to time the rows of {r.Name}");
            }

            if (ContainerSources.FormatOf(r.Path) is not null)
            {
                // Pose of a container (NWB) is timed by the file: an offset or strobe places it as any stream.
                continue;
            }

            // A pose on its camera's clock takes the camera's map; an offset or strobe of its own would be ignored.
            if (!Has(settings, PoseSettings.Timestamps, r) && !Has(settings, PoseSettings.Rate, r) && settings.PerStream(SyncSettings.Offset).TryGet(r.Name, Name, out _))
            {
                throw new SettingException(SyncSettings.Offset, $"{r.Name} takes the clock of its video; place the video instead (an offset applies to a pose stream timed by {PoseSettings.Timestamps} or {PoseSettings.Rate})");
            }

            if (!Has(settings, PoseSettings.Timestamps, r) && !Has(settings, PoseSettings.Rate, r) && Has(settings, PoseSettings.Sync, r))
            {
                throw new SettingException(PoseSettings.Sync, $"{r.Name} takes the sync of its video; give the strobe to the video");
            }
        }

        Session.RequirePaths(settings, PoseSettings.Timestamps, streams);
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(opened);
        IPoseOpener? container = ContainerSources.Find<IPoseOpener>(request.Path, "pose (an ndx-pose PoseEstimation)");
        ContainerPose? nwb = container?.ReadPose(request.Path);
        PoseData data = nwb?.Data ?? PoseFiles.Read(request.Path);
        if (nwb is not null && !Has(settings, PoseSettings.Rate, request) && !Has(settings, PoseSettings.Timestamps, request) && !Has(settings, PoseSettings.Video, request))
        {
            return OpenOnFileClock(container!, request, nwb, log, opened);
        }

        if (settings.PerStream(PoseSettings.Rate).TryGet(request.Name, Name, out double rate))
        {
            return new OpenedStream(new PoseStream(data, new RegularClock(0, rate, data.FrameCount), string.Create(CultureInfo.InvariantCulture, $"{rate:G} Hz given ({PoseSettings.Rate})")), []);
        }

        if (settings.PerStream(PoseSettings.Timestamps).TryGet(request.Name, Name, out string? timesPath))
        {
            double[] times = FrameTimestampsFile.Read(timesPath);
            if (times.Length < data.FrameCount)
            {
                throw new InvalidRecordingException(request.Path, "rows", $"{data.FrameCount} rows", $"at most {times.Length}, the times in {timesPath}");
            }

            if (times.Length > data.FrameCount)
            {
                log.Warn($"{request.Name} ({request.Path}): {data.FrameCount} pose rows for {times.Length} times in {timesPath}; the last {times.Length - data.FrameCount} have no pose");
            }

            return new OpenedStream(new PoseStream(data, Prefix(new ExplicitClock(times, sourceDescription: timesPath), data.FrameCount), $"times from {timesPath}"), []);
        }

        SessionStream camera = Camera(request, settings, opened);
        long frames = camera.Stream.Clock.SampleCount;
        if (data.FrameCount > frames)
        {
            throw new InvalidRecordingException(request.Path, "rows", $"{data.FrameCount} rows", $"at most {frames}, the frames of video {camera.Name} ({camera.Stream.SourcePath}): row i is frame i");
        }

        if (data.FrameCount < frames)
        {
            log.Warn($"{request.Name} ({request.Path}): {data.FrameCount} pose rows for {frames} frames of {camera.Name}; frames {data.FrameCount}..{frames - 1} have no pose (outside the pose stream)");
        }

        // Pose files of one camera describe the same animals: differing bodyparts mean a file of another camera or model.
        foreach (SessionStream other in opened.Where(s => s.Stream is PoseStream p && p.Camera == camera.Name))
        {
            var otherData = ((PoseStream)other.Stream).Data;
            if (!otherData.Bodyparts.SequenceEqual(data.Bodyparts))
            {
                throw new InvalidRecordingException(request.Path, "bodyparts", string.Join(", ", data.Bodyparts),
                    $"{string.Join(", ", otherData.Bodyparts)}, as in {other.Name} ({otherData.SourcePath}), another pose file of camera {camera.Name}");
            }
        }

        var stream = new PoseStream(data, Prefix(camera.Stream.Clock, data.FrameCount), $"frame times of video {camera.Name} ({camera.Stream.Clock.Describe()})", camera.Name);
        return new OpenedStream(stream, []) { ClockOf = camera.Name };
    }

    /// <summary>
    /// Pose of a container (NWB) on the file's own times: the file's first stream opened places the
    /// others; leading the session, the file's zero is time zero; else placed as any stream is
    /// (an offset, a strobe). Timestamps that are frame numbers are said once.
    /// </summary>
    private static OpenedStream OpenOnFileClock(IPoseOpener container, StreamRequest request, ContainerPose nwb, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        foreach (string warning in nwb.Warnings)
        {
            log.Warn(warning);
        }

        return ContainerSources.OnFileClock(container.Format, request.Path, new OpenedStream(new PoseStream(nwb.Data, nwb.Clock, nwb.Timing), []), opened);
    }

    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is not PoseStream pose)
        {
            return;
        }

        output.Datasets["bodyparts"] = pose.Data.Bodyparts.ToArray();
        output.Datasets["individuals"] = pose.Data.Individuals.ToArray();
        output.Attributes["axes"] = pose.Data.Dimensions == 3 ? "window, point, individual, bodypart, (x, y, z, score)" : "window, point, individual, bodypart, (x, y, score)";
        if (pose.Data.Dimensions == 3)
        {
            // 3-D pose only: 2-D outputs keep their attributes as they were.
            output.Attributes["coordinates"] = "x, y, z";
        }

        output.Attributes["score"] = pose.Data.ScoreName;
        output.Attributes["pose_rows"] = (long)pose.Data.FrameCount;
        output.Attributes["timing"] = pose.Timing;
        output.Attributes["untracked"] = pose.Data.Facts.FirstOrDefault(f => f.Key == "untracked").Value ?? "NaN";
    }

    /// <summary>
    /// The first <paramref name="count"/> times of <paramref name="clock"/>: the clock itself when
    /// it has that many, else an explicit clock whose last row lasts until the next frame.
    /// </summary>
    private static SampleClock Prefix(SampleClock clock, int count)
    {
        if (clock.SampleCount == count)
        {
            return clock;
        }

        var times = new double[count];
        for (int i = 0; i < count; i++)
        {
            times[i] = clock.TimeOf(i);
        }

        return new ExplicitClock(times, clock.TimeOf(count) - times[^1], "the camera's first frame times");
    }

    /// <summary>The video the rows are frames of: given by name, else the one named as the pose stream without _pose, else the only one.</summary>
    private SessionStream Camera(StreamRequest request, SettingValues settings, IReadOnlyList<SessionStream> opened)
    {
        var videos = opened.Where(s => s.Modality.Kind == ModalityKind.Video).ToArray();
        string list = videos.Length == 0 ? "none" : string.Join(", ", videos.Select(v => v.Name));
        if (settings.PerStream(PoseSettings.Video).TryGet(request.Name, Name, out string? given))
        {
            return videos.FirstOrDefault(v => v.Name == given)
                ?? throw new SettingException(PoseSettings.Video, $"{request.Name}: no video stream '{given}' is loaded (videos: {list})");
        }

        string stem = request.Name.EndsWith("_pose", StringComparison.Ordinal) ? request.Name[..^5] : request.Name;
        return videos.FirstOrDefault(v => v.Name == stem)
            ?? (videos.Length == 1 ? videos[0] : null)
            ?? throw new SettingException(videos.Length == 0
                ? $"pose {request.Name} ({request.Path}): row i is frame i of a camera; give its video ({PoseSettings.Video}), {PoseSettings.Timestamps} or {PoseSettings.Rate}"
                : $"pose {request.Name}: {videos.Length} videos are loaded ({list}); name the camera with {PoseSettings.Video} {request.Name}=NAME, or name the pose stream NAME_pose");
    }

    private bool Has(SettingValues settings, Setting setting, StreamRequest r) => setting switch
    {
        Setting<string> s => settings.PerStream(s).TryGet(r.Name, Name, out _),
        Setting<double> s => settings.PerStream(s).TryGet(r.Name, Name, out _),
        Setting<PulseSource> s => settings.PerStream(s).TryGet(r.Name, Name, out _),
        _ => false,
    };

    private static bool IsPoseCsv(string path)
    {
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
        {
            return false;
        }

        using var reader = new StreamReader(path);
        string first = reader.ReadLine() ?? string.Empty;
        return first.StartsWith("scorer,", StringComparison.Ordinal) || first.StartsWith("track,frame_idx,", StringComparison.Ordinal);
    }
}

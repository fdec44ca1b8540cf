using System.Globalization;
using NeuroAlign.Formats.Containers;
using PureHDF;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// An NWB ImageSeries whose frames are a video beside the file (<c>external_file</c>, the way
/// behaviour cameras are stored): the video's path, resolved against the NWB file's folder, its
/// starting frame, and the series' frame times (timestamps, or starting_time and rate). One
/// external file is read; a series split over several files, or holding its frames in the file
/// (data [T, H, W]), is refused in one line.
/// </summary>
internal static class NwbVideo
{
    public static ContainerVideo Read(NwbFile file, NwbObject series)
    {
        string path = file.SourcePath;
        IH5Group g = file.Group(series);
        if (!g.LinkExists("external_file"))
        {
            string stored = g.LinkExists("data") && g.Get("data") is IH5Dataset data ? $"frames stored in the file (data {NwbData.Shape(data)})" : "no external_file and no data";
            throw new InvalidRecordingException(path, $"#{series.Path}", stored, "an ImageSeries whose external_file names a video (frames stored in the NWB file are not read as video)");
        }

        IH5Dataset external = g.Dataset("external_file");
        string[] files = NwbData.Texts(path, external, $"{series.Path}/external_file");
        if (files.Length != 1)
        {
            throw new InvalidRecordingException(path, $"{series.Path}/external_file", $"{files.Length} files ({string.Join(", ", files.Take(4))}{(files.Length > 4 ? ", …" : string.Empty)})",
                "one video file (a series split over several files is not read; give each file as its own video with its frame times)");
        }

        long startingFrame = 0;
        if (external.AttributeExists("starting_frame"))
        {
            IH5Attribute attribute = external.Attribute("starting_frame");
            NwbFile.CheckSmall(path, attribute, "starting_frame", $"{series.Path}/external_file");
            long[] starts = attribute.Space.Rank == 0 ? [attribute.Read<long>()] : attribute.Read<long[]>();
            startingFrame = starts.Length == 1 && starts[0] >= 0
                ? starts[0]
                : throw new InvalidRecordingException(path, $"{series.Path}/external_file attribute starting_frame", $"[{string.Join(", ", starts)}]", "one frame number (0 or more) for the one file");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string video = Path.IsPathRooted(files[0]) ? files[0] : Path.GetFullPath(Path.Combine(folder, files[0]));
        if (!File.Exists(video))
        {
            throw new InvalidRecordingException(path, $"{series.Path}/external_file", $"'{files[0]}', which is not a file ({video})", "a video file, named relative to the NWB file's folder");
        }

        if (g.LinkExists("timestamps"))
        {
            IH5Dataset stamps = g.Dataset("timestamps");
            double[] times = stamps.Space.Rank == 1 ? NwbData.Numbers(path, stamps, $"{series.Path}/timestamps") : [];
            if (times.LongLength <= startingFrame)
            {
                throw new InvalidRecordingException(path, $"{series.Path}/timestamps", $"{times.Length} times (shape {NwbData.Shape(stamps)})", string.Create(CultureInfo.InvariantCulture, $"a vector of frame times past starting_frame {startingFrame}"));
            }

            return new ContainerVideo(path, series.Path, video, startingFrame, times, 0, 0);
        }

        if (g.LinkExists("starting_time"))
        {
            // The clock of one sample checks starting_time and its rate attribute (finite, rate above 0 and in range).
            var clock = NwbData.Clock(path, g, series.Path, 1, out _);
            return new ContainerVideo(path, series.Path, video, startingFrame, null, clock.StartSeconds, clock.MeanRateHz);
        }

        throw new InvalidRecordingException(path, series.Path, "neither starting_time (with rate) nor timestamps", "an ImageSeries timed by one of them");
    }
}

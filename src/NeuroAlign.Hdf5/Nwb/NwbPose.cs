using System.Globalization;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Time;
using PureHDF;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// ndx-pose's <c>PoseEstimation</c> (a group of <c>PoseEstimationSeries</c>, each data [T, 2] or [T, 3] in
/// its unit, <c>confidence</c> [T], timed by <c>timestamps</c> or <c>starting_time</c> + rate):
/// every series is one bodypart and all must share their times and their dimensions (2-D or 3-D). Types are known through the
/// namespace cached in the file, so a subtype of PoseEstimationSeries reads the same.
/// </summary>
public static class NwbPose
{
    /// <summary>Reads a PoseEstimation as pose rows on the file's clock.</summary>
    public static ContainerPose Read(NwbFile file, NwbObject estimation)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(estimation);
        string path = file.SourcePath;
        IH5Group g = file.Group(estimation);
        NwbObject[] series = [.. file.Objects.Where(o => o.Path.StartsWith(estimation.Path + "/", StringComparison.Ordinal)
            && !o.Path[(estimation.Path.Length + 1)..].Contains('/', StringComparison.Ordinal) && file.IsA(o.Type, "PoseEstimationSeries"))];
        if (series.Length == 0)
        {
            throw new InvalidRecordingException(path, estimation.Path, "no PoseEstimationSeries", "one series per bodypart");
        }

        int frames = -1;
        int dimensions = 0;
        SampleClock? clock = null;
        string timing = string.Empty;
        var xy = new List<double[]>();
        var scores = new List<double[]?>();
        foreach (NwbObject s in series)
        {
            IH5Group sg = file.Group(s);
            if (!sg.LinkExists("data"))
            {
                throw new InvalidRecordingException(path, s.Path, "no data", "data [frames, 2]");
            }

            IH5Dataset data = sg.Dataset("data");
            ulong[] dims = data.Space.Dimensions;
            if (dims.Length != 2 || dims[1] is not (2 or 3) || dims[0] > int.MaxValue / 4)
            {
                throw new InvalidRecordingException(path, $"{s.Path}/data", $"shape {NwbData.Shape(data)}", "(frames, 2) or (frames, 3): x, y (and z) per frame");
            }

            if (dimensions != 0 && (int)dims[1] != dimensions)
            {
                throw new InvalidRecordingException(path, $"{s.Path}/data", $"shape {NwbData.Shape(data)} ({dims[1]}-D)",
                    $"{dimensions}-D points as {series[0].Path} holds (the series of one PoseEstimation are all 2-D or all 3-D)");
            }

            dimensions = (int)dims[1];
            int n = (int)dims[0];
            if (frames >= 0 && n != frames)
            {
                throw new InvalidRecordingException(path, $"{s.Path}/data", $"{n} frames", $"{frames}, as {series[0].Path} holds (the series of one PoseEstimation share their frames)");
            }

            double[] values = NwbData.Numbers(path, data, $"{s.Path}/data");
            double conversion = NwbFile.NumberAttribute(path, data, "conversion", $"{s.Path}/data") ?? 1;
            double offset = NwbFile.NumberAttribute(path, data, "offset", $"{s.Path}/data") ?? 0;
            if (conversion != 1 || offset != 0)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (values[i] * conversion) + offset;
                }
            }

            double[]? confidence = null;
            if (sg.LinkExists("confidence"))
            {
                IH5Dataset c = sg.Dataset("confidence");
                if (c.Space.Rank != 1 || c.Space.Dimensions[0] != (ulong)n)
                {
                    throw new InvalidRecordingException(path, $"{s.Path}/confidence", $"shape {NwbData.Shape(c)}", $"({n}), one per frame");
                }

                confidence = NwbData.Numbers(path, c, $"{s.Path}/confidence");
            }

            SampleClock own = NwbData.Clock(path, sg, s.Path, n, out string description, inMemory: true);
            if (clock is null)
            {
                clock = own;
                timing = description;
            }
            else if (!SameTimes(clock, own))
            {
                throw new InvalidRecordingException(path, s.Path, $"times {own.Describe()}", $"the times of {series[0].Path} ({clock.Describe()}): the bodyparts of one PoseEstimation share their frames");
            }

            frames = n;
            xy.Add(values);
            scores.Add(confidence);
        }

        // Each point is its coordinates then the score: (x, y, score), or (x, y, z, score) for 3-D.
        int b = series.Length, per = dimensions + 1;
        var rows = new float[(long)frames * b * per];
        for (int f = 0; f < frames; f++)
        {
            for (int k = 0; k < b; k++)
            {
                long at = (((long)f * b) + k) * per;
                for (int d = 0; d < dimensions; d++)
                {
                    rows[at + d] = (float)xy[k][(dimensions * f) + d];
                }

                rows[at + dimensions] = scores[k] is { } sc ? (float)sc[f] : float.NaN;
            }
        }

        var warnings = new List<string>();
        if (frames > 2 && Enumerable.Range(0, frames).All(i => clock!.TimeOf(i) == i))
        {
            warnings.Add($"{path}#{estimation.Path}: timestamps are 0, 1, 2 … {frames - 1} labelled seconds: frame numbers (DLC2NWB writes these when it has no video); give the camera's rate ({PoseSettings.Rate} HZ) or its video ({PoseSettings.Video} NAME) to time the rows");
        }

        string software = g.LinkExists("source_software") ? NwbFile.ScalarText(g, "source_software") : "unknown";
        var facts = new List<KeyValuePair<string, string>>
        {
            new("layout", $"NWB {file.Version} ndx-pose PoseEstimation {estimation.Path}: {b} PoseEstimationSeries"),
            new("source software", software),
            new("untracked", "NaN, as written"),
        };
        var pose = new PoseData($"{path}#{estimation.Path}", "nwb", "confidence", [estimation.Name], [.. series.Select(s => s.Name)], frames, rows, facts, dimensions);
        return new ContainerPose(pose, clock!, string.Create(CultureInfo.InvariantCulture, $"NWB {timing}"), warnings);
    }

    private static bool SameTimes(SampleClock a, SampleClock b)
    {
        if (a.SampleCount != b.SampleCount)
        {
            return false;
        }

        for (long i = 0; i < a.SampleCount; i++)
        {
            if (Math.Abs(a.TimeOf(i) - b.TimeOf(i)) > SampleClock.ToleranceSeconds)
            {
                return false;
            }
        }

        return true;
    }
}

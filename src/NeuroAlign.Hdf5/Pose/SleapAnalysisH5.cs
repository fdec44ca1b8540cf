using System.Globalization;
using NeuroAlign.Formats.Pose;
using PureHDF;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>
/// SLEAP's analysis .h5 (File → Export Analysis, or <c>sleap-convert --format analysis</c>):
/// <c>tracks</c>, <c>node_names</c>, <c>track_names</c>, and in newer files <c>point_scores</c>
/// and <c>track_occupancy</c>. SLEAP transposes every array by default (MATLAB order), so read in
/// C order <c>tracks</c> is [track, x/y, node, frame] and <c>point_scores</c> [track, node,
/// frame]; an export with transpose off keeps [frame, node, x/y, track] and [frame, node, track].
/// Which one a file holds is told by where the axis of length 2 and the node count sit. The
/// arrays are read whole (SLEAP chunks them by track and a few nodes, not by frame).
/// </summary>
internal static class SleapAnalysisH5
{
    public static bool Claims(NativeFile file) => file.LinkExists("tracks") && file.LinkExists("node_names");

    public static PoseData Read(string path, NativeFile file)
    {
        string[] nodes = Strings(path, file, "node_names");
        IH5Dataset tracksSet = file.Dataset("tracks");
        ulong[] dims = tracksSet.Space.Dimensions;
        int k = nodes.Length;
        bool transposed = dims.Length == 4 && dims[1] == 2 && dims[2] == (ulong)k;
        bool plain = dims.Length == 4 && dims[2] == 2 && dims[1] == (ulong)k;
        if (!transposed && !plain)
        {
            throw new InvalidRecordingException(path, "/tracks", $"shape ({string.Join(", ", dims)})", $"(tracks, 2, {k}, frames) as SLEAP writes it, or (frames, {k}, 2, tracks) without transposing ({k} node_names)");
        }

        // Both patterns fit only when the track and frame counts are equal and there are 2 nodes:
        // SLEAP's default (transposed) is taken.
        ulong trackCount = transposed ? dims[0] : dims[3];
        ulong frameCount = transposed ? dims[3] : dims[0];
        long per = (long)trackCount * k * 3;
        if (frameCount > int.MaxValue || trackCount > int.MaxValue || (long)frameCount * per > Array.MaxLength)
        {
            throw new InvalidRecordingException(path, "/tracks", $"{frameCount} frames of {per} values", "a pose file that fits in one array");
        }

        Hdf5Files.CheckStorable(path, "/tracks", $"{frameCount} frames of {per / 3 * 2} coordinates of {tracksSet.Type.Size} bytes", (double)frameCount * (per / 3 * 2) * tracksSet.Type.Size);
        int t = (int)trackCount, f = (int)frameCount;
        double[] xy = Numbers(path, tracksSet, "/tracks");
        double[]? scores = null;
        if (file.LinkExists("point_scores"))
        {
            IH5Dataset scoreSet = file.Dataset("point_scores");
            ulong[] expected = transposed ? [trackCount, (ulong)k, frameCount] : [frameCount, (ulong)k, trackCount];
            if (!scoreSet.Space.Dimensions.SequenceEqual(expected))
            {
                throw new InvalidRecordingException(path, "/point_scores", $"shape ({string.Join(", ", scoreSet.Space.Dimensions)})", $"({string.Join(", ", expected)}), matching /tracks");
            }

            scores = Numbers(path, scoreSet, "/point_scores");
        }

        var values = new float[f * per];
        for (int frame = 0; frame < f; frame++)
        {
            for (int track = 0; track < t; track++)
            {
                for (int node = 0; node < k; node++)
                {
                    long at = ((((long)frame * t) + track) * k + node) * 3;
                    for (int c = 0; c < 2; c++)
                    {
                        long from = transposed
                            ? ((((long)track * 2) + c) * k + node) * f + frame
                            : ((((long)frame * k) + node) * 2 + c) * t + track;
                        values[at + c] = (float)xy[from];
                    }

                    values[at + 2] = scores is null
                        ? float.NaN
                        : (float)scores[transposed ? ((((long)track * k) + node) * f) + frame : ((((long)frame * k) + node) * t) + track];
                }
            }
        }

        string[] trackNames = file.LinkExists("track_names") && file.Dataset("track_names").Type.Class == H5DataTypeClass.String
            ? Strings(path, file, "track_names")
            : [];
        IReadOnlyList<string> individuals = trackNames.Length == t
            ? trackNames
            : [.. Enumerable.Range(0, t).Select(i => string.Create(CultureInfo.InvariantCulture, $"individual_{i}"))];
        return new PoseData(path, "sleap", "score", individuals, nodes, f, values,
        [
            new("layout", $"SLEAP analysis .h5, {(transposed ? "transposed as SLEAP writes it by default: tracks (track, x/y, node, frame)" : "not transposed: tracks (frame, node, x/y, track)")}"),
            new("point scores", scores is null ? "none in the file (an older export): score is NaN" : "point_scores"),
            new("track names", trackNames.Length == t ? "track_names" : $"none in the file ({trackNames.Length} names for {t} tracks): individual_0…"),
            new("untracked", "NaN, as SLEAP writes it; user-labelled points have NaN scores"),
        ]);
    }

    private static string[] Strings(string path, NativeFile file, string name)
    {
        try
        {
            return file.Dataset(name).Read<string[]>();
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, $"/{name}", e.Message.ReplaceLineEndings(" "), "an array of strings");
        }
    }

    private static double[] Numbers(string path, IH5Dataset dataset, string where)
    {
        try
        {
            return (dataset.Type.Class, dataset.Type.Size) switch
            {
                (H5DataTypeClass.FloatingPoint, 8) => dataset.Read<double[]>(),
                (H5DataTypeClass.FloatingPoint, 4) => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
                _ => throw new InvalidRecordingException(path, where, $"{dataset.Type.Class} of {dataset.Type.Size} bytes", "float64 or float32"),
            };
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, where, e.Message.ReplaceLineEndings(" "), "readable numbers");
        }
    }
}

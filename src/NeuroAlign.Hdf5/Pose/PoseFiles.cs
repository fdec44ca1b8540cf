using NeuroAlign.Formats.Pose;
using NeuroAlign.Tables;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>Opens a pose file of any supported format, told by its name and contents.</summary>
public static class PoseFiles
{
    /// <summary>Whether <paramref name="path"/> is named like an HDF5 pose file (.h5/.hdf5, SLEAP's .slp).</summary>
    public static bool IsPoseName(string path) =>
        path.EndsWith(".h5", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".hdf5", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".slp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a DeepLabCut .h5/.csv, a SLEAP analysis .h5, a SLEAP labels file (.slp) or a SLEAP CSV.</summary>
    /// <exception cref="InvalidRecordingException">Not one of these, or not as its format says.</exception>
    public static PoseData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        PoseData data = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path) : ReadHdf5(path);
        if (data.FrameCount == 0 || data.Individuals.Count == 0 || data.Bodyparts.Count == 0)
        {
            throw new InvalidRecordingException(path, "pose", $"{data.FrameCount} frames, {data.Individuals.Count} individuals, {data.Bodyparts.Count} bodyparts", "at least one of each");
        }

        return data;
    }

    private static PoseData ReadCsv(string path)
    {
        string first;
        using (TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Absent, Comments = false, Separator = ',', AllowShortRows = true }))
        {
            first = rows.MoveNext() ? rows.Text(0) : string.Empty;
        }

        return DeepLabCutCsv.IsHeader(first) ? DeepLabCutCsv.Read(path)
            : SleapCsv.IsHeader(first) ? SleapCsv.Read(path)
            : throw new InvalidRecordingException(path, "line 1, first cell", $"'{first}'", "'scorer' (DeepLabCut CSV) or 'track' (SLEAP CSV export)");
    }

    private static PoseData ReadHdf5(string path)
    {
        NativeFile file = Hdf5Files.OpenRead(path, "an HDF5 pose file (DeepLabCut .h5, SLEAP analysis .h5 or .slp)");

        using (file)
        {
            try
            {
                if (DeepLabCutH5.FindPandasGroup(file) is { } group)
                {
                    return DeepLabCutH5.Read(path, group);
                }

                if (SleapAnalysisH5.Claims(file))
                {
                    return SleapAnalysisH5.Read(path, file);
                }

                if (SleapSlp.Claims(file))
                {
                    return SleapSlp.Read(path, file);
                }
            }
            catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
            {
                throw new InvalidRecordingException(path, "structure", e.Message.ReplaceLineEndings(" "), "a DeepLabCut .h5, SLEAP analysis .h5 or SLEAP .slp");
            }

            string found = string.Join(", ", file.Children().Select(c => c.Name).Take(8));
            throw new InvalidRecordingException(path, "root group", found.Length == 0 ? "nothing" : found,
                "df_with_missing (DeepLabCut .h5), tracks and node_names (SLEAP analysis .h5) or frames, instances and metadata (SLEAP .slp)");
        }
    }
}

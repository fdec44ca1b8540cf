using System.Globalization;
using NeuroAlign.Streams;
using PureHDF;
using PureHDF.Selections;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// What an NWB file holds, for <c>info FILE.nwb</c>: every typed group with its neurodata_type (and
/// the base type it is read as), data shape, dtype, unit, and its rate or timestamp span, with the
/// address to copy and the option that opens it. Reads attributes, shapes and at most the first and
/// last timestamp of each series.
/// </summary>
public static class NwbInfo
{
    /// <summary>The modality whose option opens an object of this type (ephys, table, spikes, pose, events), or null when none does; a TimeSeries other than an ElectricalSeries opens with --ephys too.</summary>
    public static string? OptionFor(NwbFile file, NwbObject o)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(o);
        return file.IsA(o.Type, "Units") ? "spikes"
            : file.IsA(o.Type, "PoseEstimation") ? "pose"
            : file.IsA(o.Type, "PoseEstimationSeries") ? null
            : file.IsA(o.Type, "TimeIntervals") ? "events"
            : file.IsA(o.Type, "ImageSeries") ? "video"
            : file.IsA(o.Type, "ElectricalSeries") ? "ephys"
            : file.IsA(o.Type, "TimeSeries") ? "table"
            : null;
    }

    /// <summary>
    /// The modality that opens <c>FILE.nwb#ADDRESS</c> for <c>info</c> (the option its object's
    /// neurodata_type maps to); null for a file without an address (<see cref="Describe"/> lists it)
    /// and for a table of times (<see cref="Describe"/> shows its times and labels).
    /// </summary>
    public static string? ModalityFor(string path)
    {
        (string file, string? address) = Formats.PathFragment.Split(path);
        if (address is null)
        {
            return null;
        }

        using NwbFile nwb = NwbFile.Open(file);
        NwbObject found = nwb.Resolve(address, ["Units", "PoseEstimation", "TimeSeries", "DynamicTable"], "an object neuro-align reads (Units, PoseEstimation, a TimeSeries, TimeIntervals)");
        return OptionFor(nwb, found) is { } name && name != "events" ? name : null;
    }

    /// <summary>Writes the listing of a file, or the times and labels of the table <c>FILE.nwb#ADDRESS</c> names.</summary>
    public static void Describe(string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        (string file, string? address) = Formats.PathFragment.Split(path);
        if (address is not null)
        {
            Tables.TimeColumnValues times = Tables.TimeColumns.Read(path, new Tables.TimeColumnRequest { AllOtherColumnsAsLabels = true, What = "event time" });
            output.WriteLine(path);
            output.WriteLine($"  events: {times.Seconds.Length} times from {times.Column} (the NWB file's seconds)");
            if (times.Seconds.Length > 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  first, last: {times.Seconds.Min():R} s, {times.Seconds.Max():R} s"));
            }

            output.WriteLine($"  labels: {(times.Labels.Count == 0 ? "none" : string.Join(", ", times.Labels.Select(l => l.Name)))}");
            return;
        }

        using NwbFile nwb = NwbFile.Open(file);
        _ = NwbContainer.Guard(file, () => Write(nwb, file, output));
    }

    private static bool Write(NwbFile file, string path, TextWriter output)
    {
        output.WriteLine(path);
        output.WriteLine($"  format: NWB {file.Version} (HDF5); namespaces cached: {(file.Namespaces.Count == 0 ? "none" : string.Join(", ", file.Namespaces))}");
        output.WriteLine($"  clock: seconds from timestamps_reference_time {Or(file.ReferenceTime, "(not given)")}");
        output.WriteLine($"  address: {path}#PATH (or #NAME when unique)");
        foreach (NwbObject o in file.Objects.Where(o => o.IsGroup))
        {
            string type = o.Type;
            IReadOnlyList<string> lineage = file.Lineage(o.Type);
            string read = lineage.FirstOrDefault(t => t is "ElectricalSeries" or "SpatialSeries" or "ImageSeries" or "TimeSeries" or "Units" or "TimeIntervals" or "DynamicTable") is { } b && b != type ? $" (read as {b})" : string.Empty;
            string address = $"{Path.GetFileName(path)}#{o.Path}";

            // A TimeSeries is a table of values on its times, or physiology sampled at its rate: both read it.
            string option = OptionFor(file, o) switch
            {
                null => string.Empty,
                "table" => $"  [--table {address} or --physio {address}]",
                string m => $"  [--{m} {address}]",
            };
            output.WriteLine($"  {o.Path}: {type}{(o.Namespace is "core" or "" ? string.Empty : $" ({o.Namespace})")}{read}; {Summary(file, o)}{option}");
        }

        return true;
    }

    private static string Summary(NwbFile file, NwbObject o)
    {
        IH5Group g = file.Group(o);
        try
        {
            if (file.IsA(o.Type, "Units"))
            {
                long units = g.LinkExists("id") ? (long)g.Dataset("id").Space.Dimensions[0] : 0;
                long spikes = g.LinkExists("spike_times") ? (long)g.Dataset("spike_times").Space.Dimensions[0] : 0;
                return $"{units} units, {spikes} spike times (s){Columns(g)}";
            }

            if (file.IsA(o.Type, "DynamicTable"))
            {
                long rows = g.LinkExists("id") ? (long)g.Dataset("id").Space.Dimensions[0] : 0;
                return $"{rows} rows{Columns(g)}";
            }

            if (file.IsA(o.Type, "TimeSeries"))
            {
                var parts = new List<string>();
                long samples = 0;
                if (g.LinkExists("data") && g.Get("data") is IH5Dataset data)
                {
                    samples = data.Space.Rank == 0 ? 1 : (long)data.Space.Dimensions[0];
                    string unit = data.AttributeExists("unit") ? NwbFile.TextAttribute(file.SourcePath, data, "unit", o.Path) : "?";
                    parts.Add($"data {NwbData.Shape(data)} {NwbData.TypeOf(data)?.ToText() ?? data.Type.Class.ToString()} {unit}");
                    if (NwbFile.NumberAttribute(file.SourcePath, data, "conversion", o.Path) is { } c && c != 1)
                    {
                        parts.Add(string.Create(CultureInfo.InvariantCulture, $"conversion {c:G6}"));
                    }
                }

                if (g.LinkExists("external_file"))
                {
                    parts.Add($"external_file {string.Join(", ", NwbData.Texts(file.SourcePath, g.Dataset("external_file"), o.Path + "/external_file"))}");
                }

                parts.Add(Timing(file, g, o, samples));
                return string.Join(", ", parts);
            }

            return g.Children().Count() is var n && n > 0 ? $"{n} members" : "empty";
        }
        catch (NeuroAlignException e)
        {
            return $"unreadable: {e.Message}";
        }
    }

    private static string Timing(NwbFile file, IH5Group g, NwbObject o, long samples)
    {
        if (g.LinkExists("starting_time"))
        {
            IH5Dataset start = g.Dataset("starting_time");
            double t0 = NwbData.Numbers(file.SourcePath, start, o.Path + "/starting_time") is [var first, ..] ? first : double.NaN;
            double? rate = NwbFile.NumberAttribute(file.SourcePath, start, "rate", o.Path + "/starting_time");
            // An external video's series holds no frames (data (0, 0, 0)): its end is the video's.
            return rate is { } hz
                ? samples > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"rate {hz:G} Hz from {t0:G} s to {t0 + (samples / hz):G} s")
                    : string.Create(CultureInfo.InvariantCulture, $"rate {hz:G} Hz from {t0:G} s")
                : "starting_time without a rate";
        }

        if (g.LinkExists("timestamps"))
        {
            IH5Dataset stamps = g.Dataset("timestamps");
            long count = (long)stamps.Space.Dimensions[0];
            if (count == 0)
            {
                return "timestamps: none";
            }

            // The first and last only: a vector of 10^8 times is not read for a listing.
            double At(long i) => stamps.Read<double[]>(new HyperslabSelection(1, [(ulong)i], [1]))[0];
            return string.Create(CultureInfo.InvariantCulture, $"{count} timestamps {At(0):G} to {At(count - 1):G} s");
        }

        return "no starting_time or timestamps";
    }

    private static string Columns(IH5Group g) =>
        g.AttributeExists("colnames") && NwbFile.TextsAttribute(string.Empty, g, "colnames", g.Name) is { Length: > 0 } names ? $", columns {string.Join(", ", names)}" : string.Empty;

    private static string Or(string text, string otherwise) => text.Length == 0 ? otherwise : text;
}

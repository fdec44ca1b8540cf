using System.Globalization;
using System.Text.Json;
using NeuroAlign.Formats;
using PureHDF;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>One object of an NWB file that has a <c>neurodata_type</c>: its path, type and namespace.</summary>
/// <param name="Path">Its path in the file, without the leading '/': <c>processing/behavior/PoseEstimation</c>.</param>
/// <param name="Type">Its <c>neurodata_type</c>.</param>
/// <param name="Namespace">Its <c>namespace</c> attribute (core, hdmf-common, ndx-pose…).</param>
/// <param name="IsGroup">A group (most types) or a dataset (VectorData, ElementIdentifiers…).</param>
public sealed record NwbObject(string Path, string Type, string Namespace, bool IsGroup)
{
    /// <summary>The last part of its path.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>
/// An NWB 2.x file (HDF5) opened for reading (docs/formats/nwb.md): its version, the objects it
/// holds by neurodata_type, and the type hierarchy of its namespaces, core's built in and every
/// namespace cached in <c>/specifications</c> (extensions such as ndx-pose), so a subtype is read
/// as its base type. Nothing big is read on opening: only attributes and the specifications.
/// </summary>
public sealed class NwbFile : IDisposable
{
    /// <summary>
    /// The core types this reader maps, with their parents, for files that cache no specification
    /// (the cached namespaces, when present, add to and take precedence over these).
    /// </summary>
    private static readonly Dictionary<string, string> CoreParents = new(StringComparer.Ordinal)
    {
        ["TimeSeries"] = "NWBDataInterface",
        ["ElectricalSeries"] = "TimeSeries",
        ["SpikeEventSeries"] = "ElectricalSeries",
        ["SpatialSeries"] = "TimeSeries",
        ["ImageSeries"] = "TimeSeries",
        ["OpticalSeries"] = "ImageSeries",
        ["ImageMaskSeries"] = "ImageSeries",
        ["TwoPhotonSeries"] = "ImageSeries",
        ["RoiResponseSeries"] = "TimeSeries",
        ["AnnotationSeries"] = "TimeSeries",
        ["IntervalSeries"] = "TimeSeries",
        ["Units"] = "DynamicTable",
        ["TimeIntervals"] = "DynamicTable",
        ["DynamicTable"] = "Container",
        ["NWBDataInterface"] = "NWBContainer",
        ["NWBContainer"] = "Container",
    };

    private readonly NativeFile _h5;
    private readonly Dictionary<string, string> _parents;

    private NwbFile(string path, NativeFile h5, string version, Dictionary<string, string> parents, IReadOnlyList<NwbObject> objects, IReadOnlyList<string> namespaces)
    {
        SourcePath = path;
        _h5 = h5;
        Version = version;
        _parents = parents;
        Objects = objects;
        Namespaces = namespaces;
    }

    public string SourcePath { get; }

    /// <summary>The root's <c>nwb_version</c>: 2.x.y.</summary>
    public string Version { get; }

    /// <summary>Every object with a neurodata_type, in file order (depth first), the specifications excepted.</summary>
    public IReadOnlyList<NwbObject> Objects { get; }

    /// <summary>The namespaces cached in /specifications, each as name version.</summary>
    public IReadOnlyList<string> Namespaces { get; }

    /// <summary>The HDF5 file, for the readers of each type.</summary>
    internal NativeFile H5 => _h5;

    /// <summary>Whether the file part of <paramref name="path"/> (before any <c>#ADDRESS</c>) is named .nwb.</summary>
    public static bool IsNwbPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PathFragment.Split(path).Path.EndsWith(".nwb", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Opens an NWB 2.x file; a one-line error when it is not HDF5, not NWB or another major version.</summary>
    public static NwbFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        NativeFile h5 = Hdf5Files.OpenRead(path, "an NWB file (HDF5); Zarr NWB folders are not read");

        try
        {
            string version = h5.AttributeExists("nwb_version")
                ? TextAttribute(path, h5, "nwb_version", "/")
                : h5.LinkExists("nwb_version")
                    ? throw new InvalidRecordingException(path, "/nwb_version", $"a dataset '{ScalarText(h5, "nwb_version")}' (NWB 1.x)", "NWB 2.x (convert the file with pynwb)")
                    : throw new InvalidRecordingException(path, "root attribute nwb_version", "none (not an NWB file)", "an NWB 2.x file");
            string trimmed = version.StartsWith("NWB-", StringComparison.Ordinal) ? version[4..] : version;
            if (!trimmed.StartsWith("2.", StringComparison.Ordinal))
            {
                throw new InvalidRecordingException(path, "root attribute nwb_version", $"'{version}'", "NWB 2.x");
            }

            var parents = new Dictionary<string, string>(CoreParents, StringComparer.Ordinal);
            var namespaces = new List<string>();
            if (h5.LinkExists("specifications"))
            {
                ReadSpecifications(path, h5.Group("specifications"), parents, namespaces);
            }

            var objects = new List<NwbObject>();
            Walk(h5, string.Empty, objects, 0);
            return new NwbFile(path, h5, version, parents, objects, namespaces);
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            h5.Dispose();
            throw new InvalidRecordingException(path, "structure", e.Message.ReplaceLineEndings(" "), "a readable NWB 2.x file");
        }
        catch
        {
            h5.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="baseType"/> or inherits from it (by the namespaces' specifications).</summary>
    public bool IsA(string type, string baseType)
    {
        ArgumentNullException.ThrowIfNull(type);
        string? t = type;
        for (int depth = 0; t is not null && depth < 64; depth++)
        {
            if (t == baseType)
            {
                return true;
            }

            t = _parents.GetValueOrDefault(t);
        }

        return false;
    }

    /// <summary>The type's line of ancestors: <c>ElectricalSeries → TimeSeries → NWBDataInterface …</c>.</summary>
    public IReadOnlyList<string> Lineage(string type)
    {
        var line = new List<string>();
        string? t = type;
        while (t is not null && line.Count < 64)
        {
            line.Add(t);
            t = _parents.GetValueOrDefault(t);
        }

        return line;
    }

    /// <summary>
    /// The object an address names: its path (leading '/' optional), or its name when exactly one
    /// object of the wanted kind has it. A missing address (no <c>#</c>) is accepted when exactly one
    /// object is of the wanted kind.
    /// </summary>
    /// <param name="address">What followed <c>#</c>, or null.</param>
    /// <param name="baseType">The kind wanted: Units, TimeIntervals, ElectricalSeries, TimeSeries…</param>
    /// <param name="what">What the modality reads, for the message: "sorted units (Units)".</param>
    public NwbObject Resolve(string? address, string baseType, string what) => Resolve(address, [baseType], what);

    /// <summary>As <see cref="Resolve(string?, string, string)"/>, for an object of any of <paramref name="baseTypes"/>.</summary>
    public NwbObject Resolve(string? address, IReadOnlyList<string> baseTypes, string what)
    {
        ArgumentNullException.ThrowIfNull(baseTypes);
        string baseType = string.Join(" or ", baseTypes);
        bool Fits(NwbObject o) => baseTypes.Any(b => IsA(o.Type, b));
        NwbObject[] fitting = [.. Objects.Where(Fits)];
        if (address is null)
        {
            return fitting.Length == 1
                ? fitting[0]
                : throw new InvalidRecordingException(SourcePath, "address", fitting.Length == 0 ? $"no {baseType} in the file" : $"no #ADDRESS and {fitting.Length} objects of type {baseType} ({Listing(fitting)})",
                    fitting.Length == 0 ? $"{what}; the file holds {Listing(Objects.Where(o => o.IsGroup))}" : $"FILE.nwb#PATH naming one of them");
        }

        string wanted = address.Trim('/');
        NwbObject? byPath = Objects.FirstOrDefault(o => o.Path == wanted);
        NwbObject[] byName = byPath is null ? [.. Objects.Where(o => o.Name == wanted || o.Path.EndsWith("/" + wanted, StringComparison.Ordinal))] : [byPath];
        if (byName.Length > 1)
        {
            NwbObject[] ofKind = [.. byName.Where(Fits)];
            byName = ofKind.Length == 1 ? ofKind : byName;
        }

        if (byName.Length == 0)
        {
            // A path to a group without a type (processing/behavior/Position/SpatialSeries is typed; a bare folder is not).
            string near = Listing(Near(wanted, fitting.Length > 0 ? fitting : Objects));
            throw new InvalidRecordingException(SourcePath, $"#{wanted}", "no such object", $"an object's path or unique name (nearest: {near}; neuro-align info lists them all)");
        }

        if (byName.Length > 1)
        {
            throw new InvalidRecordingException(SourcePath, $"#{wanted}", $"{byName.Length} objects of that name ({Listing(byName)})", "a unique name, or the object's whole path");
        }

        NwbObject found = byName[0];
        return Fits(found)
            ? found
            : throw new InvalidRecordingException(SourcePath, $"#{found.Path}", $"neurodata_type {found.Type} ({string.Join(" → ", Lineage(found.Type))})", $"{what}{(fitting.Length > 0 ? $"; of that type the file holds {Listing(fitting)}" : string.Empty)}");
    }

    /// <summary>The group at an object's path.</summary>
    internal IH5Group Group(NwbObject o) => o.Path.Length == 0 ? _h5 : _h5.Group(o.Path);

    public void Dispose() => _h5.Dispose();

    /// <summary>A string attribute (scalar or one-element array).</summary>
    internal static string TextAttribute(string path, IH5Object owner, string name, string where)
    {
        try
        {
            IH5Attribute attribute = owner.Attribute(name);
            CheckSmall(path, attribute, name, where);
            return attribute.Space.Rank == 0 ? attribute.Read<string>() : attribute.Read<string[]>() is [var first, ..] ? first : string.Empty;
        }
        catch (Exception e) when (e is not NeuroAlignException)
        {
            // An OutOfMemoryException here is a corrupt length (a string of 2^40 bytes), not a full memory: attributes are small.
            throw new InvalidRecordingException(path, $"{where} attribute {name}", e.Message.ReplaceLineEndings(" "), "text");
        }
    }

    /// <summary>A list-of-strings attribute (colnames), checked small before it is read.</summary>
    internal static string[] TextsAttribute(string path, IH5Object owner, string name, string where)
    {
        try
        {
            IH5Attribute attribute = owner.Attribute(name);
            CheckSmall(path, attribute, name, where);
            return attribute.Space.Rank == 0 ? [attribute.Read<string>()] : attribute.Read<string[]>();
        }
        catch (Exception e) when (e is not NeuroAlignException)
        {
            // As for text attributes: an OutOfMemoryException is a corrupt length.
            throw new InvalidRecordingException(path, $"{where} attribute {name}", e.Message.ReplaceLineEndings(" "), "a list of text");
        }
    }

    /// <summary>A numeric attribute as a double, or null when absent.</summary>
    internal static double? NumberAttribute(string path, IH5Object owner, string name, string where)
    {
        if (!owner.AttributeExists(name))
        {
            return null;
        }

        try
        {
            IH5Attribute attribute = owner.Attribute(name);
            CheckSmall(path, attribute, name, where);
            return (attribute.Type.Class, attribute.Type.Size) switch
            {
                (H5DataTypeClass.FloatingPoint, 4) => attribute.Read<float>(),
                (H5DataTypeClass.FloatingPoint, _) => attribute.Read<double>(),
                (H5DataTypeClass.FixedPoint, _) when attribute.Type.FixedPoint.IsSigned => attribute.Read<long>(),
                (H5DataTypeClass.FixedPoint, _) => attribute.Read<ulong>(),
                _ => throw new InvalidRecordingException(path, $"{where} attribute {name}", $"{attribute.Type.Class}", "a number"),
            };
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, $"{where} attribute {name}", e.Message.ReplaceLineEndings(" "), "a number");
        }
    }

    /// <summary>Attributes are small: a scalar or a short list (at most 4096 values); a corrupt shape is refused before it is read.</summary>
    internal static void CheckSmall(string path, IH5Attribute attribute, string name, string where)
    {
        ulong[] dims = attribute.Space.Dimensions;
        if (dims.Length > 1 || (dims.Length == 1 && dims[0] > 4096) || attribute.Type.Size > 1 << 16)
        {
            throw new InvalidRecordingException(path, $"{where} attribute {name}", $"shape ({string.Join(", ", dims)}) of {attribute.Type.Size}-byte values", "a scalar or a short list");
        }
    }

    /// <summary>A scalar string dataset's text (session_start_time, a spec), or "" when absent.</summary>
    internal static string ScalarText(IH5Group group, string name)
    {
        if (!group.LinkExists(name))
        {
            return string.Empty;
        }

        IH5Dataset d = group.Dataset(name);
        if (d.Space.Rank > 1 || (d.Space.Rank == 1 && d.Space.Dimensions[0] > 4096))
        {
            return string.Empty;
        }

        return d.Space.Rank == 0 ? d.Read<string>() : d.Read<string[]>() is [var first, ..] ? first : string.Empty;
    }

    /// <summary>The session clock's zero as the file states it: timestamps_reference_time, else session_start_time.</summary>
    public string ReferenceTime
    {
        get
        {
            string reference = ScalarText(_h5, "timestamps_reference_time");
            return reference.Length > 0 ? reference : ScalarText(_h5, "session_start_time");
        }
    }

    private static void Walk(IH5Group group, string prefix, List<NwbObject> objects, int depth)
    {
        if (depth > 32)
        {
            return;
        }

        foreach (IH5Object child in group.Children())
        {
            string path = prefix.Length == 0 ? child.Name : prefix + "/" + child.Name;
            if (depth == 0 && child.Name == "specifications")
            {
                continue;
            }

            if (child.AttributeExists("neurodata_type"))
            {
                string type = TextAttribute(string.Empty, child, "neurodata_type", path);
                string ns = child.AttributeExists("namespace") ? TextAttribute(string.Empty, child, "namespace", path) : string.Empty;
                objects.Add(new NwbObject(path, type, ns, child is IH5Group));
            }

            if (child is IH5Group g)
            {
                Walk(g, path, objects, depth + 1);
            }
        }
    }

    /// <summary>/specifications/NAMESPACE/VERSION/FILE: JSON (as pynwb caches it) of the namespace's types; each type's parent is recorded.</summary>
    private static void ReadSpecifications(string path, IH5Group specifications, Dictionary<string, string> parents, List<string> namespaces)
    {
        foreach (IH5Group ns in specifications.Children().OfType<IH5Group>())
        {
            foreach (IH5Group version in ns.Children().OfType<IH5Group>())
            {
                namespaces.Add($"{ns.Name} {version.Name}");
                foreach (IH5Dataset file in version.Children().OfType<IH5Dataset>())
                {
                    if (file.Name == "namespace")
                    {
                        continue;
                    }

                    string json = file.Space.Rank == 0 ? file.Read<string>() : string.Empty;
                    try
                    {
                        using var document = JsonDocument.Parse(json);
                        CollectTypes(document.RootElement, parents);
                    }
                    catch (JsonException e)
                    {
                        throw new InvalidRecordingException(path, $"/specifications/{ns.Name}/{version.Name}/{file.Name}", $"text that is not JSON ({e.Message.ReplaceLineEndings(" ")})", "a cached specification (JSON)");
                    }
                }
            }
        }
    }

    private static void CollectTypes(JsonElement element, Dictionary<string, string> parents)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in element.EnumerateArray())
            {
                CollectTypes(item, parents);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        string? def = Text(element, "neurodata_type_def") ?? Text(element, "data_type_def");
        string? inc = Text(element, "neurodata_type_inc") ?? Text(element, "data_type_inc");
        if (def is not null && inc is not null && def != inc)
        {
            parents[def] = inc;
        }

        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (p.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            {
                CollectTypes(p.Value, parents);
            }
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Listing(IEnumerable<NwbObject> objects)
    {
        NwbObject[] all = [.. objects];
        string shown = string.Join(", ", all.Take(8).Select(o => $"{o.Path} ({o.Type})"));
        return all.Length == 0 ? "nothing" : all.Length > 8 ? shown + string.Create(CultureInfo.InvariantCulture, $", … {all.Length} in all") : shown;
    }

    /// <summary>The objects whose path or name is nearest the address (edit distance on the name), at most four.</summary>
    private static IEnumerable<NwbObject> Near(string address, IEnumerable<NwbObject> objects)
    {
        string name = address[(address.LastIndexOf('/') + 1)..];
        return objects.OrderBy(o => Math.Min(Distance(name, o.Name), Distance(address, o.Path))).ThenBy(o => o.Path, StringComparer.Ordinal).Take(4);

        // Case-insensitive: an address typed as /acquisition/lfp finds /acquisition/LFP.
        static int Distance(string a, string b) => EditDistance.Between(a.ToLowerInvariant(), b.ToLowerInvariant());
    }
}

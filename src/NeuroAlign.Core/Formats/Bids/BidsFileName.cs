namespace NeuroAlign.Formats.Bids;

/// <summary>
/// A file name split the BIDS way (BIDS §Filenames): <c>key-value</c> entities joined by underscores,
/// then a suffix, then the extension: <c>sub-01_task-rest_bold.nii.gz</c> has entities sub=01 and
/// task=rest, suffix "bold", extension ".nii.gz".
/// </summary>
public sealed class BidsFileName
{
    private static readonly string[] MultiPartExtensions = [".nii.gz", ".tsv.gz", ".ome.tif", ".ome.zarr"];

    private BidsFileName(string stem, string extension, string suffix, IReadOnlyDictionary<string, string> entities, bool isBids)
    {
        Stem = stem;
        Extension = extension;
        Suffix = suffix;
        Entities = entities;
        IsBids = isBids;
    }

    /// <summary>The name without its extension.</summary>
    public string Stem { get; }

    /// <summary>The extension, with multi-part ones kept whole (".nii.gz", ".tsv.gz").</summary>
    public string Extension { get; }

    /// <summary>The last underscore-separated part of the stem: bold, physio, events…</summary>
    public string Suffix { get; }

    /// <summary>The key-value entities, in order.</summary>
    public IReadOnlyDictionary<string, string> Entities { get; }

    /// <summary>Whether every part before the suffix is a key-value entity.</summary>
    public bool IsBids { get; }

    /// <summary>Splits the file name of <paramref name="path"/>.</summary>
    public static BidsFileName Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        string extension = MultiPartExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            ?? Path.GetExtension(name);
        string stem = name[..^extension.Length];
        string[] parts = stem.Split('_');
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        bool isBids = parts.Length >= 1;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            int dash = parts[i].IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || dash == parts[i].Length - 1 || !entities.TryAdd(parts[i][..dash], parts[i][(dash + 1)..]))
            {
                isBids = false;
                break;
            }
        }

        return isBids
            ? new BidsFileName(stem, extension, parts[^1], entities, isBids: true)
            : new BidsFileName(stem, extension, stem, new Dictionary<string, string>(), isBids: false);
    }

    /// <summary>
    /// BIDS inheritance rule 2.b-c: a metadata file applies to a data file when both have the same
    /// suffix and the metadata file has no entity the data file lacks (or has with another value).
    /// Names that are not BIDS names match only a metadata file with the same stem.
    /// </summary>
    public bool IsApplicableTo(BidsFileName data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!IsBids || !data.IsBids)
        {
            return string.Equals(Stem, data.Stem, StringComparison.Ordinal);
        }

        return string.Equals(Suffix, data.Suffix, StringComparison.Ordinal)
            && Entities.All(e => data.Entities.TryGetValue(e.Key, out string? value) && value == e.Value);
    }
}

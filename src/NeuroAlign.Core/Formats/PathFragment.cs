namespace NeuroAlign.Formats;

/// <summary>
/// A path that names a part of a file or folder after a <c>#</c>: an Open Ephys Record Node's
/// experiment and recording (<c>"Record Node 101#experiment3/recording1"</c>), an object inside a
/// container file. A path that exists as given is never split, so a <c>#</c> in a real name is safe.
/// </summary>
public static class PathFragment
{
    /// <summary>The file or folder and the part named after its last <c>#</c>; the fragment is null when there is none.</summary>
    public static (string Path, string? Fragment) Split(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path) || Directory.Exists(path))
        {
            return (path, null);
        }

        int hash = path.LastIndexOf('#');
        if (hash <= 0)
        {
            return (path, null);
        }

        string head = path[..hash];
        return File.Exists(head) || Directory.Exists(head) ? (head, path[(hash + 1)..]) : (path, null);
    }
}

using System.Runtime.InteropServices;
using System.Text;

namespace NeuroAlign.Sessions;

/// <summary>
/// The one check every command makes before it writes a file (issue 17, "nothing lost"): an output
/// may never be an input of the same command, however it is reached (a relative path, <c>..</c>, a
/// symbolic link, a hard link), and an existing file that is not a previous NeuroAlign output is
/// replaced only when the user says so (<see cref="ExportSettings.Overwrite"/>).
/// <para>
/// Files are compared by identity, not by name: on Linux the device and inode numbers from
/// <c>stat(2)</c>, which follows symbolic links and sees two hard links of one file as one; elsewhere
/// the full path with every symbolic link resolved.
/// </para>
/// <para>
/// Only an output that exists can be lost, so a missing output costs nothing more than a
/// <c>File.Exists</c>. The inputs of a command are the paths it was given (files and folders), a
/// file's companions beside it that share its name up to the first dot (a SpikeGLX <c>.meta</c>
/// beside its <c>.bin</c>, a BIDS sidecar) and every file under an input folder (Open Ephys). An
/// existing output that is a companion or under an input folder is allowed when it is a previous
/// NeuroAlign output (writing <c>aligned.h5</c> into a recording's folder twice is normal); an output
/// that is a named input is refused even then (a shard given to merge as its own output).
/// </para>
/// </summary>
public static class OutputGuard
{
    private const int FileExists = 17; // EEXIST, on Linux and macOS

    /// <summary>
    /// Gives a finished file its name unless the name is taken, as one atomic step: a hard link
    /// (link(2) fails with EEXIST on a taken name), then the temporary name removed.
    /// <c>File.Move(overwrite: false)</c> is not that on Unix: it checks the name and then renames,
    /// so a file that appears in between (another process given the same output) is replaced.
    /// Where links are refused (file systems without them) or elsewhere than Unix, <c>File.Move</c>
    /// is used after all.
    /// </summary>
    /// <returns>False when the name is taken: nothing was moved, the temporary file is still there.</returns>
    public static bool TryPublishNew(string temporary, string output)
    {
        ArgumentNullException.ThrowIfNull(temporary);
        ArgumentNullException.ThrowIfNull(output);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (NativeMethods.link(Encoding.UTF8.GetBytes(temporary + "\0"), Encoding.UTF8.GetBytes(output + "\0")) == 0)
            {
                File.Delete(temporary);
                return true;
            }

            if (Marshal.GetLastPInvokeError() == FileExists)
            {
                return false;
            }
        }

        try
        {
            File.Move(temporary, output, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(output) && File.Exists(temporary))
        {
            return false;
        }
    }

    /// <summary>
    /// Refuses, before anything is written, an <paramref name="output"/> that is an input, or an
    /// existing file that is not ours without <paramref name="overwrite"/>.
    /// </summary>
    /// <param name="output">The path the command will write.</param>
    /// <param name="inputs">Paths the command reads: files or folders; paths that do not exist are ignored.</param>
    /// <param name="overwrite">Whether the user allowed replacing a file that is not a NeuroAlign output.</param>
    /// <param name="isPreviousOutput">Recognises a NeuroAlign output (the HDF5 layer knows the schema's root attributes).</param>
    /// <param name="what">How the output is named in the message, e.g. "option --out x.h5"; null: "output PATH".</param>
    /// <exception cref="SettingException">One line naming the output, the input it is, or why it is not replaced.</exception>
    public static void Check(string output, IEnumerable<string> inputs, bool overwrite, Func<string, bool> isPreviousOutput, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(isPreviousOutput);
        what ??= $"output {Printable.Escape(output)}";
        if (!File.Exists(output))
        {
            return;
        }

        string[] named = [.. inputs.Where(p => p.Length > 0 && (File.Exists(p) || Directory.Exists(p)))];
        FileId id = FileId.Of(output);
        if (named.FirstOrDefault(p => File.Exists(p) && FileId.Of(p) == id) is { } input)
        {
            throw new SettingException($"{what}: is the input {Printable.Escape(input)} (the same file); choose another output, nothing was written");
        }

        if (isPreviousOutput(output))
        {
            return;
        }

        var place = OutputPlace.Of(output);
        foreach (string path in named)
        {
            if (RelatedInput(output, id, place, path) is { } related)
            {
                throw new SettingException($"{what}: is {Printable.Escape(related)}, a file of the input {Printable.Escape(path)}; choose another output, nothing was written");
            }
        }

        if (!overwrite)
        {
            throw new SettingException($"{what}: exists and is not a NeuroAlign output; give {ExportSettings.Overwrite} to replace it, or choose another output");
        }
    }

    /// <summary>Refuses an <paramref name="output"/> that is one of <paramref name="inputs"/> (files only, no companions): for caches and work files, which are replaced freely otherwise.</summary>
    /// <exception cref="NeuroAlignException">The output is one of the inputs.</exception>
    public static void CheckNotInput(string output, IEnumerable<string> inputs, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!File.Exists(output))
        {
            return;
        }

        FileId id = FileId.Of(output);
        if (inputs.FirstOrDefault(p => p.Length > 0 && File.Exists(p) && FileId.Of(p) == id) is { } input)
        {
            throw new NeuroAlignException($"{what ?? $"output {Printable.Escape(output)}"}: is the input {Printable.Escape(input)} (the same file); nothing was written");
        }
    }

    /// <summary>Whether two paths name one file (after links, relative parts and hard links); false when either does not exist.</summary>
    public static bool SameFile(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return File.Exists(a) && File.Exists(b) && FileId.Of(a) == FileId.Of(b);
    }

    /// <summary>
    /// The paths named in option values: each value, and each part of a list such as
    /// <c>ephys_1=pulses.txt,video=led.csv</c> (after a comma, after an equals sign), that exists.
    /// </summary>
    public static IReadOnlyList<string> PathsIn(IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var paths = new List<string>();
        foreach (string value in values.OfType<string>())
        {
            IEnumerable<string> parts = value.Split(',').Select(p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            foreach (string candidate in parts.Prepend(value).Distinct(StringComparer.Ordinal))
            {
                if (candidate.Length > 0 && candidate.IndexOf('\0', StringComparison.Ordinal) < 0 && (File.Exists(candidate) || Directory.Exists(candidate)))
                {
                    paths.Add(Path.GetFullPath(candidate));
                }
            }
        }

        return paths;
    }

    /// <summary>Folder listings made by this thread's checks: a test counts them (an output inside a huge input folder must not list it).</summary>
    [ThreadStatic]
    private static int t_listings;

    /// <summary>Folder listings made by this thread's checks so far.</summary>
    internal static int FolderListings => t_listings;

    /// <summary>
    /// How the existing <paramref name="output"/> belongs to <paramref name="input"/> besides being it
    /// (null when it does not): a file under an input folder, or a companion beside an input file.
    /// Decided by ancestry, never by listing the folder (a folder given as an input may hold
    /// hundreds of thousands of files): the output's folders, both as named and as the kernel
    /// resolves them, against the input folder's identity. Only a file with more than one hard link
    /// on the input's device can have another name in the folder; only then is the folder listed.
    /// </summary>
    private static string? RelatedInput(string output, FileId id, OutputPlace place, string input)
    {
        if (Directory.Exists(input))
        {
            FileId folder = FileId.Of(input);
            if (place.Folders.Contains(folder))
            {
                return output;
            }

            return place.MayHaveOtherNames(folder) ? ListedMatch(input, "*", recurse: true, id) : null;
        }

        string full = Path.GetFullPath(input);
        string name = Path.GetFileName(full);
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        string? parent = Path.GetDirectoryName(full);
        if (dot <= 0 || parent is null || !Directory.Exists(parent))
        {
            return null;
        }

        string stem = name[..(dot + 1)];
        FileId parentId = FileId.Of(parent);
        StringComparison casing = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (place.Names.Any(n => n.Folder == parentId && n.Name.StartsWith(stem, casing)))
        {
            return output;
        }

        return place.MayHaveOtherNames(parentId) ? ListedMatch(parent, stem + "*", recurse: false, id) : null;
    }

    /// <summary>The first file matching <paramref name="pattern"/> in <paramref name="folder"/> that is the output: the slow way, for a hard-linked output only.</summary>
    private static string? ListedMatch(string folder, string pattern, bool recurse, FileId id)
    {
        t_listings++;
        var options = new EnumerationOptions { RecurseSubdirectories = recurse, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return Directory.EnumerateFiles(folder, pattern, options).FirstOrDefault(f => FileId.Of(f) == id);
    }

    /// <summary>
    /// Where an existing output lies: every folder above it (as named, each folder of the full path,
    /// and as the kernel resolves it, through <c>..</c> from its real folder, after its own
    /// symbolic links), the names it has there, and its hard-link count.
    /// </summary>
    private sealed class OutputPlace
    {
        /// <summary>The output's device and hard-link count (Linux); elsewhere identity is by path and hard links are not seen.</summary>
        private ulong _device;
        private ulong _links = 1;

        /// <summary>The folders above the output, as named and as resolved.</summary>
        public HashSet<FileId> Folders { get; } = [];

        /// <summary>The output's folder and name, as named and after its own symbolic links.</summary>
        public List<(FileId Folder, string Name)> Names { get; } = [];

        public static OutputPlace Of(string output)
        {
            var place = new OutputPlace();
            string full = Path.GetFullPath(output);
            place.AddNamed(full);

            // The file the output's own symbolic links lead to, and the folders above it as the kernel
            // walks them: "dir/.." is the real parent even when dir was reached through a link.
            string target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            if (target != full)
            {
                place.AddNamed(target);
            }

            string? folder = Path.GetDirectoryName(target);
            if (folder != null && Directory.Exists(folder))
            {
                var walked = new HashSet<FileId>();
                while (FileId.UsesStat && folder.Length < 4000 && FileId.Stat(folder) is { } here && walked.Add(here))
                {
                    place.Folders.Add(here);
                    folder = Path.Join(folder, "..");
                }
            }

            (place._device, place._links) = FileId.DeviceAndLinks(full);
            return place;
        }

        /// <summary>Whether the output, not found under <paramref name="folder"/> by its names, may still be a hard link of a file there.</summary>
        public bool MayHaveOtherNames(FileId folder) => _links > 1 && folder.Device == _device;

        private void AddNamed(string full)
        {
            string? folder = Path.GetDirectoryName(full);
            if (folder is null)
            {
                return;
            }

            Names.Add((FileId.Of(folder), Path.GetFileName(full)));
            for (string? f = folder; f != null; f = Path.GetDirectoryName(f))
            {
                if (Directory.Exists(f))
                {
                    Folders.Add(FileId.Of(f));
                }
            }
        }
    }

    /// <summary>What makes a file itself: device and inode on Linux, else the path with its links resolved.</summary>
    private readonly record struct FileId(ulong Device, ulong Inode, string? RealPath)
    {
        /// <summary>Whether identity is device and inode (64-bit Linux on x86-64 or arm64).</summary>
        public static readonly bool UsesStat = OperatingSystem.IsLinux() && Environment.Is64BitProcess
            && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

        public static FileId Of(string path) => Stat(path) ?? new FileId(0, 0, RealPathOf(path));

        /// <summary>Device and inode from <c>stat(2)</c> (following links); null where stat is not used or fails.</summary>
        public static FileId? Stat(string path) =>
            StatBuffer(path) is { } buffer ? new FileId(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8), null) : null;

        /// <summary>The device and hard-link count of a file; (0, 1) where stat is not used (hard links are not seen there).</summary>
        public static (ulong Device, ulong Links) DeviceAndLinks(string path)
        {
            if (StatBuffer(path) is not { } buffer)
            {
                return (0, 1);
            }

            // st_nlink: a 64-bit field at byte 16 on x86-64; in the generic layout of arm64 st_mode
            // (32-bit) comes first and st_nlink is 32-bit at byte 20.
            ulong links = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? BitConverter.ToUInt64(buffer, 16) : BitConverter.ToUInt32(buffer, 20);
            return (BitConverter.ToUInt64(buffer, 0), links);
        }

        private static byte[]? StatBuffer(string path)
        {
            if (!UsesStat)
            {
                return null;
            }

            // struct stat on 64-bit Linux (x86-64 and the generic layout of arm64): st_dev at
            // byte 0, st_ino at byte 8, both 64-bit; the whole struct is under 256 bytes.
            // glibc before 2.33 exports no stat symbol: then the resolved path is the identity.
            byte[] buffer = new byte[256];
            try
            {
                return NativeMethods.stat(Encoding.UTF8.GetBytes(path + "\0"), buffer) == 0 ? buffer : null;
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }

        private static string RealPathOf(string path)
        {
            string full = Path.GetFullPath(path);
            string? folder = Path.GetDirectoryName(full);
            string resolvedFolder = folder is null ? string.Empty : RealFolder(folder);
            string file = Path.Combine(resolvedFolder, Path.GetFileName(full));
            return new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName is { } target && target != file ? RealPathOf(target) : file;
        }

        private static string RealFolder(string folder)
        {
            string? parent = Path.GetDirectoryName(folder);
            if (parent is null)
            {
                return folder;
            }

            string here = Path.Combine(RealFolder(parent), Path.GetFileName(folder));
            return new DirectoryInfo(here).ResolveLinkTarget(returnFinalTarget: true)?.FullName is { } target ? RealFolder(Path.GetFullPath(target)) : here;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int stat(byte[] path, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int link(byte[] existing, byte[] created);
    }
}

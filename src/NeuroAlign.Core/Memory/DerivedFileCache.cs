using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NeuroAlign.Memory;

/// <summary>A file made once from a source file and kept in the cache folder.</summary>
/// <param name="Path">The derived file.</param>
/// <param name="LengthBytes">Its size.</param>
/// <param name="Reused">Whether a valid earlier copy was used (no pass was made).</param>
/// <param name="PassDuration">How long the pass took (zero when reused).</param>
public sealed record DerivedFile(string Path, long LengthBytes, bool Reused, TimeSpan PassDuration);

/// <summary>
/// Files derived from a source by one pass over it (a decompressed .nii.gz, a parsed physio .tsv.gz),
/// kept in a folder the user chooses so that later opens map them instead of redoing the pass.
/// <para>
/// Each derived file has a stamp beside it (<c>NAME.stamp.json</c>) recording the source's full
/// path, size, last-write time and a SHA-256 of its first 64 KiB, plus the derived file's size and
/// the kind of pass. A derived file is used only when its stamp matches the source as it is now;
/// otherwise the pass is made again. Files are written under a temporary name and renamed, the stamp
/// last, so an interrupted pass never leaves a file that looks valid.
/// </para>
/// </summary>
public static class DerivedFileCache
{
    /// <summary>Environment variable naming the default cache folder.</summary>
    public const string DirectoryVariable = "NEUROALIGN_CACHE_DIR";

    /// <summary>Bytes of the source hashed into the stamp.</summary>
    public const int HeadHashBytes = 64 * 1024;

    private const int StampVersion = 1;

    /// <summary>The cache folder used when none is given: $NEUROALIGN_CACHE_DIR, else &lt;temp&gt;/neuroalign-cache.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment)
                ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuroalign-cache")
                : fromEnvironment;
        }
    }

    /// <summary>Where the derived file of <paramref name="sourcePath"/> for <paramref name="kind"/> lives (whether or not it exists yet).</summary>
    public static string PathFor(string sourcePath, string kind, string extension, string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        string full = System.IO.Path.GetFullPath(sourcePath);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + full));
        string stem = System.IO.Path.GetFileName(full);
        if (stem.Length > 80)
        {
            stem = stem[..80];
        }

        string name = $"{stem}-{Convert.ToHexStringLower(hash.AsSpan(0, 8))}{extension}";
        return System.IO.Path.Combine(System.IO.Path.GetFullPath(cacheDirectory ?? DefaultDirectory), name);
    }

    /// <summary>
    /// Returns the derived file for <paramref name="sourcePath"/>, making it with <paramref name="produce"/>
    /// (which reads the source stream and writes the destination stream) when there is no valid copy.
    /// </summary>
    /// <param name="sourcePath">The source file.</param>
    /// <param name="kind">Name of the pass (part of the cache key and the stamp), e.g. "nifti-gunzip-1".</param>
    /// <param name="extension">Extension of the derived file, e.g. ".nii".</param>
    /// <param name="cacheDirectory">The cache folder; null for <see cref="DefaultDirectory"/>.</param>
    /// <param name="expectedLengthBytes">Size the derived file will have, if known: checked against free space first.</param>
    /// <param name="produce">The pass: reads the source, writes the derived bytes.</param>
    public static DerivedFile GetOrCreate(
        string sourcePath,
        string kind,
        string extension,
        string? cacheDirectory,
        long? expectedLengthBytes,
        Action<Stream, Stream> produce)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(produce);
        string path = PathFor(sourcePath, kind, extension, cacheDirectory);
        string stampPath = path + ".stamp.json";
        Stamp current = Stamp.Of(sourcePath, kind);
        if (File.Exists(path) && File.Exists(stampPath) && Stamp.TryRead(stampPath) is { } stored
            && stored.Matches(current) && new FileInfo(path).Length == stored.DerivedLengthBytes)
        {
            return new DerivedFile(path, stored.DerivedLengthBytes, Reused: true, TimeSpan.Zero);
        }

        // The source itself (a link into the cache folder) is never replaced by what is derived from it.
        Sessions.OutputGuard.CheckNotInput(path, [sourcePath], $"cache file {path}");
        Sessions.OutputGuard.CheckNotInput(stampPath, [sourcePath], $"cache file {stampPath}");
        string folder = System.IO.Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{folder}: cannot create the cache folder: {FileErrors.Describe(e)}", e);
        }

        CheckFreeSpace(folder, expectedLengthBytes);
        var clock = Stopwatch.StartNew();
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.Delete(stampPath);
            using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var destination = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                produce(source, destination);
            }

            File.Move(temporary, path, overwrite: true);
            long length = new FileInfo(path).Length;
            string stampTemporary = temporary + ".stamp";
            File.WriteAllText(stampTemporary, (current with { DerivedLengthBytes = length }).ToJson());
            File.Move(stampTemporary, stampPath, overwrite: true);
            return new DerivedFile(path, length, Reused: false, clock.Elapsed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot write the cache file: {FileErrors.Describe(e)} (choose another cache folder)", e);
        }
        finally
        {
            TryDelete(temporary);
            TryDelete(temporary + ".stamp");
        }
    }

    private static void CheckFreeSpace(string folder, long? expectedLengthBytes)
    {
        if (expectedLengthBytes is not { } needed)
        {
            return;
        }

        long free;
        try
        {
            free = new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return;
        }

        if (free < needed)
        {
            throw new NeuroAlignException(
                $"{folder}: the cache folder has {free / 1e6:F0} MB free, the decompressed file needs {needed / 1e6:F0} MB: choose another cache folder");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless: it never has a stamp.
        }
    }

    /// <summary>What a derived file was made from.</summary>
    private sealed record Stamp(
        int Version,
        string Kind,
        string Source,
        long SourceLengthBytes,
        long SourceLastWriteUtcTicks,
        string SourceHeadSha256,
        long DerivedLengthBytes)
    {
        public static Stamp Of(string sourcePath, string kind)
        {
            var info = new FileInfo(sourcePath);
            if (!info.Exists)
            {
                throw new NeuroAlignException($"{sourcePath}: cannot open: no such file");
            }

            byte[] head = new byte[(int)Math.Min(HeadHashBytes, info.Length)];
            using (var stream = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            {
                stream.ReadExactly(head);
            }

            return new Stamp(
                StampVersion,
                kind,
                info.FullName,
                info.Length,
                info.LastWriteTimeUtc.Ticks,
                Convert.ToHexStringLower(SHA256.HashData(head)),
                -1);
        }

        public static Stamp? TryRead(string path)
        {
            try
            {
                using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
                JsonElement root = json.RootElement;
                return new Stamp(
                    root.GetProperty("version").GetInt32(),
                    root.GetProperty("kind").GetString() ?? "",
                    root.GetProperty("source").GetString() ?? "",
                    root.GetProperty("source_length_bytes").GetInt64(),
                    root.GetProperty("source_last_write_utc_ticks").GetInt64(),
                    root.GetProperty("source_head_sha256").GetString() ?? "",
                    root.GetProperty("derived_length_bytes").GetInt64());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException
                or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return null;
            }
        }

        public bool Matches(Stamp now) =>
            Version == now.Version && Kind == now.Kind && Source == now.Source
            && SourceLengthBytes == now.SourceLengthBytes && SourceLastWriteUtcTicks == now.SourceLastWriteUtcTicks
            && SourceHeadSha256 == now.SourceHeadSha256;

        // Written field by field: JsonSerializer over a Dictionary<string, object> needs
        // reflection, which a trimmed single-file build (scripts/publish.sh) turns off.
        public string ToJson()
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("version", Version);
                json.WriteString("kind", Kind);
                json.WriteString("source", Source);
                json.WriteNumber("source_length_bytes", SourceLengthBytes);
                json.WriteNumber("source_last_write_utc_ticks", SourceLastWriteUtcTicks);
                json.WriteString("source_last_write_utc", new DateTime(SourceLastWriteUtcTicks, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));
                json.WriteString("source_head_sha256", SourceHeadSha256);
                json.WriteNumber("derived_length_bytes", DerivedLengthBytes);
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}

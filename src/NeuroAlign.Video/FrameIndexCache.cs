using System.Security.Cryptography;
using System.Text;
using NeuroAlign.Sessions;

namespace NeuroAlign.Video;

/// <summary>
/// Keeps each video's <see cref="FrameIndex"/> in a small binary file so that a long video is
/// probed once, not on every run. Indexes live in a cache folder, not beside the video: data
/// folders are often read-only or shared, and a cache can be deleted at any time.
/// An index is used only when the video's full path, size, modification time and a SHA-256 of its
/// first and last 64 KiB all match what was recorded; anything else (or an unreadable index) means
/// the video is probed again and the index rewritten.
/// </summary>
internal sealed class FrameIndexCache
{
    /// <summary>Bump when the layout changes: old indexes are then ignored and rewritten.</summary>
    public const ushort FormatVersion = 1;

    private const int FingerprintEdgeBytes = 64 * 1024;
    private static readonly byte[] Magic = "NAVIDX"u8.ToArray();

    private FrameIndexCache(string? directory)
    {
        Directory = directory;
    }

    /// <summary>The cache folder, or null when there is none (no HOME, no override).</summary>
    public string? Directory { get; }

    /// <summary>
    /// The cache folder: the option, else $NEUROALIGN_CACHE_DIR/video-index, else
    /// $XDG_CACHE_HOME/neuroalign/video-index, else ~/.cache/neuroalign/video-index.
    /// </summary>
    public static FrameIndexCache For(string? directoryOption)
    {
        if (!string.IsNullOrEmpty(directoryOption))
        {
            return new FrameIndexCache(directoryOption);
        }

        string? own = Environment.GetEnvironmentVariable("NEUROALIGN_CACHE_DIR");
        if (!string.IsNullOrEmpty(own))
        {
            return new FrameIndexCache(Path.Combine(own, "video-index"));
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg))
        {
            return new FrameIndexCache(Path.Combine(xdg, "neuroalign", "video-index"));
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new FrameIndexCache(string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "neuroalign", "video-index"));
    }

    /// <summary>Where the index of <paramref name="videoPath"/> is kept: a hash of its full path.</summary>
    public string? IndexPathFor(string videoPath)
    {
        if (Directory is null)
        {
            return null;
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(videoPath)));
        return Path.Combine(Directory, Convert.ToHexStringLower(hash.AsSpan(0, 16)) + ".neuroalign-index");
    }

    /// <summary>The stored index when it is valid for the video as it is now; otherwise null.</summary>
    public FrameIndex? TryLoad(string videoPath)
    {
        string? indexPath = IndexPathFor(videoPath);
        if (indexPath is null || !File.Exists(indexPath))
        {
            return null;
        }

        try
        {
            VideoStamp now = VideoStamp.Of(videoPath);
            using var stream = new FileStream(indexPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadUInt16() != FormatVersion)
            {
                return null;
            }

            var stored = new VideoStamp(reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
            if (stored != now)
            {
                return null;
            }

            var info = new VideoStreamInfo(
                reader.ReadInt32(), reader.ReadString(), reader.ReadString(), reader.ReadInt32(), reader.ReadInt32(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadString(), reader.ReadInt64(), reader.ReadInt64());
            long lastDuration = reader.ReadInt64();
            bool fromFrames = reader.ReadBoolean();
            int count = reader.ReadInt32();
            if (count <= 0 || stream.Length - stream.Position != (long)count * 9)
            {
                return null;
            }

            var pts = new long[count];
            var keyframes = new bool[count];
            for (int k = 0; k < count; k++)
            {
                pts[k] = reader.ReadInt64();
                if (k > 0 && pts[k] <= pts[k - 1])
                {
                    return null;
                }
            }

            for (int k = 0; k < count; k++)
            {
                keyframes[k] = reader.ReadByte() != 0;
            }

            return new FrameIndex(info, pts, keyframes, lastDuration, fromFrames);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stores the index (written to a temporary name, then renamed, so a reader never sees half a
    /// file). Returns the index path, or null when the cache folder cannot be written: caching is
    /// an optimisation and never fails a run.
    /// </summary>
    public string? TryStore(string videoPath, FrameIndex index)
    {
        string? indexPath = IndexPathFor(videoPath);
        if (indexPath is null || index.FrameCount > int.MaxValue || OutputGuard.SameFile(indexPath, videoPath))
        {
            // The video itself (a link into the cache folder) is never replaced by its index.
            return null;
        }

        string temporary = $"{indexPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);
            VideoStamp stamp = VideoStamp.Of(videoPath);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(stamp.FullPath);
                writer.Write(stamp.SizeBytes);
                writer.Write(stamp.ModifiedUtcTicks);
                writer.Write(stamp.Fingerprint);
                VideoStreamInfo info = index.Info;
                writer.Write(info.StreamIndex);
                writer.Write(info.CodecName);
                writer.Write(info.FormatName);
                writer.Write(info.Width);
                writer.Write(info.Height);
                writer.Write(info.TimeBaseNumerator);
                writer.Write(info.TimeBaseDenominator);
                writer.Write(info.NominalRate);
                writer.Write(info.FormatStartMicroseconds);
                writer.Write(info.HeaderFrameCount);
                writer.Write(index.LastFrameDurationTicks);
                writer.Write(index.FromDecodedFrames);
                writer.Write((int)index.FrameCount);
                foreach (long pts in index.Pts)
                {
                    writer.Write(pts);
                }

                foreach (bool keyframe in index.Keyframes)
                {
                    writer.Write(keyframe ? (byte)1 : (byte)0);
                }
            }

            File.Move(temporary, indexPath, overwrite: true);
            return indexPath;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return null;
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
            // Nothing more to do: a stray temporary file in a cache folder is harmless.
        }
    }

    /// <summary>What identifies a video's content cheaply.</summary>
    private readonly record struct VideoStamp(string FullPath, long SizeBytes, long ModifiedUtcTicks, string Fingerprint)
    {
        public static VideoStamp Of(string path)
        {
            var file = new FileInfo(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            long size = stream.Length;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[(int)Math.Min(FingerprintEdgeBytes, size)];
            stream.ReadExactly(buffer);
            hash.AppendData(buffer);
            if (size > FingerprintEdgeBytes)
            {
                int tail = (int)Math.Min(FingerprintEdgeBytes, size - FingerprintEdgeBytes);
                stream.Position = size - tail;
                stream.ReadExactly(buffer.AsSpan(0, tail));
                hash.AppendData(buffer.AsSpan(0, tail));
            }

            return new VideoStamp(Path.GetFullPath(path), size, file.LastWriteTimeUtc.Ticks, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
    }
}

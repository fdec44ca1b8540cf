using NeuroAlign.Formats.Npy;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats;

/// <summary>The ephys formats <see cref="EphysReader"/> tells apart.</summary>
public enum EphysFormat
{
    /// <summary>A flat interleaved binary file described only by options.</summary>
    Raw,

    /// <summary>A SpikeGLX .bin with its .meta.</summary>
    SpikeGlx,

    /// <summary>An Open Ephys binary recording (structure.oebin).</summary>
    OpenEphys,

    /// <summary>A numpy .npy array.</summary>
    Npy,
}

/// <summary>How to open an ephys recording; each format uses what applies to it.</summary>
public sealed record EphysOpenOptions
{
    /// <summary>
    /// For raw files: channels, rate, dtype, header, gain and t0 (the original tool's defaults).
    /// For .npy: the rate, gain and t0 (channels and dtype come from the file). Unused otherwise.
    /// </summary>
    public RawBinaryOptions Raw { get; init; } = new();

    /// <summary>Open Ephys: the stream to read (stream_name or folder_name); null: the first neural stream.</summary>
    public string? StreamName { get; init; }

    /// <summary>SpikeGLX: read every gate and trigger file of the given file's stream as one recording (<see cref="SpikeGlxRun"/>).</summary>
    public bool Run { get; init; }
}

/// <summary>
/// The one entry point for ephys recordings: detects the format from the path and opens it.
/// </summary>
public static class EphysReader
{
    /// <summary>
    /// The format of <paramref name="path"/>: a folder or .oebin with structure.oebin (or a
    /// continuous.dat inside one) is Open Ephys; a .meta, or a .bin with a .meta beside it, is SpikeGLX;
    /// a .npy (or a file starting with the NPY magic) is numpy; anything else is raw binary.
    /// </summary>
    public static EphysFormat Detect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path) && !File.Exists(Path.Combine(path, "structure.oebin")) && SpikeGlxRun.IsRunFolder(path))
        {
            return EphysFormat.SpikeGlx;
        }

        if (Directory.Exists(path)
            || Path.GetExtension(path).Equals(".oebin", StringComparison.OrdinalIgnoreCase)
            || OpenEphysReader.TryResolve(path, out _, out _))
        {
            return EphysFormat.OpenEphys;
        }

        if (SpikeGlxReader.IsSpikeGlx(path))
        {
            return EphysFormat.SpikeGlx;
        }

        if (Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase) || StartsWithNpyMagic(path))
        {
            return EphysFormat.Npy;
        }

        return EphysFormat.Raw;
    }

    /// <summary>Detects the format of <paramref name="path"/> and opens it.</summary>
    /// <exception cref="NeuroAlignException">The file is missing, malformed, or the options do not fit it.</exception>
    public static EphysRecording Open(string path, EphysOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (Containers.ContainerSources.Find<Modalities.Ephys.IEphysOpener>(path, "a continuous ephys series") is { } container)
        {
            // A series of a container file (session.nwb#acquisition/ElectricalSeriesAP), read lazily by its format.
            return container.OpenEphys(path);
        }

        EphysFormat format = Detect(path);
        if (options.StreamName != null && format != EphysFormat.OpenEphys)
        {
            throw new NeuroAlignException(
                $"{path}: {Sessions.Setting.Display("ephys-stream")} '{options.StreamName}' applies to Open Ephys recordings only; this is {Describe(format)}");
        }

        return format switch
        {
            EphysFormat.OpenEphys => OpenEphysReader.Open(path, options.StreamName),
            EphysFormat.SpikeGlx when options.Run || Directory.Exists(path) => SpikeGlxRun.Open(path),
            EphysFormat.SpikeGlx when Mtscomp.MtscompReader.IsCompressed(path) => Mtscomp.MtscompReader.OpenSpikeGlx(path),
            EphysFormat.SpikeGlx => SpikeGlxReader.Open(path),
            EphysFormat.Npy => NpyReader.Open(path, options.Raw),
            _ => OpenRaw(path, options.Raw),
        };
    }

    /// <summary>A short phrase naming a format, for messages.</summary>
    public static string Describe(EphysFormat format) => format switch
    {
        EphysFormat.OpenEphys => "an Open Ephys binary recording",
        EphysFormat.SpikeGlx => "a SpikeGLX recording",
        EphysFormat.Npy => "a .npy array",
        _ => "a raw binary file",
    };

    private static EphysRecording OpenRaw(string path, RawBinaryOptions options)
    {
        InterleavedBinaryStream data = RawBinaryReader.Open(path, options);
        KeyValuePair<string, string>[] details =
        [
            new("layout", $"raw interleaved {options.ElementType.ToText()}, little-endian, {options.ChannelCount} channels, {options.HeaderBytes}-byte header (from the options: a raw file carries no metadata)"),
            new("sample rate", $"{options.SampleRateHz:R} Hz (from the options)"),
        ];
        return new EphysRecording(data, channelNames: null, details, digitalLines: [], warnings: []);
    }

    private static bool StartsWithNpyMagic(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            Span<byte> start = stackalloc byte[6];
            return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && NpyHeader.TryDetect(start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

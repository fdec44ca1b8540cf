using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Memory;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Nifti;

/// <summary>
/// An fMRI series as a stream of volumes: sample k is volume k, shape [X, Y, Z], float32 values
/// after scl_slope/scl_inter, in C order (z fastest) so that numpy reads <c>sample[x, y, z]</c> as
/// nibabel's <c>get_fdata()[x, y, z, k]</c>. The voxels stay in a memory-mapped file (the .nii
/// itself, or the decompressed cache of a .nii.gz); a read converts only the volumes asked for.
/// Reads reuse one conversion buffer: use a stream from one thread at a time.
/// </summary>
public sealed class NiftiStream : ISampleStream
{
    private readonly MappedFile _file;
    private readonly VoxelConverter _converter;
    private readonly int[] _shape;
    private readonly BidsMetadata _sidecars;
    private readonly int _extensionCount;

    internal NiftiStream(
        string path,
        MappedFile file,
        NiftiHeader header,
        BoldTiming timing,
        BidsMetadata sidecars,
        DerivedFile? cache,
        int extensionCount,
        IReadOnlyList<string> warnings)
    {
        SourcePath = path;
        _file = file;
        Header = header;
        Timing = timing;
        _sidecars = sidecars;
        Cache = cache;
        _extensionCount = extensionCount;
        Warnings = warnings.Select(Printable.Escape).ToArray();
        _shape = [.. header.VolumeShape];
        _converter = new VoxelConverter(header.ElementType, header.BigEndian != !BitConverter.IsLittleEndian, header.Scaling, _shape);
    }

    public string SourcePath { get; }

    public string FormatName => NiftiReader.FormatName;

    /// <summary>The parsed header.</summary>
    public NiftiHeader Header { get; }

    /// <summary>Volume onsets, TR and its source, slice timing.</summary>
    public BoldTiming Timing { get; }

    /// <summary>The decompressed copy a .nii.gz is read from (null for a .nii).</summary>
    public DerivedFile? Cache { get; }

    /// <summary>Doubtful facts found while opening, one line each, for the CLI to print on stderr.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The BIDS sidecars that were merged, farthest first.</summary>
    public IReadOnlyList<string> Sidecars => _sidecars.Sidecars;

    public SampleClock Clock => Timing.Clock;

    /// <summary>Always float32: values after scaling.</summary>
    public SampleType ElementType => SampleType.Float32;

    /// <summary>[X, Y, Z].</summary>
    public IReadOnlyList<int> SampleShape => _shape;

    /// <summary>Number of volumes.</summary>
    public long VolumeCount => Header.VolumeCount;

    public IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            NiftiHeader h = Header;
            (double slope, double intercept) = h.Scaling;
            var details = new List<KeyValuePair<string, string>>
            {
                new("shape", $"{_shape[0]} × {_shape[1]} × {_shape[2]} voxels × {VolumeCount} volume{(VolumeCount == 1 ? "" : "s")} (sample = one volume, [x, y, z], z fastest)"),
                new("header", $"NIfTI-{h.NiftiVersion}, {(h.BigEndian ? "big" : "little")}-endian, vox_offset {h.VoxOffset}, {_extensionCount} extension{(_extensionCount == 1 ? "" : "s")} skipped"),
                new("stored dtype", $"{h.ElementType.ToText()} (read as float32 after scaling)"),
                new("scaling", h.HasScaling
                    ? string.Create(CultureInfo.InvariantCulture, $"value = stored × {slope:R} + {intercept:R} (scl_slope, scl_inter)")
                    : "none (scl_slope " + h.SclSlope.ToString("R", CultureInfo.InvariantCulture) + ")"),
                new("voxel size", h.DescribeVoxelSize()),
            };
            details.AddRange(Timing.Describe());
            details.Add(new("sidecars", Sidecars.Count == 0 ? "none" : string.Join(", ", Sidecars)));
            if (Cache is not null)
            {
                details.Add(new("decompressed cache", $"{Cache.Path} ({(Cache.Reused ? "reused" : $"made in {Cache.PassDuration.TotalSeconds:F2} s")})"));
            }

            return details.Select(d => new KeyValuePair<string, string>(d.Key, Printable.Escape(d.Value))).ToList();
        }
    }

    /// <summary>Volume <paramref name="volume"/> as scaled float32 values, C order [X, Y, Z].</summary>
    public void ReadVolume(long volume, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(volume);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(volume, VolumeCount);
        int voxels = (int)Header.VoxelsPerVolume;
        if (destination.Length < voxels)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, a volume has {voxels}", nameof(destination));
        }

        int bytes = (int)Header.BytesPerVolume;
        ReadOnlySpan<byte> stored = _file.GetSpan(Header.VoxOffset + (volume * bytes), bytes);
        _converter.Convert(stored, destination[..voxels]);
    }

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        int voxels = (int)Header.VoxelsPerVolume;
        int sampleBytes = voxels * sizeof(float);
        if (destination.Length < (long)indices.Length * sampleBytes)
        {
            throw new ArgumentException("destination is smaller than the volumes asked for", nameof(destination));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            Span<byte> target = destination.Slice(i * sampleBytes, sampleBytes);
            long k = indices[i];
            if (k == -1)
            {
                target.Clear();
            }
            else if (i > 0 && k == indices[i - 1])
            {
                // The grid is often finer than the TR: the same volume many times in a row.
                destination.Slice((i - 1) * sampleBytes, sampleBytes).CopyTo(target);
            }
            else
            {
                ReadVolume(k, MemoryMarshal.Cast<byte, float>(target));
            }
        }
    }

    public void ReleaseSamples(long startSample, long sampleCount) =>
        _file.Release(Header.VoxOffset + (startSample * Header.BytesPerVolume), sampleCount * Header.BytesPerVolume);

    public void Dispose() => _file.Dispose();
}

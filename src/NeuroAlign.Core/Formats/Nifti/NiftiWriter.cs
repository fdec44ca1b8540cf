using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuroAlign.Formats.Nifti;

/// <summary>What <see cref="NiftiWriter"/> writes besides the voxels.</summary>
/// <param name="RepetitionTime">pixdim[4], in <paramref name="TimeUnitCode"/> (0: no TR).</param>
/// <param name="VoxelSizeMillimeters">pixdim[1..3].</param>
/// <param name="TimeUnitCode">The time part of xyzt_units: 8 s (default), 16 ms, 24 us, 0 unknown.</param>
/// <param name="SclSlope">scl_slope (0: no scaling).</param>
/// <param name="SclInter">scl_inter.</param>
/// <param name="Description">descrip (at most 79 ASCII characters).</param>
public sealed record NiftiWriteOptions(
    double RepetitionTime = 0,
    double VoxelSizeMillimeters = 1,
    int TimeUnitCode = 8,
    float SclSlope = 0,
    float SclInter = 0,
    string Description = "");

/// <summary>
/// A minimal NIfTI-1 writer: one little-endian single-file image (int16 or float32 voxels, x fastest),
/// optionally gzipped. Used by the demo session and by tests; nibabel reads what it writes.
/// </summary>
public static class NiftiWriter
{
    /// <summary>Writes <paramref name="voxels"/> (x fastest, then y, z, t) of shape [X, Y, Z, T] to <paramref name="path"/> (gzipped when it ends in .gz).</summary>
    public static void Write<T>(string path, ReadOnlySpan<T> voxels, IReadOnlyList<int> shape, NiftiWriteOptions? options = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(shape);
        options ??= new NiftiWriteOptions();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the writer writes the machine's bytes as little-endian");
        }

        NiftiDataType type = typeof(T) == typeof(short) ? NiftiDataType.Int16
            : typeof(T) == typeof(float) ? NiftiDataType.Float32
            : typeof(T) == typeof(byte) ? NiftiDataType.UInt8
            : throw new ArgumentException($"unsupported voxel type {typeof(T).Name}: use short, float or byte", nameof(voxels));
        if (shape.Count is < 3 or > 4 || shape.Any(d => d < 1 || d > short.MaxValue))
        {
            throw new ArgumentException("shape must be [X, Y, Z] or [X, Y, Z, T], each from 1 to 32767", nameof(shape));
        }

        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (voxels.Length != count)
        {
            throw new ArgumentException($"{voxels.Length} voxels given, the shape holds {count}", nameof(voxels));
        }

        byte[] header = new byte[Nifti1Field.MinimumVoxOffset];
        Span<byte> h = header;
        BinaryPrimitives.WriteInt32LittleEndian(h[Nifti1Field.sizeof_hdr..], Nifti1Field.HeaderSize);
        BinaryPrimitives.WriteInt16LittleEndian(h[Nifti1Field.dim..], (short)shape.Count);
        for (int i = 0; i < 7; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(h[(Nifti1Field.dim + (2 * (i + 1)))..], (short)(i < shape.Count ? shape[i] : 1));
        }

        BinaryPrimitives.WriteInt16LittleEndian(h[Nifti1Field.datatype..], (short)type);
        BinaryPrimitives.WriteInt16LittleEndian(h[Nifti1Field.bitpix..], (short)(Marshal.SizeOf<T>() * 8));
        float[] pixdim = [1, (float)options.VoxelSizeMillimeters, (float)options.VoxelSizeMillimeters, (float)options.VoxelSizeMillimeters, (float)options.RepetitionTime, 1, 1, 1];
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(h[(Nifti1Field.pixdim + (4 * i))..], pixdim[i]);
        }

        BinaryPrimitives.WriteSingleLittleEndian(h[Nifti1Field.vox_offset..], Nifti1Field.MinimumVoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(h[Nifti1Field.scl_slope..], options.SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(h[Nifti1Field.scl_inter..], options.SclInter);
        h[Nifti1Field.xyzt_units] = (byte)(NiftiCodes.UnitMillimeter | (options.TimeUnitCode & NiftiCodes.TimeUnitMask));
        Encoding.ASCII.GetBytes(options.Description.Length > 79 ? options.Description[..79] : options.Description, h.Slice(Nifti1Field.descrip, 80));
        NiftiCodes.Nifti1SingleMagic.CopyTo(h[Nifti1Field.magic..]);

        // pixdim[0] = qfac 1 and qform/sform codes 0: the "old" analyze-like orientation (NIfTI-1 §method 1).
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest)
            : file;
        output.Write(header);
        output.Write(MemoryMarshal.AsBytes(voxels));
    }
}

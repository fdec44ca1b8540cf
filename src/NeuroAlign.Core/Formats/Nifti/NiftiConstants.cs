namespace NeuroAlign.Formats.Nifti;

/// <summary>
/// Byte offsets of the NIfTI-1 header fields used here, named as in nifti1.h
/// (struct nifti_1_header, 348 bytes).
/// </summary>
internal static class Nifti1Field
{
    public const int HeaderSize = 348;
    public const int sizeof_hdr = 0;
    public const int dim_info = 39;
    public const int dim = 40;            // short[8]
    public const int intent_code = 68;
    public const int datatype = 70;
    public const int bitpix = 72;
    public const int slice_start = 74;
    public const int pixdim = 76;         // float[8]
    public const int vox_offset = 108;    // float
    public const int scl_slope = 112;
    public const int scl_inter = 116;
    public const int slice_end = 120;
    public const int slice_code = 122;    // char
    public const int xyzt_units = 123;    // char
    public const int slice_duration = 132;
    public const int toffset = 136;
    public const int descrip = 148;       // char[80]
    public const int magic = 344;         // char[4]

    /// <summary>Smallest vox_offset of a single-file image: the header plus the 4-byte extension flag (NIfTI-1 §vox_offset).</summary>
    public const int MinimumVoxOffset = 352;
}

/// <summary>
/// Byte offsets of the NIfTI-2 header fields used here, named as in nifti2.h
/// (struct nifti_2_header, 540 bytes, 64-bit dims and doubles).
/// </summary>
internal static class Nifti2Field
{
    public const int HeaderSize = 540;
    public const int sizeof_hdr = 0;
    public const int magic = 4;           // char[8]
    public const int datatype = 12;
    public const int bitpix = 14;
    public const int dim = 16;            // int64[8]
    public const int pixdim = 104;        // double[8]
    public const int vox_offset = 168;    // int64
    public const int scl_slope = 176;
    public const int scl_inter = 184;
    public const int slice_duration = 208;
    public const int toffset = 216;
    public const int slice_start = 224;   // int64
    public const int slice_end = 232;     // int64
    public const int descrip = 240;       // char[80]
    public const int slice_code = 496;    // int32
    public const int xyzt_units = 500;    // int32
    public const int intent_code = 504;
    public const int dim_info = 524;      // char

    /// <summary>Header plus the 4-byte extension flag.</summary>
    public const int MinimumVoxOffset = 544;
}

/// <summary>The NIfTI datatype codes (nifti1.h DT_*) this reader supports; the same codes in NIfTI-2.</summary>
public enum NiftiDataType : short
{
    /// <summary>DT_UINT8.</summary>
    UInt8 = 2,

    /// <summary>DT_INT16.</summary>
    Int16 = 4,

    /// <summary>DT_INT32.</summary>
    Int32 = 8,

    /// <summary>DT_FLOAT32.</summary>
    Float32 = 16,

    /// <summary>DT_FLOAT64.</summary>
    Float64 = 64,

    /// <summary>DT_INT8.</summary>
    Int8 = 256,

    /// <summary>DT_UINT16.</summary>
    UInt16 = 512,

    /// <summary>DT_UINT32.</summary>
    UInt32 = 768,

    /// <summary>DT_INT64.</summary>
    Int64 = 1024,

    /// <summary>DT_UINT64.</summary>
    UInt64 = 1280,
}

/// <summary>Codes and masks of the xyzt_units and slice_code fields (nifti1.h NIFTI_UNITS_*, NIFTI_SLICE_*).</summary>
internal static class NiftiCodes
{
    /// <summary>NIfTI-1 §xyzt_units: bits 0-2 hold the spatial unit, bits 3-5 the time unit.</summary>
    public const int SpaceUnitMask = 0x07;
    public const int TimeUnitMask = 0x38;

    public const int UnitUnknown = 0;
    public const int UnitMeter = 1;
    public const int UnitMillimeter = 2;
    public const int UnitMicron = 3;
    public const int UnitSecond = 8;
    public const int UnitMillisecond = 16;
    public const int UnitMicrosecond = 24;
    public const int UnitHertz = 32;
    public const int UnitPpm = 40;
    public const int UnitRadiansPerSecond = 48;

    /// <summary>"n+1\0": NIfTI-1 header and data in one .nii file.</summary>
    public static ReadOnlySpan<byte> Nifti1SingleMagic => "n+1\0"u8;

    /// <summary>"ni1\0": NIfTI-1 .hdr/.img pair (not supported).</summary>
    public static ReadOnlySpan<byte> Nifti1PairMagic => "ni1\0"u8;

    /// <summary>"n+2\0" then "\r\n\x1A\n", the DOS/Unix line-ending check of NIfTI-2.</summary>
    public static ReadOnlySpan<byte> Nifti2SingleMagic => "n+2\0\r\n\x1A\n"u8;

    /// <summary>"ni2\0" then the line-ending check: a NIfTI-2 pair (not supported).</summary>
    public static ReadOnlySpan<byte> Nifti2PairMagic => "ni2\0\r\n\x1A\n"u8;

    /// <summary>Gzip's two magic bytes (RFC 1952 §2.3.1).</summary>
    public static ReadOnlySpan<byte> GzipMagic => [0x1F, 0x8B];

    public static string TimeUnitName(int code) => code switch
    {
        UnitUnknown => "unknown",
        UnitSecond => "s",
        UnitMillisecond => "ms",
        UnitMicrosecond => "us",
        UnitHertz => "Hz",
        UnitPpm => "ppm",
        UnitRadiansPerSecond => "rad/s",
        _ => $"code {code}",
    };

    public static string SpaceUnitName(int code) => code switch
    {
        UnitUnknown => "unknown",
        UnitMeter => "m",
        UnitMillimeter => "mm",
        UnitMicron => "um",
        _ => $"code {code}",
    };
}

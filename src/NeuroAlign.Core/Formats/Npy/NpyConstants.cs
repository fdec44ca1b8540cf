namespace NeuroAlign.Formats.Npy;

/// <summary>
/// Field locations of the NPY format (numpy/lib/format.py, NEP 1 "A Simple File Format for NumPy Arrays").
/// </summary>
internal static class NpyConstants
{
    /// <summary>The six magic bytes: \x93 then "NUMPY".</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Byte 6: major version; byte 7: minor version.</summary>
    public const int MajorVersionOffset = 6;

    public const int MinorVersionOffset = 7;

    /// <summary>Byte 8: the header length, little-endian: 2 bytes in version 1, 4 bytes in versions 2 and 3.</summary>
    public const int HeaderLengthOffset = 8;

    /// <summary>The preamble (magic, version, header length) of a version 1 file.</summary>
    public const int PreambleBytesV1 = 10;

    /// <summary>The preamble of a version 2 or 3 file.</summary>
    public const int PreambleBytesV2 = 12;

    /// <summary>Headers longer than this are not numpy's; a guard against reading garbage as a header.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    public const string DescrKey = "descr";
    public const string FortranOrderKey = "fortran_order";
    public const string ShapeKey = "shape";
}

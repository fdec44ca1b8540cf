using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.Nifti;

/// <summary>
/// The fields of a NIfTI-1 or NIfTI-2 header that reading and timing need, named after the spec's
/// fields (nifti1.h / nifti2.h), with NIfTI-1's 16-bit and 32-bit values widened to NIfTI-2's types.
/// </summary>
public sealed class NiftiHeader
{
    private NiftiHeader()
    {
    }

    /// <summary>1 or 2.</summary>
    public int NiftiVersion { get; private init; }

    /// <summary>Whether the header (and so the voxels) are big-endian, detected from sizeof_hdr.</summary>
    public bool BigEndian { get; private init; }

    /// <summary>sizeof_hdr: 348 (NIfTI-1) or 540 (NIfTI-2).</summary>
    public int SizeofHdr { get; private init; }

    /// <summary>dim[0..7]: dim[0] is the number of dimensions, dim[1..] their sizes.</summary>
    public IReadOnlyList<long> Dim { get; private init; } = [];

    /// <summary>pixdim[0..7]: pixdim[1..3] voxel sizes, pixdim[4] the time step (in xyzt_units).</summary>
    public IReadOnlyList<double> Pixdim { get; private init; } = [];

    /// <summary>datatype code (DT_*).</summary>
    public NiftiDataType Datatype { get; private init; }

    /// <summary>bitpix: bits per voxel.</summary>
    public int Bitpix { get; private init; }

    /// <summary>vox_offset: byte offset of the first voxel in a single-file image.</summary>
    public long VoxOffset { get; private init; }

    /// <summary>scl_slope (0 or not finite: no scaling).</summary>
    public double SclSlope { get; private init; }

    /// <summary>scl_inter.</summary>
    public double SclInter { get; private init; }

    /// <summary>xyzt_units: spatial unit in bits 0-2, time unit in bits 3-5.</summary>
    public int XyztUnits { get; private init; }

    /// <summary>dim_info: frequency, phase and slice dimensions, 2 bits each.</summary>
    public int DimInfo { get; private init; }

    /// <summary>slice_code: the slice acquisition order (NIFTI_SLICE_*).</summary>
    public int SliceCode { get; private init; }

    /// <summary>slice_start.</summary>
    public long SliceStart { get; private init; }

    /// <summary>slice_end.</summary>
    public long SliceEnd { get; private init; }

    /// <summary>slice_duration, in the time unit of xyzt_units.</summary>
    public double SliceDuration { get; private init; }

    /// <summary>toffset: time of the first volume, in the time unit of xyzt_units.</summary>
    public double Toffset { get; private init; }

    /// <summary>intent_code.</summary>
    public int IntentCode { get; private init; }

    /// <summary>descrip, trimmed at the first NUL.</summary>
    public string Descrip { get; private init; } = "";

    /// <summary>
    /// The most voxels one volume may hold (2^28 - 1: a float64 volume stays under 2 GiB, the size of
    /// one span); also the largest accepted size along each axis.
    /// </summary>
    public const long MaxVoxelsPerVolume = 268_435_455;

    /// <summary>The most volumes a series may hold (2^31 - 1: 68 years at a TR of 1 s).</summary>
    public const long MaxVolumes = int.MaxValue;

    /// <summary>
    /// The largest vox_offset accepted (2^53, the largest byte offset a NIfTI-1 float holds exactly);
    /// with the limits above the expected file size stays far below 2^63.
    /// </summary>
    public const long MaxVoxOffset = 1L << 53;

    /// <summary>The element type of the stored voxels.</summary>
    public SampleType ElementType => ToSampleType(Datatype);

    /// <summary>Bytes per stored voxel.</summary>
    public int BytesPerVoxel => ElementType.SizeOf();

    /// <summary>Spatial shape [X, Y, Z] of one volume (missing dimensions are 1).</summary>
    public IReadOnlyList<int> VolumeShape => [DimOrOne(1), DimOrOne(2), DimOrOne(3)];

    /// <summary>Number of volumes: dim[4], or 1 for a 3-D image.</summary>
    public long VolumeCount => Dim[0] >= 4 ? Dim[4] : 1;

    /// <summary>Voxels in one volume.</summary>
    public long VoxelsPerVolume => (long)DimOrOne(1) * DimOrOne(2) * DimOrOne(3);

    /// <summary>Bytes of one stored volume.</summary>
    public long BytesPerVolume => VoxelsPerVolume * BytesPerVoxel;

    /// <summary>Bytes the header says the file holds: vox_offset plus every volume.</summary>
    public long ExpectedFileLengthBytes => VoxOffset + (BytesPerVolume * VolumeCount);

    /// <summary>Whether scl_slope/scl_inter change the values (NIfTI-1 §scl_slope: slope 0 means unscaled).</summary>
    public bool HasScaling => SclSlope != 0 && double.IsFinite(SclSlope) && (SclSlope != 1 || SclInter != 0);

    /// <summary>The time unit code of xyzt_units (NIFTI_UNITS_SEC, _MSEC, _USEC…).</summary>
    public int TimeUnitCode => XyztUnits & NiftiCodes.TimeUnitMask;

    /// <summary>The spatial unit code of xyzt_units.</summary>
    public int SpaceUnitCode => XyztUnits & NiftiCodes.SpaceUnitMask;

    /// <summary>
    /// Whether <paramref name="bytes"/> start with a single-file NIfTI-1 or NIfTI-2 header of either
    /// byte order. Needs at least 348 bytes (540 to recognise NIfTI-2's magic).
    /// </summary>
    public static bool TryDetect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Nifti1Field.HeaderSize)
        {
            return false;
        }

        int le = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int be = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (le == Nifti1Field.HeaderSize || be == Nifti1Field.HeaderSize)
        {
            return bytes.Slice(Nifti1Field.magic, 4).SequenceEqual(NiftiCodes.Nifti1SingleMagic);
        }

        return (le == Nifti2Field.HeaderSize || be == Nifti2Field.HeaderSize)
            && bytes.Slice(Nifti2Field.magic, 8).SequenceEqual(NiftiCodes.Nifti2SingleMagic);
    }

    /// <summary>
    /// Parses and validates a header. <paramref name="bytes"/> holds the start of the (decompressed)
    /// file: at least 348 bytes for NIfTI-1, 540 for NIfTI-2.
    /// </summary>
    /// <exception cref="InvalidRecordingException">Anything the reader cannot trust or does not support.</exception>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string path, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (bytes.Length < 4)
        {
            throw new InvalidRecordingException(path, "sizeof_hdr (byte 0)", $"a file of {bytes.Length} bytes", "a NIfTI header of 348 or 540 bytes");
        }

        // NIfTI-1 §sizeof_hdr: "MUST be 348"; NIfTI-2: 540. Read in both byte orders, the one that
        // matches gives the file's endianness (the spec's recommended detection).
        int le = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        int be = BinaryPrimitives.ReadInt32BigEndian(bytes);
        int version;
        bool bigEndian;
        if (le == Nifti1Field.HeaderSize || le == Nifti2Field.HeaderSize)
        {
            version = le == Nifti1Field.HeaderSize ? 1 : 2;
            bigEndian = false;
        }
        else if (be == Nifti1Field.HeaderSize || be == Nifti2Field.HeaderSize)
        {
            version = be == Nifti1Field.HeaderSize ? 1 : 2;
            bigEndian = true;
        }
        else
        {
            throw new InvalidRecordingException(
                path, "sizeof_hdr (byte 0)", $"{le} (little-endian) / {be} (big-endian)", "348 (NIfTI-1) or 540 (NIfTI-2) in either byte order: this is not a NIfTI file");
        }

        int size = version == 1 ? Nifti1Field.HeaderSize : Nifti2Field.HeaderSize;
        if (bytes.Length < size)
        {
            throw new InvalidRecordingException(path, "header", $"{bytes.Length} bytes", $"the {size}-byte NIfTI-{version} header");
        }

        var reader = new FieldReader(bytes, bigEndian);
        NiftiHeader header = version == 1 ? ParseNifti1(bytes, reader, path) : ParseNifti2(bytes, reader, path);
        header.Validate(path, warnings);
        return header;
    }

    private static NiftiHeader ParseNifti1(ReadOnlySpan<byte> bytes, FieldReader r, string path)
    {
        ReadOnlySpan<byte> magic = bytes.Slice(Nifti1Field.magic, 4);
        if (!magic.SequenceEqual(NiftiCodes.Nifti1SingleMagic))
        {
            string expected = magic.SequenceEqual(NiftiCodes.Nifti1PairMagic)
                ? "\"n+1\" (a single .nii file; .hdr/.img pairs are not supported)"
                : "\"n+1\" (single-file NIfTI-1)";
            throw new InvalidRecordingException(path, $"magic (byte {Nifti1Field.magic})", Quote(magic), expected);
        }

        double voxOffset = r.Single(Nifti1Field.vox_offset);
        if (!double.IsFinite(voxOffset) || voxOffset < 0 || voxOffset != Math.Floor(voxOffset) || voxOffset > MaxVoxOffset)
        {
            throw new InvalidRecordingException(
                path, $"vox_offset (byte {Nifti1Field.vox_offset})", voxOffset.ToString("R", CultureInfo.InvariantCulture), $"a whole byte offset from 0 to {MaxVoxOffset}");
        }

        long[] dim = new long[8];
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++)
        {
            dim[i] = r.Int16(Nifti1Field.dim + (2 * i));
            pixdim[i] = r.Single(Nifti1Field.pixdim + (4 * i));
        }

        return new NiftiHeader
        {
            NiftiVersion = 1,
            BigEndian = r.BigEndian,
            SizeofHdr = Nifti1Field.HeaderSize,
            Dim = dim,
            Pixdim = pixdim,
            Datatype = (NiftiDataType)r.Int16(Nifti1Field.datatype),
            Bitpix = r.Int16(Nifti1Field.bitpix),
            VoxOffset = (long)voxOffset,
            SclSlope = r.Single(Nifti1Field.scl_slope),
            SclInter = r.Single(Nifti1Field.scl_inter),
            XyztUnits = bytes[Nifti1Field.xyzt_units],
            DimInfo = bytes[Nifti1Field.dim_info],
            SliceCode = bytes[Nifti1Field.slice_code],
            SliceStart = r.Int16(Nifti1Field.slice_start),
            SliceEnd = r.Int16(Nifti1Field.slice_end),
            SliceDuration = r.Single(Nifti1Field.slice_duration),
            Toffset = r.Single(Nifti1Field.toffset),
            IntentCode = r.Int16(Nifti1Field.intent_code),
            Descrip = Text(bytes.Slice(Nifti1Field.descrip, 80)),
        };
    }

    private static NiftiHeader ParseNifti2(ReadOnlySpan<byte> bytes, FieldReader r, string path)
    {
        ReadOnlySpan<byte> magic = bytes.Slice(Nifti2Field.magic, 8);
        if (!magic.SequenceEqual(NiftiCodes.Nifti2SingleMagic))
        {
            string expected = magic.SequenceEqual(NiftiCodes.Nifti2PairMagic)
                ? "\"n+2\" (a single .nii file; .hdr/.img pairs are not supported)"
                : "\"n+2\\0\\r\\n\\x1A\\n\" (single-file NIfTI-2; a damaged line-ending check means the file went through a text-mode transfer)";
            throw new InvalidRecordingException(path, $"magic (byte {Nifti2Field.magic})", Quote(magic), expected);
        }

        long[] dim = new long[8];
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++)
        {
            dim[i] = r.Int64(Nifti2Field.dim + (8 * i));
            pixdim[i] = r.Double(Nifti2Field.pixdim + (8 * i));
        }

        return new NiftiHeader
        {
            NiftiVersion = 2,
            BigEndian = r.BigEndian,
            SizeofHdr = Nifti2Field.HeaderSize,
            Dim = dim,
            Pixdim = pixdim,
            Datatype = (NiftiDataType)r.Int16(Nifti2Field.datatype),
            Bitpix = r.Int16(Nifti2Field.bitpix),
            VoxOffset = r.Int64(Nifti2Field.vox_offset),
            SclSlope = r.Double(Nifti2Field.scl_slope),
            SclInter = r.Double(Nifti2Field.scl_inter),
            XyztUnits = r.Int32(Nifti2Field.xyzt_units),
            DimInfo = bytes[Nifti2Field.dim_info],
            SliceCode = r.Int32(Nifti2Field.slice_code),
            SliceStart = r.Int64(Nifti2Field.slice_start),
            SliceEnd = r.Int64(Nifti2Field.slice_end),
            SliceDuration = r.Double(Nifti2Field.slice_duration),
            Toffset = r.Double(Nifti2Field.toffset),
            IntentCode = r.Int32(Nifti2Field.intent_code),
            Descrip = Text(bytes.Slice(Nifti2Field.descrip, 80)),
        };
    }

    private void Validate(string path, ICollection<string>? warnings)
    {
        int dimOffset = NiftiVersion == 1 ? Nifti1Field.dim : Nifti2Field.dim;
        int dimBytes = NiftiVersion == 1 ? 2 : 8;
        if (Dim[0] < 1 || Dim[0] > 7)
        {
            throw new InvalidRecordingException(path, $"dim[0] (byte {dimOffset})", Dim[0].ToString(CultureInfo.InvariantCulture), "1 to 7 dimensions");
        }

        for (int i = 1; i <= Dim[0]; i++)
        {
            string where = $"dim[{i}] (byte {dimOffset + (i * dimBytes)})";
            if (Dim[i] < 1)
            {
                throw new InvalidRecordingException(path, where, Dim[i].ToString(CultureInfo.InvariantCulture), "a positive size");
            }

            // NIfTI-2 dims are 64-bit: a size from a corrupt header (2^40, 2^62) is refused before
            // any product is formed, so that no size computed from it can overflow.
            long most = i == 4 ? MaxVolumes : MaxVoxelsPerVolume;
            if (Dim[i] > most)
            {
                throw new InvalidRecordingException(
                    path, where, Dim[i].ToString(CultureInfo.InvariantCulture), $"at most {most} {(i == 4 ? "volumes" : "voxels along an axis")}");
            }

            if (i >= 5 && Dim[i] != 1)
            {
                throw new InvalidRecordingException(
                    path, $"dim[{i}]", $"{Dim[i]} ({Dim[0]}-D image)", "1: only 3-D and 4-D images (x, y, z, time) are supported");
            }
        }

        if (!Enum.IsDefined(Datatype))
        {
            throw new InvalidRecordingException(
                path,
                "datatype",
                $"code {(short)Datatype}",
                "one of uint8 (2), int16 (4), int32 (8), float32 (16), float64 (64), int8 (256), uint16 (512), uint32 (768), int64 (1024), uint64 (1280)");
        }

        if (Bitpix != BytesPerVoxel * 8)
        {
            warnings?.Add($"{path}: bitpix is {Bitpix} but datatype {ElementType.ToText()} has {BytesPerVoxel * 8} bits; the datatype is used");
        }

        // Each of dim[1..3] is at most 2^28 - 1, so the product fits in 84 bits: Int128 holds it exactly.
        Int128 voxels = (Int128)DimOrOne(1) * DimOrOne(2) * DimOrOne(3);
        if (voxels > MaxVoxelsPerVolume)
        {
            throw new InvalidRecordingException(
                path, $"dim[1..3] (byte {dimOffset + dimBytes})", $"{DimOrOne(1)} × {DimOrOne(2)} × {DimOrOne(3)} = {voxels} voxels per volume", $"at most {MaxVoxelsPerVolume}");
        }

        int voxOffsetAt = NiftiVersion == 1 ? Nifti1Field.vox_offset : Nifti2Field.vox_offset;
        if (VoxOffset < 0 || VoxOffset > MaxVoxOffset)
        {
            throw new InvalidRecordingException(
                path, $"vox_offset (byte {voxOffsetAt})", VoxOffset.ToString(CultureInfo.InvariantCulture), $"a byte offset from 0 to {MaxVoxOffset}");
        }

        if (double.IsFinite(SclSlope) && SclSlope != 0 && !double.IsFinite(SclInter))
        {
            // nibabel's rule too: a valid slope with an invalid intercept cannot be applied.
            throw new InvalidRecordingException(path, "scl_inter", SclInter.ToString(CultureInfo.InvariantCulture), "a finite intercept, since scl_slope is set");
        }
    }

    /// <summary>
    /// NIfTI-1 §vox_offset: a single file's voxels start at vox_offset, at least 352 (NIfTI-2: 544).
    /// A smaller value (often 0, written by old tools) is read as the minimum, as nibabel does.
    /// </summary>
    internal long EffectiveVoxOffset(string path, ICollection<string>? warnings)
    {
        int minimum = NiftiVersion == 1 ? Nifti1Field.MinimumVoxOffset : Nifti2Field.MinimumVoxOffset;
        if (VoxOffset >= minimum)
        {
            return VoxOffset;
        }

        warnings?.Add($"{path}: vox_offset {VoxOffset} is below the {minimum}-byte minimum of a single-file NIfTI-{NiftiVersion}; reading voxels from byte {minimum}");
        return minimum;
    }

    internal NiftiHeader WithVoxOffset(long voxOffset) => new()
    {
        NiftiVersion = NiftiVersion,
        BigEndian = BigEndian,
        SizeofHdr = SizeofHdr,
        Dim = Dim,
        Pixdim = Pixdim,
        Datatype = Datatype,
        Bitpix = Bitpix,
        VoxOffset = voxOffset,
        SclSlope = SclSlope,
        SclInter = SclInter,
        XyztUnits = XyztUnits,
        DimInfo = DimInfo,
        SliceCode = SliceCode,
        SliceStart = SliceStart,
        SliceEnd = SliceEnd,
        SliceDuration = SliceDuration,
        Toffset = Toffset,
        IntentCode = IntentCode,
        Descrip = Descrip,
    };

    /// <summary>The slope and intercept applied to stored values: (1, 0) when the header has no scaling.</summary>
    public (double Slope, double Intercept) Scaling => HasScaling ? (SclSlope, SclInter) : (1.0, 0.0);

    /// <summary>
    /// The repetition time the header states, in seconds: pixdim[4] in the time unit of xyzt_units
    /// (NIfTI-1 §xyzt_units). A value implausible in its stated unit is read in the other one
    /// (2000 "seconds" is 2000 ms, as in nibabel's example4d.nii.gz), with a warning.
    /// </summary>
    public HeaderRepetitionTime GetRepetitionTime()
    {
        double raw = Pixdim[4];
        string unit = NiftiCodes.TimeUnitName(TimeUnitCode);
        string stated = $"pixdim[4] = {raw.ToString("R", CultureInfo.InvariantCulture)} with xyzt_units time unit '{unit}'";
        if (Dim[0] < 4 || !(raw > 0) || !double.IsFinite(raw))
        {
            return new HeaderRepetitionTime(null, stated, null);
        }

        double? seconds = TimeUnitCode switch
        {
            NiftiCodes.UnitSecond or NiftiCodes.UnitUnknown => raw,
            NiftiCodes.UnitMillisecond => raw / 1e3,
            NiftiCodes.UnitMicrosecond => raw / 1e6,
            _ => null,
        };
        if (seconds is null)
        {
            return new HeaderRepetitionTime(null, stated, $"the header's time unit is '{unit}', not a time: pixdim[4] is not a repetition time");
        }

        string? warning = TimeUnitCode == NiftiCodes.UnitUnknown
            ? $"the header's time unit is unknown (xyzt_units {XyztUnits}); pixdim[4] = {raw.ToString("R", CultureInfo.InvariantCulture)} is taken as seconds"
            : null;

        // No fMRI repetition time lies outside 10 ms .. 100 s; a value outside it in its stated unit but
        // inside it in the next unit down (s -> ms) or up (ms -> s) was written in that unit.
        const double Shortest = 0.01, Longest = 100;
        if (seconds > Longest && TimeUnitCode is NiftiCodes.UnitSecond or NiftiCodes.UnitUnknown && raw / 1e3 >= Shortest)
        {
            warning = $"the header says TR = {raw.ToString("R", CultureInfo.InvariantCulture)} s ({stated}), implausible for fMRI: taken as {raw.ToString("R", CultureInfo.InvariantCulture)} ms = {(raw / 1e3).ToString("R", CultureInfo.InvariantCulture)} s; add a BIDS sidecar with RepetitionTime to be sure";
            seconds = raw / 1e3;
            stated += ", read as ms";
        }
        else if (seconds < Shortest && TimeUnitCode == NiftiCodes.UnitMillisecond && raw <= Longest)
        {
            warning = $"the header says TR = {raw.ToString("R", CultureInfo.InvariantCulture)} ms ({stated}), implausible for fMRI: taken as {raw.ToString("R", CultureInfo.InvariantCulture)} s; add a BIDS sidecar with RepetitionTime to be sure";
            seconds = raw;
            stated += ", read as s";
        }

        return new HeaderRepetitionTime(seconds, stated, warning);
    }

    /// <summary>Size of each voxel side, e.g. "2 × 2 × 2.2 mm".</summary>
    public string DescribeVoxelSize() =>
        string.Create(CultureInfo.InvariantCulture, $"{Pixdim[1]:G6} × {Pixdim[2]:G6} × {Pixdim[3]:G6} {NiftiCodes.SpaceUnitName(SpaceUnitCode)}");

    internal static SampleType ToSampleType(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => SampleType.UInt8,
        NiftiDataType.Int8 => SampleType.Int8,
        NiftiDataType.Int16 => SampleType.Int16,
        NiftiDataType.UInt16 => SampleType.UInt16,
        NiftiDataType.Int32 => SampleType.Int32,
        NiftiDataType.UInt32 => SampleType.UInt32,
        NiftiDataType.Int64 => SampleType.Int64,
        NiftiDataType.UInt64 => SampleType.UInt64,
        NiftiDataType.Float32 => SampleType.Float32,
        NiftiDataType.Float64 => SampleType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unsupported NIfTI datatype"),
    };

    private int DimOrOne(int i) => i <= Dim[0] ? checked((int)Dim[i]) : 1;

    private static string Text(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? bytes : bytes[..end]).Trim();
    }

    private static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return text.Append('"').ToString();
    }

    /// <summary>Reads header fields in the file's byte order.</summary>
    private readonly ref struct FieldReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public bool BigEndian { get; } = bigEndian;

        public short Int16(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt16BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt16LittleEndian(_bytes[offset..]);

        public int Int32(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt32BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt32LittleEndian(_bytes[offset..]);

        public long Int64(int offset) => BigEndian
            ? BinaryPrimitives.ReadInt64BigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadInt64LittleEndian(_bytes[offset..]);

        public float Single(int offset) => BigEndian
            ? BinaryPrimitives.ReadSingleBigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadSingleLittleEndian(_bytes[offset..]);

        public double Double(int offset) => BigEndian
            ? BinaryPrimitives.ReadDoubleBigEndian(_bytes[offset..])
            : BinaryPrimitives.ReadDoubleLittleEndian(_bytes[offset..]);
    }
}

/// <summary>The repetition time a NIfTI header states.</summary>
/// <param name="Seconds">The TR in seconds, or null when the header gives none.</param>
/// <param name="Description">What the header holds (pixdim[4] and its unit), for messages.</param>
/// <param name="Warning">Why the value was reinterpreted or ignored, if it was.</param>
public sealed record HeaderRepetitionTime(double? Seconds, string Description, string? Warning);

using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Core.Tests.Formats.Nifti;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// NIfTI-1/2 .nii and .nii.gz mutants: boundary values written into the header's fields at their
/// real offsets (dims, datatype, vox_offset, pixdim, scaling, slice fields, the extension records),
/// flips in the header, truncation and garbage, and damage to the gzip stream itself.
/// </summary>
public sealed class NiftiFuzzTests(ITestOutputHelper output)
{
    private static readonly Field[] Nifti1Fields =
    [
        new("sizeof_hdr", 0, FieldKind.I32),
        .. Enumerable.Range(0, 8).Select(i => new Field($"dim[{i}]", 40 + (2 * i), FieldKind.I16)),
        .. Enumerable.Range(0, 8).Select(i => new Field($"pixdim[{i}]", 76 + (4 * i), FieldKind.F32)),
        new("dim_info", 39, FieldKind.U8), new("intent_code", 68, FieldKind.I16), new("datatype", 70, FieldKind.I16),
        new("bitpix", 72, FieldKind.I16), new("slice_start", 74, FieldKind.I16), new("vox_offset", 108, FieldKind.F32),
        new("scl_slope", 112, FieldKind.F32), new("scl_inter", 116, FieldKind.F32), new("slice_end", 120, FieldKind.I16),
        new("slice_code", 122, FieldKind.U8), new("xyzt_units", 123, FieldKind.U8), new("slice_duration", 132, FieldKind.F32),
        new("toffset", 136, FieldKind.F32), new("extension[0]", 348, FieldKind.U8), new("esize", 352, FieldKind.I32), new("ecode", 356, FieldKind.I32),
    ];

    private static readonly Field[] Nifti2Fields =
    [
        new("sizeof_hdr", 0, FieldKind.I32), new("datatype", 12, FieldKind.I16), new("bitpix", 14, FieldKind.I16),
        .. Enumerable.Range(0, 8).Select(i => new Field($"dim[{i}]", 16 + (8 * i), FieldKind.I64)),
        .. Enumerable.Range(0, 8).Select(i => new Field($"pixdim[{i}]", 104 + (8 * i), FieldKind.F64)),
        new("vox_offset", 168, FieldKind.I64), new("scl_slope", 176, FieldKind.F64), new("scl_inter", 184, FieldKind.F64),
        new("slice_duration", 208, FieldKind.F64), new("toffset", 216, FieldKind.F64), new("slice_start", 224, FieldKind.I64),
        new("slice_end", 232, FieldKind.I64), new("slice_code", 496, FieldKind.I32), new("xyzt_units", 500, FieldKind.I32),
        new("intent_code", 504, FieldKind.I32), new("dim_info", 524, FieldKind.U8), new("extension[0]", 540, FieldKind.U8),
        new("esize", 544, FieldKind.I32), new("ecode", 548, FieldKind.I32),
    ];

    [Fact]
    public void Synthetic_images_keep_the_reader_contract()
    {
        using var folder = new TempFolder();
        string small = folder.File("small.nii");
        NiftiTestFiles.Write(small, 4, 3, 5, 6, new NiftiWriteOptions(RepetitionTime: 2, SclSlope: 2, SclInter: 1));
        byte[] nifti1 = File.ReadAllBytes(small);
        var sources = new Dictionary<string, byte[]>
        {
            ["synthetic NIfTI-1 4x3x5x6"] = nifti1,
            ["synthetic NIfTI-2 4x3x5x6"] = ToNifti2(nifti1),
            ["synthetic NIfTI-1 with an extension"] = WithExtension(nifti1),
        };
        Run("nifti (synthetic)", sources, 150);
    }

    [RequiresFact(Needs.SharedData)]
    public void Real_images_keep_the_reader_contract()
    {
        var sources = new Dictionary<string, byte[]>();
        // example4d.nii.gz (1.2 MB decompressed) costs 10× the others per mutant: the long run only.
        string[] names = ["anatomical.nii", "functional.nii", "example_nifti2.nii.gz", "standard.nii.gz"];
        foreach (string name in FuzzSettings.IsLongRun ? [.. names, "example4d.nii.gz"] : names)
        {
            byte[] bytes = File.ReadAllBytes(RepoPaths.Shared("nifti", name));
            sources[name] = name.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(bytes) : bytes;
        }

        Run("nifti (real)", sources, 80);
    }

    private void Run(string fuzzer, Dictionary<string, byte[]> sources, int count)
    {
        Gen<Mutant> mutants =
            from source in Gen.Elements(sources.Keys.ToArray())
            let bytes = sources[source]
            let bigEndian = bytes[0] == 0
            let fields = BitConverter.ToInt32(bytes, 0) is 540 or 0x1C020000 ? Nifti2Fields : Nifti1Fields
            from container in Gen.Frequency((5, Gen.Constant("nii")), (2, Gen.Constant("nii.gz")), (2, Gen.Constant("gzip damage")))
            from edits in Mutations.Edits(Gen.Frequency(
                (8, Mutations.FieldWrite(fields, bigEndian)),
                (3, Mutations.FlipWithin(fields == Nifti2Fields ? 560 : 360)),
                (1, Mutations.Truncation),
                (1, Mutations.Appending),
                (1, Mutations.ControlInsertion)))
            from outer in container == "gzip damage"
                ? Mutations.Edits(Gen.OneOf(Mutations.Truncation, Mutations.Flip, Mutations.Appending), 2)
                : Gen.Constant(Array.Empty<Edit>())
            select new Mutant(source, container == "gzip damage" ? [] : edits, container, outer);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run(fuzzer, mutants, count, mutant =>
        {
            string dir = Path.Combine(folder.Path, $"case{index++}");
            Directory.CreateDirectory(dir);
            try
            {
                byte[] content = mutant.Apply(sources[mutant.Source]);
                bool gz = mutant.Container != "nii";
                string path = Path.Combine(dir, gz ? "image.nii.gz" : "image.nii");
                File.WriteAllBytes(path, gz ? mutant.ApplyOuter(Gzip(content)) : content);
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    using NiftiStream stream = NiftiReader.Open(path, new NiftiOptions(CacheDirectory: Path.Combine(dir, "cache"), UseSidecars: false));
                    ReaderChecks.Nifti(stream);
                });
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }, output);
    }

    internal static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return memory.ToArray();
    }

    internal static byte[] Gunzip(byte[] compressed)
    {
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>The same little-endian image with a NIfTI-2 header (vox_offset 544): dims, pixdim, datatype and scaling carried over.</summary>
    internal static byte[] ToNifti2(byte[] nifti1)
    {
        byte[] header = new byte[544];
        var r = new ReadOnlySpan<byte>(nifti1);
        BitConverter.TryWriteBytes(header.AsSpan(0), 540);
        "n+2\0\r\n\u001A\n"u8.CopyTo(header.AsSpan(4));
        BitConverter.TryWriteBytes(header.AsSpan(12), BitConverter.ToInt16(r[70..]));
        BitConverter.TryWriteBytes(header.AsSpan(14), BitConverter.ToInt16(r[72..]));
        for (int i = 0; i < 8; i++)
        {
            BitConverter.TryWriteBytes(header.AsSpan(16 + (8 * i)), (long)BitConverter.ToInt16(r[(40 + (2 * i))..]));
            BitConverter.TryWriteBytes(header.AsSpan(104 + (8 * i)), (double)BitConverter.ToSingle(r[(76 + (4 * i))..]));
        }

        BitConverter.TryWriteBytes(header.AsSpan(168), 544L);
        BitConverter.TryWriteBytes(header.AsSpan(176), (double)BitConverter.ToSingle(r[112..]));
        BitConverter.TryWriteBytes(header.AsSpan(184), (double)BitConverter.ToSingle(r[116..]));
        BitConverter.TryWriteBytes(header.AsSpan(500), (int)nifti1[123]);
        int voxOffset = (int)BitConverter.ToSingle(r[108..]);
        return [.. header, .. nifti1[voxOffset..]];
    }

    /// <summary>The image with one 32-byte extension record (ecode 6, comment text) between the header and the voxels.</summary>
    internal static byte[] WithExtension(byte[] nifti1)
    {
        int voxOffset = (int)BitConverter.ToSingle(nifti1, 108);
        byte[] extension = new byte[4 + 32];
        extension[0] = 1;
        BitConverter.TryWriteBytes(extension.AsSpan(4), 32);
        BitConverter.TryWriteBytes(extension.AsSpan(8), 6);
        "fuzz extension text\0"u8.CopyTo(extension.AsSpan(12));
        byte[] header = nifti1[..348];
        BitConverter.TryWriteBytes(header.AsSpan(108), (float)(348 + extension.Length));
        return [.. header, .. extension, .. nifti1[voxOffset..]];
    }
}

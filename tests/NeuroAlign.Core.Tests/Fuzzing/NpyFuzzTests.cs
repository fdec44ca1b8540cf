using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// .npy mutants: headers rebuilt with lying shapes (2^61 × 4, 2^63 - 1, negative, empty), dtypes
/// numpy writes but the reader cannot map, lying header lengths and versions, flips, truncation and
/// garbage. Each is opened both as an ephys recording and as a side-file vector (Open Ephys sample_numbers.npy).
/// </summary>
public sealed class NpyFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Shapes =
    [
        "(12, 3)", "(36,)", "(2305843009213693952, 4)", "(4611686018427387904, 2)", "(9223372036854775807,)", "(3, 9223372036854775807)",
        "(-1,)", "(12, -3)", "()", "(0, 3)", "(3, 0)", "(0,)", "(1, 1, 36)", "(99999999999999999999,)", "(12L, 3L)", "(12, 3, )", "[12, 3]",
        "(1099511627776, 1099511627776)", "(2147483648, 1)", "(1, 2147483648)", "(0, 2147483647)", "(0, 1048577)",
    ];

    private static readonly string[] Descrs =
    [
        "<i2", ">i2", "<f4", ">f8", "|u1", "|i1", "<u8", "<i8", "<c8", "<U4", "|O", "<f2", "|b1", "=i2", "<i2 ", "", "i2", "<i3", "|V8",
    ];

    [Fact]
    public void Mutated_arrays_keep_the_reader_contract()
    {
        Gen<Mutant> mutants =
            from version in Gen.Elements(1, 2, 3)
            from descr in Gen.Frequency((4, Gen.Constant("<i2")), (2, Gen.Constant(">f8")), (3, Gen.Elements(Descrs)))
            from shape in Gen.Frequency((3, Gen.Constant("(12, 3)")), (4, Gen.Elements(Shapes)))
            from fortran in Gen.Frequency((8, Gen.Constant("False")), (1, Gen.Elements("True", "1", "None", "'no'")))
            from edits in Gen.Frequency(
                (3, Gen.Constant(Array.Empty<Edit>())),
                (3, Mutations.Edits(Gen.Frequency(
                    (3, Mutations.FieldWrite([new("major version", 6, FieldKind.U8), new("minor version", 7, FieldKind.U8), new("HEADER_LEN", 8, version == 1 ? FieldKind.U16 : FieldKind.U32)], bigEndian: false)),
                    (3, Mutations.FlipWithin(80)),
                    (2, Mutations.Truncation),
                    (1, Mutations.Flip),
                    (1, Mutations.Appending),
                    (1, Mutations.ControlInsertion)))))
            select new Mutant($"v{version} descr '{descr}' shape {shape} fortran {fortran}", edits);

        using var folder = new TempFolder();
        int index = 0;
        FuzzRunner.Run("npy", mutants, 250, mutant =>
        {
            string path = folder.File($"case{index++}.npy");
            File.WriteAllBytes(path, mutant.Apply(Build(mutant.Source)));
            try
            {
                return ReaderContract.Run(mutant.ToString(), [path], () =>
                {
                    try
                    {
                        using EphysRecording recording = NpyReader.Open(path, new RawBinaryOptions(SampleRateHz: 1000));
                        ReaderChecks.Ephys(recording);
                    }
                    finally
                    {
                        // The side-file path (sample_numbers.npy, timestamps.npy, states.npy) whatever the first did.
                        Vector(path);
                    }
                });
            }
            finally
            {
                File.Delete(path);
            }
        }, output);
    }

    private static void Vector(string path)
    {
        NpyArray array;
        try
        {
            array = NpyArray.Open(path);
        }
        catch (NeuroAlignException)
        {
            return;
        }

        using (array)
        {
            long count = array.Count;
            ReaderChecks.Require(count >= 0 && array.Header.DataOffsetBytes + (count * array.Header.ElementType.SizeOf()) <= new FileInfo(path).Length, $"{count} elements do not fit the file");
            if (count > 0)
            {
                _ = array.GetDouble(0);
                _ = array.GetDouble(count - 1);
                if (array.Header.ElementType != SampleType.UInt64)
                {
                    _ = array.GetInt64(count - 1);
                }
            }
        }
    }

    /// <summary>A .npy as numpy writes it (header padded to 64 bytes, '\n' last), from its parts, with 36 elements of data.</summary>
    internal static byte[] Build(string spec)
    {
        // spec: "v{version} descr '{descr}' shape {shape} fortran {fortran}"
        int version = spec[1] - '0';
        int d0 = spec.IndexOf('\'') + 1, d1 = spec.IndexOf('\'', d0);
        string descr = spec[d0..d1];
        int s0 = spec.IndexOf(" shape ", StringComparison.Ordinal) + 7, s1 = spec.IndexOf(" fortran ", StringComparison.Ordinal);
        string shape = spec[s0..s1], fortran = spec[(s1 + 9)..];
        string dict = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}";
        int preamble = version == 1 ? 10 : 12;
        int unpadded = preamble + Encoding.UTF8.GetByteCount(dict) + 1;
        string header = dict + new string(' ', ((unpadded + 63) / 64 * 64) - unpadded) + "\n";
        byte[] headerBytes = (version == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 };
        byte[] length = new byte[version == 1 ? 2 : 4];
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        }

        bytes.AddRange(length);
        bytes.AddRange(headerBytes);
        int size = descr.Length >= 3 && int.TryParse(descr.AsSpan(2), out int s) && s is > 0 and <= 8 ? s : 2;
        for (int i = 0; i < 36 * size; i++)
        {
            bytes.Add((byte)((i * 37) + 11));
        }

        return [.. bytes];
    }
}

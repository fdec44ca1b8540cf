using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests.Compression;

/// <summary>
/// The LZ4 block encoder against the reference library: liblz4's <c>LZ4_compress_default</c> (what
/// the HDF5 LZ4 and bitshuffle plugins call; Debian's liblz4 1.9.4 through ctypes) compressing the
/// same blocks must give the same bytes, block after block from one encoder (its table is reused,
/// not cleared), and K4os must decode every block back to its input. python3-lz4's
/// <c>lz4.block.compress</c> is not the oracle: it keeps its own state between calls and parses
/// some blocks differently (50 835 bytes where <c>LZ4_compress_default</c> gives 49 851).
/// </summary>
public class Lz4BlockEncoderTests
{
    /// <summary>Blocks of every kind the filters hand the encoder, in an order that switches table sizes.</summary>
    private static List<byte[]> Blocks()
    {
        var random = new Random(11);
        var blocks = new List<byte[]>();
        foreach (int length in new[] { 0, 1, 5, 12, 13, 14, 20, 64, 100 })
        {
            byte[] b = new byte[length];
            random.NextBytes(b);
            blocks.Add(b);
        }

        // Bit planes of int16 noise (what bitshuffle-lz4 compresses), 8 KiB each, several in a row.
        for (int k = 0; k < 6; k++)
        {
            short[] noise = new short[4096];
            for (int i = 0; i < noise.Length; i++)
            {
                noise[i] = (short)(random.Next(-90, 90) + random.Next(-90, 90));
            }

            byte[] rows = new byte[8192];
            BitShuffle.Transpose(MemoryMarshal.AsBytes(noise.AsSpan()), 2, new byte[8192], rows);
            blocks.Add(rows);
        }

        blocks.Add(new byte[8192]);
        blocks.Add(Enumerable.Range(0, 70_000).Select(i => (byte)(i % 251 < 40 ? i % 7 : random.Next(256))).ToArray());
        blocks.Add(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog; ", 3000))));
        foreach (int length in new[] { 65_546, 65_547, 65_548, 200_000 })
        {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++)
            {
                b[i] = (byte)(random.Next(4) == 0 ? random.Next(256) : (i / 3) % 17);
            }

            blocks.Add(b);
        }

        blocks.Add(new byte[9000]);
        return blocks;
    }

    private static byte[] Encode(Lz4BlockEncoder encoder, byte[] block)
    {
        byte[] target = new byte[Lz4BlockEncoder.MaximumOutputBytes(block.Length)];
        int written = encoder.Encode(block, target);
        return target[..written];
    }

    [Fact]
    public void Encode_EveryBlock_DecodesBackWithK4os()
    {
        var encoder = new Lz4BlockEncoder();
        foreach (byte[] block in Blocks().Where(b => b.Length > 0))
        {
            byte[] encoded = Encode(encoder, block);
            byte[] decoded = new byte[block.Length];
            Assert.True(LZ4Codec.Decode(encoded, decoded) == block.Length, $"a block of {block.Length} bytes did not decode");
            Assert.Equal(block, decoded);
        }

        // An empty block is one token saying "no literals", as the reference writes it.
        Assert.Equal([0], Encode(encoder, []));
    }

    [Fact]
    public void Encode_RandomBlocks_RoundTripWithoutWritingPastTheBound()
    {
        // Short literal runs are copied 8 bytes at a time past their end: nothing may land beyond
        // the worst-case size, and the source is never read past its end (a block cut from a larger array).
        var random = new Random(3);
        var encoder = new Lz4BlockEncoder();
        for (int trial = 0; trial < 400; trial++)
        {
            int length = random.Next(0, 3000);
            byte[] backing = new byte[length + 64];
            int alphabet = random.Next(1, 256);
            for (int i = 0; i < backing.Length; i++)
            {
                backing[i] = (byte)random.Next(alphabet);
            }

            ReadOnlySpan<byte> block = backing.AsSpan(0, length);
            int bound = Lz4BlockEncoder.MaximumOutputBytes(length);
            byte[] target = new byte[bound + 32];
            target.AsSpan(bound).Fill(0xA5);
            int written = encoder.Encode(block, target.AsSpan(0, bound));
            Assert.All(target[bound..], b => Assert.Equal(0xA5, b));
            if (length > 0)
            {
                byte[] decoded = new byte[length];
                Assert.True(LZ4Codec.Decode(target.AsSpan(0, written), decoded) == length, $"trial {trial}: {length} bytes over {alphabet} symbols did not decode");
                Assert.Equal(block.ToArray(), decoded);
            }
        }
    }

    [Fact]
    public void Encode_TargetTooSmall_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Lz4BlockEncoder().Encode(new byte[100], new byte[100]));
        Assert.Contains("needs 116 bytes", e.Message);
    }

    [RequiresFact(Needs.Python)]
    public void Encode_SameBytesAsLiblz4CompressDefault()
    {
        using var folder = new TempFolder();
        List<byte[]> blocks = Blocks();
        var encoder = new Lz4BlockEncoder();
        var ours = new List<string>();
        for (int i = 0; i < blocks.Count; i++)
        {
            File.WriteAllBytes(folder.File($"{i:D3}.bin"), blocks[i]);
            ours.Add(Convert.ToHexStringLower(Encode(encoder, blocks[i])));
        }

        string hex = Python.Run(
            """
            import sys, glob, ctypes
            lib = ctypes.CDLL('liblz4.so.1')
            for name in sorted(glob.glob(sys.argv[1] + '/*.bin')):
                block = open(name, 'rb').read()
                bound = lib.LZ4_compressBound(len(block))
                out = ctypes.create_string_buffer(max(bound, 1))
                n = lib.LZ4_compress_default(block, out, len(block), bound)
                print(out.raw[:n].hex())
            """,
            folder.Path);

        string[] reference = hex.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(blocks.Count, reference.Length);
        for (int i = 0; i < blocks.Count; i++)
        {
            Assert.True(reference[i] == ours[i], $"block {i} ({blocks[i].Length} bytes): ours {ours[i].Length / 2} bytes, liblz4 {reference[i].Length / 2}");
        }
    }
}

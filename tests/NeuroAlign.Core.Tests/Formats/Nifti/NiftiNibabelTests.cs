using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Nifti;

/// <summary>Every voxel of every volume equals nibabel's get_fdata() (cast to float32) on the same file.</summary>
public sealed class NiftiNibabelTests
{
    private static readonly string[] RealFiles = ["example4d.nii.gz", "example_nifti2.nii.gz", "functional.nii", "anatomical.nii", "standard.nii.gz"];

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void ReadVolume_RealFiles_EqualsNibabelGetFdata()
    {
        using var temp = new TempFolder();
        string[] files = RealFiles.Select(f => Path.Combine(RepoPaths.SharedData, "nifti", f)).ToArray();

        AssertEqualToNibabel(files, temp);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ReadVolume_GeneratedEveryDatatypeBothByteOrders_EqualsNibabelGetFdata()
    {
        using var temp = new TempFolder();
        string generated = temp.File("generated");
        Directory.CreateDirectory(generated);
        string manifest = FmriTestEnvironment.RunOracle("generate", generated);
        var entries = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

        // 2 versions × 10 datatypes × 2 byte orders × (.nii, .nii.gz).
        Assert.Equal(80, entries.Length);
        var datatypes = entries.Select(e => e.GetProperty("dtype").GetString()).Distinct().ToArray();
        Assert.Equal(10, datatypes.Length);
        Assert.Contains(entries, e => e.GetProperty("big_endian").GetBoolean() && e.GetProperty("scaled").GetBoolean());

        string[] files = entries.Select(e => Path.Combine(generated, e.GetProperty("file").GetString()!)).ToArray();
        AssertEqualToNibabel(files, temp);
    }

    private static void AssertEqualToNibabel(string[] files, TempFolder temp)
    {
        string dumps = temp.File("dumps");
        Directory.CreateDirectory(dumps);
        string output = FmriTestEnvironment.RunOracle(["dump", dumps, .. files]);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Length, lines.Length);
        for (int f = 0; f < files.Length; f++)
        {
            JsonElement facts = JsonDocument.Parse(lines[f]).RootElement;
            int[] shape = facts.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int volumes = facts.GetProperty("volumes").GetInt32();
            float[] expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(dumps, $"{f}.f32"))).ToArray();

            using NiftiStream stream = NiftiReader.Open(files[f], new NiftiOptions(CacheDirectory: temp.File("cache")));
            string name = Path.GetFileName(files[f]);
            Assert.Equal(shape.Take(3).ToArray(), stream.SampleShape.ToArray());
            Assert.Equal(volumes, stream.VolumeCount);
            Assert.Equal(SampleType.Float32, stream.ElementType);
            Assert.Equal(facts.GetProperty("big_endian").GetBoolean(), stream.Header.BigEndian);
            Assert.Equal(facts.GetProperty("dtype").GetString(), stream.Header.ElementType.ToText());
            Assert.Equal(facts.GetProperty("slope").GetDouble(), stream.Header.Scaling.Slope);
            Assert.Equal(facts.GetProperty("inter").GetDouble(), stream.Header.Scaling.Intercept);

            int voxels = shape[0] * shape[1] * shape[2];
            var volume = new float[voxels];
            for (int k = 0; k < volumes; k++)
            {
                stream.ReadVolume(k, volume);
                for (int i = 0; i < voxels; i++)
                {
                    float want = expected[(k * voxels) + i];
                    if (!(want.Equals(volume[i]) || (float.IsNaN(want) && float.IsNaN(volume[i]))))
                    {
                        Assert.Fail($"{name}: volume {k}, C-order voxel {i} (x {i / (shape[1] * shape[2])}, y {i / shape[2] % shape[1]}, z {i % shape[2]}): nibabel {want:R}, ours {volume[i]:R}");
                    }
                }
            }
        }
    }
}

using NeuroAlign.Formats.Nifti;

namespace NeuroAlign.Core.Tests.Formats.Nifti;

/// <summary>Small synthetic images with known voxels: value at (x, y, z, t) = x + 10 y + 100 z + 1000 t.</summary>
internal static class NiftiTestFiles
{
    public static short Value(int x, int y, int z, int t) => (short)(x + (10 * y) + (100 * z) + (1000 * t));

    public static void Write(string path, int x, int y, int z, int t, NiftiWriteOptions? options = null)
    {
        var voxels = new short[x * y * z * t];
        int i = 0;
        for (int tt = 0; tt < t; tt++)
        {
            for (int zz = 0; zz < z; zz++)
            {
                for (int yy = 0; yy < y; yy++)
                {
                    for (int xx = 0; xx < x; xx++)
                    {
                        voxels[i++] = Value(xx, yy, zz, tt);
                    }
                }
            }
        }

        NiftiWriter.Write<short>(path, voxels, [x, y, z, t], options);
    }
}

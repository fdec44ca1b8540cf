using System.Buffers.Binary;

namespace NeuroAlign.Cli.Demo;

/// <summary>
/// A small deterministic synthetic session whose values encode their own truth, so a user can see
/// that alignment is right. Each modality adds its file here.
/// </summary>
internal static class DemoSession
{
    public const int EphysChannels = 384;
    public const double EphysRateHz = 30_000;
    public const double EphysSeconds = 4;
    public const string EphysFile = "ephys.dat";

    /// <summary>
    /// Raw int16 value of channel <paramref name="channel"/> at sample <paramref name="sample"/>:
    /// value / 64 is the channel, value % 64 is the sample modulo 64.
    /// </summary>
    public static short EphysValue(long sample, int channel) => (short)((channel * 64) + (int)(sample % 64));

    /// <summary>Writes the session's ephys file (384 channels, 30 kHz, int16, 4 s) and returns its path.</summary>
    public static string WriteEphys(string folder)
    {
        string path = Path.Combine(folder, EphysFile);
        long samples = (long)(EphysSeconds * EphysRateHz);
        var row = new byte[EphysChannels * sizeof(short)];
        using (var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long k = 0; k < samples; k++)
            {
                for (int c = 0; c < EphysChannels; c++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * sizeof(short)), EphysValue(k, c));
                }

                file.Write(row);
            }
        }

        File.Move(path + ".partial", path, overwrite: true);
        return path;
    }
}

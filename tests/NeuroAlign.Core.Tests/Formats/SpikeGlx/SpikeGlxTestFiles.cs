using System.Globalization;

namespace NeuroAlign.Core.Tests.Formats.SpikeGlx;

/// <summary>
/// The real .meta files of ../shared/data/spikeglx, and an independent reading of the metadata written from the SpikeGLX spec (Metadata_30.md and the
/// readSGLX.py reference reader's ChanGainsIM / OriginalChans), not from the reader under test.
/// </summary>
internal static class SpikeGlxTestFiles
{
    public static readonly string[] RealMetas =
    [
        "Noise_g0_t0.imec0.ap.meta",
        "NP1_saved_only_subset_of_channels.meta",
        "NP2_2013_subset_channels.imec0.ap.meta",
        "NP2_4_shanks.imec0.ap.meta",
        "catgt.meta",
        "phase3a.imec.ap.meta",
    ];

    /// <summary>An independent key=value reading of a .meta (tables keep their '~').</summary>
    public static Dictionary<string, string> ReadMeta(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    /// <summary>readSGLX.OriginalChans: the acquired index of each saved channel.</summary>
    public static int[] OriginalChannels(Dictionary<string, string> meta)
    {
        int saved = int.Parse(meta["nSavedChans"], CultureInfo.InvariantCulture);
        if (!meta.TryGetValue("snsSaveChanSubset", out string? subset) || subset == "all")
        {
            return Enumerable.Range(0, saved).ToArray();
        }

        var channels = new List<int>();
        foreach (string part in subset.Split(','))
        {
            string[] ends = part.Split(':');
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
            int last = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            for (int c = first; c <= last; c++)
            {
                channels.Add(c);
            }
        }

        return channels.ToArray();
    }

    /// <summary>
    /// Microvolts per count of each saved channel, the readSGLX way: V = i × imAiRangeMax / imMaxInt / gain,
    /// gain from the imro entry of the acquired channel (NP 1.0 types) or imChan0apGain / the fixed
    /// NP 2.0 gains (80 for types 21 and 24, 100 for 2013); 1 for the SY word.
    /// </summary>
    public static double[] ImecMicrovoltsPerCount(Dictionary<string, string> meta)
    {
        int[] acquired = meta["acqApLfSy"].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int nAp = acquired[0], nLf = acquired[1];
        int probeType = meta.TryGetValue("imDatPrb_type", out string? t) ? int.Parse(t, CultureInfo.InvariantCulture) : 0;
        int[] np1 = [0, 1020, 1030, 1200, 1100, 1120, 1121, 1122, 1123, 1300];
        var apGain = new double[nAp];
        var lfGain = new double[nAp];
        if (np1.Contains(probeType))
        {
            string[] imro = meta["~imroTbl"].Split(')');
            for (int i = 0; i < nAp; i++)
            {
                string[] fields = imro[i + 1].TrimStart('(').Split(' ');
                apGain[i] = double.Parse(fields[3], CultureInfo.InvariantCulture);
                lfGain[i] = double.Parse(fields[4], CultureInfo.InvariantCulture);
            }
        }
        else
        {
            double gain = meta.TryGetValue("imChan0apGain", out string? g) ? double.Parse(g, CultureInfo.InvariantCulture)
                : probeType is 21 or 24 ? 80
                : probeType == 2013 ? 100
                : 1;
            Array.Fill(apGain, gain);
            Array.Fill(lfGain, gain);
        }

        double maxInt = meta.TryGetValue("imMaxInt", out string? m) ? double.Parse(m, CultureInfo.InvariantCulture) : 512;
        double voltsPerCount = double.Parse(meta["imAiRangeMax"], CultureInfo.InvariantCulture) / maxInt;
        return OriginalChannels(meta).Select(k =>
            k < nAp ? voltsPerCount / apGain[k] * 1e6
            : k < nAp + nLf ? voltsPerCount / lfGain[k - nAp] * 1e6
            : 1.0).ToArray();
    }
}

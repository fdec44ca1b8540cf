using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace NeuroAlign.TestData;

/// <summary>Which Kilosort version's layout a synthetic folder follows.</summary>
public enum KilosortLayout
{
    /// <summary>Kilosort 2.5/3 (rezToPhy): spike_times.npy uint64 of shape (N, 1), spike_clusters.npy int32 (N,), cluster_KSLabel.tsv, rez.mat.</summary>
    Kilosort25,

    /// <summary>Kilosort 4 (io.save_to_phy): spike_times.npy int64 of shape (N,), spike_clusters.npy int32 (N,), cluster_KSLabel.tsv.</summary>
    Kilosort4,
}

/// <summary>
/// Kilosort output folders for tests, written as the sorters write them (dtypes and shapes of
/// spike_times.npy per version, params.py's literal assignments, the label TSVs), with spikes
/// whose truth the test knows.
/// </summary>
public static class SyntheticKilosort
{
    /// <summary>Writes a folder of spikes at <paramref name="samples"/> (sorted) of clusters <paramref name="clusters"/>.</summary>
    /// <param name="folder">The output folder (created).</param>
    /// <param name="layout">Which version's layout.</param>
    /// <param name="samples">Spike sample numbers, sorted.</param>
    /// <param name="clusters">The cluster of each spike.</param>
    /// <param name="datPath">params.py dat_path.</param>
    /// <param name="rateHz">params.py sample_rate.</param>
    /// <param name="ksLabels">cluster_KSLabel.tsv rows (id → good/mua), or null for none.</param>
    /// <param name="groups">cluster_group.tsv rows (phy curation), or null for none.</param>
    /// <param name="info">cluster_info.tsv rows (id → peak channel, depth), or null for none.</param>
    public static void Write(
        string folder,
        KilosortLayout layout,
        IReadOnlyList<long> samples,
        IReadOnlyList<int> clusters,
        string datPath,
        double rateHz,
        IReadOnlyDictionary<int, string>? ksLabels = null,
        IReadOnlyDictionary<int, string>? groups = null,
        IReadOnlyDictionary<int, (int Channel, double Depth)>? info = null)
    {
        Directory.CreateDirectory(folder);
        string shape = layout == KilosortLayout.Kilosort25 ? $"({samples.Count}, 1)" : $"({samples.Count},)";
        string descr = layout == KilosortLayout.Kilosort25 ? "<u8" : "<i8";
        WriteNpy(Path.Combine(folder, "spike_times.npy"), descr, shape, samples.Count, 8, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, samples[i]));
        WriteNpy(Path.Combine(folder, "spike_clusters.npy"), "<i4", $"({clusters.Count},)", clusters.Count, 4, (span, i) => BinaryPrimitives.WriteInt32LittleEndian(span, clusters[i]));
        WriteNpy(Path.Combine(folder, "spike_templates.npy"), layout == KilosortLayout.Kilosort25 ? "<u4" : "<i4", $"({clusters.Count},)", clusters.Count, 4, (span, i) => BinaryPrimitives.WriteInt32LittleEndian(span, clusters[i]));
        string dat = layout == KilosortLayout.Kilosort4 ? $"dat_path = ['{datPath}']" : $"dat_path = '{datPath}'";
        File.WriteAllText(
            Path.Combine(folder, "params.py"),
            string.Join('\n', dat, "n_channels_dat = 385", "dtype = 'int16'", "offset = 0", $"sample_rate = {rateHz.ToString("0.0##########", CultureInfo.InvariantCulture)}", "hp_filtered = " + (layout == KilosortLayout.Kilosort4 ? "True" : "False")) + "\n");
        if (ksLabels is not null)
        {
            WriteTsv(Path.Combine(folder, "cluster_KSLabel.tsv"), "cluster_id\tKSLabel", ksLabels.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}\t{kv.Value}"));
        }

        if (groups is not null)
        {
            WriteTsv(Path.Combine(folder, "cluster_group.tsv"), "cluster_id\tgroup", groups.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}\t{kv.Value}"));
        }

        if (info is not null)
        {
            WriteTsv(
                Path.Combine(folder, "cluster_info.tsv"),
                "cluster_id\tAmplitude\tContamPct\tKSLabel\tamp\tch\tdepth\tfr\tgroup\tn_spikes\tsh",
                info.OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}\t50.0\t10.0\tgood\t40.5\t{kv.Value.Channel}\t{kv.Value.Depth}\t3.2\t{groups?.GetValueOrDefault(kv.Key) ?? ""}\t{clusters.Count(c => c == kv.Key)}\t0")));
        }
    }

    /// <summary>A .npy file of any dtype and shape text (as numpy.save writes, header padded to 64 bytes).</summary>
    public static void WriteNpy(string path, string descr, string shape, int count, int size, Action<Span<byte>, int> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int unpadded = 10 + dict.Length + 1;
        string header = dict + new string(' ', ((unpadded + 63) / 64 * 64) - unpadded) + "\n";
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Write(length);
        file.Write(Encoding.Latin1.GetBytes(header));
        var element = new byte[size];
        for (int i = 0; i < count; i++)
        {
            write(element, i);
            file.Write(element);
        }
    }

    private static void WriteTsv(string path, string header, IEnumerable<string> rows) =>
        File.WriteAllText(path, header + "\n" + string.Join("\n", rows) + "\n");
}

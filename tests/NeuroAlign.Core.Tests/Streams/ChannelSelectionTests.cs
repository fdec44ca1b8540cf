using NeuroAlign.Formats;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams;

public class ChannelSelectionTests
{
    [Fact]
    public void ParseIds_RangesAndSingles_InOrderWritten() =>
        Assert.Equal(new[] { 5, 6, 7, 0, 100 }, ChannelSelection.ParseIds("5-7, 0,100"));

    [Theory]
    [InlineData("7-5")]
    [InlineData("a")]
    [InlineData("1,,2")]
    [InlineData("1-2-3")]
    public void ParseIds_Malformed_QuotesThePart(string text)
    {
        var e = Assert.Throws<NeuroAlignException>(() => ChannelSelection.ParseIds(text));

        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void ParseIds_Duplicate_NamesTheChannel()
    {
        var e = Assert.Throws<NeuroAlignException>(() => ChannelSelection.ParseIds("1-5,3"));

        Assert.Contains("channel 3 is named twice", e.Message);
    }

    /// <summary>
    /// A four-shank NP2.0 (type 24, ~snsShankMap, SOURCES.md's real .meta): depth=0-30 keeps rows 0
    /// to 2 (15 µm pitch) of every shank, bounds inclusive, in channel order; names pick channels
    /// as the metadata names them; a channel named twice is an error.
    /// </summary>
    [RequiresFact(Needs.SharedData)]
    public void Resolve_DepthRangeAndNames_FromTheProbesSites()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "NP2_4_shanks.imec0.ap.meta", baseName: "run_g0_t0.imec0.ap");
        string bin = folder.File("run_g0_t0.imec0.ap.bin");
        SyntheticSpikeGlx.WriteBin(bin, 100, 385, syncColumn: 384);
        using EphysRecording recording = SpikeGlxReader.Open(bin);
        ChannelLayout layout = recording.ChannelLayout!;

        IReadOnlyList<int> picked = ChannelSelection.Resolve(recording, "depth=0-30,SY0");

        int[] expected = [.. Enumerable.Range(0, 384).Where(p => layout.Sites[p]!.Value.YUm <= 30)];
        Assert.Equal([.. expected, 384], picked);
        Assert.Equal(3 * 2 * 4, expected.Length);
        Assert.Equal([12, 3], ChannelSelection.Resolve(recording, "AP12,3"));
        var twice = Assert.Throws<NeuroAlignException>(() => ChannelSelection.Resolve(recording, "depth=0-15,AP0"));
        Assert.Contains("channel AP0 is named twice", twice.Message, StringComparison.Ordinal);
        var none = Assert.Throws<NeuroAlignException>(() => ChannelSelection.Resolve(recording, "depth=20000-30000"));
        double deepest = layout.Sites.OfType<ProbeSite>().Max(site => site.YUm);
        Assert.Contains($"no channel lies 20000 to 30000 µm from the tip (the sites span 0 to {deepest} µm)", none.Message, StringComparison.Ordinal);
        Assert.Throws<NeuroAlignException>(() => ChannelSelection.Resolve(recording, "depth=30-0"));
    }

    [Fact]
    public void Resolve_DepthWithoutSites_SaysTheMetadataGivesNone()
    {
        using var folder = new TempFolder();
        string path = folder.File("raw.dat");
        File.WriteAllBytes(path, new byte[4 * 2 * 10]);
        using EphysRecording raw = EphysReader.Open(path, new EphysOpenOptions { Raw = new NeuroAlign.Formats.RawBinary.RawBinaryOptions(ChannelCount: 4) });

        var e = Assert.Throws<NeuroAlignException>(() => ChannelSelection.Resolve(raw, "depth=0-100"));

        Assert.EndsWith("channel selection 'depth=0-100': the recording's metadata gives no channel positions", e.Message, StringComparison.Ordinal);
    }
}

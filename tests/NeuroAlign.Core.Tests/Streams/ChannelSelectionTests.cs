using NeuroAlign.Streams;

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
}

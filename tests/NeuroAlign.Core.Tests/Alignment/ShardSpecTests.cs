using NeuroAlign.Alignment;

namespace NeuroAlign.Core.Tests.Alignment;

public class ShardSpecTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(25, 4)]
    [InlineData(7, 7)]
    [InlineData(1, 1)]
    [InlineData(1000, 13)]
    public void Range_EveryShard_ContiguousInOrderCoveringAllSizesWithinOne(int total, int count)
    {
        var ranges = Enumerable.Range(0, count).Select(i => new ShardSpec(i, count).Range(total)).ToArray();

        int next = 0;
        foreach (var (first, n) in ranges)
        {
            Assert.Equal(next, first);
            Assert.True(n >= 1);
            next = first + n;
        }

        Assert.Equal(total, next);
        Assert.InRange(ranges.Max(r => r.WindowCount) - ranges.Min(r => r.WindowCount), 0, 1);
    }

    [Fact]
    public void Range_TenWindowsThreeShards_FloorBoundaries()
    {
        Assert.Equal((0, 3), new ShardSpec(0, 3).Range(10));
        Assert.Equal((3, 3), new ShardSpec(1, 3).Range(10));
        Assert.Equal((6, 4), new ShardSpec(2, 3).Range(10));
    }

    [Fact]
    public void Range_HugeCounts_NoOverflow()
    {
        Assert.Equal((int.MaxValue / 2, (int.MaxValue / 2) + 1), new ShardSpec(1, 2).Range(int.MaxValue));
    }

    [Fact]
    public void Range_FewerWindowsThanShards_Refused()
    {
        var e = Assert.Throws<NeuroAlignException>(() => new ShardSpec(0, 8).Range(5));

        Assert.Equal("option 'shard' 0/8: the export has 5 window(s), fewer than 8 shards; use at most 5 shards", e.Message);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData("12/100", 12, 100)]
    public void Parse_Valid_IndexAndCount(string text, int index, int count)
    {
        Assert.Equal(new ShardSpec(index, count), ShardSpec.Parse(text));
        Assert.Equal(text, ShardSpec.Parse(text).ToString());
    }

    [Theory]
    [InlineData("3/2", "option 'shard' 3/2: shard 3 does not exist among 2 shards; shards are numbered 0 to 1")]
    [InlineData("2/2", "option 'shard' 2/2: shard 2 does not exist among 2 shards; shards are numbered 0 to 1")]
    [InlineData("0/0", "option 'shard' 0/0: the shard count is 0; expected 1 or more")]
    [InlineData("-1/2", "option 'shard' '-1/2': expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)")]
    [InlineData("1", "option 'shard' '1': expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)")]
    [InlineData("a/b", "option 'shard' 'a/b': expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)")]
    [InlineData("1/2/3", "option 'shard' '1/2/3': expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)")]
    public void Parse_Invalid_OneLineReason(string text, string expected)
    {
        var e = Assert.Throws<NeuroAlign.Sessions.SettingException>(() => ShardSpec.Parse(text));

        Assert.Equal(expected, e.Message);
    }
}

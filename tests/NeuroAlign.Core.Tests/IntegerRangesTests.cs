namespace NeuroAlign.Core.Tests;

public sealed class IntegerRangesTests
{
    [Theory]
    [InlineData(new int[0], "")]
    [InlineData(new[] { 4 }, "4")]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 8, 3, 1, 4, 5, 3 }, "1, 3-5, 8")]
    [InlineData(new[] { -2, -1, 1 }, "-2--1, 1")]
    public void Format_Values_SortedRuns(int[] values, string expected) =>
        Assert.Equal(expected, IntegerRanges.Format(values));

    [Fact]
    public void Format_Separator_Used() =>
        Assert.Equal("1,3,5-6", IntegerRanges.Format([6, 5, 3, 1], ","));
}

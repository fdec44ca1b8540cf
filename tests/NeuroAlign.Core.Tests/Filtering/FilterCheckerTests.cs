using NeuroAlign.Filtering;

namespace NeuroAlign.Core.Tests.Filtering;

public sealed class FilterCheckerTests
{
    [Theory]
    [InlineData("signal > 0.8")]
    [InlineData("signal > 0.8 mV")]
    [InlineData("abs(signal) < 500 uV and t >= 2 s and t < 2500 ms")]
    [InlineData("channel != 12 or signal > 3")]
    [InlineData("signal / 1 mV > 0.2")]
    [InlineData("5 / signal > 0.2")]
    [InlineData("signal * 2 - 1 mV > max(channel * 0 + 3, 2) * 1 uV")]
    [InlineData("signal * channel > 3 V")]
    [InlineData("-signal > -3 V")]
    [InlineData("min(signal, 2 mV, 7) > 1")]
    [InlineData("1 > 2")]
    public void Check_WellTypedEphysRule_Passes(string rule)
    {
        FilterSet.Parse([rule]).Validate(TestScopes.Loaded([ModalityKind.Ephys]));
    }

    [Theory]
    [InlineData("signal > 3 s", 9, 3, "cannot compare a voltage (signal) with a time (3 s)")]
    [InlineData("3 s < signal", 0, 3, "cannot compare a time (3 s) with a voltage (signal)")]
    [InlineData("t > signal", 4, 6, "cannot compare a time (t) with a voltage (signal)")]
    [InlineData("signal + t > 0", 9, 1, "cannot add a voltage (signal) and a time (t)")]
    [InlineData("signal - 2 s > 0", 9, 3, "cannot subtract a time (2 s) from a voltage (signal)")]
    [InlineData("signal * 2 mV > 1", 9, 4, "cannot multiply a voltage (signal) by a voltage (2 mV): products of units are not supported")]
    [InlineData("t / signal > 1", 4, 6, "cannot divide a time (t) by a voltage (signal): only a quantity divided by the same kind of quantity gives a number")]
    [InlineData("channel / signal > 1", 10, 6, "cannot divide a number without unit (channel) by a voltage (signal): only a quantity divided by the same kind of quantity gives a number")]
    [InlineData("min(signal, t) > 1", 12, 1, "cannot take the min of a voltage (signal) and a time (t)")]
    [InlineData("channel > 3 mV", 10, 4, "cannot compare a number without unit (channel) with a voltage (3 mV)")]
    [InlineData("signal + 1", 0, 10, "the rule must be a condition such as signal > 0.8, found a voltage (signal + 1)")]
    [InlineData("signal and t > 1", 0, 6, "'and' needs a condition such as signal > 0.8, found a voltage (signal)")]
    [InlineData("signal > 1 || 2", 14, 1, "'||' needs a condition such as signal > 0.8, found a number (2)")]
    [InlineData("not t", 4, 1, "'not' needs a condition such as signal > 0.8, found a time (t)")]
    [InlineData("(signal > 1) + 2 > 3", 0, 12, "'+' needs a number, found a condition ((signal > 1))")]
    [InlineData("-(t > 1) > 0", 1, 7, "'-' needs a number, found a condition ((t > 1))")]
    [InlineData("abs(t > 1) > 0", 4, 5, "abs needs a number, found a condition (t > 1)")]
    public void Check_IllTypedEphysRule_ThrowsWithCaret(string rule, int position, int length, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse([rule]).Validate(TestScopes.Loaded([ModalityKind.Ephys])));

        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
    }

    [Fact]
    public void Validate_UnscopedVoltageRuleWithFmriLoaded_ExplainsScope()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["signal > 3 mV"]).Validate(TestScopes.Loaded([ModalityKind.Ephys, ModalityKind.Fmri])));

        Assert.Equal(
            "cannot compare a number without unit (signal) with a voltage (3 mV): fmri signal has no unit (it is the scaled intensity)" +
            " (a rule without scope applies to ephys and fmri: start it with 'ephys:' to apply it to ephys only)",
            e.Reason);
        Assert.Equal(9, e.Position);
    }

    [Fact]
    public void Validate_ScopedVoltageRuleWithFmriLoaded_Passes()
    {
        FilterSet.Parse(["ephys: signal > 3 mV", "fmri: signal > 100"]).Validate(TestScopes.Loaded([ModalityKind.Ephys, ModalityKind.Fmri]));
    }

    [Fact]
    public void Validate_ChannelInFmriRule_Throws()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["fmri: channel > 3"]).Validate(TestScopes.Loaded([ModalityKind.Fmri])));

        Assert.Equal("'channel' exists only for ephys, and this rule applies to fmri", e.Reason);
        Assert.Equal(6, e.Position);
    }

    [Theory]
    [InlineData("video: signal > 128", new[] { ModalityKind.Ephys }, 0, 5, "the scope names video, which is not loaded (loaded: ephys)")]
    [InlineData("fmri: signal > 1", new ModalityKind[0], 0, 4, "the scope names fmri, which is not loaded (loaded: none)")]
    [InlineData("signal > 128", new[] { ModalityKind.Video }, 0, 12, "a rule without scope applies to ephys and fmri, and neither is loaded (loaded: video); start it with 'video:' to filter video")]
    public void Validate_RuleForModalityNotLoaded_Throws(string rule, ModalityKind[] loaded, int position, int length, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse([rule]).Validate(TestScopes.Loaded(loaded)));

        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
    }

    [Fact]
    public void Validate_VideoSignalAgainstVoltage_ExplainsPixelValues()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["video: signal > 1 V"]).Validate(TestScopes.Loaded([ModalityKind.Video])));

        Assert.Contains("video signal has no unit (it is the pixel value, 0-255)", e.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("start it with", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AppliesTo_UnscopedRule_IsEphysAndFmri()
    {
        FilterRule rule = FilterRule.Parse("signal > 1");

        Assert.True(rule.AppliesTo(TestScopes.Stream(ModalityKind.Ephys)));
        Assert.True(rule.AppliesTo(TestScopes.Stream(ModalityKind.Fmri)));
        Assert.False(rule.AppliesTo(TestScopes.Stream(ModalityKind.Video)));
        Assert.False(rule.AppliesTo(TestScopes.Stream(ModalityKind.Physio)));
    }

    [Fact]
    public void Text_SeveralRules_JoinsWithAnd()
    {
        FilterSet set = FilterSet.Parse(["signal > 1", "video: signal < 200"]);

        Assert.Equal("(signal > 1) AND (video: signal < 200)", set.Text);
        Assert.Equal("signal > 1", FilterSet.Parse(["signal > 1"]).Text);
    }
}

using NeuroAlign.Formats.Kilosort;

namespace NeuroAlign.Core.Tests.Formats.Kilosort;

/// <summary>params.py is read as literal assignments, never run.</summary>
public sealed class PhyParamsTests
{
    [Fact]
    public void Parse_Kilosort25AndKilosort4Files_GivesTheValues()
    {
        // As rezToPhy (2.5) and save_to_phy (4) write them.
        PhyParams ks25 = PhyParams.Parse("params.py", "dat_path = 'D:\\\\data\\\\run_g0_t0.imec0.ap.bin'\nn_channels_dat = 385\ndtype = 'int16'\noffset = 0\nsample_rate = 30000.\nhp_filtered = False");
        PhyParams ks4 = PhyParams.Parse("params.py", "dat_path = ['/data/run_g0_t0.imec1.ap.bin']\r\nn_channels_dat = 385\r\ndtype = 'int16'\r\noffset = 0\r\nsample_rate = 30000.123  # imSampRate\r\nhp_filtered = True\r\n");

        Assert.Equal("D:\\data\\run_g0_t0.imec0.ap.bin", ks25.Text("dat_path"));
        Assert.Equal(385, ks25.Number("n_channels_dat"));
        Assert.Equal(30000, ks25.Number("sample_rate"));
        Assert.False(ks25.Flag("hp_filtered"));
        Assert.Equal(["/data/run_g0_t0.imec1.ap.bin"], ks4.Texts("dat_path"));
        Assert.Equal(30000.123, ks4.Number("sample_rate"));
        Assert.True(ks4.Flag("hp_filtered"));
        Assert.Null(ks4.Number("missing"));
    }

    [Fact]
    public void Parse_RawStringsTuplesNoneAndComments()
    {
        PhyParams p = PhyParams.Parse("params.py", "# a comment\n\nx = r'C:\\raw\\path'\ny = ('a', \"b\")\nz = None\nw = -1_000\n");

        Assert.Equal("C:\\raw\\path", p.Text("x"));
        Assert.Equal(["a", "b"], p.Texts("y"));
        Assert.Null(p.Text("z"));
        Assert.Equal(-1000, p.Number("w"));
    }

    [Theory]
    [InlineData("import os", "line 1, column 8: found 'os', expected '=' after the name")]
    [InlineData("sample_rate = 3e4 * 2", "line 1, column 19: found '* 2', expected the end of the line after the value")]
    [InlineData("dat_path = 'run.bin", "line 1, column 20: found the end of the line, expected the closing ' of the string")]
    [InlineData("x = 1\nsample_rate = __import__('os')", "line 2, column 15: found '__import__('os')', expected a literal")]
    [InlineData("x = [1, 2", "line 1, column 10: found the end of the line, expected ',' or ']' in the list")]
    [InlineData("x = nan", "line 1, column 5: found 'nan', expected a literal")]
    public void Parse_NotALiteralAssignment_OneLineNamingTheLineAndColumn(string text, string expected)
    {
        var e = Assert.Throws<InvalidRecordingException>(() => PhyParams.Parse("/k/params.py", text));

        Assert.StartsWith("/k/params.py: " + expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Number_OfAString_NamesTheAssignment()
    {
        var e = Assert.Throws<InvalidRecordingException>(() => PhyParams.Parse("p.py", "sample_rate = '30k'").Number("sample_rate"));

        Assert.Equal("p.py: sample_rate: found '30k', expected a number", e.Message);
    }
}

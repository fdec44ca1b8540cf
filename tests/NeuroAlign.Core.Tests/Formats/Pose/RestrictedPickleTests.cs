using System.Text;
using NeuroAlign.Formats.Pose;

namespace NeuroAlign.Core.Tests.Formats.Pose;

/// <summary>
/// The plain-data pickle reader against pickles Python itself wrote (protocols 0, 2 and 4, bytes
/// from CPython 3.11's pickle.dumps), and refusing every pickle that would build an object.
/// </summary>
public sealed class RestrictedPickleTests
{
    [Fact]
    public void Read_Protocol0FromTheRealDeepLabCutFile_ColumnLabels()
    {
        // /df_with_missing/table's values_block_0_kind in ../shared/data/pose/DLC_sample_poses.h5 (PyTables, pandas 0.15.2).
        const string text = "(lp0\n(VDLC_resnet50_WASPNov22shuffle1_95500\np1\nVhead\np2\nVx\np3\ntp4\na(g1\ng2\nVy\np5\ntp6\na(g1\ng2\nVlikelihood\np7\ntp8\na(g1\nVstinger\np9\ng3\ntp10\na(g1\ng9\ng5\ntp11\na(g1\ng9\ng7\ntp12\na.";

        var labels = Assert.IsType<List<object?>>(RestrictedPickle.Read(Encoding.Latin1.GetBytes(text), "f.h5", "kind"));

        Assert.Equal(6, labels.Count);
        Assert.Equal(["DLC_resnet50_WASPNov22shuffle1_95500", "stinger", "likelihood"], Assert.IsType<object?[]>(labels[5]));
        Assert.Equal(["DLC_resnet50_WASPNov22shuffle1_95500", "head", "y"], Assert.IsType<object?[]>(labels[1]));
    }

    [Fact]
    public void Read_Protocol0Literals_AsPythonWroteThem()
    {
        // pickle.dumps([('café', 1.5, None, True, -3, 70000)], 0)
        byte[] pickle = Encoding.Latin1.GetBytes("(lp0\n(Vcaf\u00e9\np1\nF1.5\nNI01\nI-3\nI70000\ntp2\na.");

        var list = Assert.IsType<List<object?>>(RestrictedPickle.Read(pickle, "f.h5", "a"));

        Assert.Equal(new object?[] { "café", 1.5, null, true, -3L, 70000L }, Assert.IsType<object?[]>(Assert.Single(list)));
    }

    [Fact]
    public void Read_Protocol2_ListOfTuples()
    {
        // pickle.dumps([(1, [('scorer', 'ind1', 'nose', 'x'), ('scorer', 'ind1', 'nose', 'y')])], 2)
        byte[] pickle = Convert.FromHexString("80025d71004b015d71012828580600000073636f72657271025804000000696e6431710358040000006e6f73657104580100000078710574710628680268036804580100000079710774710865867109612e");

        var outer = Assert.IsType<List<object?>>(RestrictedPickle.Read(pickle, "f.h5", "a"));
        var pair = Assert.IsType<object?[]>(Assert.Single(outer));

        Assert.Equal(1L, pair[0]);
        var labels = Assert.IsType<List<object?>>(pair[1]);
        Assert.Equal(new object?[] { "scorer", "ind1", "nose", "y" }, labels[1]);
    }

    [Fact]
    public void Read_Protocol4_NestedDicts()
    {
        // pickle.dumps({1: {'names': ['scorer', 'bodyparts', 'coords'], 'type': 'MultiIndex'}, 'index': {}}, 4)
        byte[] pickle = Convert.FromHexString("80049553000000000000007d94284b017d94288c056e616d6573945d94288c0673636f726572948c09626f64797061727473948c06636f6f72647394658c0474797065948c0a4d756c7469496e64657894758c05696e646578947d94752e");

        var info = Assert.IsType<Dictionary<object, object?>>(RestrictedPickle.Read(pickle, "f.h5", "info"));

        var axis = Assert.IsType<Dictionary<object, object?>>(info[1L]);
        Assert.Equal(new object?[] { "scorer", "bodyparts", "coords" }, Assert.IsType<List<object?>>(axis["names"]));
        Assert.Equal("MultiIndex", axis["type"]);
        Assert.Empty(Assert.IsType<Dictionary<object, object?>>(info["index"]));
    }

    [Theory]
    [InlineData("cos\nsystem\n(S'echo hi'\ntR.", "0x63 (GLOBAL)")] // os.system('echo hi'), protocol 0
    [InlineData("(cos\nsystem\nS'x'\no.", "0x63 (GLOBAL)")]
    [InlineData("(i__builtin__\nobject\n.", "0x69 (INST)")]
    [InlineData("(lp0\nI1\nab.", "0x62 (BUILD)")]
    [InlineData("NR.", "0x52 (REDUCE)")]
    public void Read_PickleThatBuildsObjects_RefusedNamingTheOpcode(string text, string opcode)
    {
        var error = Assert.Throws<InvalidRecordingException>(() => RestrictedPickle.Read(Encoding.Latin1.GetBytes(text), "f.h5", "/g attribute x"));

        Assert.Contains($"pickle opcode {opcode}", error.Message, StringComparison.Ordinal);
        Assert.Contains("it would run code", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("f.h5: /g attribute x, pickle byte ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(lp0\nVa\n", "the end of the data before STOP")]
    [InlineData("g7\n.", "memo 7, never stored")]
    [InlineData("a.", "too few values on the stack")]
    [InlineData("X\u00ff\u00ff\u00ff\u00ffab.", "4294967295 bytes asked with 3 left")]
    [InlineData("I1\nI2\n.", "2 values on the stack at STOP")]
    public void Read_MalformedPickle_OneLine(string text, string found)
    {
        var error = Assert.Throws<InvalidRecordingException>(() => RestrictedPickle.Read(Encoding.Latin1.GetBytes(text), "f.h5", "a"));

        Assert.Contains(found, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}

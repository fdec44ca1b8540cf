using NeuroAlign.Formats.Pose;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Pose;

/// <summary>DeepLabCut and SLEAP CSVs written here, whose every value is known.</summary>
public sealed class DeepLabCutCsvTests
{
    [Fact]
    public void Read_MultiAnimalWithAMissingPair_NaNWhereTheFileHasNoColumnOrAnEmptyCell()
    {
        using var folder = new TempFolder();
        string path = folder.File("ma.csv");
        // DeepLabCut's multi-animal layout; "single" holds a bodypart only it has (unique bodyparts).
        File.WriteAllText(path,
            "scorer,S,S,S,S,S,S,S,S,S\n" +
            "individuals,m1,m1,m1,m2,m2,m2,single,single,single\n" +
            "bodyparts,nose,nose,nose,nose,nose,nose,port,port,port\n" +
            "coords,x,y,likelihood,x,y,likelihood,x,y,likelihood\n" +
            "0,1,2,0.9,3,4,0.8,5,6,0.7\n" +
            "1,,,,13,14,0.5,nan,16,0.1\n");

        PoseData data = DeepLabCutCsv.Read(path);

        Assert.Equal(["m1", "m2", "single"], data.Individuals);
        Assert.Equal(["nose", "port"], data.Bodyparts);
        Assert.Equal(2, data.FrameCount);
        float[] v = Values(data);
        float nan = float.NaN;
        // [frame][individual][bodypart][x, y, score]: m1/port and m2/port are not in the file.
        Assert.Equal(new[] { 1f, 2, 0.9f, nan, nan, nan, 3, 4, 0.8f, nan, nan, nan, nan, nan, nan, 5, 6, 0.7f }, v[..18]);
        Assert.Equal(new[] { nan, nan, nan, nan, nan, nan, 13, 14, 0.5f, nan, nan, nan, nan, nan, nan, nan, 16, 0.1f }, v[18..]);
    }

    [Theory]
    [InlineData("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,likelihood\n1,1,2,3\n", "line 4, column 1: found '1', expected frame 0")]
    [InlineData("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,z\n0,1,2,3\n", "header, column 3: found coordinate 'z', expected x, y or likelihood (2-D pose)")]
    [InlineData("scorer,S,S,S\ncoords,x,y,likelihood\n0,1,2,3\n", "line 2, first cell: found 'coords', expected 'bodyparts'")]
    [InlineData("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,two,3\n", "line 4, column 3: found 'two', expected a number, nan or an empty cell")]
    [InlineData("scorer,S,S,S\nbodyparts,a,a,a\ncoords,x,x,likelihood\n0,1,2,3\n", "a second column for individual_0/a/x")]
    public void Read_BadFile_OneLineNamingTheFault(string text, string expected)
    {
        using var folder = new TempFolder();
        string path = folder.File("bad.csv");
        File.WriteAllText(path, text);

        var error = Assert.Throws<InvalidRecordingException>(() => DeepLabCutCsv.Read(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SleapCsvWithTracksInAnyOrder_GathersByTrackAndFrame()
    {
        using var folder = new TempFolder();
        string path = folder.File("s.csv");
        File.WriteAllText(path,
            "track,frame_idx,instance.score,A.x,A.y,A.score\n" +
            "male,2,0.9,1,2,0.5\n" +
            "female,0,0.8,3,4,0.25\n" +
            "male,0,0.7,5,6,\n");

        PoseData data = SleapCsv.Read(path);

        Assert.Equal(["male", "female"], data.Individuals);
        Assert.Equal(3, data.FrameCount);
        float nan = float.NaN;
        Assert.Equal(new[] { 5f, 6, nan, 3, 4, 0.25f, nan, nan, nan, nan, nan, nan, 1, 2, 0.5f, nan, nan, nan }, Values(data));
    }

    internal static float[] Values(PoseData data)
    {
        using var stream = new PoseStream(data, new NeuroAlign.Time.RegularClock(0, 1, data.FrameCount), "test");
        var bytes = new byte[data.FrameCount * data.ValuesPerFrame * 4];
        stream.ReadSamples(Enumerable.Range(0, data.FrameCount).Select(i => (long)i).ToArray(), bytes);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}

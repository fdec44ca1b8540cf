using System.Globalization;
using NeuroAlign.TestData;
using NeuroAlign.Time;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

[Collection(VideoCollection.Name)]
public sealed class FrameTimestampsFileTests(GeneratedVideos videos)
{
    private static string Lines(IEnumerable<double> times) =>
        string.Join('\n', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))) + "\n";

    private static double[] LabTimes(int count) => Enumerable.Range(0, count).Select(k => 100.0 + (k * 0.0331) + (k % 3 * 0.001)).ToArray();

    private string Write(string name, string text)
    {
        string path = Path.Combine(videos.NewFolder(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TimestampsOnePerLine_ReplaceContainerTimes()
    {
        double[] times = LabTimes(GeneratedVideos.VariableRateFrames);
        string file = Write("times.txt", "# camera TTL times\n" + Lines(times));

        using var stream = VideoStream.Open(videos.VariableRateMkv, new VideoOptions(TimestampsPath: file, IndexCacheDirectory: videos.NewFolder()));

        Assert.Equal(times, Enumerable.Range(0, times.Length).Select(k => stream.Clock.TimeOf(k)));
        Assert.Equal($"file {file}", stream.TimestampSource);
    }

    [Fact]
    public void Read_CsvWithHeader_TakesTheTimestampColumn()
    {
        string file = Write("frames.csv", "frame,timestamp,exposure\n0,1.5,3\n1,1.53,3\n2,1.57,3\n");

        double[] times = FrameTimestampsFile.Read(file);

        Assert.Equal([1.5, 1.53, 1.57], times);
    }

    [Fact]
    public void Read_CsvWithoutKnownColumn_NamesTheColumnsItFound()
    {
        string file = Write("frames.csv", "frame,when\n0,1.5\n");

        var error = Assert.Throws<InvalidRecordingException>(() => FrameTimestampsFile.Read(file));

        Assert.Contains("frame, when", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Read_NotIncreasing_ErrorNamesTheTime()
    {
        string file = Write("times.txt", "0.0\n0.1\n0.1\n0.3\n");

        var error = Assert.Throws<InvalidRecordingException>(() => FrameTimestampsFile.Read(file));

        Assert.Equal($"{file}: time 2: found 0.1 s after 0.1 s, expected strictly increasing frame times", error.Message);
    }

    [Fact]
    public void Read_TextThatIsNotANumber_ErrorNamesTheLine()
    {
        string file = Write("times.txt", "0.0\n0.1\nabc\n");

        var error = Assert.Throws<InvalidRecordingException>(() => FrameTimestampsFile.Read(file));

        Assert.Contains("line 3", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TimestampsCountDiffers_ErrorGivesBothCounts()
    {
        string file = Write("times.txt", Lines(LabTimes(GeneratedVideos.VariableRateFrames - 1)));

        var error = Assert.Throws<InvalidRecordingException>(() =>
            VideoStream.Open(videos.VariableRateMkv, new VideoOptions(TimestampsPath: file, IndexCacheDirectory: videos.NewFolder())));

        Assert.Equal($"{file}: frame times: found 79 times, expected 80, one per frame of {videos.VariableRateMkv}", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Read_NpyWrittenByNumpy_SameFloat64Values()
    {
        string folder = videos.NewFolder();
        string f8 = Path.Combine(folder, "times.npy");
        string f4 = Path.Combine(folder, "times32.npy");
        ExternalTools.Run(ExternalTools.DebianPython, ["-c",
            $"import numpy as np; t = 100 + np.arange(80) * 0.0331 + (np.arange(80) % 3) * 0.001; np.save('{f8}', t); np.save('{f4}', t.astype('>f4').reshape(80, 1))"]);

        double[] times = FrameTimestampsFile.Read(f8);
        double[] single = FrameTimestampsFile.Read(f4);

        double[] expected = Enumerable.Range(0, 80).Select(k => 100 + (k * 0.0331) + (k % 3 * 0.001)).ToArray();
        Assert.Equal(expected, times);
        Assert.Equal(expected.Select(t => (double)(float)t), single);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Read_NpyOfIntegers_Rejected()
    {
        string file = Path.Combine(videos.NewFolder(), "frames.npy");
        ExternalTools.Run(ExternalTools.DebianPython, ["-c", $"import numpy as np; np.save('{file}', np.arange(5))"]);

        var error = Assert.Throws<InvalidRecordingException>(() => FrameTimestampsFile.Read(file));

        Assert.Contains("descr", error.Message);
        Assert.Contains("float64", error.Message);
    }

    [Fact]
    public void Read_TsvWithBomCrLfAndQuotedHeader_TakesTheTimeColumn()
    {
        string file = Path.Combine(videos.NewFolder(), "frames.tsv");
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. "\"frame id\"\t\"frame_time\"\r\n0\t1.5\r\n1\t1.53\r\n"u8]);

        Assert.Equal([1.5, 1.53], FrameTimestampsFile.Read(file));
    }

    [Fact]
    public void Read_NAFrameTime_RefusedNamingTheLine()
    {
        string file = Write("times.txt", "0.0\nn/a\n0.2\n");

        var error = Assert.Throws<InvalidRecordingException>(() => FrameTimestampsFile.Read(file));

        Assert.Equal($"{file}: line 2, column 1: found 'n/a', expected a finite number of seconds", error.Message);
    }
}

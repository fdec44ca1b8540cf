using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.Bids;

/// <summary>
/// The eyetracking_fmri sidecars are real (bids-examples) but ship without their data: the test writes
/// a physio.tsv.gz with known values beside them. SamplingFrequency (1000 Hz) and Columns come from
/// the dataset-level task-rest_physio.json, StartTime (−45.446 s) from the run's own sidecar.
/// </summary>
public sealed class BidsPhysioTests
{
    private const string RunPhysio = "sub-01/ses-01/func/sub-01_ses-01_task-rest_run-01_recording-eye1_physio";

    [RequiresFact(Needs.SharedData)]
    public void Open_EyetrackingInheritance_NegativeStartTimeAndInheritedColumns()
    {
        using var temp = new TempFolder();
        string root = CopyEyetrackingSidecars(temp);
        string data = Path.Combine(root, RunPhysio + ".tsv.gz");
        double[,] values = WritePhysio(data, rows: 2500);

        using BidsPhysioStream stream = BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: temp.File("cache")));

        Assert.Equal(["timestamp", "x_coordinate", "y_coordinate", "pupil_size"], stream.Columns);
        Assert.Equal(1000.0, stream.SamplingFrequencyHz);
        Assert.Equal(-45.446, stream.StartTimeSeconds);
        Assert.Equal(2, stream.Sidecars.Count);
        Assert.EndsWith("task-rest_physio.json", stream.Sidecars[0]);
        Assert.EndsWith("recording-eye1_physio.json", stream.Sidecars[1]);
        Assert.Equal(2500, stream.SampleCount);
        Assert.Equal(4, stream.ChannelCount);
        Assert.Equal(SampleType.Float64, stream.ElementType);
        Assert.IsType<RegularClock>(stream.Clock);
        Assert.Equal(-45.446, stream.Clock.TimeOf(0), 12);
        Assert.Equal(-45.446 + (1234 / 1000.0), stream.Clock.TimeOf(1234), 12);

        // The first volume (t = 0) falls on sample 45 446 … which the 2.5 s recording never reaches.
        Assert.Equal(-1, stream.Clock.Locate(0, IndexMode.Previous).Index);
        Assert.Equal(446, stream.Clock.Locate(-45.0, IndexMode.Previous).Index);

        var block = new byte[2500 * 4 * sizeof(double)];
        stream.ReadBlock(0, 2500, block);
        double[] read = MemoryMarshal.Cast<byte, double>(block).ToArray();
        for (int r = 0; r < 2500; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                double want = values[r, c];
                Assert.True(want.Equals(read[(r * 4) + c]), $"row {r}, column {c}: want {want:R}, got {read[(r * 4) + c]:R}");
            }
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SevenTeslaDatasetPhysioJson_AppliesToAnyPhysioFile()
    {
        using var temp = new TempFolder();
        File.Copy(Path.Combine(RepoPaths.SharedData, "bids", "7t_trt", "physio.json"), temp.File("physio.json"));
        Directory.CreateDirectory(temp.File("sub-01/ses-1/func"));
        string data = temp.File("sub-01/ses-1/func/sub-01_ses-1_task-rest_acq-fullbrain_run-1_physio.tsv.gz");
        WritePhysio(data, rows: 10, columns: 4);

        using BidsPhysioStream stream = BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: temp.File("cache")));

        Assert.Equal(100.0, stream.SamplingFrequencyHz);
        Assert.Equal(0.0, stream.StartTimeSeconds);
        Assert.Equal(["cardiac", "respiratory", "trigger", "oxygen saturation"], stream.Columns);
    }

    [Fact]
    public void Open_MissingSamplingFrequency_ThrowsNamingKey()
    {
        using var temp = new TempFolder();
        string data = temp.File("sub-01_task-x_physio.tsv.gz");
        WritePhysio(data, rows: 3, columns: 1);
        File.WriteAllText(temp.File("sub-01_task-x_physio.json"), """{"StartTime": 0, "Columns": ["cardiac"]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: temp.File("cache"))));

        Assert.Equal("SamplingFrequency", e.Location);
        Assert.Contains("sub-01_task-x_physio.json", e.Found);
    }

    [Fact]
    public void Open_RowWithTooFewValues_ThrowsWithLine()
    {
        using var temp = new TempFolder();
        string data = temp.File("sub-01_task-x_physio.tsv.gz");
        WriteText(data, "1\t2\n3\t4\n5\n");
        File.WriteAllText(temp.File("sub-01_task-x_physio.json"), """{"SamplingFrequency": 10, "StartTime": 0, "Columns": ["a", "b"]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: temp.File("cache"))));

        Assert.Equal("line 3", e.Location);
    }

    [Fact]
    public void Open_TruncatedGzip_Throws()
    {
        using var temp = new TempFolder();
        string data = temp.File("sub-01_task-x_physio.tsv.gz");
        WritePhysio(data, rows: 20000, columns: 2);
        byte[] whole = File.ReadAllBytes(data);
        File.WriteAllBytes(data, whole[..^6]);
        File.WriteAllText(temp.File("sub-01_task-x_physio.json"), """{"SamplingFrequency": 10, "StartTime": 0, "Columns": ["a", "b"]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsPhysioStream.Open(data, new BidsPhysioOptions(CacheDirectory: temp.File("cache"))));

        Assert.Contains("truncated", e.Expected);
    }

    private static string CopyEyetrackingSidecars(TempFolder temp)
    {
        string source = Path.Combine(RepoPaths.SharedData, "bids", "eyetracking_fmri");
        string root = temp.File("eyetracking_fmri");
        foreach (string json in Directory.EnumerateFiles(source, "*.json", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(source, json));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(json, target);
        }

        return root;
    }

    private static double[,] WritePhysio(string path, int rows, int columns = 4)
    {
        var values = new double[rows, columns];
        var text = new StringBuilder();
        var random = new Random(7);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                bool missing = c == 3 && r % 97 == 5;
                values[r, c] = missing ? double.NaN : c == 0 ? 2_000_000 + r : Math.Round((random.NextDouble() * 2000) - 500, 3);
                text.Append(c > 0 ? "\t" : "").Append(missing ? "n/a" : values[r, c].ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        WriteText(path, text.ToString());
        return values;
    }

    private static void WriteText(string path, string text)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }
}

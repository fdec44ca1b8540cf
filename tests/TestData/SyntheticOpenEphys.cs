namespace NeuroAlign.TestData;

/// <summary>
/// An Open Ephys binary recording built around the real structure.oebin in ../shared/data/openephys
/// (GUI 0.6.7: stream ProbeA, 385 channels at 30 kHz; stream OneBox-ADC, 12 channels at 30300.5 Hz):
/// continuous.dat with <see cref="SyntheticEphys.Value"/>, sample numbers from
/// <see cref="FirstSampleNumber"/>, timestamps offset by <see cref="TimestampOffsetSeconds"/>, and TTL events.
/// </summary>
public static class SyntheticOpenEphys
{
    public const string ProbeFolder = "OneBox-111.ProbeA";
    public const string AdcFolder = "OneBox-111.OneBox-ADC";
    public const double ProbeRateHz = 30000.0;
    public const double AdcRateHz = 30300.5;
    public const int ProbeChannels = 385;
    public const int AdcChannels = 12;
    public const long FirstSampleNumber = 123_456;

    /// <summary>timestamps.npy = sample number / rate + this, so a test can tell which file timed the stream.</summary>
    public const double TimestampOffsetSeconds = 0.25;

    /// <summary>The ProbeA TTL events: (sample number, state) with state +line on and -line off.</summary>
    public static readonly (long SampleNumber, short State)[] ProbeTtl =
    [
        (FirstSampleNumber + 10, 1), (FirstSampleNumber + 40, -1), (FirstSampleNumber + 70, 1), (FirstSampleNumber + 100, -1),
        (FirstSampleNumber + 55, -3), (FirstSampleNumber + 200, 3),
    ];

    /// <summary>
    /// Builds &lt;root&gt;/Record Node 101/experiment1/recording1 and returns that recording folder.
    /// <paramref name="oebinText"/> replaces the real structure.oebin (for malformed-index tests).
    /// </summary>
    public static string Build(string root, long probeSamples = 300, long adcSamples = 303, bool timestamps = true, string? oebinText = null)
    {
        string recording = Path.Combine(root, "Record Node 101", "experiment1", "recording1");
        Directory.CreateDirectory(recording);
        string oebin = Path.Combine(recording, "structure.oebin");
        if (oebinText is null)
        {
            File.Copy(RepoPaths.Shared("openephys", "OE_OneBox-NP2014.structure.oebin"), oebin);
        }
        else
        {
            File.WriteAllText(oebin, oebinText);
        }

        WriteStream(recording, ProbeFolder, probeSamples, ProbeChannels, ProbeRateHz, timestamps);
        WriteStream(recording, AdcFolder, adcSamples, AdcChannels, AdcRateHz, timestamps);

        // Event sample numbers are stamped on the stream's own sample counter.
        string ttl = Path.Combine(recording, "events", ProbeFolder, "TTL");
        Directory.CreateDirectory(ttl);
        var ordered = ProbeTtl.OrderBy(e => e.SampleNumber).ToArray();
        NpyWriter.WriteInt16(Path.Combine(ttl, "states.npy"), ordered.Select(e => e.State).ToArray());
        NpyWriter.WriteInt64(Path.Combine(ttl, "sample_numbers.npy"), ordered.Select(e => e.SampleNumber).ToArray());
        NpyWriter.WriteFloat64(Path.Combine(ttl, "timestamps.npy"), ordered.Select(e => e.SampleNumber / ProbeRateHz).ToArray());
        return recording;
    }

    /// <summary>The continuous folder of a stream.</summary>
    public static string StreamFolder(string recording, string folder) => Path.Combine(recording, "continuous", folder);

    private static void WriteStream(string recording, string folder, long samples, int channels, double rate, bool timestamps)
    {
        string dir = StreamFolder(recording, folder);
        Directory.CreateDirectory(dir);
        SyntheticEphys.WriteInt16(Path.Combine(dir, "continuous.dat"), samples, channels);
        long[] numbers = Enumerable.Range(0, (int)samples).Select(k => FirstSampleNumber + k).ToArray();
        NpyWriter.WriteInt64(Path.Combine(dir, "sample_numbers.npy"), numbers);
        if (timestamps)
        {
            NpyWriter.WriteFloat64(Path.Combine(dir, "timestamps.npy"), numbers.Select(n => (n / rate) + TimestampOffsetSeconds).ToArray());
        }
    }
}

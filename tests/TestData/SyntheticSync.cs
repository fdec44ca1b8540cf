using System.Buffers.Binary;

namespace NeuroAlign.TestData;

/// <summary>
/// A device's clock against the reference (the world's) clock: it starts counting at
/// <see cref="StartSeconds"/> and runs <see cref="RatePpm"/> parts per million fast (negative: slow),
/// so own seconds = (reference - start) · (1 + ppm·1e-6). This is the ground truth sync must recover.
/// </summary>
public readonly record struct DeviceClock(double StartSeconds, double RatePpm)
{
    public double OwnOf(double referenceSeconds) => (referenceSeconds - StartSeconds) * (1 + (RatePpm * 1e-6));

    public double ReferenceOf(double ownSeconds) => StartSeconds + (ownSeconds / (1 + (RatePpm * 1e-6)));
}

/// <summary>A digital signal in the world: whether a line is high at a reference-clock time.</summary>
public delegate bool LineSignal(double referenceSeconds);

/// <summary>
/// Synthetic sessions for clock synchronisation with known truth: digital lines (a 1 Hz sync square
/// wave, a camera strobe, scanner triggers) defined in reference time and sampled by devices whose
/// clocks are offset and drift, written as small interleaved int16 files.
/// </summary>
public static class SyntheticSync
{
    /// <summary>A square wave: high for <paramref name="highSeconds"/> of every period, rising at phase + n · period.</summary>
    public static LineSignal SquareWave(double periodSeconds, double highSeconds, double phaseSeconds) =>
        t => (((t - phaseSeconds) % periodSeconds) + periodSeconds) % periodSeconds < highSeconds;

    /// <summary>Pulses of <paramref name="widthSeconds"/> starting at each of <paramref name="startSeconds"/> (sorted).</summary>
    public static LineSignal Pulses(IReadOnlyList<double> startSeconds, double widthSeconds) => t =>
    {
        int lo = 0, hi = startSeconds.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (startSeconds[mid] <= t)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found >= 0 && t < startSeconds[found] + widthSeconds;
    };

    /// <summary>The value of every data channel at sample k: k's low 15 bits, so a read sample tells its index.</summary>
    public static short DataValue(long sample) => (short)(sample & 0x7FFF);

    /// <summary>
    /// Writes <paramref name="samples"/> samples of <paramref name="channels"/> int16 channels, sampled at a
    /// nominal <paramref name="rateHz"/> on <paramref name="clock"/>: sample k is taken at reference time
    /// clock.ReferenceOf(k / rate). The last channel is a digital word whose bits carry
    /// <paramref name="lines"/>; the others hold <see cref="DataValue"/>.
    /// </summary>
    public static void WriteRecording(string path, int channels, double rateHz, long samples, DeviceClock clock, IReadOnlyList<(int Bit, LineSignal Signal)> lines)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var row = new byte[channels * 2];
        for (long k = 0; k < samples; k++)
        {
            double t = clock.ReferenceOf(k / rateHz);
            int word = 0;
            foreach ((int bit, LineSignal signal) in lines)
            {
                if (signal(t))
                {
                    word |= 1 << bit;
                }
            }

            for (int c = 0; c < channels - 1; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(c * 2), DataValue(k));
            }

            BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan((channels - 1) * 2), (short)word);
            file.Write(row);
        }
    }

    /// <summary>The first sample of a device taken at or after reference time <paramref name="referenceSeconds"/>: where an edge then shows.</summary>
    public static long FirstSampleAtOrAfter(DeviceClock clock, double rateHz, double referenceSeconds) =>
        (long)Math.Ceiling(clock.OwnOf(referenceSeconds) * rateHz - 1e-9);

    /// <summary>
    /// A camera exposing at <paramref name="fps"/> on its own clock for <paramref name="slots"/> exposures,
    /// skipping a fraction of them (no strobe, no frame), never the first or last: returns the
    /// reference times of the frames it saved, in order.
    /// </summary>
    public static double[] CameraFrames(DeviceClock clock, double fps, int slots, double dropFraction, int seed, out int dropped)
    {
        var random = new Random(seed);
        var frames = new List<double>(slots);
        dropped = 0;
        for (int s = 0; s < slots; s++)
        {
            if (s > 0 && s < slots - 1 && random.NextDouble() < dropFraction)
            {
                dropped++;
                continue;
            }

            frames.Add(clock.ReferenceOf(s / fps));
        }

        return [.. frames];
    }
}

/// <summary>SpikeGLX .meta files for small synthetic recordings written by <see cref="SyntheticSync.WriteRecording"/>.</summary>
public static class SyntheticSpikeGlxMeta
{
    /// <summary>
    /// An NP 1.0 imec .meta saving <paramref name="apChannels"/> AP channels (gain 500) and the SY word as
    /// the last column, whose bit 6 is the sync input (Metadata_30.md).
    /// </summary>
    public static void WriteImec(string binPath, int apChannels, double rateHz, long firstSample = 0)
    {
        var imro = new System.Text.StringBuilder("(0,384)");
        for (int c = 0; c < 384; c++)
        {
            imro.Append(System.FormattableString.Invariant($"({c} 0 0 500 250 1)"));
        }

        string[] lines =
        [
            "typeThis=imec",
            "imDatPrb_type=0",
            System.FormattableString.Invariant($"imSampRate={rateHz:R}"),
            $"nSavedChans={apChannels + 1}",
            "acqApLfSy=384,384,1",
            $"snsApLfSy={apChannels},0,1",
            $"snsSaveChanSubset=0:{apChannels - 1},768",
            "imAiRangeMax=0.6",
            "imAiRangeMin=-0.6",
            "imMaxInt=512",
            $"firstSample={firstSample}",
            "syncSourceIdx=0",
            $"~imroTbl={imro}",
        ];
        File.WriteAllLines(Path.ChangeExtension(binPath, ".meta"), lines);
    }

    /// <summary>
    /// A NIDQ .meta saving one XA channel and one digital word (XD0, lines 0-7); <paramref name="syncLine"/>
    /// is the line syncNiChan names (null: the .meta names none).
    /// </summary>
    public static void WriteNidq(string binPath, double rateHz, int? syncLine, long firstSample = 0)
    {
        string[] lines =
        [
            "typeThis=nidq",
            System.FormattableString.Invariant($"niSampRate={rateHz:R}"),
            "nSavedChans=2",
            "acqMnMaXaDw=0,0,1,1",
            "snsMnMaXaDw=0,0,1,1",
            "snsSaveChanSubset=all",
            "niAiRangeMax=5",
            "niMaxInt=32768",
            "niMNGain=200",
            "niMAGain=1",
            "niXDChans1=0:7",
            "niXDBytes1=1",
            syncLine is null ? "syncSourceIdx=0" : "syncSourceIdx=1",
            "syncNiChanType=0",
            $"syncNiChan={syncLine ?? 0}",
            $"firstSample={firstSample}",
        ];
        File.WriteAllLines(Path.ChangeExtension(binPath, ".meta"), lines);
    }
}

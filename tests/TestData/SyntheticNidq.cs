using System.Buffers.Binary;
using System.Globalization;

namespace NeuroAlign.TestData;

/// <summary>
/// A small NIDQ recording with every kind of channel and a known truth: MN0 (gain 200), MA0 (gain 2),
/// XA0 carrying a photodiode (light pulses with 1 ms ramps, and one slow noisy pulse), and the XD0
/// word whose line 3 carries pulses of two widths. ±5 V over 32768 counts.
/// </summary>
public sealed class SyntheticNidq
{
    public const double RateHz = 25_000;
    public const long Samples = 50_000;
    public const double RangeMaxVolts = 5;
    public const int MaxInt = 32768;
    public const double MnGain = 200;
    public const double MaGain = 2;
    public const int WidthLine = 3;
    public const double LevelVolts = 2.5;

    /// <summary>Dark and lit photodiode levels, volts.</summary>
    public const double Dark = 0.2, Lit = 4.2;

    /// <summary>Clean light pulses: light rises over 1 ms from each onset, stays 50 ms, falls over 1 ms.</summary>
    public static readonly double[] Onsets = [0.1003, 0.40071, 0.7, 1.23456];

    /// <summary>A slow pulse: light rises over 40 ms from here with a ±0.1 V, 1 kHz ripple, crossing the level several times.</summary>
    public const double SlowOnset = 1.5;

    /// <summary>Line 3: 10 ms and 30 ms pulses, alternating, from these times.</summary>
    public static readonly double[] WidthPulseStarts = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.1];

    public const double ShortWidth = 0.010, LongWidth = 0.030;

    /// <param name="folder">Where the .bin and .meta go.</param>
    /// <param name="firstSample">The .meta's firstSample.</param>
    /// <param name="syncOnXa">XA0 carries <see cref="AnalogSync"/> (the XD line 0 wave as light) instead of the photodiode pulses.</param>
    /// <param name="name">The .bin's file name.</param>
    public SyntheticNidq(string folder, long firstSample = 0, bool syncOnXa = false, string name = "rig_g0_t0.nidq.bin")
    {
        BinPath = Path.Combine(folder, name);
        FirstSample = firstSample;
        SyncOnXa = syncOnXa;
        Write();
    }

    /// <summary>XD line 0: high for the first 500 of every 1000 samples (a 25 Hz sync wave).</summary>
    public const double SyncPeriod = 0.04;

    /// <summary>How long after each rising edge of XD line 0 the analog copy of the wave crosses the level: its 1 ms ramp reaches 2.5 V.</summary>
    public const double AnalogSyncDelay = 0.001 * (LevelVolts - Dark) / (Lit - Dark);

    public bool SyncOnXa { get; }

    /// <summary>XD line 0's wave as light: from each rising edge a 1 ms ramp up, from each falling edge a 1 ms ramp down.</summary>
    public static double AnalogSync(double t)
    {
        double phase = t - (Math.Floor(t / SyncPeriod) * SyncPeriod);
        double lit = phase < SyncPeriod / 2 ? Math.Clamp(phase / 0.001, 0, 1) : Math.Clamp(1 - ((phase - (SyncPeriod / 2)) / 0.001), 0, 1);
        return Dark + ((Lit - Dark) * lit);
    }

    public string BinPath { get; }

    public long FirstSample { get; }

    /// <summary>The photodiode in volts at time t (seconds from the first sample).</summary>
    public static double Photodiode(double t)
    {
        foreach (double on in Onsets)
        {
            if (t >= on && t < on + 0.052)
            {
                double up = Math.Clamp((t - on) / 0.001, 0, 1), down = Math.Clamp((t - on - 0.051) / 0.001, 0, 1);
                return Dark + ((Lit - Dark) * (up - down));
            }
        }

        if (t >= SlowOnset && t < SlowOnset + 0.1)
        {
            double up = Math.Clamp((t - SlowOnset) / 0.040, 0, 1);
            return Dark + ((Lit - Dark) * up) + (0.1 * Math.Sin(2 * Math.PI * 1000 * (t - SlowOnset)));
        }

        return Dark;
    }

    /// <summary>The clean pulses' true crossings of the level, up then down, seconds from the first sample.</summary>
    public static (double Up, double Down)[] CleanCrossings() =>
        [.. Onsets.Select(on => (on + (0.001 * (LevelVolts - Dark) / (Lit - Dark)), on + 0.051 + (0.001 * (Lit - LevelVolts) / (Lit - Dark))))];

    /// <summary>The slow pulse's first upward crossing of the level, found by a 0.1 µs search of <see cref="Photodiode"/>.</summary>
    public static double SlowFirstCrossing()
    {
        for (double t = SlowOnset; ; t += 1e-7)
        {
            if (Photodiode(t) >= LevelVolts)
            {
                return t;
            }
        }
    }

    /// <summary>Whether line 3 is high at t.</summary>
    public static bool WidthLineHigh(double t)
    {
        for (int i = 0; i < WidthPulseStarts.Length; i++)
        {
            if (t >= WidthPulseStarts[i] && t < WidthPulseStarts[i] + (i % 2 == 0 ? ShortWidth : LongWidth))
            {
                return true;
            }
        }

        return false;
    }

    public static short MnValue(long k) => (short)((k % 200) - 100);

    public static short MaValue(long k) => (short)((k % 13) * 1000);

    private void Write()
    {
        using (var file = new FileStream(BinPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var row = new byte[8];
            for (long k = 0; k < Samples; k++)
            {
                double t = k / RateHz;
                short xa = (short)Math.Round((SyncOnXa ? AnalogSync(t) : Photodiode(t)) / RangeMaxVolts * MaxInt);
                short word = (short)((WidthLineHigh(t) ? 1 << WidthLine : 0) | (k % 1000 < 500 ? 1 : 0));
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(0), MnValue(k));
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(2), MaValue(k));
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(4), xa);
                BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan(6), word);
                file.Write(row);
            }
        }

        File.WriteAllLines(Path.ChangeExtension(BinPath, ".meta"),
        [
            "typeThis=nidq",
            string.Create(CultureInfo.InvariantCulture, $"niSampRate={RateHz:R}"),
            "nSavedChans=4",
            "acqMnMaXaDw=1,1,1,1",
            "snsMnMaXaDw=1,1,1,1",
            "snsSaveChanSubset=all",
            string.Create(CultureInfo.InvariantCulture, $"niAiRangeMax={RangeMaxVolts:R}"),
            string.Create(CultureInfo.InvariantCulture, $"niAiRangeMin={-RangeMaxVolts:R}"),
            $"niMaxInt={MaxInt}",
            string.Create(CultureInfo.InvariantCulture, $"niMNGain={MnGain:R}"),
            string.Create(CultureInfo.InvariantCulture, $"niMAGain={MaGain:R}"),
            "niXDChans1=0:7",
            "niXDBytes1=1",
            "syncSourceIdx=0",
            "syncNiChanType=0",
            "syncNiChan=0",
            $"firstSample={FirstSample}",
        ]);
    }
}

using NeuroAlign.Formats;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData.Fuzzing;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// What a fuzz case does with a recording that opened: what `info` shows (every detail), a few
/// reads within bounds, and the checks that make a success self-consistent. A failed check is a
/// <see cref="ContractViolationException"/>: a reader that accepts a file must describe it truthfully.
/// </summary>
internal static class ReaderChecks
{
    public static void Ephys(EphysRecording recording)
    {
        Details(recording.Details);
        int channels = recording.ChannelCount;
        long samples = recording.Clock.SampleCount;
        Require(channels >= 1, $"{channels} channels");
        Require(recording.ChannelIds.Count == channels && recording.GainsToMicrovolts.Count == channels && recording.ChannelNames.Count == channels, "channel ids, gains and names do not match the channel count");
        Require(recording.GainsToMicrovolts.All(g => double.IsFinite(g) && g > 0), $"a gain that is not a positive finite number: {string.Join(", ", recording.GainsToMicrovolts.Where(g => !(double.IsFinite(g) && g > 0)).Take(3))}");
        if (recording.ChannelLayout is { } channelLayout)
        {
            ProbeSite? far = channelLayout.Sites.FirstOrDefault(s => s is { } p && !(Math.Abs(p.XUm) <= 1e6 && Math.Abs(p.YUm) <= 1e6 && p.Shank >= 0));
            Require(far is null, $"a channel position that is not on a probe: {far}");
        }

        long frame = (long)channels * recording.ElementType.SizeOf();
        if (recording.Data is InterleavedBinaryStream mapped)
        {
            InterleavedLayout layout = mapped.Layout;
            long fileBytes = new FileInfo(layout.Path).Length;
            Require(samples >= 0 && layout.DataOffsetBytes >= 0 && layout.DataOffsetBytes + (samples * frame) <= fileBytes, $"{samples} samples × {frame} bytes from byte {layout.DataOffsetBytes} do not fit a {fileBytes}-byte file");
        }
        Clock(recording.Clock);
        if (samples > 0)
        {
            foreach (long start in new[] { 0, samples / 2, Math.Max(0, samples - 4) })
            {
                int count = (int)Math.Min(4, samples - start);
                byte[] block = new byte[count * frame];
                recording.ReadBlock(start, count, block);
                if (recording.TryGetWindow(start, count, out ReadOnlySpan<byte> window))
                {
                    Require(window.SequenceEqual(block), $"the mapped window at sample {start} differs from ReadBlock");
                }
            }
        }

        foreach (DigitalLineSet set in recording.DigitalLines)
        {
            Printable(set.Describe(), "a digital line set");
            foreach (DigitalEdges edges in set.GetAllEdges())
            {
                // Edges may lie outside the samples (Open Ephys TTL events before or after the
                // continuous data keep their place on the counter), but in order and at finite times.
                foreach (IReadOnlyList<long> list in new[] { edges.RisingSamples, edges.FallingSamples })
                {
                    Require(list.Zip(list.Skip(1)).All(p => p.First < p.Second), $"line {edges.Line}: edges out of order");
                    Require(list.All(i => double.IsFinite(set.Clock.TimeOf(i))), $"line {edges.Line}: an edge at no finite time");
                }
            }
        }
    }

    public static void Nifti(NiftiStream stream)
    {
        Details(stream.Details);
        foreach (string warning in stream.Warnings)
        {
            Printable(warning, "a warning");
        }

        NiftiHeader h = stream.Header;
        IReadOnlyList<int> shape = stream.SampleShape;
        Require(shape.Count == 3 && shape.All(s => s >= 1), $"shape [{string.Join(", ", shape)}]");
        long volumes = stream.VolumeCount;
        Require(volumes >= 1 && stream.Clock.SampleCount == volumes, $"{volumes} volumes, a clock of {stream.Clock.SampleCount}");
        Clock(stream.Clock);
        var voxels = new float[(long)shape[0] * shape[1] * shape[2]];
        foreach (long volume in new[] { 0, volumes - 1 }.Distinct())
        {
            stream.ReadVolume(volume, voxels);
        }

        if (h.HasScaling)
        {
            Require(double.IsFinite(h.SclSlope) && double.IsFinite(h.SclInter), "scaling with a non-finite slope or intercept");
        }

        for (int slice = 0; slice < Math.Min(3, stream.Timing.SliceCount); slice++)
        {
            Require(double.IsFinite(stream.Timing.SliceOffsetSeconds(slice)), $"slice {slice}'s offset is not finite");
        }

        if (stream.Timing.RepetitionTimeSeconds is { } tr)
        {
            Require(double.IsFinite(tr) && tr > 0, $"TR {tr}");
        }
    }

    /// <summary>Times are finite and never go back; a time maps back to a sample in range.</summary>
    public static void Clock(SampleClock clock)
    {
        Printable(clock.Describe(), "the clock's description");
        long n = clock.SampleCount;
        Require(double.IsFinite(clock.MeanRateHz) || n <= 1, $"mean rate {clock.MeanRateHz}");
        if (n == 0)
        {
            return;
        }

        double first = clock.TimeOf(0), last = clock.TimeOf(n - 1);
        Require(double.IsFinite(first) && double.IsFinite(last) && last >= first, $"sample 0 at {first} s, sample {n - 1} at {last} s");
        Require(!double.IsNaN(clock.EndSeconds) && clock.EndSeconds >= last, $"end {clock.EndSeconds} s before the last sample at {last} s");
        long back = clock.IndexAtOrBefore(last);
        Require(back >= 0 && back < n, $"the last sample's time maps to sample {back} of {n}");
        long middle = clock.IndexAtOrBefore((first + last) / 2);
        Require(middle >= 0 && middle < n, $"the middle time maps to sample {middle} of {n}");
    }

    public static void Details(IReadOnlyList<KeyValuePair<string, string>> details)
    {
        foreach ((string key, string value) in details)
        {
            Printable(key, "an info key");
            Printable(value, $"info '{key}'");
        }
    }

    public static void Printable(string text, string what)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' || (c >= '\u202A' && c <= '\u202E'))
            {
                throw new ContractViolationException($"{what} holds U+{(int)c:X4}: {NeuroAlign.Printable.Escape(text)}");
            }
        }
    }

    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new ContractViolationException($"accepted but inconsistent: {what}");
        }
    }
}

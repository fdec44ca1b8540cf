using System.Globalization;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;
using K = NeuroAlign.Formats.OpenEphys.OpenEphysConstants;

namespace NeuroAlign.Formats.OpenEphys;

/// <summary>
/// Open Ephys GUI binary recordings (0.6 and later): structure.oebin indexes continuous streams,
/// each a continuous.dat of interleaved little-endian int16 with sample_numbers.npy (int64 sample
/// counts on the stream's acquisition clock) and timestamps.npy (float64 seconds); TTL events are
/// states.npy (+line on, −line off) stamped with sample_numbers.npy.
/// </summary>
public static class OpenEphysReader
{
    public const string FormatName = "openephys";

    /// <summary>
    /// Finds the structure.oebin for <paramref name="path"/>: the file itself, the one in a recording
    /// folder, the one two folders above a continuous.dat (whose stream is then the default), or in a
    /// Record Node folder the one of <c>NODE#experimentN/recordingM</c> (by default the first
    /// experiment's first recording).
    /// </summary>
    public static bool TryResolve(string path, out string oebinPath, out string? streamFolder) => TryResolve(path, out oebinPath, out streamFolder, out _);

    /// <inheritdoc cref="TryResolve(string, out string, out string?)"/>
    /// <param name="path">The path as given.</param>
    /// <param name="oebinPath">The structure.oebin found.</param>
    /// <param name="streamFolder">The stream a continuous.dat path names, else null.</param>
    /// <param name="notice">When a Record Node holds several recordings and none was named: which was taken and how to name another.</param>
    public static bool TryResolve(string path, out string oebinPath, out string? streamFolder, out string? notice)
    {
        ArgumentNullException.ThrowIfNull(path);
        streamFolder = null;
        notice = null;
        oebinPath = "";
        (string folderOrFile, string? fragment) = PathFragment.Split(path);
        if (Directory.Exists(folderOrFile))
        {
            if (fragment is not null)
            {
                oebinPath = Path.Combine(folderOrFile, fragment, K.StructureFileName);
                return File.Exists(oebinPath) || ThrowNoSuchRecording(folderOrFile, fragment);
            }

            oebinPath = Path.Combine(folderOrFile, K.StructureFileName);
            if (File.Exists(oebinPath))
            {
                return true;
            }

            string[] recordings = Recordings(folderOrFile);
            if (recordings.Length == 0)
            {
                return false;
            }

            oebinPath = Path.Combine(folderOrFile, recordings[0], K.StructureFileName);
            if (recordings.Length > 1)
            {
                notice = $"{folderOrFile} holds {recordings.Length} recordings ({string.Join(", ", recordings)}); using {recordings[0]} (name another as PATH#{recordings[^1]})";
            }

            return true;
        }

        if (Path.GetExtension(path).Equals(K.OebinExtension, StringComparison.OrdinalIgnoreCase))
        {
            oebinPath = path;
            return true;
        }

        if (Path.GetFileName(path).Equals(K.ContinuousDataFileName, StringComparison.OrdinalIgnoreCase))
        {
            // <recording>/continuous/<folder_name>/continuous.dat
            string? streamDir = Path.GetDirectoryName(Path.GetFullPath(path));
            string? continuousDir = streamDir is null ? null : Path.GetDirectoryName(streamDir);
            string? recordingDir = continuousDir is null ? null : Path.GetDirectoryName(continuousDir);
            if (recordingDir != null && File.Exists(Path.Combine(recordingDir, K.StructureFileName)))
            {
                oebinPath = Path.Combine(recordingDir, K.StructureFileName);
                streamFolder = Path.GetFileName(streamDir);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The recordings of a Record Node folder, as <c>experimentN/recordingM</c>, in the GUI's order:
    /// by experiment number, then recording number (experiment10 after experiment9).
    /// </summary>
    public static string[] Recordings(string nodeFolder)
    {
        ArgumentNullException.ThrowIfNull(nodeFolder);
        return
        [
            .. Numbered(nodeFolder, K.ExperimentPrefix).SelectMany(e => Numbered(Path.Combine(nodeFolder, e), K.RecordingPrefix)
                .Where(r => File.Exists(Path.Combine(nodeFolder, e, r, K.StructureFileName)))
                .Select(r => $"{e}/{r}")),
        ];
    }

    private static IEnumerable<string> Numbered(string folder, string prefix) =>
        Directory.EnumerateDirectories(folder, prefix + "*")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Select(name => (Name: name, Number: int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1))
            .Where(x => x.Number >= 0)
            .OrderBy(x => x.Number)
            .Select(x => x.Name);

    private static bool ThrowNoSuchRecording(string node, string fragment)
    {
        string[] recordings = Directory.Exists(node) ? Recordings(node) : [];
        throw new NeuroAlignException(Printable.Escape(recordings.Length == 0
            ? $"{node}#{fragment}: {Path.Combine(node, fragment)} holds no {K.StructureFileName}, and {node} is no Open Ephys Record Node (no experimentN/recordingM folders)"
            : $"{node}#{fragment}: no such recording; the recordings are {string.Join(", ", recordings)}"));
    }

    /// <summary>Opens one continuous stream of an Open Ephys binary recording.</summary>
    /// <param name="path">structure.oebin, its folder, or a stream's continuous.dat.</param>
    /// <param name="streamName">stream_name or folder_name of the stream; null: the first neural stream.</param>
    public static EphysRecording Open(string path, string? streamName = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!TryResolve(path, out string oebinPath, out string? streamFolder, out string? notice))
        {
            throw new NeuroAlignException(Printable.Escape($"{path}: no {K.StructureFileName} here: expected an Open Ephys recording folder (…/experiment1/recording1) or its {K.StructureFileName}"));
        }

        OebinStructure structure = OebinStructure.Load(oebinPath);
        OebinContinuousStream stream = SelectStream(structure, streamName ?? streamFolder);
        string streamDir = Path.Combine(structure.RecordingFolder, K.ContinuousFolder, stream.FolderId);
        string datPath = Path.Combine(streamDir, K.ContinuousDataFileName);
        if (!File.Exists(datPath))
        {
            throw new NeuroAlignException(Printable.Escape($"{oebinPath}: stream '{stream.StreamName}': its data file {datPath} does not exist"));
        }

        var warnings = new List<string>();
        if (notice is not null)
        {
            warnings.Add(notice);
        }

        double[] gains = stream.Channels.Select(c => GainToMicrovolts(c, warnings)).ToArray();
        int[] ids = ChannelIds(stream);
        var owned = new List<IDisposable>();
        InterleavedBinaryStream? data = null;
        try
        {
            string samplePath = Path.Combine(streamDir, K.SampleNumbersFileName);
            string timePath = Path.Combine(streamDir, K.TimestampsFileName);
            NpyArray? sampleNumbers = File.Exists(samplePath) ? Track(owned, NpyArray.OpenVector(samplePath, SampleType.Int64)) : null;
            NpyArray? timestamps = File.Exists(timePath) ? Track(owned, NpyArray.OpenVector(timePath, SampleType.Float64, SampleType.Float32)) : null;
            string clockSource = "";
            long firstSampleNumber = 0;
            bool contiguous = true;
            SampleClock MakeClock(long samples)
            {
                CheckLength(sampleNumbers, samples);
                CheckLength(timestamps, samples);
                double rate = stream.SampleRateHz;
                if (sampleNumbers != null && samples > 0)
                {
                    firstSampleNumber = sampleNumbers.GetInt64(0);
                    contiguous = sampleNumbers.GetInt64(samples - 1) - firstSampleNumber == samples - 1;
                }

                // The stream's own sample counter is its clock: the sync fit ties streams together
                // from their shared TTL line. timestamps.npy holds the GUI's own synchronisation
                // onto its main stream, which can sit several samples off those edges.
                if (sampleNumbers != null && !contiguous)
                {
                    clockSource = $"explicit, {K.SampleNumbersFileName} / sample_rate (the sample numbers have gaps)";
                    return new ExplicitClock(sampleNumbers.AsTimestamps(1 / rate), 1 / rate, samplePath);
                }

                if (sampleNumbers != null || timestamps == null)
                {
                    clockSource = sampleNumbers is null
                        ? $"regular from sample_rate; no {K.SampleNumbersFileName}, so t0 = 0"
                        : $"regular: t0 = {K.SampleNumbersFileName}[0] {firstSampleNumber} / sample_rate {rate:R} Hz";
                    return new RegularClock(firstSampleNumber / rate, rate, samples);
                }

                clockSource = $"explicit, from {K.TimestampsFileName} (no {K.SampleNumbersFileName})";
                return new ExplicitClock(timestamps.AsTimestamps(), 1 / rate, timePath);
            }

            var layout = new InterleavedLayout(datPath, 0, stream.Channels.Count, SampleType.Int16);
            data = InterleavedBinaryStream.Open(layout, MakeClock, ids, gains, FormatName);

            DigitalLineSet[] ttl = ReadTtlLines(structure, stream, data.Clock, sampleNumbers, firstSampleNumber, contiguous, warnings);
            var details = new List<KeyValuePair<string, string>>
            {
                new("structure", $"{oebinPath} (GUI {structure.GuiVersion})"),
                new("stream", $"{stream.StreamName} ({stream.FolderId}, {stream.SourceProcessorName}); streams in the recording: {string.Join(", ", structure.Continuous.Select(s => s.StreamName))}"),
                new("bit_volts", DescribeBitVolts(stream)),
                new("clock", clockSource),
                new("sample numbers", sampleNumbers is null
                    ? $"no {K.SampleNumbersFileName}"
                    : $"{K.SampleNumbersFileName}[0] = {firstSampleNumber} ({firstSampleNumber / stream.SampleRateHz:R} s at {stream.SampleRateHz:R} Hz){(contiguous ? "" : "; with gaps")}"),
            };
            if (timestamps != null && sampleNumbers != null && timestamps.Count > 0)
            {
                double first = timestamps.AsTimestamps()[0];
                details.Add(new("GUI timestamps", string.Create(CultureInfo.InvariantCulture, $"{K.TimestampsFileName} starts at {first:R} s, {(first - (firstSampleNumber / stream.SampleRateHz)) * 1e3:F3} ms from sample_numbers / sample_rate (the GUI's synchronisation; not used: NeuroAlign fits clocks from the sync line)")));
            }
            return new EphysRecording(data, stream.Channels.Select(c => c.Name).ToArray(), details, ttl, warnings, owned, units: [.. stream.Channels.Select(NaturalUnit)]);
        }
        catch
        {
            data?.Dispose();
            foreach (IDisposable d in owned)
            {
                d.Dispose();
            }

            throw;
        }
    }

    /// <summary>The stream named <paramref name="name"/> (stream_name or folder_name), or the default: the first neural stream.</summary>
    /// <exception cref="NeuroAlignException">No stream has that name; the message lists those that exist.</exception>
    public static OebinContinuousStream SelectStream(OebinStructure structure, string? name)
    {
        ArgumentNullException.ThrowIfNull(structure);
        if (structure.Continuous.Count == 0)
        {
            throw new InvalidRecordingException(structure.Path, $"\"{K.ContinuousKey}\"", "an empty list", "at least one continuous stream");
        }

        if (name is null)
        {
            return structure.Continuous.FirstOrDefault(IsNeural) ?? structure.Continuous[0];
        }

        OebinContinuousStream[] matches = structure.Continuous.Where(s => s.StreamName == name || s.FolderId == name.TrimEnd('/', '\\')).ToArray();
        if (matches.Length == 0)
        {
            matches = structure.Continuous
                .Where(s => s.StreamName.Equals(name, StringComparison.OrdinalIgnoreCase) || s.FolderId.Equals(name.TrimEnd('/', '\\'), StringComparison.OrdinalIgnoreCase))
                .ToArray();
        }

        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new NeuroAlignException(Printable.Escape(
                $"{structure.Path}: no stream named '{name}': the streams are {string.Join(", ", structure.Continuous.Select(s => $"'{s.StreamName}' ({s.FolderId})"))}")),
            _ => throw new NeuroAlignException(Printable.Escape(
                $"{structure.Path}: {matches.Length} streams are named '{name}': name one by its folder: {string.Join(", ", matches.Select(s => s.FolderId))}")),
        };
    }

    /// <summary>Whether a stream carries headstage (microvolt) channels rather than only ADC inputs.</summary>
    public static bool IsNeural(OebinContinuousStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.Channels.Any(c => UnitOf(c) == Unit.Microvolts);
    }

    /// <summary>
    /// Microvolts per count of a channel: bit_volts scaled by its units. Empty units mean microvolts
    /// for headstage channels but volts for analog inputs, ADC and NI-DAQ AI channels (as Neo reads
    /// ADC channels: the GUI writes their bit_volts in volts, e.g. 10 V / 2^16).
    /// </summary>
    public static double GainToMicrovolts(OebinChannel channel, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        switch (UnitOf(channel))
        {
            case Unit.Microvolts: return channel.BitVolts;
            case Unit.Millivolts: return channel.BitVolts * 1e3;
            case Unit.Volts: return channel.BitVolts * 1e6;
            default:
                warnings?.Add($"channel {channel.Name}: units '{channel.Units}' are not a voltage: gain_to_uV set to 1 (bit_volts {channel.BitVolts:R} {channel.Units} per count)");
                return 1.0;
        }
    }

    /// <summary>
    /// Channel ids: the number ending each channel_name (CH334 → 334, ADC3 → 3) when those are
    /// distinct; names without one (CH_SYNC) get the ids after the largest. Otherwise file positions.
    /// </summary>
    public static int[] ChannelIds(OebinContinuousStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int?[] numbers = stream.Channels.Select(c => TrailingNumber(c.Name)).ToArray();
        var numbered = numbers.Where(n => n.HasValue).Select(n => n!.Value).ToArray();
        if (numbered.Length == 0 || numbered.Distinct().Count() != numbered.Length)
        {
            return Enumerable.Range(0, stream.Channels.Count).ToArray();
        }

        int next = numbered.Max() + 1;
        return numbers.Select(n => n ?? next++).ToArray();
    }

    private static int? TrailingNumber(string name)
    {
        int start = name.Length;
        while (start > 0 && char.IsAsciiDigit(name[start - 1]))
        {
            start--;
        }

        return start < name.Length && int.TryParse(name.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
    }

    /// <summary>A channel's natural unit: its units as written (empty: volts for ADC channels, microvolts otherwise); counts when they are no voltage.</summary>
    public static string NaturalUnit(OebinChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return UnitOf(channel) switch
        {
            Unit.Microvolts => ChannelUnits.Microvolts,
            Unit.Millivolts => ChannelUnits.Millivolts,
            Unit.Volts => ChannelUnits.Volts,
            _ => ChannelUnits.Counts,
        };
    }

    private enum Unit
    {
        Microvolts,
        Millivolts,
        Volts,
        Other,
    }

    private static Unit UnitOf(OebinChannel channel) => channel.Units.Trim() switch
    {
        "uV" or "µV" or "μV" or "uv" => Unit.Microvolts,
        "mV" or "mv" => Unit.Millivolts,
        "V" or "v" => Unit.Volts,
        "" => IsAnalogInput(channel.Name) ? Unit.Volts : Unit.Microvolts,
        _ => Unit.Other,
    };

    /// <summary>
    /// An analog input by its name: a headstage ADC (ADC1) or an NI-DAQ input (AI0, whose bit_volts the
    /// GUI writes in volts: 10 V / 32768 = 0.000305 for a ±10 V range).
    /// </summary>
    private static bool IsAnalogInput(string name) =>
        name.StartsWith("ADC", StringComparison.OrdinalIgnoreCase)
        || (name.Length > 2 && name.StartsWith("AI", StringComparison.OrdinalIgnoreCase) && name.AsSpan(2).IndexOfAnyExceptInRange('0', '9') < 0);

    private static string DescribeBitVolts(OebinContinuousStream stream) =>
        string.Join(", ", stream.Channels.GroupBy(c => (c.BitVolts, Unit: UnitOf(c))).Select(g =>
        {
            string unit = g.Key.Unit switch { Unit.Microvolts => "uV", Unit.Millivolts => "mV", Unit.Volts => "V", _ => $"'{g.First().Units}'" };
            string who = g.Count() == 1 ? g.First().Name : $"{g.Count()} channels";
            return $"{g.Key.BitVolts:R} {unit} ({who})";
        }));

    private static T Track<T>(List<IDisposable> owned, T item)
        where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    private static void CheckLength(NpyArray? array, long samples)
    {
        if (array != null && array.Count != samples)
        {
            throw new InvalidRecordingException(
                array.Path, "header 'shape'", $"({array.Count},)", $"({samples},): one value per sample of {K.ContinuousDataFileName}");
        }
    }

    private static DigitalLineSet[] ReadTtlLines(
        OebinStructure structure, OebinContinuousStream stream, SampleClock clock, NpyArray? streamSampleNumbers, long firstSampleNumber, bool contiguous, List<string> warnings)
    {
        var sets = new List<DigitalLineSet>();
        foreach (OebinEventStream events in structure.Events.Where(e => e.IsTtl && e.StreamName == stream.StreamName))
        {
            string folder = Path.Combine(structure.RecordingFolder, K.EventsFolder, events.FolderName.TrimEnd('/', '\\'));
            string statesPath = Path.Combine(folder, K.StatesFileName);
            string samplesPath = Path.Combine(folder, K.SampleNumbersFileName);
            if (!File.Exists(statesPath) || !File.Exists(samplesPath))
            {
                warnings.Add($"TTL events '{events.ChannelName}': {folder} has no {K.StatesFileName} and {K.SampleNumbersFileName}; its lines are not read");
                continue;
            }

            long[] states, stamps;
            using (NpyArray s = NpyArray.OpenVector(statesPath, SampleType.Int8, SampleType.Int16, SampleType.Int32, SampleType.Int64))
            using (NpyArray n = NpyArray.OpenVector(samplesPath, SampleType.Int64))
            {
                if (s.Count != n.Count)
                {
                    throw new InvalidRecordingException(samplesPath, "header 'shape'", $"({n.Count},)", $"({s.Count},): one sample number per entry of {K.StatesFileName}");
                }

                states = s.ReadAllInt64();
                stamps = n.ReadAllInt64();
            }

            var rising = new SortedDictionary<int, List<long>>();
            var falling = new SortedDictionary<int, List<long>>();
            var firstRising = new Dictionary<int, bool>();
            int outside = 0;
            for (int i = 0; i < states.Length; i++)
            {
                if (states[i] == 0 || Math.Abs(states[i]) > int.MaxValue)
                {
                    throw new InvalidRecordingException(statesPath, $"element {i}", states[i].ToString(), "+line (on) or -line (off), line ≥ 1");
                }

                // With contiguous sample numbers an event outside the continuous data still has its
                // place on the stream's clock (the counter runs on): it is kept, since sync needs
                // every pulse (a recording clipped to a few samples can still be fitted).
                if (i > 0 && stamps[i] < stamps[i - 1])
                {
                    throw new InvalidRecordingException(samplesPath, $"element {i}", $"{stamps[i]} after {stamps[i - 1]}", "sample numbers in increasing order");
                }

                long index = SampleIndexOf(stamps[i], streamSampleNumbers, firstSampleNumber, contiguous, clock.SampleCount);
                if (index == long.MinValue)
                {
                    throw new InvalidRecordingException(samplesPath, $"element {i}", stamps[i].ToString(CultureInfo.InvariantCulture), $"a sample number within 2^63 of the stream's first, {firstSampleNumber}");
                }

                if (index < 0 || index >= clock.SampleCount)
                {
                    outside++;
                    if (!contiguous)
                    {
                        continue;
                    }
                }

                int line = (int)Math.Abs(states[i]);
                bool up = states[i] > 0;
                firstRising.TryAdd(line, up);
                (up ? rising : falling).TryAdd(line, []);
                (up ? rising : falling)[line].Add(index);
            }

            if (outside > 0 && !contiguous)
            {
                warnings.Add($"TTL events '{events.ChannelName}': {outside} events outside the continuous data's sample numbers were dropped (the sample numbers have gaps)");
            }

            // A line is low before its first rising edge and high before its first falling edge.
            var lines = firstRising.Keys.Order().Select(line => (
                new DigitalLine(line, ""),
                new DigitalEdges(
                    line,
                    initialState: !firstRising[line],
                    rising.TryGetValue(line, out var r) ? r.ToArray() : [],
                    falling.TryGetValue(line, out var f) ? f.ToArray() : [])));
            sets.Add(new EventDigitalLineSet(Printable.Escape($"TTL '{events.ChannelName}' ({events.FolderName.TrimEnd('/', '\\')})"), clock, lines));
        }

        return sets.ToArray();
    }

    private static long SampleIndexOf(long sampleNumber, NpyArray? streamSampleNumbers, long firstSampleNumber, bool contiguous, long sampleCount)
    {
        if (contiguous || streamSampleNumbers is null)
        {
            // long.MinValue: too far from the stream's first sample number to be one of its samples.
            long index = sampleNumber - firstSampleNumber;
            return ((sampleNumber ^ firstSampleNumber) & (sampleNumber ^ index)) < 0 ? long.MinValue : index;
        }

        // Gaps in the stream's sample numbers: find the sample carrying this number.
        long lo = 0, hi = sampleCount - 1;
        while (lo <= hi)
        {
            long mid = lo + ((hi - lo) / 2);
            long value = streamSampleNumbers.GetInt64(mid);
            if (value == sampleNumber)
            {
                return mid;
            }

            if (value < sampleNumber)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo < sampleCount && lo > 0 ? lo : -1;
    }
}

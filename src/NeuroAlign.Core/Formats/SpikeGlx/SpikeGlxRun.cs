using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>
/// A SpikeGLX run: the gate (_g0, _g1…) and trigger (_t0…_tN) files of one stream (imec0.ap,
/// nidq…) read as one recording. SpikeGLX draws every file of a run from one running sample
/// counter per stream, and each file's .meta says where it starts on it (firstSample): the files
/// are placed there, in gate then trigger order, and the time between them stays a gap (a
/// <see cref="SegmentedStream"/> on a <see cref="SegmentedClock"/>). CatGT's concatenations
/// (_tcat) are one file already and open as one.
/// </summary>
public static partial class SpikeGlxRun
{
    /// <summary>How deep below a run folder the files lie: RUN_gN/RUN_gN_imec0/file.</summary>
    private const int SearchDepth = 2;

    /// <summary>A run file's name: RUN_gN_tM.STREAM.bin (or _tcat for CatGT's output).</summary>
    [GeneratedRegex(@"^(?<run>.+)_g(?<g>\d+)_t(?<t>\d+|cat)\.(?<stream>.+)\.bin$", RegexOptions.CultureInvariant)]
    private static partial Regex RunFileName();

    /// <summary>A gate folder: RUN_gN (SpikeGLX) or catgt_RUN_gN (CatGT).</summary>
    [GeneratedRegex(@"^(?<run>.+)_g\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex GateFolderName();

    /// <summary>Whether <paramref name="folder"/> holds SpikeGLX run files (a .bin named RUN_gN_tM.STREAM.bin with its .meta) within two levels.</summary>
    public static bool IsRunFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Directory.Exists(folder) && Find(folder).Any();
    }

    /// <summary>
    /// Opens a run: <paramref name="path"/> is a run, gate or probe folder holding one stream's files,
    /// or one file of the run (then every gate and trigger file of its stream is read).
    /// </summary>
    /// <exception cref="NeuroAlignException">No run files, several streams in a folder, a trigger missing, files overlapping or out of order.</exception>
    public static EphysRecording Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        RunFile[] files;
        if (Directory.Exists(path))
        {
            files = FromFolder(path);
        }
        else
        {
            string bin = Path.ChangeExtension(path, SpikeGlxConstants.BinExtension);
            if (RunFile.Parse(bin) is not { } file)
            {
                throw new NeuroAlignException(
                    $"{path}: the name does not follow SpikeGLX's RUN_gN_tM.STREAM.bin, so its run's other files cannot be found; open it without reading it as a run");
            }

            files = file.IsCatGt ? [file] : Siblings(file);
        }

        if (files.Length == 1 && files[0].IsCatGt)
        {
            // CatGT has already joined the run (gaps filled); its firstSample is the first file's.
            return SpikeGlxReader.Open(files[0].BinPath);
        }

        return OpenFiles(files);
    }

    /// <summary>What a .meta says of CatGT's work on the file, or null when CatGT did not write it.</summary>
    internal static string? DescribeCatGt(SpikeGlxMeta meta)
    {
        if (!meta.Values.Keys.Any(k => k.StartsWith("catGTCmdline", StringComparison.Ordinal)))
        {
            return null;
        }

        string files = meta.TryGetString("catNFiles") is { } n ? $"{n} file(s)" : "files";
        string gates = meta.TryGetString("catGVals") is { } g ? $", gates {g.Replace(',', '–')}" : "";
        string triggers = meta.TryGetString("catTVals") is { } t ? $", triggers {t.Replace(',', '–')}" : "";
        return $"{files}{gates}{triggers} joined into one file, gaps filled by CatGT: t0 is the first file's firstSample; times after a gap hold unless CatGT's -zerofillmax shortened it";
    }

    private static RunFile[] FromFolder(string folder)
    {
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var found = Find(full).ToList();

        // A gate folder (RUN_g0) holds one gate; its sibling gates are beside it.
        string name = Path.GetFileName(full);
        if (GateFolderName().Match(name) is { Success: true } gate && !name.StartsWith("catgt_", StringComparison.OrdinalIgnoreCase)
            && Path.GetDirectoryName(full) is { } parent)
        {
            string run = gate.Groups["run"].Value;
            found.AddRange(Find(parent).Where(f => f.Run == run && !f.BinPath.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal)));
        }

        if (found.Count == 0)
        {
            throw new NeuroAlignException($"{folder}: no SpikeGLX run files (RUN_gN_tM.STREAM.bin with its .meta) in it or two levels below");
        }

        var groups = found.GroupBy(f => (f.Run, f.Stream, f.IsCatGt)).ToArray();
        if (groups.Length > 1)
        {
            string which = string.Join(", ", groups.Select(g => $"{g.Key.Run} {g.Key.Stream}{(g.Key.IsCatGt ? " (CatGT)" : "")}").Order(StringComparer.Ordinal));
            throw new NeuroAlignException(
                $"{folder}: holds {groups.Length} SpikeGLX streams ({Printable.Excerpt(which, 300)}); give one file of the stream to read, as a run");
        }

        RunFile[] files = groups[0].ToArray();
        if (groups[0].Key.IsCatGt && files.Length > 1)
        {
            throw new NeuroAlignException($"{folder}: {files.Length} CatGT outputs of {groups[0].Key.Run} {groups[0].Key.Stream}; give the one to read");
        }

        return files;
    }

    private static RunFile[] Siblings(RunFile file)
    {
        // The run's files lie beside this one (flat), or in sibling gate folders with probe folders inside.
        string folder = Path.GetDirectoryName(Path.GetFullPath(file.BinPath)) ?? ".";
        string root = folder;
        string folderName = Path.GetFileName(folder);
        if (Regex.IsMatch(folderName, "^" + Regex.Escape(file.Run) + @"_g\d+_imec\d+$", RegexOptions.CultureInvariant))
        {
            root = Path.GetDirectoryName(Path.GetDirectoryName(folder) ?? folder) ?? folder;
        }
        else if (Regex.IsMatch(folderName, "^" + Regex.Escape(file.Run) + @"_g\d+$", RegexOptions.CultureInvariant))
        {
            root = Path.GetDirectoryName(folder) ?? folder;
        }

        RunFile[] files = Find(root).Where(f => f.Run == file.Run && f.Stream == file.Stream && !f.IsCatGt).ToArray();
        return files.Length == 0 ? [file] : files;
    }

    private static IEnumerable<RunFile> Find(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = SearchDepth, IgnoreInaccessible = true, MatchType = MatchType.Simple };
        foreach (string bin in Directory.EnumerateFiles(folder, "*" + SpikeGlxConstants.BinExtension, options))
        {
            if (RunFile.Parse(bin) is { } file && File.Exists(file.MetaPath))
            {
                yield return file;
            }
        }
    }

    private static EphysRecording OpenFiles(RunFile[] files)
    {
        Array.Sort(files, (a, b) => a.Gate != b.Gate ? a.Gate.CompareTo(b.Gate) : a.Trigger.CompareTo(b.Trigger));
        CheckTriggersWithoutHoles(files);

        // Every file's .meta: rate, channels and gains as the first's, and where it starts.
        SpikeGlxMeta firstMeta = SpikeGlxMeta.Load(files[0].MetaPath);
        SpikeGlxChannelMap firstMap = SpikeGlxChannelMap.Build(firstMeta);
        string rateKey = firstMeta.StreamType == SpikeGlxConstants.TypeImec ? SpikeGlxConstants.ImecSampleRate : SpikeGlxConstants.NidqSampleRate;
        string rateText = firstMeta.GetString(rateKey);
        var starts = new long[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            SpikeGlxMeta meta = i == 0 ? firstMeta : SpikeGlxMeta.Load(files[i].MetaPath);
            starts[i] = meta.TryGetLong(SpikeGlxConstants.FirstSample)
                ?? throw new InvalidRecordingException(meta.Path, $"key '{SpikeGlxConstants.FirstSample}'", "no such key", "the file's start on the run's sample counter (each file of a run is placed by it)");
            if (starts[i] is < 0 or > ReaderLimits.MaxExactSampleIndex)
            {
                throw new InvalidRecordingException(meta.Path, $"key '{SpikeGlxConstants.FirstSample}'", starts[i].ToString(CultureInfo.InvariantCulture), $"a sample index from 0 to 2^53 = {ReaderLimits.MaxExactSampleIndex}");
            }

            if (i > 0)
            {
                if (meta.TryGetString(rateKey) != rateText)
                {
                    throw new InvalidRecordingException(meta.Path, $"key '{rateKey}'", $"'{meta.TryGetString(rateKey)}'", $"'{rateText}' as in {files[0].Name} (one stream of a run has one rate)");
                }

                SpikeGlxChannelMap map = SpikeGlxChannelMap.Build(meta);
                if (!map.Channels.Select(c => (c.AcquiredIndex, c.GainToMicrovolts)).SequenceEqual(firstMap.Channels.Select(c => (c.AcquiredIndex, c.GainToMicrovolts))))
                {
                    throw new InvalidRecordingException(
                        meta.Path, "saved channels", $"{map.Channels.Count} channels", $"the {firstMap.Channels.Count} channels with the gains of {files[0].Name} (one stream of a run saves the same channels)");
                }
            }
        }

        return SpikeGlxReader.Open(files[0].MetaPath, files[0].BinPath, data => OpenParts(data, files, starts));
    }

    private static SpikeGlxReader.SpikeGlxOpenedData OpenParts(SpikeGlxReader.SpikeGlxData data, RunFile[] files, long[] starts)
    {
        var parts = new List<ContinuousStream>();
        var segments = new List<ClockSegment>();
        var used = new List<int>();
        var empty = new List<string>();
        try
        {
            for (int i = 0; i < files.Length; i++)
            {
                double t0 = starts[i] / data.RateHz;
                InterleavedBinaryStream part = InterleavedBinaryStream.Open(
                    new InterleavedLayout(files[i].BinPath, 0, data.ChannelCount, SampleType.Int16),
                    samples => new RegularClock(t0, data.RateHz, samples),
                    data.ChannelIds,
                    data.Gains,
                    SpikeGlxReader.FormatName);
                if (part.SampleCount == 0)
                {
                    // A trigger closed as it opened: nothing to place, and nothing lost.
                    part.Dispose();
                    empty.Add(files[i].Label);
                    continue;
                }

                if (segments.Count > 0)
                {
                    RunFile before = files[used[^1]];
                    ClockSegment last = segments[^1];
                    if (starts[i] < last.CounterStart)
                    {
                        part.Dispose();
                        throw new InvalidRecordingException(
                            files[i].MetaPath, $"key '{SpikeGlxConstants.FirstSample}'", $"{starts[i]}, before {before.Name}'s {last.CounterStart}", $"files in gate and trigger order to start later on the run's sample counter (firstSample going backwards)");
                    }

                    if (starts[i] < last.CounterEnd)
                    {
                        part.Dispose();
                        throw new InvalidRecordingException(
                            files[i].MetaPath, $"key '{SpikeGlxConstants.FirstSample}'", $"{starts[i]}, inside {before.Name} (samples {last.CounterStart} to {last.CounterEnd - 1} on the run's counter)", $"a start at or after {last.CounterEnd} (the files of a run do not overlap)");
                    }
                }

                parts.Add(part);
                segments.Add(new ClockSegment(starts[i], part.SampleCount));
                used.Add(i);
            }

            if (parts.Count == 0)
            {
                throw new InvalidRecordingException(files[0].BinPath, "size", $"{files.Length} empty file(s)", "samples in at least one file of the run");
            }

            var clock = new SegmentedClock(data.RateHz, segments);
            var stream = new SegmentedStream(parts, clock, Path.GetFullPath(files[0].BinPath));
            return new SpikeGlxReader.SpikeGlxOpenedData(stream, Describe(files, used, segments, empty, data.RateHz));
        }
        catch
        {
            foreach (ContinuousStream p in parts)
            {
                p.Dispose();
            }

            throw;
        }
    }

    private static void CheckTriggersWithoutHoles(RunFile[] files)
    {
        for (int i = 1; i < files.Length; i++)
        {
            RunFile a = files[i - 1], b = files[i];
            if (a.Gate == b.Gate && a.Trigger == b.Trigger)
            {
                throw new NeuroAlignException($"{b.BinPath}: a second file for {a.Label} of {a.Run} {a.Stream} (the first is {a.BinPath}); keep one");
            }

            if (a.Gate == b.Gate && b.Trigger != a.Trigger + 1)
            {
                string missing = b.Trigger == a.Trigger + 2 ? $"t{a.Trigger + 1}" : $"t{a.Trigger + 1}–t{b.Trigger - 1}";
                throw new InvalidRecordingException(
                    Path.GetDirectoryName(b.BinPath) ?? b.BinPath,
                    $"{a.Run}_g{a.Gate}",
                    $"triggers t{a.Trigger} and t{b.Trigger} without {missing} ({a.Run}_g{a.Gate}_{missing.Split('–')[0]}.{a.Stream}.bin not found)",
                    "every trigger file between the first and the last of a gate (a missing file would shift nothing, but its samples would be lost silently)");
            }
        }
    }

    private static List<KeyValuePair<string, string>> Describe(RunFile[] files, List<int> used, List<ClockSegment> segments, List<string> empty, double rateHz)
    {
        RunFile first = files[0];
        string gates = string.Join(", ", files.GroupBy(f => f.Gate).Select(g =>
            g.Count() == 1 ? $"g{g.Key} t{g.First().Trigger}" : $"g{g.Key} t{g.First().Trigger}–t{g.Last().Trigger}"));
        var details = new List<KeyValuePair<string, string>>
        {
            new("run", $"{first.Run} {first.Stream}: {files.Length} file(s) in {files.Select(f => f.Gate).Distinct().Count()} gate(s): {Printable.Excerpt(gates, 300)}; each placed by its firstSample"),
        };
        var gaps = new List<string>();
        long gapSamples = 0;
        for (int s = 1; s < segments.Count; s++)
        {
            long gap = segments[s].CounterStart - segments[s - 1].CounterEnd;
            if (gap > 0)
            {
                gapSamples += gap;
                gaps.Add($"{gap} samples ({gap / rateHz:0.######} s) before {files[used[s]].Label}");
            }
        }

        details.Add(new("run gaps", gaps.Count == 0
            ? "none: every file starts where the one before ends"
            : $"{gaps.Count} gap(s), {gapSamples} samples ({gapSamples / rateHz:0.######} s) in all, read as outside the recording: " + string.Join("; ", gaps.Take(8)) + (gaps.Count > 8 ? $"; … {gaps.Count - 8} more" : "")));
        details.Add(new("run files", string.Join("; ", used.Take(8).Select((f, s) =>
            $"{files[f].Label}: firstSample {segments[s].CounterStart}, {segments[s].SampleCount} samples")) + (used.Count > 8 ? $"; … {used.Count - 8} more" : "")));
        if (empty.Count > 0)
        {
            details.Add(new("run empty files", $"{empty.Count} skipped (no samples): {string.Join(", ", empty.Take(8))}"));
        }

        return details;
    }

    /// <summary>One file of a run, as its name describes it.</summary>
    private sealed record RunFile(string BinPath, string Run, int Gate, int Trigger, string Stream)
    {
        public bool IsCatGt => Trigger < 0;

        public string MetaPath => Path.ChangeExtension(BinPath, SpikeGlxConstants.MetaExtension);

        public string Name => Path.GetFileName(BinPath);

        public string Label => IsCatGt ? $"g{Gate} tcat" : $"g{Gate} t{Trigger}";

        public static RunFile? Parse(string binPath)
        {
            Match m = RunFileName().Match(Path.GetFileName(binPath));
            if (!m.Success
                || !int.TryParse(m.Groups["g"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int gate))
            {
                return null;
            }

            string t = m.Groups["t"].Value;
            int trigger = t == "cat" ? -1 : int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int tv) ? tv : -2;
            return trigger == -2 ? null : new RunFile(binPath, m.Groups["run"].Value, gate, trigger, m.Groups["stream"].Value);
        }
    }
}

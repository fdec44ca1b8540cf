using System.Globalization;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Bids;

/// <summary>How the volume onsets of a BOLD series were determined.</summary>
public enum BoldTimingKind
{
    /// <summary>Onset k = k × RepetitionTime (BIDS options A, D, E, or the header's TR).</summary>
    RepetitionTime,

    /// <summary>Onsets listed in the sidecar's VolumeTiming (BIDS options B, C: sparse or clustered acquisitions).</summary>
    VolumeTiming,

    /// <summary>A single volume without timing: it stands for every time from 0 on.</summary>
    SingleVolume,
}

/// <summary>
/// When each volume (and each slice of it) of a BOLD series was acquired, from the BIDS sidecars
/// first and the NIfTI header second (BIDS §Task imaging data, "Timing parameters"). Times are
/// seconds from the onset of the first volume, the zero of the run's events.tsv.
/// </summary>
public sealed class BoldTiming
{
    /// <summary>Relative difference above which a header TR and a sidecar TR are said to disagree.</summary>
    public const double AgreementTolerance = 1e-3;

    private readonly double[]? _sliceTiming;

    private BoldTiming(
        BoldTimingKind kind,
        long volumeCount,
        SampleClock clock,
        double? repetitionTimeSeconds,
        string timingSource,
        double delayTimeSeconds,
        double? acquisitionDurationSeconds,
        double[]? sliceTiming,
        int sliceAxis,
        bool sliceOrderReversed,
        string? sliceTimingSource)
    {
        Kind = kind;
        VolumeCount = volumeCount;
        Clock = clock;
        RepetitionTimeSeconds = repetitionTimeSeconds;
        TimingSource = timingSource;
        DelayTimeSeconds = delayTimeSeconds;
        AcquisitionDurationSeconds = acquisitionDurationSeconds;
        _sliceTiming = sliceTiming;
        SliceAxis = sliceAxis;
        SliceOrderReversed = sliceOrderReversed;
        SliceTimingSource = sliceTimingSource;
    }

    /// <summary>How the onsets were determined.</summary>
    public BoldTimingKind Kind { get; }

    /// <summary>Number of volumes, N.</summary>
    public long VolumeCount { get; }

    /// <summary>The volumes' clock: regular (k × TR) or explicit (VolumeTiming).</summary>
    public SampleClock Clock { get; }

    /// <summary>The repetition time, seconds; null with VolumeTiming or a single untimed volume.</summary>
    public double? RepetitionTimeSeconds { get; }

    /// <summary>Where the onsets came from: the sidecar and key, or the header field and unit.</summary>
    public string TimingSource { get; }

    /// <summary>BIDS DelayTime: the silent gap after each volume's acquisition (0 when absent).</summary>
    public double DelayTimeSeconds { get; }

    /// <summary>How long acquiring one volume takes (TA): FrameAcquisitionDuration, or TR − DelayTime; null when unknown.</summary>
    public double? AcquisitionDurationSeconds { get; }

    /// <summary>The sidecar's SliceTiming as written (seconds after the volume onset), or null.</summary>
    public IReadOnlyList<double>? SliceTimingSeconds => _sliceTiming;

    /// <summary>Number of slices: SliceTiming's length, 0 without slice timing.</summary>
    public int SliceCount => _sliceTiming?.Length ?? 0;

    /// <summary>Axis the slices are stacked along: 0 = x (i), 1 = y (j), 2 = z (k, the default).</summary>
    public int SliceAxis { get; }

    /// <summary>SliceEncodingDirection had a "-": SliceTiming's first entry is the slice with the largest index.</summary>
    public bool SliceOrderReversed { get; }

    /// <summary>The sidecar SliceTiming came from, or null.</summary>
    public string? SliceTimingSource { get; }

    /// <summary>Onset of volume <paramref name="volume"/>, seconds.</summary>
    public double VolumeOnsetSeconds(long volume) => Clock.TimeOf(volume);

    /// <summary>Time after its volume's onset at which slice <paramref name="sliceIndex"/> (index along <see cref="SliceAxis"/>) was acquired.</summary>
    /// <exception cref="InvalidOperationException">The series has no slice timing.</exception>
    public double SliceOffsetSeconds(int sliceIndex)
    {
        double[] timing = _sliceTiming ?? throw new InvalidOperationException("this series has no SliceTiming");
        ArgumentOutOfRangeException.ThrowIfNegative(sliceIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sliceIndex, timing.Length);

        // BIDS §SliceEncodingDirection: with "-", SliceTiming runs from the largest index down.
        return timing[SliceOrderReversed ? timing.Length - 1 - sliceIndex : sliceIndex];
    }

    /// <summary>When slice <paramref name="sliceIndex"/> of volume <paramref name="volume"/> was acquired, seconds.</summary>
    public double SliceAcquisitionSeconds(long volume, int sliceIndex) => VolumeOnsetSeconds(volume) + SliceOffsetSeconds(sliceIndex);

    /// <summary>
    /// Works out the timing of a series of <paramref name="volumeCount"/> volumes of shape
    /// <paramref name="volumeShape"/> ([X, Y, Z]) from its merged sidecars and its header's TR.
    /// </summary>
    /// <param name="dataPath">The image, for messages.</param>
    /// <param name="volumeCount">N.</param>
    /// <param name="volumeShape">[X, Y, Z].</param>
    /// <param name="header">The TR the image header states.</param>
    /// <param name="sidecars">Merged BIDS sidecars (<see cref="BidsMetadata.Empty"/> when there are none).</param>
    /// <param name="warnings">Receives one line per doubtful fact.</param>
    /// <exception cref="InvalidRecordingException">Contradictory or impossible timing, or none at all for a 4-D series.</exception>
    public static BoldTiming Resolve(
        string dataPath,
        long volumeCount,
        IReadOnlyList<int> volumeShape,
        HeaderRepetitionTime header,
        BidsMetadata sidecars,
        ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        ArgumentNullException.ThrowIfNull(volumeShape);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(sidecars);
        ArgumentNullException.ThrowIfNull(warnings);

        double? repetitionTime = sidecars.GetSeconds("RepetitionTime");
        double[]? volumeTiming = sidecars.GetNumberArray("VolumeTiming");
        double? delayTime = sidecars.GetSeconds("DelayTime", allowZero: true);
        double? frameDuration = sidecars.GetSeconds("FrameAcquisitionDuration");
        double? deprecatedDuration = sidecars.GetSeconds("AcquisitionDuration");
        if (deprecatedDuration is { } deprecated)
        {
            // BIDS: AcquisitionDuration is DEPRECATED in favour of FrameAcquisitionDuration, same meaning.
            string where = Name(sidecars, "AcquisitionDuration");
            if (frameDuration is null)
            {
                warnings.Add($"{where}: AcquisitionDuration is deprecated; read as FrameAcquisitionDuration = {Seconds(deprecated)}");
                frameDuration = deprecated;
            }
            else if (!Agree(frameDuration.Value, deprecated))
            {
                warnings.Add($"{where}: deprecated AcquisitionDuration {Seconds(deprecated)} differs from FrameAcquisitionDuration {Seconds(frameDuration.Value)}; FrameAcquisitionDuration is used");
            }
        }

        (double[]? slices, int axis, bool reversed, string? slicesSource) = ResolveSliceTiming(dataPath, volumeShape, sidecars);
        if (repetitionTime is not null && volumeTiming is not null)
        {
            throw new InvalidRecordingException(
                Source(sidecars, "VolumeTiming"),
                "VolumeTiming",
                $"VolumeTiming together with RepetitionTime (from {Name(sidecars, "RepetitionTime")})",
                "one of the two: BIDS makes them mutually exclusive");
        }

        if (volumeTiming is not null)
        {
            return FromVolumeTiming(dataPath, volumeCount, volumeTiming, delayTime, frameDuration, slices, axis, reversed, slicesSource, sidecars, warnings);
        }

        double? headerSeconds = header.Seconds;
        if (repetitionTime is { } tr)
        {
            string trSource = Source(sidecars, "RepetitionTime");
            ReaderLimits.CheckPeriod(trSource, "RepetitionTime", tr);
            if (frameDuration is not null)
            {
                warnings.Add($"{Name(sidecars, frameDuration == deprecatedDuration ? "AcquisitionDuration" : "FrameAcquisitionDuration")}: a frame acquisition duration with RepetitionTime is not allowed by BIDS (options A, D, E); ignored");
            }

            double delay = delayTime ?? 0;
            if (delay >= tr)
            {
                throw new InvalidRecordingException(
                    Source(sidecars, "DelayTime"), "DelayTime", Seconds(delay), $"less than RepetitionTime {Seconds(tr)}: DelayTime is the silent part of each TR");
            }

            if (headerSeconds is { } fromHeader && !Agree(fromHeader, tr))
            {
                warnings.Add(
                    $"{dataPath}: the sidecar's RepetitionTime {Seconds(tr)} ({Path.GetFileName(trSource)}) and the header's {Seconds(fromHeader)} ({header.Description}) disagree; the sidecar wins");
            }

            CheckSlicesWithin(slices, tr, "RepetitionTime", slicesSource, warnings);
            return new BoldTiming(
                BoldTimingKind.RepetitionTime,
                volumeCount,
                new RegularClock(0, 1 / tr, volumeCount),
                tr,
                $"sidecar {Path.GetFileName(trSource)} (RepetitionTime)",
                delay,
                tr - delay,
                slices,
                axis,
                reversed,
                slicesSource);
        }

        if (delayTime is not null)
        {
            warnings.Add($"{Name(sidecars, "DelayTime")}: DelayTime without RepetitionTime is ignored");
        }

        if (header.Warning is not null)
        {
            warnings.Add($"{dataPath}: {header.Warning}");
        }

        if (headerSeconds is { } headerTr)
        {
            ReaderLimits.CheckPeriod(dataPath, $"TR ({header.Description})", headerTr);
            CheckSlicesWithin(slices, headerTr, "the header's TR", slicesSource, warnings);
            return new BoldTiming(
                BoldTimingKind.RepetitionTime,
                volumeCount,
                new RegularClock(0, 1 / headerTr, volumeCount),
                headerTr,
                $"header ({header.Description})",
                0,
                headerTr,
                slices,
                axis,
                reversed,
                slicesSource);
        }

        if (volumeCount <= 1)
        {
            return new BoldTiming(
                BoldTimingKind.SingleVolume,
                volumeCount,
                new ExplicitClock(volumeCount == 1 ? [0.0] : [], double.PositiveInfinity, "single volume without timing"),
                null,
                "none (a single volume stands for every time from 0 on)",
                0,
                null,
                slices,
                axis,
                reversed,
                slicesSource);
        }

        string searched = sidecars.Sidecars.Count == 0
            ? "no BIDS sidecar found"
            : $"sidecars {string.Join(", ", sidecars.Sidecars.Select(Path.GetFileName))} have neither";
        throw new InvalidRecordingException(
            dataPath,
            "timing",
            $"{volumeCount} volumes with no RepetitionTime or VolumeTiming ({searched}) and no TR in the header ({header.Description})",
            "a BIDS sidecar (*_bold.json) with RepetitionTime or VolumeTiming, or the TR in the header's pixdim[4]");
    }

    private static BoldTiming FromVolumeTiming(
        string dataPath,
        long volumeCount,
        double[] onsets,
        double? delayTime,
        double? frameDuration,
        double[]? slices,
        int axis,
        bool reversed,
        string? slicesSource,
        BidsMetadata sidecars,
        ICollection<string> warnings)
    {
        string source = Source(sidecars, "VolumeTiming");
        if (onsets.Length != volumeCount)
        {
            throw new InvalidRecordingException(
                source, "VolumeTiming", $"{onsets.Length} onsets", $"{volumeCount}, one per volume of {Path.GetFileName(dataPath)}");
        }

        for (int k = 0; k < onsets.Length; k++)
        {
            if (onsets[k] < 0 || (k > 0 && !(onsets[k] > onsets[k - 1])))
            {
                throw new InvalidRecordingException(
                    source, $"VolumeTiming[{k}]", Seconds(onsets[k]) + (k > 0 ? $" after {Seconds(onsets[k - 1])}" : ""), "non-negative onsets, strictly increasing (BIDS)");
            }
        }

        if (delayTime is not null)
        {
            warnings.Add($"{Name(sidecars, "DelayTime")}: DelayTime with VolumeTiming is not allowed by BIDS (mutually exclusive); ignored");
        }

        if (slices is null && frameDuration is null)
        {
            warnings.Add($"{Name(sidecars, "VolumeTiming")}: BIDS requires SliceTiming or FrameAcquisitionDuration with VolumeTiming; the acquisition time of each volume is unknown");
        }

        if (frameDuration is { } duration)
        {
            for (int k = 1; k < onsets.Length; k++)
            {
                if (onsets[k] - onsets[k - 1] < duration - SampleClock.ToleranceSeconds)
                {
                    warnings.Add($"{Name(sidecars, "VolumeTiming")}: volumes {k - 1} and {k} are {Seconds(onsets[k] - onsets[k - 1])} apart, less than the {Seconds(duration)} a volume takes to acquire");
                    break;
                }
            }

            CheckSlicesWithin(slices, duration, "FrameAcquisitionDuration", slicesSource, warnings);
        }

        return new BoldTiming(
            BoldTimingKind.VolumeTiming,
            volumeCount,
            new ExplicitClock(onsets, frameDuration, $"VolumeTiming in {Path.GetFileName(source)}"),
            null,
            $"sidecar {Path.GetFileName(source)} (VolumeTiming)",
            0,
            frameDuration,
            slices,
            axis,
            reversed,
            slicesSource);
    }

    private static (double[]? Slices, int Axis, bool Reversed, string? Source) ResolveSliceTiming(
        string dataPath, IReadOnlyList<int> shape, BidsMetadata sidecars)
    {
        int axis = 2;
        bool reversed = false;
        string? direction = sidecars.GetString("SliceEncodingDirection");
        if (direction is not null)
        {
            // BIDS §SliceEncodingDirection: i, j, k are the NIfTI data's first, second, third axes.
            (axis, reversed) = direction switch
            {
                "i" => (0, false),
                "j" => (1, false),
                "k" => (2, false),
                "i-" => (0, true),
                "j-" => (1, true),
                "k-" => (2, true),
                _ => throw new InvalidRecordingException(Source(sidecars, "SliceEncodingDirection"), "SliceEncodingDirection", $"\"{direction}\"", "one of i, j, k, i-, j-, k-"),
            };
        }

        double[]? slices = sidecars.GetNumberArray("SliceTiming");
        if (slices is null)
        {
            return (null, axis, reversed, null);
        }

        string source = Source(sidecars, "SliceTiming");
        if (slices.Length != shape[axis])
        {
            string axisName = "ijk"[axis].ToString();
            throw new InvalidRecordingException(
                source,
                "SliceTiming",
                $"{slices.Length} slice times",
                $"{shape[axis]}, one per slice along axis {axisName} of {Path.GetFileName(dataPath)} ({shape[0]}×{shape[1]}×{shape[2]} voxels)");
        }

        for (int s = 0; s < slices.Length; s++)
        {
            if (slices[s] < 0)
            {
                throw new InvalidRecordingException(source, $"SliceTiming[{s}]", Seconds(slices[s]), "zero or more seconds after the volume onset");
            }
        }

        return (slices, axis, reversed, source);
    }

    private static void CheckSlicesWithin(double[]? slices, double limit, string limitName, string? source, ICollection<string> warnings)
    {
        if (slices is not null && slices.Max() >= limit)
        {
            warnings.Add($"{source}: SliceTiming reaches {Seconds(slices.Max())}, not less than {limitName} {Seconds(limit)} as BIDS requires");
        }
    }

    private static bool Agree(double a, double b) => Math.Abs(a - b) <= AgreementTolerance * Math.Max(Math.Abs(a), Math.Abs(b));

    private static string Source(BidsMetadata sidecars, string key) =>
        sidecars.TryGet(key, out BidsValue value) ? value.SourcePath : "sidecar";

    private static string Name(BidsMetadata sidecars, string key) => Source(sidecars, key);

    private static string Seconds(double value) => value.ToString("R", CultureInfo.InvariantCulture) + " s";

    /// <summary>Facts for `info`: TR and its source, onsets, acquisition time, slice timing.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe()
    {
        var details = new List<KeyValuePair<string, string>>();
        switch (Kind)
        {
            case BoldTimingKind.RepetitionTime:
                details.Add(new("TR", $"{Seconds(RepetitionTimeSeconds!.Value)} from {TimingSource}"));
                break;
            case BoldTimingKind.VolumeTiming:
                details.Add(new("TR", $"none: {VolumeCount} explicit onsets from {TimingSource}"));
                break;
            default:
                details.Add(new("TR", TimingSource));
                break;
        }

        if (VolumeCount > 0)
        {
            string onsets = VolumeCount <= 6
                ? string.Join(", ", Enumerable.Range(0, (int)VolumeCount).Select(k => Clock.TimeOf(k).ToString("R", CultureInfo.InvariantCulture)))
                : $"{Clock.TimeOf(0).ToString("R", CultureInfo.InvariantCulture)}, {Clock.TimeOf(1).ToString("R", CultureInfo.InvariantCulture)}, … {Clock.TimeOf(VolumeCount - 1).ToString("R", CultureInfo.InvariantCulture)}";
            details.Add(new("volume onsets", $"{onsets} s"));
        }

        if (DelayTimeSeconds > 0)
        {
            details.Add(new("delay time", Seconds(DelayTimeSeconds)));
        }

        if (AcquisitionDurationSeconds is { } ta)
        {
            details.Add(new("acquisition time (TA)", Seconds(ta)));
        }

        details.Add(new(
            "slice timing",
            _sliceTiming is null
                ? "none"
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"{_sliceTiming.Length} slices along {"ijk"[SliceAxis]}{(SliceOrderReversed ? "-" : "")}, {_sliceTiming.Min():R} to {_sliceTiming.Max():R} s after each onset, from {Path.GetFileName(SliceTimingSource)}")));
        return details;
    }
}

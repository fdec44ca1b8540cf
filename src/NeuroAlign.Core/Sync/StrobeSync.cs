using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>How a strobe (one pulse per frame) or scanner trigger (one per volume) is tied to a stream.</summary>
public sealed record StrobeOptions
{
    /// <summary>The modality, for messages: video, fmri.</summary>
    public required string Name { get; init; }

    /// <summary>What one sample is: frame, volume.</summary>
    public string SampleNoun { get; init; } = "frame";

    /// <summary>The method written in the report: strobe, trigger.</summary>
    public string Method { get; init; } = "strobe";

    /// <summary>Pulses to skip before the first sample, as the user says; null: worked out from the counts.</summary>
    public int? SkipLeadingPulses { get; init; }

    /// <summary>
    /// Whether extra pulses that could lie at either end belong at the start: a scanner sends a trigger
    /// for each dummy scan before the first recorded volume, and none after the last.
    /// </summary>
    public bool ExtraPulsesLead { get; init; }

    /// <summary>Take a best guess instead of refusing when counts cannot be reconciled.</summary>
    public bool AllowCountMismatch { get; init; }

    /// <summary>The option that says how many pulses to skip, for messages.</summary>
    public string SkipOption { get; init; } = Sessions.SyncSettings.SyncSkip.ToString();
}

/// <summary>
/// Gives each frame (volume) of a stream the reference-clock time of its strobe (trigger) pulse, after
/// reconciling the counts. Pulses are put on a grid of whole intervals (a gap of about two intervals is
/// one pulse missing); so are the frames when their own clock has gaps. Equal counts pair frame k with
/// pulse k, and gaps in the pulses are frames the camera skipped (no strobe, no frame). Otherwise the
/// frames are slid along the pulse grid to the one position where every frame has a pulse (more pulses:
/// extra leading or trailing ones, or pulses of frames not saved) or every pulse has a frame (fewer
/// pulses: strobes the recorder missed, timed from their neighbours). Anything else, or two positions
/// that fit equally well, is refused with both counts and where they part.
/// </summary>
public static class StrobeSync
{
    /// <summary>Most candidate positions × frames examined before giving up.</summary>
    private const long SearchBudget = 400_000_000;

    /// <param name="pulses">The pulses on the reference clock, one per frame (plus or minus the ones reconciled here).</param>
    /// <param name="clock">The stream's own clock: its sample count, and gaps if its timestamps show any.</param>
    /// <param name="options">Names, skip, policy for extras.</param>
    /// <returns>A map through every frame's (own time, pulse time), with the counts and a summary line fit.</returns>
    /// <exception cref="NeuroAlignException">The counts cannot be reconciled; one line with both counts and where they part.</exception>
    public static ClockFit Reconcile(PulseTrain pulses, SampleClock clock, StrobeOptions options)
    {
        ArgumentNullException.ThrowIfNull(pulses);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        string name = options.Name, noun = options.SampleNoun;
        if (clock.SampleCount > int.MaxValue)
        {
            throw new NeuroAlignException($"{name}: {clock.SampleCount} {noun}s: too many to time by pulses");
        }

        int n = (int)clock.SampleCount;
        if (n == 0)
        {
            throw new NeuroAlignException($"{name}: the recording holds no {noun}s to time by {pulses.Source}");
        }

        int skip = options.SkipLeadingPulses ?? 0;
        if (skip < 0 || skip >= pulses.Count)
        {
            throw new NeuroAlignException($"{name}: {options.SkipOption} {skip}: {pulses.Source} has {pulses.Count} pulses; at least one must remain");
        }

        double[] p = pulses.Seconds.Skip(skip).ToArray();
        int m = p.Length;
        var own = new double[n];
        for (int k = 0; k < n; k++)
        {
            own[k] = clock.TimeOf(k);
        }

        if (m < 2 && n != m)
        {
            throw new NeuroAlignException($"{name}: {n} {noun}s but {m} pulse{(skip > 0 ? $" after skipping {skip}" : "")} in {pulses.Source}: too few to time them");
        }

        string Counts() => $"{n} {noun}s, {m} pulses{(skip > 0 ? $" after skipping {skip}" : "")} ({pulses.Source})";
        double pulseInterval = m >= 2 ? PulseTrain.MedianInterval(p) : double.NaN;
        int[] pulseSlots = Slots(p, pulseInterval, name, pulses.Source);
        double frameInterval = n >= 2 ? PulseTrain.MedianInterval(own) : pulseInterval;
        int[] frameSlots = clock is RegularClock ? Enumerable.Range(0, n).ToArray() : Slots(own, frameInterval, name, null);

        var reference = new double[n];
        var hasPulse = new bool[n];

        // Which exposure (pulse-grid slot) each sample shows: the line summarising the fit is drawn
        // against the exposures' nominal times, so dropped frames do not bend it.
        var exposure = new int[n];
        int leading = skip, trailing = 0, dropped, without = 0;
        var notes = new List<string>();
        if (m == n)
        {
            // One pulse per frame: gaps in the pulses are exposures the camera skipped, with no frame either.
            Array.Copy(p, reference, n);
            Array.Fill(hasPulse, true);
            Array.Copy(pulseSlots, exposure, n);
            dropped = pulseSlots[^1] + 1 - m;
            if (frameSlots[^1] + 1 > n && Divergence(pulseSlots, frameSlots) is { } where)
            {
                string message = $"{name}: {noun} and pulse counts agree ({Counts()}) but not where {noun}s are missing: {where}";
                if (!options.AllowCountMismatch)
                {
                    throw new NeuroAlignException(message + $"; {Sessions.SyncSettings.AllowCountMismatch} pairs them in order anyway");
                }

                notes.Add(message);
            }
        }
        else
        {
            int shift = FindShift(pulseSlots, frameSlots, n, m, options, Counts, pulseInterval, frameInterval, notes);
            int[] pulseAt = new int[pulseSlots[^1] + 1];
            Array.Fill(pulseAt, -1);
            for (int i = 0; i < m; i++)
            {
                pulseAt[pulseSlots[i]] = i;
            }

            int firstUsed = m, lastUsed = -1;
            for (int k = 0; k < n; k++)
            {
                int slot = frameSlots[k] + shift;
                exposure[k] = slot;
                if (slot >= 0 && slot < pulseAt.Length && pulseAt[slot] >= 0)
                {
                    reference[k] = p[pulseAt[slot]];
                    hasPulse[k] = true;
                    firstUsed = Math.Min(firstUsed, pulseAt[slot]);
                    lastUsed = Math.Max(lastUsed, pulseAt[slot]);
                }
            }

            without = FillWithoutPulse(reference, hasPulse, frameSlots, shift, pulseInterval, options, Counts);
            leading += firstUsed;
            trailing = m - 1 - lastUsed;

            // Slots between the first and last frame that hold no frame: frames dropped (by the camera, or
            // by the recorder after the strobe fired).
            dropped = frameSlots[^1] - frameSlots[0] + 1 - n;
        }

        // The map goes through every (own time, pulse time). The line through (nominal exposure time,
        // pulse time) summarises the device's clock: its drift is the camera's or scanner's rate error
        // against its nominal rate, its residuals the pulses' jitter.
        double nominalInterval = double.IsFinite(frameInterval) ? frameInterval : 0;
        var usedOwn = Enumerable.Range(0, n).Where(k => hasPulse[k]).Select(k => own[0] + ((exposure[k] - exposure[0]) * nominalInterval)).ToArray();
        var usedReference = reference.Where((_, k) => hasPulse[k]).ToArray();
        (double slope, double offset) = usedOwn.Length >= 2
            ? ClockFitter.Line(usedOwn, usedReference, 0, usedOwn.Length)
            : (1.0, usedReference[0] - usedOwn[0]);
        double sum = 0, max = 0;
        var residuals = new double[usedOwn.Length];
        for (int i = 0; i < usedOwn.Length; i++)
        {
            double r = usedReference[i] - ((slope * usedOwn[i]) + offset);
            residuals[i] = r;
            sum += r * r;
            max = Math.Max(max, Math.Abs(r));
        }

        ClockMap map = n >= 2 ? new PiecewiseLinearClockMap(own, reference) : ClockMap.Offset(reference[0] - own[0]);
        return new ClockFit(name, options.Method, map, slope, offset, Math.Sqrt(sum / usedOwn.Length), max, usedOwn.Length)
        {
            Source = pulses.Source,
            Pulses = FitPulses.Of(usedOwn, usedReference, residuals),
            Segments = Math.Max(1, n - 1),
            FramesDropped = dropped,
            LeadingPulsesSkipped = leading,
            TrailingPulsesIgnored = trailing,
            SamplesWithoutPulse = without,
            Notes = notes,
        };
    }

    /// <summary>
    /// Each time's position on a grid of whole intervals: 0 for the first, then + round(gap / interval).
    /// A gap under half an interval is not a missing pulse but an extra one (a glitch, or another signal).
    /// </summary>
    private static int[] Slots(IReadOnlyList<double> times, double interval, string name, string? pulseSource)
    {
        var slots = new int[times.Count];
        for (int i = 1; i < times.Count; i++)
        {
            double ratio = (times[i] - times[i - 1]) / interval;
            if (ratio < 0.5 && pulseSource != null)
            {
                throw new NeuroAlignException(
                    $"{name}: pulses {i - 1} and {i} of {pulseSource} are {ClockFit.Micro(times[i] - times[i - 1])} apart where they come every {ClockFit.Micro(interval)}: a glitch or a second signal on the line (raise {Sessions.SyncSettings.SyncMinWidth} to drop short pulses)");
            }

            long step = Math.Max(1, (long)Math.Round(ratio));
            slots[i] = (int)Math.Min(int.MaxValue / 2, slots[i - 1] + step);
        }

        return slots;
    }

    /// <summary>The first sample where the gaps of the two grids differ, in words; null when they agree.</summary>
    private static string? Divergence(int[] pulseSlots, int[] frameSlots)
    {
        int count = Math.Min(pulseSlots.Length, frameSlots.Length);
        for (int k = 1; k < count; k++)
        {
            int pulseGap = pulseSlots[k] - pulseSlots[k - 1], frameGap = frameSlots[k] - frameSlots[k - 1];
            if (pulseGap != frameGap)
            {
                return $"they part at sample {k}: pulse {k} comes {pulseGap} interval(s) after the one before, while its own clock puts it {frameGap} after";
            }
        }

        return null;
    }

    /// <summary>
    /// The slot offset putting frame slot s at pulse slot s + shift: the one where every frame has a pulse
    /// (more pulses) or every pulse a frame (fewer). Ties are resolved by the options or refused.
    /// </summary>
    private static int FindShift(
        int[] pulseSlots, int[] frameSlots, int n, int m, StrobeOptions options, Func<string> counts, double pulseInterval, double frameInterval, List<string> notes)
    {
        string name = options.Name, noun = options.SampleNoun;
        if (options.SkipLeadingPulses != null)
        {
            // The user said where the first frame's pulse is.
            return CheckFits(0, pulseSlots, frameSlots, n, m, options, counts, pulseInterval, frameInterval);
        }

        // Slots only compare when both sides count the same interval; the nominal frame rate may be a
        // little off (29.97 for 30), a wrong line (a 1 Hz sync wave for a 30 fps strobe) is far off.
        if (!(Math.Abs((pulseInterval / frameInterval) - 1) <= 0.25))
        {
            throw new NeuroAlignException(
                $"{name}: {noun} and pulse counts cannot be reconciled: {counts()}; pulses come every {ClockFit.Micro(pulseInterval)} but {noun}s every {ClockFit.Micro(frameInterval)} on their own clock: is it the right line?");
        }

        int pulseSpan = pulseSlots[^1] + 1, frameSpan = frameSlots[^1] + 1;
        int gaps = (pulseSpan - m) + (frameSpan - n);
        long lo = Math.Max(-(frameSpan - 1), Math.Min(0, pulseSpan - frameSpan) - gaps);
        long hi = Math.Min(pulseSpan - 1, Math.Max(0, pulseSpan - frameSpan) + gaps);
        if ((hi - lo + 1) * n > SearchBudget)
        {
            throw new NeuroAlignException(
                $"{name}: {counts()}: too far apart to reconcile ({hi - lo + 1} positions to try); say where the first {noun}'s pulse is with {options.SkipOption} {name}=K");
        }

        var hasPulse = new bool[pulseSpan];
        foreach (int s in pulseSlots)
        {
            hasPulse[s] = true;
        }

        int need = Math.Min(n, m);
        var fits = new List<int>();
        int bestMatched = -1;
        for (long shift = lo; shift <= hi; shift++)
        {
            int matched = 0;
            foreach (int s in frameSlots)
            {
                long slot = s + shift;
                if (slot >= 0 && slot < pulseSpan && hasPulse[slot])
                {
                    matched++;
                }
            }

            bestMatched = Math.Max(bestMatched, matched);
            if (matched == need)
            {
                fits.Add((int)shift);
            }
        }

        if (fits.Count == 0)
        {
            throw new NeuroAlignException(
                $"{name}: {noun} and pulse counts cannot be reconciled: {counts()}; no placement of the {noun}s on the pulses pairs more than {bestMatched} of {need}; {Where(pulseSlots, frameSlots, pulseInterval, frameInterval, noun)}{Advice(options)}");
        }

        if (fits.Count == 1)
        {
            return fits[0];
        }

        if (options.ExtraPulsesLead && m > n)
        {
            notes.Add($"{m - n} extra pulses taken as leading ({noun}s before the first recorded one, such as dummy scans)");
            return fits[^1];
        }

        string ambiguous = $"{name}: {counts()}: the {Math.Abs(m - n)} extra {(m > n ? "pulses" : noun + "s")} could lie before or after (placements {fits[0]} to {fits[^1]} fit equally well)";
        if (options.AllowCountMismatch)
        {
            int chosen = fits.OrderBy(Math.Abs).First();
            notes.Add(ambiguous + $"; {Sessions.SyncSettings.AllowCountMismatch}: placement {chosen} taken (0: the first {noun} with the first pulse)");
            return chosen;
        }

        throw new NeuroAlignException(m > n
            ? $"{ambiguous}; say how many pulses precede the first {noun} with {options.SkipOption} {name}=K, or give {Sessions.SyncSettings.AllowCountMismatch}"
            : $"{ambiguous}; give {Sessions.SyncSettings.AllowCountMismatch} to pair the first {noun} with the first pulse and extend the pulse grid over the rest");
    }

    private static int CheckFits(
        int shift, int[] pulseSlots, int[] frameSlots, int n, int m, StrobeOptions options, Func<string> counts, double pulseInterval, double frameInterval)
    {
        if (options.AllowCountMismatch)
        {
            return shift;
        }

        var slots = pulseSlots.ToHashSet();
        int matched = frameSlots.Count(s => slots.Contains(s + shift));
        if (matched == Math.Min(n, m))
        {
            return shift;
        }

        throw new NeuroAlignException(
            $"{options.Name}: {options.SampleNoun} and pulse counts cannot be reconciled: {counts()}; only {matched} of {Math.Min(n, m)} pair up with the first {options.SampleNoun} at the first pulse kept; {Where(pulseSlots, frameSlots, pulseInterval, frameInterval, options.SampleNoun)}{Advice(options)}");
    }

    private static string Where(int[] pulseSlots, int[] frameSlots, double pulseInterval, double frameInterval, string noun) =>
        (Divergence(pulseSlots, frameSlots)?.Replace("sample", noun, StringComparison.Ordinal)
            ?? $"the gaps agree over the first {Math.Min(pulseSlots.Length, frameSlots.Length)}, so the difference lies at an end")
        + $" (pulses every {ClockFit.Micro(pulseInterval)}, {noun}s every {ClockFit.Micro(frameInterval)} on their own clock)";

    private static string Advice(StrobeOptions options) =>
        options.AllowCountMismatch ? "" : $"; check the line, or give {options.SkipOption} {options.Name}=K or {Sessions.SyncSettings.AllowCountMismatch}";

    /// <summary>
    /// Times frames that have no pulse from the pulse grid: between two timed frames by interpolating
    /// their pulse times over the slots; before the first or after the last (more frames than the pulses
    /// cover) only when allowed, extending by the median interval. Returns how many were timed this way.
    /// </summary>
    private static int FillWithoutPulse(
        double[] reference, bool[] hasPulse, int[] frameSlots, int shift, double pulseInterval, StrobeOptions options, Func<string> counts)
    {
        string name = options.Name, noun = options.SampleNoun;
        int n = reference.Length;
        int first = Array.IndexOf(hasPulse, true), last = Array.LastIndexOf(hasPulse, true);
        int without = 0;
        if (first > 0 || last < n - 1)
        {
            string outside = first > 0 ? $"{noun}s 0 to {first - 1} come before the first pulse used" : $"{noun}s {last + 1} to {n - 1} come after the last pulse used";
            if (!options.AllowCountMismatch)
            {
                throw new NeuroAlignException($"{name}: {counts()}: {outside}, so their times are unknown; give {Sessions.SyncSettings.AllowCountMismatch} to extend the pulse grid over them");
            }
        }

        for (int k = 0; k < n; k++)
        {
            if (hasPulse[k])
            {
                continue;
            }

            without++;
            int slot = frameSlots[k] + shift;
            if (k < first)
            {
                reference[k] = reference[first] - ((frameSlots[first] - frameSlots[k]) * pulseInterval);
            }
            else if (k > last)
            {
                reference[k] = reference[last] + ((frameSlots[k] - frameSlots[last]) * pulseInterval);
            }
            else
            {
                int before = k - 1, after = k + 1;
                while (!hasPulse[before])
                {
                    before--;
                }

                while (!hasPulse[after])
                {
                    after++;
                }

                double sb = frameSlots[before] + shift, sa = frameSlots[after] + shift;
                reference[k] = reference[before] + ((reference[after] - reference[before]) * (slot - sb) / (sa - sb));
            }
        }

        return without;
    }
}

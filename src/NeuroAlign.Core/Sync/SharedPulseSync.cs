namespace NeuroAlign.Sync;

/// <summary>
/// Ties a stream's clock to the reference clock through a pulse train both recorded (the 1 Hz sync
/// wave on every probe and the NIDQ): match the pulses, fit, check (issue 7, item 3).
/// </summary>
public static class SharedPulseSync
{
    /// <param name="name">The modality: ephys_1…</param>
    /// <param name="own">The train on the stream's own clock.</param>
    /// <param name="reference">The train on the reference clock (already mapped there).</param>
    /// <param name="priorOffsetSeconds">Where the stream would sit without sync: reference ≈ own + prior.</param>
    /// <param name="maxDriftPpm">Largest drift accepted.</param>
    /// <exception cref="NeuroAlignException">The trains cannot be matched, or the fit is outside the limits.</exception>
    public static ClockFit Fit(string name, PulseTrain own, PulseTrain reference, double priorOffsetSeconds, double maxDriftPpm = ClockFitOptions.DefaultMaxDriftPpm)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(reference);
        if (own.ResolutionSeconds is null && reference.ResolutionSeconds is null)
        {
            throw new NeuroAlignException(
                $"{name}: neither {own.Source} nor {reference.Source} was sampled on a line, so no residual tolerance applies: give at least one digital line");
        }

        PulseMatch match = PulseMatcher.Match(name, own, reference, new PulseMatchOptions { PriorOffsetSeconds = priorOffsetSeconds, MaxDriftPpm = maxDriftPpm });
        ClockFitOptions limits = ClockFitOptions.ForResolutions(own.ResolutionSeconds, reference.ResolutionSeconds, maxDriftPpm);
        ClockFit fit = ClockFitter.Fit(name, match.OwnSeconds, match.ReferenceSeconds, limits);
        return fit with
        {
            Source = $"{own.Source} ↔ {reference.Source}",
            PulsesUnmatched = match.OwnUnmatched + match.ReferenceUnmatched,
            UnmatchedStreamPulseSeconds = [.. match.OwnUnmatchedSeconds.Select(fit.Map.ToReference)],
            UnmatchedReferencePulseSeconds = [.. match.ReferenceUnmatchedSeconds],
            OffsetSearch = match.OffsetSearch,
        };
    }
}

namespace NeuroAlign.Sync;

/// <summary>
/// The pulses a clock fit went through, for plots and checks by others (/sync/&lt;m&gt;/pulse_*,
/// docs/output-format.md): each matched pulse on the stream's own clock and on the reference clock,
/// and its residual (reference time minus the fit's time for it).
/// </summary>
/// <param name="OwnSeconds">Own-clock times [P] (strobes and triggers: the exposure's nominal own time).</param>
/// <param name="ReferenceSeconds">Reference-clock times [P].</param>
/// <param name="ResidualSeconds">Residuals [P], seconds.</param>
public sealed record FitPulses(double[] OwnSeconds, double[] ReferenceSeconds, double[] ResidualSeconds)
{
    /// <summary>Copies of the three columns, which must have one length.</summary>
    public static FitPulses Of(IReadOnlyList<double> ownSeconds, IReadOnlyList<double> referenceSeconds, IReadOnlyList<double> residualSeconds)
    {
        ArgumentNullException.ThrowIfNull(ownSeconds);
        ArgumentNullException.ThrowIfNull(referenceSeconds);
        ArgumentNullException.ThrowIfNull(residualSeconds);
        if (ownSeconds.Count != referenceSeconds.Count || ownSeconds.Count != residualSeconds.Count)
        {
            throw new ArgumentException("one own time, one reference time and one residual per pulse are needed");
        }

        return new FitPulses([.. ownSeconds], [.. referenceSeconds], [.. residualSeconds]);
    }
}

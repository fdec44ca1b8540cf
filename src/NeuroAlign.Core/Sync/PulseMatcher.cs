using System.Globalization;

namespace NeuroAlign.Sync;

/// <summary>How two records of one pulse train are paired.</summary>
public sealed record PulseMatchOptions
{
    /// <summary>
    /// The offset to expect before looking, reference ≈ own + prior: where the stream would sit without
    /// sync (streams of one acquisition system share a start; others start together). A periodic train
    /// (a 1 Hz square wave) matches equally well a whole period away; the candidate nearest this wins.
    /// </summary>
    public double PriorOffsetSeconds { get; init; }

    /// <summary>Largest drift expected, ppm: bounds how far the coarse offset may be trusted.</summary>
    public double MaxDriftPpm { get; init; } = ClockFitOptions.DefaultMaxDriftPpm;

    /// <summary>A pulse matches the nearest one within this fraction of the median interval of its prediction.</summary>
    public double ToleranceFraction { get; init; } = 0.2;
}

/// <summary>Pulse pairs found by <see cref="PulseMatcher"/>: the same physical pulse on both clocks.</summary>
public sealed class PulseMatch
{
    internal PulseMatch(double[] own, double[] reference, double[] ownUnmatched, double[] referenceUnmatched, double coarseOffsetSeconds, string offsetSearch)
    {
        OwnSeconds = own;
        ReferenceSeconds = reference;
        OwnUnmatchedSeconds = ownUnmatched;
        ReferenceUnmatchedSeconds = referenceUnmatched;
        CoarseOffsetSeconds = coarseOffsetSeconds;
        OffsetSearch = offsetSearch;
    }

    /// <summary>Matched pulses on the stream's own clock, increasing.</summary>
    public IReadOnlyList<double> OwnSeconds { get; }

    /// <summary>The same pulses on the reference clock.</summary>
    public IReadOnlyList<double> ReferenceSeconds { get; }

    /// <summary>Number of pairs.</summary>
    public int Count => OwnSeconds.Count;

    /// <summary>Own pulses inside the reference train's span that found no partner (missing from the reference).</summary>
    public int OwnUnmatched => OwnUnmatchedSeconds.Count;

    /// <summary>Reference pulses inside the matched span that found no partner (missing from the stream).</summary>
    public int ReferenceUnmatched => ReferenceUnmatchedSeconds.Count;

    /// <summary>The <see cref="OwnUnmatched"/> pulses, on the stream's own clock, increasing.</summary>
    public IReadOnlyList<double> OwnUnmatchedSeconds { get; }

    /// <summary>The <see cref="ReferenceUnmatched"/> pulses, on the reference clock, increasing.</summary>
    public IReadOnlyList<double> ReferenceUnmatchedSeconds { get; }

    /// <summary>The offset the search settled on before the walk, reference ≈ own + offset.</summary>
    public double CoarseOffsetSeconds { get; }

    /// <summary>How the coarse offset was chosen, for the report.</summary>
    public string OffsetSearch { get; }
}

/// <summary>
/// Pairs the pulses of one train recorded by two streams (the 1 Hz sync wave on a probe and on the
/// NIDQ), tolerating pulses missing from either. A coarse offset comes from the pattern of pulse
/// times in a stretch short enough that drift cannot blur it (every pairing of a few anchor pulses is
/// scored by how many of the stretch's pulses it lines up); the walk then follows the train pulse by
/// pulse, predicting each from a line refitted as pairs accumulate, and takes the nearest pulse
/// within tolerance.
/// </summary>
public static class PulseMatcher
{
    private const int BlockPulses = 64;
    private const int AnchorPulses = 4;

    /// <param name="name">The modality, for messages.</param>
    /// <param name="own">The train on the stream's own clock.</param>
    /// <param name="reference">The train on the reference clock.</param>
    /// <param name="options">Prior offset, drift bound, tolerance.</param>
    /// <exception cref="NeuroAlignException">The trains cannot be matched; one line with the counts.</exception>
    public static PulseMatch Match(string name, PulseTrain own, PulseTrain reference, PulseMatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<double> o = own.Seconds, r = reference.Seconds;
        string Unmatched(string why) =>
            $"{name}: pulse trains cannot be matched: {why} ({own.Source}: {o.Count} pulses; {reference.Source}: {r.Count} pulses)";
        if (o.Count < 3 || r.Count < 3)
        {
            throw new NeuroAlignException(Unmatched("at least 3 pulses are needed on each side"));
        }

        double ownInterval = own.MedianIntervalSeconds, referenceInterval = reference.MedianIntervalSeconds;
        if (Math.Abs((ownInterval / referenceInterval) - 1) > 0.25)
        {
            throw new NeuroAlignException(Unmatched(
                $"pulses come every {Ms(ownInterval)} on one side and every {Ms(referenceInterval)} on the other: not the same train"));
        }

        double tolerance = options.ToleranceFraction * referenceInterval;
        double prior = options.PriorOffsetSeconds;

        // The stretch used for the coarse offset: starting where the stream's pulses should meet the
        // reference's, and short enough that the largest drift moves them less than half the tolerance.
        int start = 0;
        while (start < o.Count - 1 && o[start] + prior < r[0] - (0.5 * referenceInterval))
        {
            start++;
        }

        double maxSpan = tolerance / 2 / (Math.Max(options.MaxDriftPpm, 1) * 1e-6);
        int block = 1;
        while (start + block < o.Count && block < BlockPulses && o[start + block] - o[start] <= maxSpan)
        {
            block++;
        }

        start = Math.Max(0, Math.Min(start, o.Count - block));
        (double coarse, int score, string search) = CoarseOffset(o, r, start, block, tolerance, prior);
        // A true offset lines up nearly every pulse of the stretch; a chance one, well under half.
        if (score < Math.Min(3, block) || score * 4 < block * 3)
        {
            throw new NeuroAlignException(Unmatched(
                $"no offset lines up more than {score} of {block} pulses (own {o[start]:F3} s to {o[start + block - 1]:F3} s) within {Ms(tolerance)}"));
        }

        var pairs = Walk(o, r, start, coarse, tolerance, referenceInterval);
        int inside = 0;
        double first = pairs.Own.Count > 0 ? pairs.Own[0] : double.NaN;
        (double slope, double offset) = pairs.Own.Count >= 2 ? ClockFitter.Line(pairs.Own, pairs.Reference, 0, pairs.Own.Count) : (1.0, coarse);
        var ownUnmatched = new List<double>();
        int nextPair = 0;
        foreach (double t in o)
        {
            double p = (slope * t) + offset;
            if (p >= r[0] - tolerance && p <= r[^1] + tolerance)
            {
                inside++;

                // Both lists increase and pairs.Own is a subsequence of o: a merge finds the partnerless.
                while (nextPair < pairs.Own.Count && pairs.Own[nextPair] < t)
                {
                    nextPair++;
                }

                if (nextPair >= pairs.Own.Count || pairs.Own[nextPair] != t)
                {
                    ownUnmatched.Add(t);
                }
            }
        }

        int matched = pairs.Own.Count;
        if (matched < 3 || matched * 2 < inside)
        {
            throw new NeuroAlignException(Unmatched(
                $"only {matched} of the {inside} pulses inside the reference's span found a partner within {Ms(tolerance)} (coarse offset {coarse.ToString("F6", CultureInfo.InvariantCulture)} s, first match at own {first:F3} s)"));
        }

        var referenceUnmatched = new List<double>();
        double lo = pairs.Reference[0], hi = pairs.Reference[^1];
        nextPair = 0;
        foreach (double t in r)
        {
            if (t >= lo && t <= hi)
            {
                while (nextPair < pairs.Reference.Count && pairs.Reference[nextPair] < t)
                {
                    nextPair++;
                }

                if (nextPair >= pairs.Reference.Count || pairs.Reference[nextPair] != t)
                {
                    referenceUnmatched.Add(t);
                }
            }
        }

        return new PulseMatch([.. pairs.Own], [.. pairs.Reference], [.. ownUnmatched], [.. referenceUnmatched], coarse, search);
    }

    /// <summary>
    /// Scores each pairing of an anchor pulse with a reference pulse by how many pulses of the block it
    /// lines up. Candidates within a few of the best score are the same pattern shifted by whole periods
    /// of a regular train; the one nearest the prior offset wins, and the report says so.
    /// </summary>
    private static (double Offset, int Score, string Search) CoarseOffset(
        IReadOnlyList<double> o, IReadOnlyList<double> r, int start, int block, double tolerance, double prior)
    {
        var candidates = new List<(double Offset, int Score)>();
        int anchors = Math.Min(AnchorPulses, block);
        for (int a = start; a < start + anchors; a++)
        {
            for (int j = 0; j < r.Count; j++)
            {
                double offset = r[j] - o[a];
                int score = 0;
                for (int k = start; k < start + block; k++)
                {
                    if (Math.Abs(Nearest(r, o[k] + offset, out _) - (o[k] + offset)) <= tolerance)
                    {
                        score++;
                    }
                }

                candidates.Add((offset, score));
            }
        }

        int best = candidates.Max(c => c.Score);
        int slack = Math.Max(1, block / 10);
        var near = candidates.Where(c => c.Score >= best - slack).OrderBy(c => c.Offset).ToList();

        // Offsets within the tolerance of each other are one candidate (the same pairs, found from
        // different anchors); keep the best-scoring member of each.
        var clusters = new List<(double Offset, int Score)>();
        foreach (var c in near)
        {
            if (clusters.Count > 0 && c.Offset - clusters[^1].Offset <= tolerance)
            {
                if (c.Score > clusters[^1].Score)
                {
                    clusters[^1] = c;
                }

                continue;
            }

            clusters.Add(c);
        }

        var chosen = clusters.OrderBy(c => Math.Abs(c.Offset - prior)).ThenByDescending(c => c.Score).First();
        string search = clusters.Count == 1
            ? $"unique: the pattern of {block} pulses lines up at one offset only"
            : $"periodic: {clusters.Count} offsets line up the pattern of {block} pulses about as well; the one nearest the streams' expected offset {prior.ToString("F6", CultureInfo.InvariantCulture)} s was taken";
        return (chosen.Offset, chosen.Score, search);
    }

    private static (List<double> Own, List<double> Reference) Walk(
        IReadOnlyList<double> o, IReadOnlyList<double> r, int start, double coarse, double tolerance, double interval)
    {
        var own = new List<double>();
        var reference = new List<double>();
        var fit = new RunningLine(coarse, 10 * interval);

        // Forward from the block, then backward from just before it: the line fitted so far predicts
        // each pulse, and a reference pulse is used once, in order.
        int last = -1, firstUsed = r.Count;
        for (int i = start; i < o.Count; i++)
        {
            double p = fit.Predict(o[i]);
            double t = Nearest(r, p, out int j);
            if (j > last && Math.Abs(t - p) <= tolerance)
            {
                own.Add(o[i]);
                reference.Add(t);
                firstUsed = Math.Min(firstUsed, j);
                last = j;
                fit.Add(o[i], t);
            }
        }

        var before = new List<(double Own, double Reference)>();
        int limit = firstUsed;
        for (int i = start - 1; i >= 0; i--)
        {
            double p = fit.Predict(o[i]);
            double t = Nearest(r, p, out int j);
            if (j < limit && Math.Abs(t - p) <= tolerance)
            {
                before.Add((o[i], t));
                limit = j;
            }
        }

        before.Reverse();
        return ([.. before.Select(b => b.Own), .. own], [.. before.Select(b => b.Reference), .. reference]);
    }

    /// <summary>The element of sorted <paramref name="values"/> nearest <paramref name="x"/> (ties: the earlier).</summary>
    private static double Nearest(IReadOnlyList<double> values, double x, out int index)
    {
        int lo = 0, hi = values.Count - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (values[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        index = lo > 0 && Math.Abs(values[lo - 1] - x) <= Math.Abs(values[lo] - x) ? lo - 1 : lo;
        return values[index];
    }

    private static string Ms(double seconds) => ClockFit.Micro(seconds);

    /// <summary>A least-squares line updated pulse by pulse (sums centred on the first pair for precision).</summary>
    /// <param name="coarseOffset">The offset used until pairs arrive.</param>
    /// <param name="minimumSpan">Own-clock span the pairs must cover before their slope is trusted.</param>
    private sealed class RunningLine(double coarseOffset, double minimumSpan)
    {
        private double _x0, _y0, _sx, _sy, _sxx, _sxy, _lastX;
        private int _n;
        private double _slope = 1, _offset = coarseOffset;

        public double Predict(double x) => (_slope * x) + _offset;

        public void Add(double x, double y)
        {
            if (_n == 0)
            {
                _x0 = x;
                _y0 = y;
            }

            double dx = x - _x0, dy = y - _y0;
            _n++;
            _lastX = x;
            _sx += dx;
            _sy += dy;
            _sxx += dx * dx;
            _sxy += dx * dy;
            double mx = _sx / _n, my = _sy / _n;
            double varX = (_sxx / _n) - (mx * mx);
            if (_lastX - _x0 >= minimumSpan && varX > 0)
            {
                _slope = ((_sxy / _n) - (mx * my)) / varX;
            }

            _offset = _y0 + my - (_slope * (_x0 + mx));
        }
    }
}

using System.Globalization;

namespace NeuroAlign.Streams;

/// <summary>
/// A set of channels written as users write them: "0-63,100,200-203". Entries are channel ids as
/// the source names them; ranges are inclusive.
/// </summary>
public static class ChannelSelection
{
    /// <summary>Channel ids in the order written; duplicates are an error.</summary>
    public static IReadOnlyList<int> ParseIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        var seen = new HashSet<int>();
        foreach (string rawPart in text.Split(','))
        {
            string part = rawPart.Trim();
            int dash = part.IndexOf('-', 1 < part.Length ? 1 : 0);
            bool ok;
            int first, last;
            if (dash > 0)
            {
                ok = int.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out first)
                    & int.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out last);
            }
            else
            {
                ok = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out first);
                last = first;
            }

            if (!ok || last < first)
            {
                throw new NeuroAlignException(
                    $"channel selection '{text}': '{part}' is not a channel id or an increasing range such as 0-63");
            }

            for (int id = first; id <= last; id++)
            {
                if (!seen.Add(id))
                {
                    throw new NeuroAlignException($"channel selection '{text}': channel {id} is named twice");
                }

                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>
    /// Positions in <paramref name="stream"/> of the channels <paramref name="text"/> names, in the
    /// order written: ids and id ranges (<c>0-63,100</c>), channel names as the metadata gives them
    /// (<c>SY0</c>, <c>XA0</c>, <c>CH12</c>), and <c>depth=A-B</c>, every channel whose site lies
    /// A to B µm (inclusive) from the tip-most row, in channel order. A channel named twice is an error.
    /// </summary>
    public static IReadOnlyList<int> Resolve(ContinuousStream stream, string text)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(text);
        var byId = new Dictionary<int, int>();
        for (int p = 0; p < stream.ChannelCount; p++)
        {
            byId.TryAdd(stream.ChannelIds[p], p);
        }

        ChannelLayout? layout = stream.ChannelLayout;
        var positions = new List<int>();
        var seen = new HashSet<int>();
        void Add(int position, string what)
        {
            if (!seen.Add(position))
            {
                throw new NeuroAlignException($"channel selection '{text}': {what} is named twice");
            }

            positions.Add(position);
        }

        foreach (string rawPart in text.Split(','))
        {
            string part = rawPart.Trim();
            if (part.StartsWith("depth=", StringComparison.Ordinal))
            {
                foreach (int p in ByDepth(stream, layout, text, part))
                {
                    Add(p, $"channel {layout!.Names[p]} (in {part})");
                }

                continue;
            }

            int named = layout is null ? -1 : IndexOf(layout.Names, part);
            if (named >= 0 && !(part.Length > 0 && char.IsAsciiDigit(part[0])))
            {
                Add(named, $"channel {part}");
                continue;
            }

            foreach (int id in ParseIds(part, text, layout))
            {
                int p = byId.TryGetValue(id, out int found)
                    ? found
                    : throw new NeuroAlignException(
                        $"{stream.SourcePath}: channel {id} is not in the recording (its channel ids run from {stream.ChannelIds.Min()} to {stream.ChannelIds.Max()}, {stream.ChannelCount} channels)");
                Add(p, $"channel {id}");
            }
        }

        return positions;
    }

    private static IEnumerable<int> ParseIds(string part, string text, ChannelLayout? layout)
    {
        try
        {
            return ParseIds(part);
        }
        catch (NeuroAlignException)
        {
            string names = layout is null ? string.Empty : $", a channel name ({string.Join(", ", layout.Names.Take(3))}…)";
            throw new NeuroAlignException($"channel selection '{text}': '{part}' is not a channel id, an increasing range such as 0-63{names} or depth=A-B (µm)");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Channels whose site's distance from the tip-most row lies in [A, B] µm, in channel order.</summary>
    private static IEnumerable<int> ByDepth(ContinuousStream stream, ChannelLayout? layout, string text, string part)
    {
        string range = part["depth=".Length..];
        int dash = range.IndexOf('-', 1 < range.Length ? 1 : 0);
        if (dash <= 0
            || !double.TryParse(range.AsSpan(0, dash), NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            || !double.TryParse(range.AsSpan(dash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double high)
            || !double.IsFinite(low) || !double.IsFinite(high) || high < low)
        {
            throw new NeuroAlignException($"channel selection '{text}': '{part}' is not depth=A-B with A ≤ B in µm, e.g. depth=0-1000");
        }

        if (layout is not { HasSites: true })
        {
            throw new NeuroAlignException($"{stream.SourcePath}: channel selection '{part}': the recording's metadata gives no channel positions");
        }

        int[] inRange = [.. Enumerable.Range(0, layout.Sites.Count).Where(p => layout.Sites[p] is { } s && s.YUm >= low && s.YUm <= high)];
        if (inRange.Length == 0)
        {
            ProbeSite[] all = [.. layout.Sites.OfType<ProbeSite>()];
            throw new NeuroAlignException(string.Create(CultureInfo.InvariantCulture, $"{stream.SourcePath}: channel selection '{part}': no channel lies {low:G6} to {high:G6} µm from the tip (the sites span {all.Min(s => s.YUm):G6} to {all.Max(s => s.YUm):G6} µm)"));
        }

        return inRange;
    }
}

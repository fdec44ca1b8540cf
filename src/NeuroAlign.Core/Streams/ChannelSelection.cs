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

    /// <summary>Positions in <paramref name="stream"/> of the ids in <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> Resolve(ContinuousStream stream, string text)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var byId = new Dictionary<int, int>();
        for (int p = 0; p < stream.ChannelCount; p++)
        {
            byId.TryAdd(stream.ChannelIds[p], p);
        }

        return ParseIds(text).Select(id => byId.TryGetValue(id, out int p)
            ? p
            : throw new NeuroAlignException(
                $"{stream.SourcePath}: channel {id} is not in the recording (its channel ids run from {stream.ChannelIds.Min()} to {stream.ChannelIds.Max()}, {stream.ChannelCount} channels)"))
            .ToArray();
    }
}

using System.Globalization;

namespace NeuroAlign.Formats.Pose;

/// <summary>
/// One pose file read: row i is frame i of its camera, each row the points of every individual's
/// bodyparts as (x, y, score), float32, shaped [individual, bodypart, 3] and held in memory
/// (frames × individuals × bodyparts × 12 bytes: an hour at 60 fps of 20 bodyparts is 52 MB);
/// 3-D pose (an ndx-pose series of [T, 3]) as (x, y, z, score), shaped [individual, bodypart, 4].
/// Points the file does not hold are NaN; values the file holds are kept as they are (DeepLabCut
/// writes an untracked point as 0, 0 with likelihood 0 in single-animal files).
/// </summary>
public sealed class PoseData
{
    /// <param name="sourcePath">The file read.</param>
    /// <param name="formatName">deeplabcut, sleap, nwb.</param>
    /// <param name="scoreName">What the score is in the file's words.</param>
    /// <param name="individuals">The individuals' names.</param>
    /// <param name="bodyparts">The bodyparts' names.</param>
    /// <param name="frameCount">Rows of the file.</param>
    /// <param name="values">[frame, individual, bodypart, (x, y[, z], score)], C order.</param>
    /// <param name="facts">Format facts for info.</param>
    /// <param name="dimensions">Coordinates per point: 2 (x, y) or 3 (x, y, z); the score follows them.</param>
    public PoseData(string sourcePath, string formatName, string scoreName, IReadOnlyList<string> individuals, IReadOnlyList<string> bodyparts, int frameCount, float[] values, IReadOnlyList<KeyValuePair<string, string>> facts, int dimensions = 2)
    {
        if (dimensions is not (2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "2-D or 3-D pose");
        }

        Dimensions = dimensions;
        SourcePath = sourcePath;
        FormatName = formatName;
        ScoreName = scoreName;
        Individuals = individuals;
        Bodyparts = bodyparts;
        FrameCount = frameCount;
        Values = values;
        Facts = facts;
    }

    public string SourcePath { get; }

    /// <summary>deeplabcut or sleap.</summary>
    public string FormatName { get; }

    /// <summary>What the third value is in the file's words: likelihood (DeepLabCut), point score (SLEAP).</summary>
    public string ScoreName { get; }

    public IReadOnlyList<string> Individuals { get; }

    public IReadOnlyList<string> Bodyparts { get; }

    /// <summary>Rows of the file: frames 0..FrameCount-1.</summary>
    public int FrameCount { get; }

    /// <summary>Coordinates per point: 2 (x, y) or 3 (x, y, z).</summary>
    public int Dimensions { get; }

    /// <summary>Floats per point: the coordinates and the score.</summary>
    public int ValuesPerPoint => Dimensions + 1;

    /// <summary>[frame, individual, bodypart, (x, y[, z], score)], C order.</summary>
    internal float[] Values { get; }

    /// <summary>Floats in one frame.</summary>
    public int ValuesPerFrame => Individuals.Count * Bodyparts.Count * ValuesPerPoint;

    /// <summary>Format facts (scorer, layout, untracked convention) for <c>info</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; }

    /// <summary>The smallest and largest finite score, or NaN, NaN when there is none.</summary>
    public (double Min, double Max) ScoreRange()
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = Dimensions; i < Values.Length; i += ValuesPerPoint)
        {
            float s = Values[i];
            if (float.IsFinite(s))
            {
                min = Math.Min(min, s);
                max = Math.Max(max, s);
            }
        }

        return float.IsFinite(min) ? (min, max) : (double.NaN, double.NaN);
    }

    /// <summary>What <c>info</c> shows: counts, names, score range and the format's facts.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details()
    {
        (double min, double max) = ScoreRange();
        int untracked = 0;
        for (int i = 0; i < Values.Length; i += ValuesPerPoint)
        {
            untracked += float.IsNaN(Values[i]) ? 1 : 0;
        }

        var rows = new List<KeyValuePair<string, string>>
        {
            new("pose frames", FrameCount.ToString(CultureInfo.InvariantCulture)),
            new("individuals", $"{Individuals.Count}: {string.Join(", ", Individuals)}"),
            new("bodyparts", $"{Bodyparts.Count}: {string.Join(", ", Bodyparts)}"),
            new("score", $"{ScoreName}, {(double.IsNaN(min) ? "none stored" : string.Create(CultureInfo.InvariantCulture, $"{min:G6} to {max:G6}"))}"),
            new("points NaN", $"{untracked} of {Values.Length / ValuesPerPoint}"),
        };
        if (Dimensions == 3)
        {
            rows.Add(new("coordinates", "x, y, z (3-D), then the score"));
        }

        rows.AddRange(Facts);
        return rows;
    }
}

/// <summary>
/// Builds a <see cref="PoseData"/> from labelled columns (DeepLabCut's scorer/individuals/bodyparts/coords):
/// individuals and bodyparts in the order they first appear; a pair the file lacks stays NaN.
/// </summary>
public sealed class PoseGrid
{
    private readonly List<string> _individuals = [];
    private readonly List<string> _bodyparts = [];

    /// <summary>Each column's place in a frame's [individual, bodypart, coord] block.</summary>
    public int[] Targets { get; private set; } = [];

    public IReadOnlyList<string> Individuals => _individuals;

    public IReadOnlyList<string> Bodyparts => _bodyparts;

    public int ValuesPerFrame => _individuals.Count * _bodyparts.Count * 3;

    /// <summary>Lays out columns given as (individual, bodypart, coord), coord being x, y or the score's name.</summary>
    public static PoseGrid FromColumns(IReadOnlyList<(string Individual, string Bodypart, string Coord)> columns, string scoreName, string path, string where)
    {
        var grid = new PoseGrid();
        foreach (var (individual, bodypart, _) in columns)
        {
            if (!grid._individuals.Contains(individual))
            {
                grid._individuals.Add(individual);
            }

            if (!grid._bodyparts.Contains(bodypart))
            {
                grid._bodyparts.Add(bodypart);
            }
        }

        var seen = new HashSet<int>();
        grid.Targets = new int[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            var (individual, bodypart, coord) = columns[c];
            int k = coord == "x" ? 0 : coord == "y" ? 1 : coord == scoreName ? 2
                : throw new InvalidRecordingException(path, $"{where}, column {c + 1}", $"coordinate '{coord}'", $"x, y or {scoreName} (2-D pose)");
            int target = (((grid._individuals.IndexOf(individual) * grid._bodyparts.Count) + grid._bodyparts.IndexOf(bodypart)) * 3) + k;
            if (!seen.Add(target))
            {
                throw new InvalidRecordingException(path, $"{where}, column {c + 1}", $"a second column for {individual}/{bodypart}/{coord}", "one column per individual, bodypart and coordinate");
            }

            grid.Targets[c] = target;
        }

        return grid;
    }
}

/// <summary>A float array that grows as rows are read (a CSV's length is known only at its end).</summary>
internal sealed class GrowingFloats
{
    private float[] _values;

    public GrowingFloats(int capacity) => _values = new float[Math.Max(capacity, 16)];

    public int Count { get; private set; }

    /// <summary>Appends <paramref name="count"/> NaNs and returns their span to fill.</summary>
    public Span<float> AppendNaN(int count, string path)
    {
        if (Count + (long)count > _values.Length)
        {
            long grown = Math.Max(Count + (long)count, _values.Length * 2L);
            if (grown > Array.MaxLength)
            {
                throw new NeuroAlignException($"{path}: more pose values than one array holds ({grown}); split the file");
            }

            Array.Resize(ref _values, (int)grown);
        }

        Span<float> span = _values.AsSpan(Count, count);
        span.Fill(float.NaN);
        Count += count;
        return span;
    }

    public float[] ToArray() => Count == _values.Length ? _values : _values[..Count];
}

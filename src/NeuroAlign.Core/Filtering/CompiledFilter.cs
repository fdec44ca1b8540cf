using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// The rules that apply to one modality, compiled once for its data layout. <see cref="Evaluate"/>
/// turns one window's data into a mask of the same shape (1 = passes), block by block, with vector
/// kernels; it keeps scratch buffers, so one instance serves one thread.
/// </summary>
public sealed class CompiledFilter
{
    private readonly ConditionEvaluator _root;
    private readonly int _bytesPerPoint;
    private long _pass;

    internal CompiledFilter(FilterTarget target, string ruleText, ConditionEvaluator root, bool usesTime)
    {
        Target = target;
        RuleText = ruleText;
        _root = root;
        UsesTime = usesTime;
        _bytesPerPoint = target.ElementsPerSample * target.ElementType.SizeOf();
    }

    public FilterTarget Target { get; }

    /// <summary>The compiled tree (tests check which evaluators a rule lowers to).</summary>
    internal ConditionEvaluator Root => _root;

    /// <summary>The rules compiled here, joined by " AND ".</summary>
    public string RuleText { get; }

    /// <summary>Whether a rule reads <c>t</c>: only then must <see cref="Evaluate"/> be given point times.</summary>
    public bool UsesTime { get; }

    /// <summary>
    /// Evaluates the rules over one window and returns the number of elements that pass.
    /// </summary>
    /// <param name="data">The window's data, C-order [N points × elements per sample], machine byte order.</param>
    /// <param name="pointTimes">Reference-clock seconds of each point (N values; may be empty when <see cref="UsesTime"/> is false).</param>
    /// <param name="sourceIndex">Source sample of each point, -1 outside the recording, where nothing passes (N values, or empty when every point is inside).</param>
    /// <param name="mask">Receives 1 where the value passes and 0 elsewhere, one byte per element of <paramref name="data"/>.</param>
    public long Evaluate(ReadOnlySpan<byte> data, ReadOnlySpan<double> pointTimes, ReadOnlySpan<long> sourceIndex, Span<byte> mask)
    {
        if (data.Length % _bytesPerPoint != 0)
        {
            throw new ArgumentException($"{data.Length} bytes is not a whole number of points of {_bytesPerPoint} bytes", nameof(data));
        }

        int points = data.Length / _bytesPerPoint;
        int elements = points * Target.ElementsPerSample;
        if (mask.Length != elements)
        {
            throw new ArgumentException($"the mask has {mask.Length} bytes for {elements} elements", nameof(mask));
        }

        if (pointTimes.Length != points && (UsesTime || !pointTimes.IsEmpty))
        {
            throw new ArgumentException($"{pointTimes.Length} point times for {points} points", nameof(pointTimes));
        }

        if (sourceIndex.Length != points && !sourceIndex.IsEmpty)
        {
            throw new ArgumentException($"{sourceIndex.Length} source indices for {points} points", nameof(sourceIndex));
        }

        int size = Target.ElementType.SizeOf();
        for (int start = 0; start < elements; start += FilterCompiler.BlockSize)
        {
            int count = Math.Min(FilterCompiler.BlockSize, elements - start);
            var block = new FilterBlock(data.Slice(start * size, count * size), pointTimes, start, count, Target.ElementsPerSample, _pass++, data);
            FilterKernels.ToMask(_root.Evaluate(block), mask.Slice(start, count));
        }

        // Points outside the recording hold zeros, not values: nothing there passes.
        for (int p = 0; p < sourceIndex.Length; p++)
        {
            if (sourceIndex[p] < 0)
            {
                mask.Slice(p * Target.ElementsPerSample, Target.ElementsPerSample).Clear();
            }
        }

        return FilterKernels.CountOnes(mask);
    }
}

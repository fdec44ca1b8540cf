namespace NeuroAlign.Filtering;

/// <summary>
/// The kinds of modality, for modalities that find each other's streams (physio its fMRI run, pose
/// its camera). Filters do not use it: each modality declares its scope (<see cref="FilterScope"/>).
/// </summary>
public enum ModalityKind
{
    /// <summary>Extracellular recordings (Neuropixels, Open Ephys, raw binary): signal in microvolts.</summary>
    Ephys,

    /// <summary>fMRI volumes: signal is the scaled intensity, without unit.</summary>
    Fmri,

    /// <summary>Video frames: signal is the pixel value, 0-255.</summary>
    Video,

    /// <summary>BIDS physiological recordings: a value per column of each sample.</summary>
    Physio,

    /// <summary>Timestamped tables (wheel, licks, pupil): a value per numeric column of each row.</summary>
    Table,

    /// <summary>Sorted spikes, binned: no rule applies to them (there is no value to judge).</summary>
    Spikes,

    /// <summary>Pose points (DeepLabCut, SLEAP): x, y in pixels and the tracker's score.</summary>
    Pose,
}

internal enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

internal enum ComparisonOperator
{
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
    NotEqual,
}

internal enum LogicalOperator
{
    And,
    Or,
}

internal enum FilterFunction
{
    Abs,
    Min,
    Max,
}

/// <summary>The physical dimension of a number in a rule.</summary>
internal enum Dimension
{
    /// <summary>A number written without unit: it takes the unit of what it meets (µV beside signal, s beside t).</summary>
    Free,

    /// <summary>A number that has no unit: channel ids, fMRI and video signal, ratios.</summary>
    None,

    /// <summary>Microvolts inside the engine.</summary>
    Voltage,

    /// <summary>Seconds inside the engine.</summary>
    Time,
}

/// <summary>A unit a number can carry, with the power of ten that takes it to µV or seconds.</summary>
internal sealed record FilterUnit(string Name, Dimension Dimension, int PowerOfTen)
{
    private static readonly FilterUnit[] All =
    [
        new("uV", Dimension.Voltage, 0),
        new("µV", Dimension.Voltage, 0),
        new("μV", Dimension.Voltage, 0),
        new("mV", Dimension.Voltage, 3),
        new("V", Dimension.Voltage, 6),
        new("s", Dimension.Time, 0),
        new("ms", Dimension.Time, -3),
    ];

    /// <summary>The units' names for error messages.</summary>
    public const string Names = "uV, mV, V, s or ms";

    public static FilterUnit? Find(string name) => Array.Find(All, u => u.Name == name);
}

/// <summary>A node of a parsed rule; <see cref="Start"/>..<see cref="End"/> is its text in the rule.</summary>
internal abstract record FilterNode(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>A number; <see cref="Value"/> is already in µV or seconds when a unit is given.</summary>
internal sealed record NumberNode(double Value, FilterUnit? Unit, int Start, int End) : FilterNode(Start, End);

/// <summary>
/// A name, resolved against the scope of each stream the rule applies to (<see cref="FilterScope.Resolve"/>);
/// <paramref name="Quoted"/> when written in backticks, which names a file's column before a variable of the same name.
/// </summary>
internal sealed record VariableNode(string Name, int Start, int End, bool Quoted = false) : FilterNode(Start, End);

internal sealed record NegateNode(FilterNode Operand, int Start, int End) : FilterNode(Start, End);

internal sealed record NotNode(FilterNode Operand, int Start, int End) : FilterNode(Start, End);

internal sealed record ArithmeticNode(ArithmeticOperator Operator, FilterNode Left, FilterNode Right, int OperatorStart, int OperatorLength)
    : FilterNode(Left.Start, Right.End);

internal sealed record ComparisonNode(ComparisonOperator Operator, FilterNode Left, FilterNode Right, int OperatorStart, int OperatorLength)
    : FilterNode(Left.Start, Right.End);

internal sealed record LogicalNode(LogicalOperator Operator, FilterNode Left, FilterNode Right, int OperatorStart, int OperatorLength)
    : FilterNode(Left.Start, Right.End);

internal sealed record CallNode(FilterFunction Function, IReadOnlyList<FilterNode> Arguments, int Start, int End) : FilterNode(Start, End);

/// <summary>Text of operators, for messages and for printing rules back.</summary>
internal static class FilterOperators
{
    public static string Text(this ComparisonOperator op) => op switch
    {
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterEqual => ">=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessEqual => "<=",
        ComparisonOperator.Equal => "==",
        ComparisonOperator.NotEqual => "!=",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static string Text(this ArithmeticOperator op) => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static string Text(this FilterFunction function) => function switch
    {
        FilterFunction.Abs => "abs",
        FilterFunction.Min => "min",
        FilterFunction.Max => "max",
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };

    public static string Text(this ModalityKind kind) => kind switch
    {
        ModalityKind.Ephys => "ephys",
        ModalityKind.Fmri => "fmri",
        ModalityKind.Video => "video",
        ModalityKind.Physio => "physio",
        ModalityKind.Table => "table",
        ModalityKind.Spikes => "spikes",
        ModalityKind.Pose => "pose",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

namespace NeuroAlign.Filtering;

/// <summary>What a filter variable measures: decides which units a number beside it may carry.</summary>
public enum FilterQuantity
{
    /// <summary>No unit (fMRI intensity, pixel values, channel ids, pose coordinates, table columns).</summary>
    None,

    /// <summary>A voltage, in microvolts inside the engine (ephys signal).</summary>
    Voltage,

    /// <summary>A time, in seconds inside the engine (t).</summary>
    Time,
}

/// <summary>How many values of a sample one value of a variable stands for, which is what a rule on it keeps or masks together.</summary>
public enum FilterExtent
{
    /// <summary>One value per value of the data: per channel, voxel, pixel component or column.</summary>
    PerValue,

    /// <summary>One value per point of a few values (a pose point's x, y and score): the point passes or fails whole.</summary>
    PerPoint,

    /// <summary>One value per sample (a row, a frame, a volume): the sample's values pass or fail together.</summary>
    PerSample,
}

/// <summary>How the engine finds a variable's values in a window.</summary>
internal enum VariableSource
{
    /// <summary>The stored value × the target's per-value gain.</summary>
    Signal,

    /// <summary>The reference-clock time of the value's sample.</summary>
    Time,

    /// <summary>The target's channel id of the value's column.</summary>
    Channel,

    /// <summary>Component <see cref="FilterVariable.Index"/> of the point of <see cref="FilterVariable.Width"/> values the value belongs to.</summary>
    PointComponent,

    /// <summary>Column <see cref="FilterVariable.Index"/> of the value's sample (× its gain), spread over the sample's values.</summary>
    Column,
}

/// <summary>
/// A name a rule can read, declared by a modality (<see cref="Sessions.IModality.FilterScope"/>):
/// its unit, its extent, its help, and how the engine finds its values. The kinds of variables are
/// the factories below; a modality picks and names them.
/// </summary>
public sealed class FilterVariable
{
    private FilterVariable(string name, FilterQuantity quantity, FilterExtent extent, string help, VariableSource source, int index = 0, int width = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(help);
        Name = name;
        Quantity = quantity;
        Extent = extent;
        Help = help;
        Source = source;
        Index = index;
        Width = width;
    }

    /// <summary>The name a rule writes: <c>signal</c>, <c>t</c>, <c>score</c>, <c>cardiac</c>.</summary>
    public string Name { get; }

    public FilterQuantity Quantity { get; }

    public FilterExtent Extent { get; }

    /// <summary>What the value is, for help and messages: "the pixel value, 0-255".</summary>
    public string Help { get; }

    internal VariableSource Source { get; }

    /// <summary>The component of a point, or the column of a sample.</summary>
    internal int Index { get; }

    /// <summary>Values per point (<see cref="VariableSource.PointComponent"/>).</summary>
    internal int Width { get; }

    /// <summary><c>t</c>: reference-clock seconds of the value's sample (<c>/m/timestamps</c>); every modality with samples in time offers it.</summary>
    public static FilterVariable Time { get; } = new("t", FilterQuantity.Time, FilterExtent.PerSample, "reference-clock seconds of the value's sample (/m/timestamps)", VariableSource.Time);

    /// <summary><c>signal</c>: each stored value × its channel's gain when the target has gains (ephys: µV), else the value as stored.</summary>
    public static FilterVariable Signal(FilterQuantity quantity, string help) =>
        new("signal", quantity, FilterExtent.PerValue, help, VariableSource.Signal);

    /// <summary><c>channel</c>: the channel id of each value's column (the target's channel ids).</summary>
    public static FilterVariable Channel(string help) =>
        new("channel", FilterQuantity.None, FilterExtent.PerValue, help, VariableSource.Channel);

    /// <summary>Component <paramref name="component"/> of points of <paramref name="width"/> values (pose: x, y, score of width 3).</summary>
    public static FilterVariable PointComponent(string name, int component, int width, string help)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(component, width);
        return new(name, FilterQuantity.None, FilterExtent.PerPoint, help, VariableSource.PointComponent, component, width);
    }

    /// <summary>Column <paramref name="column"/> of each sample, named (physio's sidecar Columns, a table's header): one value per sample.</summary>
    public static FilterVariable Column(string name, int column, string help)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        return new(name, FilterQuantity.None, FilterExtent.PerSample, help, VariableSource.Column, column);
    }

    /// <summary>
    /// Whether <paramref name="name"/> can be written in a rule: any name without a backtick, as it is
    /// when it is an identifier (letters, digits and '_'), else in backticks (<c>`pupil diameter`</c>).
    /// </summary>
    public static bool IsWritable(string name) => !string.IsNullOrEmpty(name) && !name.Contains('`', StringComparison.Ordinal);

    public override string ToString() => Name;
}

/// <summary>
/// What rules can say about the streams of one modality: the scope's name (the modality's name),
/// its variables, whether unscoped rules apply to it, and whether more variables come from each
/// file (physio and table columns, known once the file is open: <see cref="WithColumns"/>).
/// </summary>
public sealed class FilterScope
{
    /// <param name="name">The scope a rule starts with (<c>ephys:</c>): the modality's name.</param>
    /// <param name="variables">Its variables, known before any file is opened.</param>
    /// <param name="appliesUnscoped">Whether a rule without scope applies to it (ephys and fMRI, as in the original tool).</param>
    /// <param name="fileColumns">
    /// What the columns each file adds as variables are ("the columns named by the sidecar's
    /// Columns"), or null when files add none.
    /// </param>
    public FilterScope(string name, IReadOnlyList<FilterVariable> variables, bool appliesUnscoped = false, string? fileColumns = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(variables);
        // A file's column may share a variable's name (a photometry table's 'signal'): a rule reaches it in backticks.
        if (variables.GroupBy(v => (v.Name, v.Source == VariableSource.Column)).FirstOrDefault(g => g.Count() > 1) is { } twin)
        {
            throw new ArgumentException($"{name} declares the variable {twin.Key.Name} twice", nameof(variables));
        }

        Name = name;
        Variables = variables.ToArray();
        AppliesUnscoped = appliesUnscoped;
        FileColumns = fileColumns;
    }

    public string Name { get; }

    public IReadOnlyList<FilterVariable> Variables { get; }

    public bool AppliesUnscoped { get; }

    /// <summary>What the per-file column variables are, or null when files add none.</summary>
    public string? FileColumns { get; }

    /// <summary>Whether the file's columns are in <see cref="Variables"/> already (or files add none): names can be resolved for good.</summary>
    public bool IsComplete => FileColumns is null || ColumnsAdded;

    private bool ColumnsAdded { get; init; }

    /// <summary>A modality that offers no variable (sorted spikes: binned counts, no value to judge).</summary>
    public static FilterScope None(string name) => new(name, []);

    /// <summary>The variable named <paramref name="name"/> (the modality's own before a file's column of that name), or null.</summary>
    public FilterVariable? Find(string name) => Variables.FirstOrDefault(v => v.Name == name);

    /// <summary>
    /// What a name in a rule reads: written in backticks (<paramref name="quoted"/>), only a file's
    /// column of that name where files add columns (so a rule never reads the time where one file
    /// has a column `t` and another not); otherwise <see cref="Find"/>.
    /// </summary>
    public FilterVariable? Resolve(string name, bool quoted) =>
        quoted && FileColumns is not null ? Variables.FirstOrDefault(v => v.Name == name && v.Source == VariableSource.Column) : Find(name);

    /// <summary>The names a rule can write here, as it writes them: a variable a column shadows is left out, since its bare name is refused.</summary>
    public IEnumerable<string> WritableNames => Variables.Where(v => v.Source == VariableSource.Column || !IsShadowed(v.Name)).Select(Written);

    /// <summary>Whether a file's column has the name of one of the modality's own variables (<c>signal</c>, <c>t</c>), so that the bare name is ambiguous.</summary>
    public bool IsShadowed(string name) => Variables.Count(v => v.Name == name) > 1;

    /// <summary>How a rule writes <paramref name="variable"/>: a column that shares a variable's name in backticks, every other name as <see cref="FilterLexer.AsWritten"/>.</summary>
    public string Written(FilterVariable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return variable.Source == VariableSource.Column && IsShadowed(variable.Name) ? $"`{variable.Name}`" : FilterLexer.AsWritten(variable.Name);
    }

    /// <summary>
    /// The scope of one opened file: its columns added as per-sample variables (column i of each
    /// sample). A column named as one of the modality's variables (<c>signal</c>, <c>t</c>) is read
    /// in backticks (<see cref="Resolve"/>); of two columns of one name the first is read; a name
    /// with a backtick cannot be written in a rule and is left out (<see cref="FilterVariable.IsWritable"/>).
    /// </summary>
    public FilterScope WithColumns(IReadOnlyList<string> columns, string help)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var variables = Variables.ToList();
        for (int i = 0; i < columns.Count; i++)
        {
            if (FilterVariable.IsWritable(columns[i]) && !variables.Any(v => v.Name == columns[i] && v.Source == VariableSource.Column))
            {
                variables.Add(FilterVariable.Column(columns[i], i, help));
            }
        }

        return new FilterScope(Name, variables, AppliesUnscoped, FileColumns) { ColumnsAdded = true };
    }

    public override string ToString() => Name;
}

/// <summary>One stream a rule may apply to: its name in the output and its modality's scope.</summary>
/// <param name="Name">The stream's name (<c>ephys</c>, <c>left</c>, <c>wheel</c>).</param>
/// <param name="Scope">Its modality's scope, with the file's columns once it is open.</param>
public sealed record FilterStream(string Name, FilterScope Scope);

/// <summary>
/// What rules are checked against: every scope the front end offers (its registered modalities,
/// to tell "unknown" from "not loaded") and the streams the command loads.
/// </summary>
public sealed class FilterVocabulary
{
    public FilterVocabulary(IReadOnlyList<FilterScope> known, IReadOnlyList<FilterStream> loaded)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(loaded);
        Known = known.Concat(loaded.Select(s => s.Scope)).DistinctBy(s => s.Name).ToArray();
        Loaded = loaded.ToArray();
    }

    /// <summary>Every scope offered, in the registry's order.</summary>
    public IReadOnlyList<FilterScope> Known { get; }

    /// <summary>The streams loaded, in opening order.</summary>
    public IReadOnlyList<FilterStream> Loaded { get; }

    /// <summary>The names of the modalities loaded, each once, in the registry's order.</summary>
    public IReadOnlyList<string> LoadedScopes => Known.Select(k => k.Name).Where(n => Loaded.Any(s => s.Scope.Name == n)).ToArray();

    /// <summary>The scopes rules without scope apply to (ephys and fmri).</summary>
    public IReadOnlyList<string> UnscopedScopes => Known.Where(k => k.AppliesUnscoped).Select(k => k.Name).ToArray();

    /// <summary>Every variable name some known scope declares.</summary>
    public IEnumerable<string> VariableNames => Known.SelectMany(k => k.Variables).Select(v => v.Name).Distinct();

    /// <summary>A vocabulary of one stream (a recording scanned alone, a target compiled without a session).</summary>
    public static FilterVocabulary Of(FilterStream stream) => new([], [stream]);

    /// <summary>"a, b or c".</summary>
    internal static string List(IEnumerable<string> items, string conjunction = "or")
    {
        string[] all = items.ToArray();
        return all.Length <= 1 ? string.Concat(all) : $"{string.Join(", ", all[..^1])} {conjunction} {all[^1]}";
    }
}

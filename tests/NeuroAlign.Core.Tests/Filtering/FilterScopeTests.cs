using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// Scopes and variables come from the modalities' declarations (issue 16 item 2): stream names as
/// scopes, physio and table columns as per-sample variables once the file is open, and what the
/// messages list when a scope or name is not on offer.
/// </summary>
public sealed class FilterScopeTests
{
    private static readonly FilterScope PhysioFile = TestScopes.Physio.WithColumns(["cardiac", "respiratory", "trigger"], "as recorded");

    private static FilterStream Table(string name) => new(name, TestScopes.Table);

    [Theory]
    [InlineData("physio: cardiac > 2000")]
    [InlineData("physio: respiratory / 2 > cardiac or t < 3 s")]
    [InlineData("physio: signal > 0 and trigger == 1")]
    public void Validate_PhysioColumnRule_PassesBeforeTheFileIsOpen_AndCompilesOnceItIs(string rule)
    {
        FilterSet set = TestScopes.Validate([rule], TestScopes.Loaded([ModalityKind.Physio]));

        CompiledFilter compiled = set.Compile(new FilterTarget(PhysioFile, SampleType.Float32, 3));

        Assert.Equal(rule, compiled.RuleText);
    }

    [Theory]
    [InlineData("physio: cardiak > 1", 8, 7, "unknown name 'cardiak': expected signal, t, cardiac, respiratory or trigger; did you mean 'cardiac'?")]
    [InlineData("physio: channel > 1", 8, 7, "'channel' exists only for ephys, and this rule applies to physio")]
    [InlineData("physio: cardiac > 1 mV", 18, 4, "cannot compare a number without unit (cardiac) with a voltage (1 mV)")]
    public void Compile_PhysioNameTheFileDoesNotHave_ThrowsWithTheFilesColumns(string rule, int position, int length, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() =>
        {
            FilterSet set = TestScopes.Validate([rule], TestScopes.Loaded([ModalityKind.Physio]));
            set.Compile(new FilterTarget(PhysioFile, SampleType.Float32, 3));
        });

        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
    }

    [Fact]
    public void Validate_SignalAgainstVoltageInPhysio_SaysSignalHasNoUnit()
    {
        var e = Assert.Throws<FilterSyntaxException>(() => TestScopes.Validate(["physio: signal > 3 mV"], TestScopes.Loaded([ModalityKind.Physio])));

        Assert.Equal("cannot compare a number without unit (signal) with a voltage (3 mV): physio signal has no unit (it is each column's value, as recorded)", e.Reason);
    }

    [Fact]
    public void AppliesTo_StreamNameOrModalityName_ButNotOtherStreams()
    {
        FilterRule byName = FilterRule.Parse("wheel: position > 0.3"), byModality = FilterRule.Parse("table: signal > 0"), unscoped = FilterRule.Parse("signal > 0");

        Assert.True(byName.AppliesTo(Table("wheel")));
        Assert.False(byName.AppliesTo(Table("licks")));
        Assert.True(byModality.AppliesTo(Table("wheel")));
        Assert.True(byModality.AppliesTo(Table("licks")));
        Assert.False(unscoped.AppliesTo(Table("wheel")));
        Assert.True(FilterRule.Parse("ephys_1: signal > 0").AppliesTo(new FilterStream("ephys_1", TestScopes.Ephys)));
        Assert.False(FilterRule.Parse("ephys_1: signal > 0").AppliesTo(TestScopes.Stream(ModalityKind.Ephys)));
    }

    [Theory]
    [InlineData("wheel: position > 0.3")]
    [InlineData("licks: lick > 0 and t > 2 s")]
    [InlineData("table: signal > 0")]
    [InlineData("table: t > 1 s")]
    [InlineData("ephys: signal > 0.8 mV")]
    public void Validate_TwoTables_StreamScopesAndColumnFreeModalityScopes_Pass(string rule)
    {
        TestScopes.Validate([rule], TestScopes.Loaded(TestScopes.Stream(ModalityKind.Ephys), Table("wheel"), Table("licks")));
    }

    [Theory]
    [InlineData("table: position > 0.3", 0, 5, "2 table streams are loaded (wheel, licks), each with its own columns, and the rule reads 'position': start it with the stream's name, e.g. 'wheel:'")]
    [InlineData("wheeel: position > 0.3", 0, 6, "unknown scope 'wheeel': expected ephys, table or a stream's name (wheel or licks); did you mean 'wheel'?")]
    [InlineData("physio: cardiac > 1", 0, 6, "the scope names physio, which is not loaded (loaded: ephys, table)")]
    [InlineData("wheel > 3", 0, 5, "'wheel' is a scope: write it first, as in wheel: signal > 3")]
    [InlineData("position > 3", 0, 8, "unknown name 'position': expected signal, t or channel")]
    public void Validate_TwoTables_AmbiguousOrUnknownScope_Explained(string rule, int position, int length, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() =>
            TestScopes.Validate([rule], TestScopes.Loaded(TestScopes.Stream(ModalityKind.Ephys), Table("wheel"), Table("licks"))));

        Assert.Equal(reason, e.Reason);
        Assert.Equal(position, e.Position);
        Assert.Equal(length, e.Length);
    }

    [Fact]
    public void Validate_OneTable_ModalityNameStandsForIt()
    {
        FilterSet set = TestScopes.Validate(["table: lick > 0"], TestScopes.Loaded(Table("licks")));

        Assert.True(set.AppliesTo(Table("licks")));
    }

    [Theory]
    [InlineData("spikes: signal > 0", new[] { ModalityKind.Spikes }, "spikes offers no filter variables: no rule applies to its streams")]
    [InlineData("signal > 0", new[] { ModalityKind.Spikes, ModalityKind.Physio }, "a rule without scope applies to ephys and fmri, and neither is loaded (loaded: spikes, physio); start it with 'physio:' to filter physio")]
    public void Validate_ScopeWithoutVariables_Explained(string rule, ModalityKind[] loaded, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => TestScopes.Validate([rule], TestScopes.Loaded(loaded)));

        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Validate_StreamNamedAsAnotherModality_IsAmbiguous()
    {
        var vocabulary = TestScopes.Loaded(TestScopes.Stream(ModalityKind.Fmri), new FilterStream("fmri", TestScopes.Video));

        var e = Assert.Throws<FilterSyntaxException>(() => TestScopes.Validate(["fmri: signal > 3"], vocabulary));

        Assert.Equal("'fmri' names both the fmri modality and the video stream fmri: name that stream otherwise to filter it alone", e.Reason);
    }

    [Fact]
    public void Validate_StreamNamedAsAModalityNotLoaded_IsThatStream()
    {
        var camera = new FilterStream("fmri", TestScopes.Video);

        FilterSet set = TestScopes.Validate(["fmri: signal > 3"], TestScopes.Loaded(TestScopes.Stream(ModalityKind.Ephys), camera));

        Assert.True(set.AppliesTo(camera));
        Assert.False(set.AppliesTo(TestScopes.Stream(ModalityKind.Ephys)));
    }

    [Fact]
    public void WithColumns_LeavesOutNamesThatCannotBeWrittenOrRepeat()
    {
        // A name that is no identifier is written in backticks (`pupil-diameter`); one holding a backtick cannot be written;
        // columns named as the table's own variables (t, signal) stay, read in backticks; a repeated column name reads the first.
        FilterScope scope = TestScopes.Table.WithColumns(["position", "t", "pupil-diameter", "2nd", "signal", "lick_rate", "odd`name", "", "position"], "value");

        Assert.Equal(["signal", "t", "position", "t", "pupil-diameter", "2nd", "signal", "lick_rate"], scope.Variables.Select(v => v.Name));
        Assert.Equal(["signal", "t", "position", "`t`", "`pupil-diameter`", "`2nd`", "`signal`", "lick_rate"], scope.Variables.Select(scope.Written));
        Assert.True(scope.IsShadowed("t"));
        Assert.False(scope.IsShadowed("position"));
        Assert.True(scope.IsComplete);
        Assert.False(TestScopes.Table.IsComplete);
        Assert.True(TestScopes.Ephys.IsComplete);
    }

    [Fact]
    public void Parse_WithVocabulary_KnowsDeclaredNames()
    {
        FilterVocabulary vocabulary = TestScopes.Loaded([ModalityKind.Pose]);

        var call = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["pose: score(1) > 3"], vocabulary));
        var unit = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["pose: score > 3 mW"], vocabulary));

        Assert.Equal("'score' is a variable, not a function", call.Reason);
        Assert.Equal("unknown unit 'mW': expected uV, mV, V, s or ms; did you mean 'mV'?", unit.Reason);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Evaluate_ColumnRule_KeepsOrMasksEachSampleWhole_AcrossBlocks(int columns)
    {
        // 3001 samples of C float32 columns: blocks of 4096 values split samples; column c of sample k is k + c / 10.
        const int samples = 3001;
        var values = new float[samples * columns];
        for (int k = 0; k < samples; k++)
        {
            for (int c = 0; c < columns; c++)
            {
                values[(k * columns) + c] = k + (c / 10f);
            }
        }

        string[] names = Enumerable.Range(0, columns).Select(c => $"c{c}").ToArray();
        FilterScope scope = TestScopes.Table.WithColumns(names, "value");
        string last = names[^1];
        CompiledFilter filter = FilterSet.Parse([$"table: ({last} > 1000.5 and {last} < 2500) or signal == 7"]).Compile(new FilterTarget(scope, SampleType.Float32, columns));
        var mask = new byte[values.Length];

        long kept = filter.Evaluate(MemoryMarshal.AsBytes(values.AsSpan()), [], [], mask);

        long expected = 0;
        for (int k = 0; k < samples; k++)
        {
            double lastValue = values[(k * columns) + columns - 1];
            bool row = lastValue > 1000.5 && lastValue < 2500;
            for (int c = 0; c < columns; c++)
            {
                bool pass = row || values[(k * columns) + c] == 7;
                expected += pass ? 1 : 0;
                Assert.True(mask[(k * columns) + c] == (pass ? 1 : 0), $"sample {k} column {c}");
            }
        }

        Assert.Equal(expected, kept);
    }

    [Theory]
    [InlineData("table: `signal` > 15", new byte[] { 0, 0, 1, 1, 1, 1 })] // the column: 10, 20, 30
    [InlineData("table: `t` < 2.5", new byte[] { 1, 1, 0, 0, 0, 0 })] // the column: 1, 3, 5
    [InlineData("table: `signal` > 15 and `t` < 4", new byte[] { 0, 0, 1, 1, 0, 0 })]
    public void Evaluate_ColumnNamedAsAVariable_InBackticks_ReadsTheColumn(string rule, byte[] expected)
    {
        // A photometry table's "signal", a data column "t": the table's own signal and t would be every value and the time.
        float[] values = [10, 1, 20, 3, 30, 5];
        FilterScope scope = TestScopes.Table.WithColumns(["signal", "t"], "value");
        CompiledFilter filter = FilterSet.Parse([rule]).Compile(new FilterTarget(scope, SampleType.Float32, 2));
        var mask = new byte[6];

        filter.Evaluate(MemoryMarshal.AsBytes(values.AsSpan()), [100.0, 200.0, 300.0], [0, 1, 2], mask);

        Assert.Equal(expected, mask);
    }

    [Theory]
    [InlineData("table: signal > 15", 7, 6, "'signal' is both table's signal (")]
    [InlineData("table: t < 2.5", 7, 1, "'t' is both table's t (reference-clock seconds")]
    public void Compile_BareNameThatIsAlsoAColumn_IsRefusedAndNamesTheBacktickedSpelling(string rule, int position, int length, string reason)
    {
        FilterScope scope = TestScopes.Table.WithColumns(["signal", "t"], "value");

        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse([rule]).Compile(new FilterTarget(scope, SampleType.Float32, 2)));

        Assert.StartsWith(reason, e.Reason, StringComparison.Ordinal);
        Assert.EndsWith("and a column of its file: write `" + rule[7..rule.IndexOf(' ', 7)] + "` (in backticks) for the column", e.Reason, StringComparison.Ordinal);
        Assert.Equal((position, length), (e.Position, e.Length));
    }

    [Fact]
    public void Compile_BacktickedNameTheFileLacks_IsRefused_NotReadAsTheVariable()
    {
        // `t` is a column: on a file without one it must not quietly read the time.
        FilterScope scope = TestScopes.Table.WithColumns(["x"], "value");

        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse(["table: `t` > 1"]).Compile(new FilterTarget(scope, SampleType.Float32, 1)));

        Assert.StartsWith("table has no column 't': its columns are x; without backticks, t is reference-clock seconds", e.Reason, StringComparison.Ordinal);
        Assert.Equal(["signal", "t", "x"], scope.WritableNames);
        Assert.Equal(["`signal`", "`t`", "x"], TestScopes.Table.WithColumns(["signal", "t", "x"], "value").WritableNames);
    }

    [Fact]
    public void Evaluate_ColumnWithGain_ReadsTheScaledValue()
    {
        short[] values = [10, 1, 20, 2, 30, 3];
        FilterScope scope = TestScopes.Table.WithColumns(["a", "b"], "value");
        CompiledFilter filter = FilterSet.Parse(["table: b > 4"]).Compile(new FilterTarget(scope, SampleType.Int16, 2, [1.0, 2.5]));
        var mask = new byte[6];

        filter.Evaluate(MemoryMarshal.AsBytes(values.AsSpan()), [], [0, 1, -1], mask);

        Assert.Equal(new byte[] { 0, 0, 1, 1, 0, 0 }, mask);
    }
}

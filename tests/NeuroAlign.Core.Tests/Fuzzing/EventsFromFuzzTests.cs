using System.Text;
using FsCheck;
using FsCheck.Fluent;
using NeuroAlign.Sessions;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// The events-from parser (digital lines, analog thresholds with hysteresis, pulse-width rules) under
/// the reader contract: mutants of valid specs with the syntax's own pieces and boundary texts
/// inserted, bytes flipped or cut. Each is a spec with finite, sane numbers or one SettingException line.
/// </summary>
public sealed class EventsFromFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Seeds =
    [
        "ephys:6", "ephys_1:2:falling", "ephys_1:XA0>2.5V", "ni:AI3>300mV~50mV:both", "ephys_1:6:width=500ms±20ms", "ephys:XA0>2.5V:falling:width=50ms+-5ms",
    ];

    private static readonly string[] Pieces =
    [
        .. Mutations.BoundaryTexts, ">", "~", ":", "±", "+-", "ms", "s", "V", "mV", "uV", "µV", "width=", "-", ".", "e", "e-", "rising", "both", "=",
    ];

    [Fact]
    public void Mutated_specs_parse_to_sane_values_or_one_line()
    {
        Gen<Edit> edit = Gen.Frequency(
            (5, from at in Gen.Choose(0, 60) from piece in Gen.Elements(Pieces) select (Edit)new InsertText((uint)at, piece)),
            (2, Mutations.Flip),
            (1, Mutations.Truncation));
        Gen<Mutant> mutants =
            from seed in Gen.Elements(Seeds)
            from edits in Mutations.Edits(edit, 4)
            select new Mutant(seed, edits);

        FuzzRunner.Run("events-from specs", mutants, 400, mutant =>
        {
            string text = Encoding.UTF8.GetString(mutant.Apply(Encoding.UTF8.GetBytes(mutant.Source)));
            return ReaderContract.Run($"events-from '{text}'", [], () =>
            {
                LineEdges spec = LineEdges.Parse(text);
                bool sane = spec.Stream.Length > 0
                    && (spec.Threshold is null ? spec.Line >= 0 : spec.Line == -1 && double.IsFinite(spec.Threshold.LevelVolts * 1e6) && spec.Threshold.BandVolts >= 0 && double.IsFinite(spec.Threshold.BandVolts * 1e6))
                    && (spec.Width is null || (spec.Width.WidthSeconds > 0 && double.IsFinite(spec.Width.WidthSeconds) && spec.Width.ToleranceSeconds >= 0 && double.IsFinite(spec.Width.ToleranceSeconds)));
                if (!sane)
                {
                    throw new ContractViolationException($"'{text}' parsed to {spec} with {spec.Threshold} {spec.Width}");
                }
            });
        }, output);
    }
}

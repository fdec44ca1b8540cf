using System.Globalization;
using NeuroAlign.Filtering;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// Generates well-typed rules for a modality, as text, with the language's full surface: every
/// operator and spelling, units, functions, parentheses only where precedence needs them (and
/// sometimes where it does not). Constants come partly from the data so that equalities and
/// boundaries are hit exactly.
/// </summary>
internal sealed class RandomRules(Random random, ModalityKind kind, double[] signalValues, double[] times, int[] channelIds)
{
    // Precedence levels, loosest first, as the parser has them.
    private const int OrLevel = 1, AndLevel = 2, NotLevel = 3, CompareLevel = 4, AddLevel = 5, MulLevel = 6, UnaryLevel = 7, Primary = 8;

    private static readonly string[] Comparisons = [">", ">=", "<", "<=", "==", "!="];

    /// <summary>Generated text, its precedence level, and its dimension by the language's rules (an independent copy of the checker's algebra).</summary>
    private readonly record struct Expr(string Text, int Level, Dimension Dimension = Dimension.Free);

    public string Rule(int depth) => Condition(depth).Text;

    private Expr Condition(int depth)
    {
        int pick = depth <= 0 ? 0 : random.Next(9);
        switch (pick)
        {
            case <= 3:
                return Comparison(depth);
            case 4:
                return Binary(Condition(depth - 1), random.Next(2) == 0 ? "and" : "&&", Condition(depth - 1), AndLevel);
            case 5:
                return Binary(Condition(depth - 1), random.Next(2) == 0 ? "or" : "||", Condition(depth - 1), OrLevel);
            case 6:
            case 7:
                {
                    Expr operand = Condition(depth - 1);
                    string op = random.Next(2) == 0 ? "not " : "!";
                    return new Expr(op + Wrap(operand, NotLevel), NotLevel);
                }

            default:
                return new Expr($"({Condition(depth - 1).Text})", Primary);
        }
    }

    private Expr Comparison(int depth)
    {
        Dimension dimension = RandomDimension();
        Expr left = Number(depth - 1, dimension), right = Number(depth - 1, dimension);
        string op = Comparisons[random.Next(Comparisons.Length)];
        string space = random.Next(4) == 0 ? string.Empty : " ";
        return new Expr($"{Wrap(left, AddLevel)}{space}{op}{space}{Wrap(right, AddLevel)}", CompareLevel);
    }

    private Dimension RandomDimension() => kind == ModalityKind.Ephys
        ? random.Next(10) switch
        {
            < 6 => Dimension.Voltage,
            < 8 => Dimension.Time,
            _ => Dimension.None,
        }
        : random.Next(10) < 7 ? Dimension.None : Dimension.Time;

    private Expr Number(int depth, Dimension dimension)
    {
        // A plain number adopts what it meets, so `3 * channel` has no unit even where a voltage was
        // wanted: retry until the dimension fits, then fall back to a leaf that surely does.
        for (int attempt = 0; attempt < 20; attempt++)
        {
            Expr candidate = NumberCandidate(depth, dimension);
            if (candidate.Dimension == dimension || candidate.Dimension == Dimension.Free)
            {
                return candidate;
            }
        }

        return Leaf(dimension);
    }

    private Expr NumberCandidate(int depth, Dimension dimension)
    {
        if (depth <= 0 || random.Next(4) == 0)
        {
            return Leaf(dimension);
        }

        switch (random.Next(9))
        {
            case 0:
            case 1:
                return Binary(Number(depth - 1, dimension), random.Next(2) == 0 ? "+" : "-", Number(depth - 1, dimension), AddLevel);
            case 2:
                {
                    Expr scale = Number(depth - 1, dimension == Dimension.Free ? Dimension.Free : Scalar());
                    Expr value = Number(depth - 1, dimension);
                    return random.Next(2) == 0 ? Binary(value, "*", scale, MulLevel) : Binary(scale, "*", value, MulLevel);
                }

            case 3:
                {
                    if (dimension == Dimension.None && kind == ModalityKind.Ephys && random.Next(2) == 0)
                    {
                        // A ratio of two voltages has no unit.
                        return Binary(Number(depth - 1, Dimension.Voltage), "/", Number(depth - 1, Dimension.Voltage), MulLevel);
                    }

                    return Binary(Number(depth - 1, dimension), "/", Number(depth - 1, dimension == Dimension.Free ? Dimension.Free : Scalar()), MulLevel);
                }

            case 4:
                {
                    Expr operand = Number(depth - 1, dimension);
                    return new Expr("-" + Wrap(operand, UnaryLevel), UnaryLevel, operand.Dimension);
                }

            case 5:
                {
                    Expr operand = Number(depth - 1, dimension);
                    return new Expr($"abs({operand.Text})", Primary, operand.Dimension);
                }

            case 6:
            case 7:
                {
                    int count = random.Next(4) == 0 ? 3 : 2;
                    var arguments = Enumerable.Range(0, count).Select(_ => Number(depth - 1, dimension)).ToArray();
                    Dimension result = arguments.Select(a => a.Dimension).FirstOrDefault(d => d != Dimension.Free, Dimension.Free);
                    return new Expr($"{(random.Next(2) == 0 ? "min" : "max")}({string.Join(", ", arguments.Select(a => a.Text))})", Primary, result);
                }

            default:
                {
                    Expr inner = Number(depth - 1, dimension);
                    return new Expr($"({inner.Text})", Primary, inner.Dimension);
                }
        }
    }

    /// <summary>A factor that keeps a dimension: a plain number, or a unitless variable.</summary>
    private Dimension Scalar() => random.Next(3) == 0 ? Dimension.None : Dimension.Free;

    private Expr Leaf(Dimension dimension)
    {
        switch (dimension)
        {
            case Dimension.Voltage:
                return random.Next(3) switch
                {
                    0 => new Expr("signal", Primary, Dimension.Voltage),
                    1 => Literal(Pick(signalValues), "", " uV", "uV", " µV"),
                    _ => random.Next(2) == 0 ? Literal(Pick(signalValues) / 1000, " mV", "mV") : Literal(Pick(signalValues) / 1e6, " V"),
                };
            case Dimension.Time:
                return random.Next(3) switch
                {
                    0 => new Expr("t", Primary, Dimension.Time),
                    1 => Literal(Pick(times), "", " s", "s"),
                    _ => Literal(Pick(times) * 1000, " ms", "ms"),
                };
            case Dimension.None when kind == ModalityKind.Ephys:
                return random.Next(2) == 0 ? new Expr("channel", Primary, Dimension.None) : Literal(channelIds[random.Next(channelIds.Length)], "");
            case Dimension.None:
                return random.Next(2) == 0 ? new Expr("signal", Primary, Dimension.None) : Literal(Pick(signalValues), "");
            default:
                return Literal(random.Next(3) switch
                {
                    0 => random.Next(-3, 4),
                    1 => Math.Round(random.NextDouble() * 10, 3),
                    _ => Pick(signalValues),
                }, "");
        }
    }

    private double Pick(double[] pool) => random.Next(5) == 0 ? Math.Round((random.NextDouble() - 0.5) * 200, 2) : pool[random.Next(pool.Length)];

    /// <summary>A number as a user writes it (shortest round-trip text), negative through unary minus.</summary>
    private Expr Literal(double value, params string[] units)
    {
        string unit = units[random.Next(units.Length)];
        string text = Math.Abs(value).ToString(random.Next(4) == 0 ? "E6" : "R", CultureInfo.InvariantCulture);
        Dimension dimension = unit.Trim() switch
        {
            "" => Dimension.Free,
            "s" or "ms" => Dimension.Time,
            _ => Dimension.Voltage,
        };
        return value < 0 || (value == 0 && double.IsNegative(value))
            ? new Expr($"-{text}{unit}", UnaryLevel, dimension)
            : new Expr(text + unit, Primary, dimension);
    }

    private Expr Binary(Expr left, string op, Expr right, int level) =>
        new($"{Wrap(left, level)} {op} {Wrap(right, level + 1)}", level, Combine(op, left.Dimension, right.Dimension));

    private static Dimension Combine(string op, Dimension a, Dimension b)
    {
        static bool Physical(Dimension d) => d is Dimension.Voltage or Dimension.Time;
        Dimension unified = a == Dimension.Free ? b : b == Dimension.Free ? a : a == b ? a : Dimension.None;
        return op switch
        {
            "*" => Physical(a) ? a : Physical(b) ? b : unified,
            "/" => Physical(b) ? Dimension.None : Physical(a) ? a : unified,
            _ => unified,
        };
    }

    private string Wrap(Expr e, int minimumLevel) =>
        e.Level >= minimumLevel && random.Next(8) != 0 ? e.Text : $"({e.Text})";
}

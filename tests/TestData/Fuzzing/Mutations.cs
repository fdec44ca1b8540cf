using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace NeuroAlign.TestData.Fuzzing;

/// <summary>One change to a file's bytes.</summary>
public abstract record Edit
{
    public abstract byte[] Apply(byte[] input);
}

/// <summary>
/// A source file and the edits that make one mutant of it. <paramref name="Outer"/> edits apply to
/// the container after it is made (the gzip stream of a .nii.gz), <paramref name="Edits"/> to the content.
/// </summary>
public sealed record Mutant(string Source, IReadOnlyList<Edit> Edits, string Container = "", IReadOnlyList<Edit>? Outer = null)
{
    public byte[] Apply(byte[] original) => Edits.Aggregate(original, (bytes, edit) => edit.Apply(bytes));

    public byte[] ApplyOuter(byte[] container) => (Outer ?? []).Aggregate(container, (bytes, edit) => edit.Apply(bytes));

    public override string ToString() =>
        $"{Source}{(Container.Length > 0 ? " as " + Container : "")}: {string.Join("; ", Edits)}{(Outer is { Count: > 0 } ? " | container: " + string.Join("; ", Outer) : "")}";
}

/// <summary>Keeps the first length × permille / 1000 bytes, or drops the last few (a lost trailer).</summary>
public sealed record Truncate(int Permille, int DropTail) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        int keep = DropTail > 0 ? Math.Max(0, input.Length - DropTail) : (int)((long)input.Length * Permille / 1000);
        return input[..keep];
    }
}

/// <summary>XORs one byte at a position taken modulo the file's length.</summary>
public sealed record FlipByte(uint Position, byte Xor) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }

        byte[] output = (byte[])input.Clone();
        output[Position % input.Length] ^= Xor == 0 ? (byte)1 : Xor;
        return output;
    }
}

/// <summary>Garbage after the end (a second gzip member's start, zeros, text).</summary>
public sealed record Append(string Kind, int Length) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        byte[] tail = Kind switch
        {
            "zeros" => new byte[Length],
            "gzip-magic" => [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, .. new byte[Length]],
            _ => Enumerable.Range(0, Length).Select(i => (byte)((i * 131) + 7)).ToArray(),
        };
        return [.. input, .. tail];
    }
}

/// <summary>The kinds of binary header fields.</summary>
public enum FieldKind
{
    U8,
    I16,
    I32,
    I64,
    F32,
    F64,
    U16,
    U32,
}

/// <summary>A header field at its real offset.</summary>
public sealed record Field(string Name, int Offset, FieldKind Kind);

/// <summary>Writes a boundary value into a header field, in the file's byte order.</summary>
public sealed record WriteField(Field Field, double Value, bool BigEndian) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        int size = Field.Kind switch
        {
            FieldKind.U8 => 1,
            FieldKind.I16 or FieldKind.U16 => 2,
            FieldKind.I32 or FieldKind.F32 or FieldKind.U32 => 4,
            _ => 8,
        };
        if (Field.Offset + size > input.Length)
        {
            return input;
        }

        byte[] output = (byte[])input.Clone();
        Span<byte> s = output.AsSpan(Field.Offset, size);
        long whole = ToInteger(Value);
        switch (Field.Kind)
        {
            case FieldKind.U8: s[0] = unchecked((byte)whole); break;
            case FieldKind.I16 or FieldKind.U16:
                if (BigEndian) { BinaryPrimitives.WriteInt16BigEndian(s, unchecked((short)whole)); } else { BinaryPrimitives.WriteInt16LittleEndian(s, unchecked((short)whole)); }
                break;
            case FieldKind.I32 or FieldKind.U32:
                if (BigEndian) { BinaryPrimitives.WriteInt32BigEndian(s, unchecked((int)whole)); } else { BinaryPrimitives.WriteInt32LittleEndian(s, unchecked((int)whole)); }
                break;
            case FieldKind.I64:
                if (BigEndian) { BinaryPrimitives.WriteInt64BigEndian(s, whole); } else { BinaryPrimitives.WriteInt64LittleEndian(s, whole); }
                break;
            case FieldKind.F32:
                if (BigEndian) { BinaryPrimitives.WriteSingleBigEndian(s, (float)Value); } else { BinaryPrimitives.WriteSingleLittleEndian(s, (float)Value); }
                break;
            default:
                if (BigEndian) { BinaryPrimitives.WriteDoubleBigEndian(s, Value); } else { BinaryPrimitives.WriteDoubleLittleEndian(s, Value); }
                break;
        }

        return output;
    }

    public override string ToString() => $"{Field.Name} (byte {Field.Offset}, {Field.Kind}) = {Value.ToString("R", CultureInfo.InvariantCulture)}";

    private static long ToInteger(double v) =>
        double.IsNaN(v) ? 0 : v >= 9.2233720368547758e18 ? long.MaxValue : v <= -9.2233720368547758e18 ? long.MinValue : (long)v;
}

/// <summary>A "key=value" text file's edits (SpikeGLX .meta).</summary>
public sealed record SetKey(string Key, string Value, string How) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var lines = text.Split('\n').ToList();
        int at = lines.FindIndex(l => l.StartsWith(Key + "=", StringComparison.Ordinal));
        string line = $"{Key}={Value}";
        switch (How)
        {
            case "delete" when at >= 0: lines.RemoveAt(at); break;
            case "duplicate" when at >= 0: lines.Insert(at + 1 + (Value.Length % Math.Max(1, lines.Count - at - 1)), line); break;
            case "set" when at >= 0: lines[at] = line; break;
            default: lines.Add(line); break;
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }
}

/// <summary>Replaces field <paramref name="Field"/> (':'-separated, modulo their count) of entry <paramref name="Entry"/> (modulo the entries) of a SpikeGLX table key such as ~snsGeomMap=(header)(a:b:c)(…).</summary>
public sealed record SetTableField(string Key, int Entry, int Field, string Value) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var lines = text.Split('\n').ToList();
        int at = lines.FindIndex(l => l.StartsWith(Key + "=", StringComparison.Ordinal));
        if (at < 0)
        {
            return input;
        }

        string[] parts = lines[at][(Key.Length + 1)..].Split(')');
        int entries = parts.Length - 2; // the header, the entries, and the empty text after the last ')'
        if (entries < 1)
        {
            return input;
        }

        int e = 1 + (Entry % entries);
        string[] fields = parts[e].TrimStart('(').Split(':');
        fields[Field % fields.Length] = Value;
        parts[e] = "(" + string.Join(':', fields);
        lines[at] = Key + "=" + string.Join(')', parts);
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }
}

/// <summary>Replaces (or removes) the JSON value at a path, e.g. continuous[0].sample_rate.</summary>
public sealed record JsonSet(string Path, string? Json) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        try
        {
            return Set(input);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            // An earlier edit (a flip into invalid UTF-8) broke the JSON: this edit has no structure to work on.
            return input;
        }
    }

    private byte[] Set(byte[] input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input, documentOptions: new System.Text.Json.JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = System.Text.Json.JsonCommentHandling.Skip });

            // Walking the tree decodes every string: invalid UTF-8 left by an earlier flip shows here.
            _ = root?.ToJsonString();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            // An earlier edit broke the JSON: this edit has no structure to work on.
            return input;
        }

        string[] steps = Path.Split('.');
        JsonNode? parent = root;
        for (int i = 0; i < steps.Length - 1 && parent is not null; i++)
        {
            parent = Step(parent, steps[i]);
        }

        string last = steps[^1];
        string value = Json ?? "null";
        if (parent is JsonObject o)
        {
            if (Json is null)
            {
                o.Remove(last);
            }
            else
            {
                o[last] = JsonNode.Parse(value);
            }
        }
        else if (parent is JsonArray a && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < a.Count)
        {
            if (Json is null)
            {
                a.RemoveAt(index);
            }
            else
            {
                a[index] = JsonNode.Parse(value);
            }
        }

        // Numbers such as 1e400 must reach the reader as written: JsonNode keeps the raw text.
        return Encoding.UTF8.GetBytes(root?.ToJsonString() ?? "null");
    }

    private static JsonNode? Step(JsonNode node, string step) =>
        node is JsonArray a && int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? (i < a.Count ? a[i] : null)
        : node is JsonObject o && o.TryGetPropertyValue(step, out JsonNode? child) ? child
        : null;
}

/// <summary>Inserts a control or invisible character (a terminal escape, a NUL, a bidi override).</summary>
public sealed record InsertText(uint Position, string Text) : Edit
{
    public override byte[] Apply(byte[] input)
    {
        int at = input.Length == 0 ? 0 : (int)(Position % input.Length);
        return [.. input[..at], .. Encoding.UTF8.GetBytes(Text), .. input[at..]];
    }

    public override string ToString() => $"InsertText {{ Position = {Position}, Text = {Printable.Escape(Text)} }}";
}

/// <summary>Generators of edits shared by the fuzzers.</summary>
public static class Mutations
{
    /// <summary>Boundary numbers: zero, -1, type limits, 2^40/2^53/2^61/2^63, NaN, ±∞, denormals, absurd scales.</summary>
    public static readonly double[] Boundaries =
    [
        0, -1, 1, 2, 3, 7, 8, 255, 256, 32767, -32768, 65535, int.MaxValue, int.MinValue, 4294967295,
        1L << 40, (1L << 53) + 1, 1L << 61, 1L << 62, 9.2233720368547758e18, -9.2233720368547758e18,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 1e-45, 1e-308, 1e-300, 1e30, 1e300, -0.0, 0.5, 1e9, 1e10,
    ];

    /// <summary>Boundary values as text, for key=value files and JSON numbers.</summary>
    public static readonly string[] BoundaryTexts =
    [
        "0", "-1", "1", "2", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "9007199254740993", "18446744073709551616", "1e-308", "5e-324", "4.9e-324", "1e308", "1e309", "-1e309", "NaN", "nan",
        "Infinity", "inf", "-inf", "", " ", "abc", "0x10", "1,2", "384,384,1", "0:2147483647", "0:99999999", "5:3", "(", "()", "(1,2)(",
        "1e9", "1e10", "1e-7", "30000.0000001", "-0", "1.5", "\u001b[31mred\u001b[0m", "a\rb", "\u0000", "\u202Eevil", "\u0007",
    ];

    public static readonly string[] BoundaryJson =
    [
        "0", "-1", "1", "0.5", "1e-308", "5e-324", "1e308", "1e400", "-1e400", "9223372036854775808", "2147483648", "1e10", "1e-7",
        "\"x\"", "\"\"", "\"\\u001b[2J\\u0007\"", "\"\\u202Eevil\"", "\"a\\nb\"", "true", "false", "null", "[]", "{}", "[1e400]", "[0, -1]", "[null]",
    ];

    public static readonly string[] ControlTexts = ["\u001b[2J", "\u0000", "\n", "\r", "\u0007", "\u202E", "\u2028", "\u0085", "\t", "\u00FF", "\uFEFF"];

    public static Gen<Edit> Truncation =>
        Gen.OneOf(
            Gen.Choose(0, 999).Select(p => (Edit)new Truncate(p, 0)),
            Gen.Choose(1, 12).Select(n => (Edit)new Truncate(0, n)));

    public static Gen<Edit> Flip =>
        from position in Gen.Choose(0, int.MaxValue)
        from xor in Gen.Choose(1, 255)
        select (Edit)new FlipByte((uint)position, (byte)xor);

    /// <summary>A flip within the first <paramref name="bytes"/> bytes: where headers are.</summary>
    public static Gen<Edit> FlipWithin(int bytes) =>
        from position in Gen.Choose(0, bytes - 1)
        from xor in Gen.Elements<int>(1, 2, 4, 8, 16, 32, 64, 128, 255, 0x7F, 0x80)
        select (Edit)new FlipByte((uint)position, (byte)xor);

    public static Gen<Edit> Appending =>
        from kind in Gen.Elements("zeros", "gzip-magic", "noise")
        from length in Gen.Elements(1, 3, 8, 100, 4096)
        select (Edit)new Append(kind, length);

    public static Gen<Edit> ControlInsertion =>
        from position in Gen.Choose(0, int.MaxValue)
        from text in Gen.Elements(ControlTexts)
        select (Edit)new InsertText((uint)position, text);

    /// <summary>A boundary value written into one of <paramref name="fields"/>.</summary>
    public static Gen<Edit> FieldWrite(IReadOnlyList<Field> fields, bool bigEndian) =>
        from field in Gen.Elements(fields.ToArray())
        from value in Gen.Elements(Boundaries)
        select (Edit)new WriteField(field, value, bigEndian);

    /// <summary>Fields that disagree: two fields written at once.</summary>
    public static Gen<Edit[]> Edits(Gen<Edit> one, int most = 3) =>
        from n in Gen.Choose(1, most)
        from edits in one.ArrayOf(n)
        select edits;

    public static Arbitrary<Mutant> Arbitrary(Gen<Mutant> gen) => Arb.From(gen);
}

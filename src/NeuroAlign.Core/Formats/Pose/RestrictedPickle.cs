using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace NeuroAlign.Formats.Pose;

/// <summary>
/// Reads the plain data of a Python pickle — lists, tuples, dicts, strings, numbers, None, booleans —
/// and refuses everything else. PyTables stores a pandas table's column labels as pickled text in
/// HDF5 attributes (<c>non_index_axes</c>, <c>values_block_0_kind</c>, <c>info</c>); a pickle can name
/// any Python callable to run (GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ), so this is not an
/// unpickler: it interprets only the opcodes that build containers of literals, and meets any other
/// with one line naming the opcode and its byte offset. Nothing is ever executed.
/// </summary>
/// <remarks>
/// Opcodes are those of CPython's Lib/pickletools.py, protocols 0 to 5. Values come back as
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, null,
/// <see cref="List{T}"/> of object (a list), <c>object?[]</c> (a tuple) and
/// <see cref="Dictionary{TKey, TValue}"/> (a dict).
/// </remarks>
public static class RestrictedPickle
{
    /// <summary>Deepest nesting accepted; labels nest three or four deep.</summary>
    private const int MaxDepth = 64;

    private static readonly object Mark = new();

    /// <summary>The value <paramref name="pickle"/> holds; <paramref name="where"/> names the file and attribute for messages.</summary>
    /// <exception cref="InvalidRecordingException">An opcode outside the plain-data set, truncated or malformed data.</exception>
    public static object? Read(ReadOnlySpan<byte> pickle, string path, string where)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<long, object?>();
        int at = 0;
        while (at < pickle.Length)
        {
            int opAt = at;
            byte op = pickle[at++];
            switch (op)
            {
                case (byte)'.': // STOP
                    if (stack.Count != 1 || stack[0] == Mark)
                    {
                        throw Bad(path, where, opAt, $"{stack.Count} values on the stack at STOP", "one");
                    }

                    return stack[0];
                case 0x80: // PROTO
                    Take(pickle, ref at, 1, path, where);
                    break;
                case 0x95: // FRAME: an 8-byte length, framing only
                    Take(pickle, ref at, 8, path, where);
                    break;
                case (byte)'(':
                    stack.Add(Mark);
                    break;
                case (byte)']':
                    stack.Add(new List<object?>());
                    break;
                case (byte)')':
                    stack.Add(Array.Empty<object?>());
                    break;
                case (byte)'}':
                    stack.Add(new Dictionary<object, object?>());
                    break;
                case (byte)'l':
                    stack.Add(new List<object?>(PopToMark(stack, path, where, opAt)));
                    break;
                case (byte)'t':
                    stack.Add(PopToMark(stack, path, where, opAt).ToArray());
                    break;
                case 0x85: // TUPLE1
                case 0x86: // TUPLE2
                case 0x87: // TUPLE3
                    {
                        int n = op - 0x84;
                        Need(stack, n, path, where, opAt);
                        object?[] tuple = stack.GetRange(stack.Count - n, n).ToArray();
                        stack.RemoveRange(stack.Count - n, n);
                        stack.Add(tuple);
                        break;
                    }

                case (byte)'d':
                    {
                        List<object?> items = PopToMark(stack, path, where, opAt);
                        stack.Add(ToDict(new Dictionary<object, object?>(), items, path, where, opAt));
                        break;
                    }

                case (byte)'a': // APPEND
                    {
                        Need(stack, 2, path, where, opAt);
                        object? item = Pop(stack);
                        ListAt(stack, stack.Count - 1, path, where, opAt).Add(item);
                        break;
                    }

                case (byte)'e': // APPENDS
                    {
                        List<object?> items = PopToMark(stack, path, where, opAt);
                        Need(stack, 1, path, where, opAt);
                        ListAt(stack, stack.Count - 1, path, where, opAt).AddRange(items);
                        break;
                    }

                case (byte)'s': // SETITEM
                    {
                        Need(stack, 3, path, where, opAt);
                        object? value = Pop(stack);
                        object? key = Pop(stack);
                        ToDict(DictAt(stack, path, where, opAt), [key, value], path, where, opAt);
                        break;
                    }

                case (byte)'u': // SETITEMS
                    {
                        List<object?> items = PopToMark(stack, path, where, opAt);
                        Need(stack, 1, path, where, opAt);
                        ToDict(DictAt(stack, path, where, opAt), items, path, where, opAt);
                        break;
                    }

                case (byte)'p': // PUT
                    memo[ParseLong(Line(pickle, ref at, path, where), path, where, opAt)] = Top(stack, path, where, opAt);
                    break;
                case (byte)'q': // BINPUT
                    memo[Take(pickle, ref at, 1, path, where)[0]] = Top(stack, path, where, opAt);
                    break;
                case (byte)'r': // LONG_BINPUT
                    memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(pickle, ref at, 4, path, where))] = Top(stack, path, where, opAt);
                    break;
                case 0x94: // MEMOIZE
                    memo[memo.Count] = Top(stack, path, where, opAt);
                    break;
                case (byte)'g': // GET
                    stack.Add(Recall(memo, ParseLong(Line(pickle, ref at, path, where), path, where, opAt), path, where, opAt));
                    break;
                case (byte)'h': // BINGET
                    stack.Add(Recall(memo, Take(pickle, ref at, 1, path, where)[0], path, where, opAt));
                    break;
                case (byte)'j': // LONG_BINGET
                    stack.Add(Recall(memo, BinaryPrimitives.ReadUInt32LittleEndian(Take(pickle, ref at, 4, path, where)), path, where, opAt));
                    break;
                case (byte)'V': // UNICODE: raw-unicode-escape text up to the newline
                    stack.Add(RawUnicodeEscape(Line(pickle, ref at, path, where), path, where, opAt));
                    break;
                case (byte)'X': // BINUNICODE
                    {
                        uint n = BinaryPrimitives.ReadUInt32LittleEndian(Take(pickle, ref at, 4, path, where));
                        stack.Add(Utf8(Take(pickle, ref at, n, path, where), path, where, opAt));
                        break;
                    }

                case 0x8c: // SHORT_BINUNICODE
                    {
                        byte n = Take(pickle, ref at, 1, path, where)[0];
                        stack.Add(Utf8(Take(pickle, ref at, n, path, where), path, where, opAt));
                        break;
                    }

                case 0x8d: // BINUNICODE8
                    {
                        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(Take(pickle, ref at, 8, path, where));
                        stack.Add(Utf8(Take(pickle, ref at, n, path, where), path, where, opAt));
                        break;
                    }

                case (byte)'U': // SHORT_BINSTRING (Python 2 str): bytes, read as Latin-1
                    {
                        byte n = Take(pickle, ref at, 1, path, where)[0];
                        stack.Add(Encoding.Latin1.GetString(Take(pickle, ref at, n, path, where)));
                        break;
                    }

                case (byte)'T': // BINSTRING
                    {
                        uint n = BinaryPrimitives.ReadUInt32LittleEndian(Take(pickle, ref at, 4, path, where));
                        stack.Add(Encoding.Latin1.GetString(Take(pickle, ref at, n, path, where)));
                        break;
                    }

                case (byte)'S': // STRING: a quoted Python 2 repr
                    stack.Add(QuotedString(Line(pickle, ref at, path, where), path, where, opAt));
                    break;
                case (byte)'I': // INT, or 00/01 for False/True
                    {
                        string text = Line(pickle, ref at, path, where);
                        stack.Add(text switch { "00" => false, "01" => true, _ => ParseLong(text, path, where, opAt) });
                        break;
                    }

                case (byte)'L': // LONG: digits with a trailing L
                    stack.Add(ParseLong(Line(pickle, ref at, path, where).TrimEnd('L'), path, where, opAt));
                    break;
                case (byte)'J': // BININT
                    stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(pickle, ref at, 4, path, where)));
                    break;
                case (byte)'K': // BININT1
                    stack.Add((long)Take(pickle, ref at, 1, path, where)[0]);
                    break;
                case (byte)'M': // BININT2
                    stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(pickle, ref at, 2, path, where)));
                    break;
                case (byte)'F': // FLOAT
                    {
                        string text = Line(pickle, ref at, path, where);
                        stack.Add(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                            ? v
                            : throw Bad(path, where, opAt, $"FLOAT '{text}'", "a number"));
                        break;
                    }

                case (byte)'G': // BINFLOAT: big-endian
                    stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(pickle, ref at, 8, path, where)));
                    break;
                case (byte)'N':
                    stack.Add(null);
                    break;
                case 0x88:
                    stack.Add(true);
                    break;
                case 0x89:
                    stack.Add(false);
                    break;
                default:
                    throw Bad(path, where, opAt, $"pickle opcode 0x{op:x2} ({Name(op)})", "only lists, tuples, dicts, strings and numbers (a pickle that builds objects is refused: it would run code)");
            }

            if (stack.Count > pickle.Length)
            {
                throw Bad(path, where, opAt, "a stack deeper than the pickle is long", "plain data");
            }

            if (Depth(stack) > MaxDepth)
            {
                throw Bad(path, where, opAt, $"nesting deeper than {MaxDepth}", "column labels");
            }
        }

        throw Bad(path, where, pickle.Length, "the end of the data before STOP", "a complete pickle");
    }

    private static string Name(byte op) => op switch
    {
        (byte)'c' => "GLOBAL",
        0x93 => "STACK_GLOBAL",
        (byte)'R' => "REDUCE",
        (byte)'b' => "BUILD",
        (byte)'i' => "INST",
        (byte)'o' => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        (byte)'P' or (byte)'Q' => "persistent id",
        0x82 or 0x83 or 0x84 => "extension",
        _ => "not a plain-data opcode",
    };

    // Only the top of the stack can be nested by the opcodes above; counting list items
    // between marks is enough to bound memory, and the real nesting is bounded by the input.
    private static int Depth(List<object?> stack) => stack.Count(o => o == Mark);

    private static InvalidRecordingException Bad(string path, string where, long offset, string found, string expected) =>
        new(path, $"{where}, pickle byte {offset}", found, expected);

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> pickle, ref int at, ulong count, string path, string where)
    {
        if (count > (ulong)(pickle.Length - at))
        {
            throw Bad(path, where, at, $"{count} bytes asked with {pickle.Length - at} left", "a complete pickle");
        }

        ReadOnlySpan<byte> bytes = pickle.Slice(at, (int)count);
        at += (int)count;
        return bytes;
    }

    private static string Line(ReadOnlySpan<byte> pickle, ref int at, string path, string where)
    {
        int end = pickle[at..].IndexOf((byte)'\n');
        if (end < 0)
        {
            throw Bad(path, where, at, "no newline after a text argument", "a complete pickle");
        }

        string text = Encoding.Latin1.GetString(pickle.Slice(at, end));
        at += end + 1;
        return text;
    }

    private static long ParseLong(string text, string path, string where, int opAt) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw Bad(path, where, opAt, $"'{text}'", "an integer");

    private static string Utf8(ReadOnlySpan<byte> bytes, string path, string where, int opAt)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad(path, where, opAt, "text that is not UTF-8", "UTF-8");
        }
    }

    /// <summary>Python's raw-unicode-escape: Latin-1 bytes, with \uXXXX and \UXXXXXXXX escapes.</summary>
    private static string RawUnicodeEscape(string latin1, string path, string where, int opAt)
    {
        if (!latin1.Contains('\\', StringComparison.Ordinal))
        {
            return latin1;
        }

        var text = new StringBuilder(latin1.Length);
        for (int i = 0; i < latin1.Length; i++)
        {
            int digits = latin1[i] == '\\' && i + 1 < latin1.Length ? latin1[i + 1] switch { 'u' => 4, 'U' => 8, _ => 0 } : 0;
            if (digits == 0)
            {
                text.Append(latin1[i]);
                continue;
            }

            if (i + 2 + digits > latin1.Length
                || !int.TryParse(latin1.AsSpan(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                || code is < 0 or > 0x10FFFF or (>= 0xD800 and <= 0xDFFF))
            {
                throw Bad(path, where, opAt, $"a bad escape in '{latin1}'", "raw-unicode-escape text");
            }

            text.Append(char.ConvertFromUtf32(code));
            i += 1 + digits;
        }

        return text.ToString();
    }

    /// <summary>Python 2's repr of a str: quoted, with backslash escapes.</summary>
    private static string QuotedString(string line, string path, string where, int opAt)
    {
        if (line.Length < 2 || line[0] != line[^1] || line[0] is not ('\'' or '"'))
        {
            throw Bad(path, where, opAt, $"STRING {line}", "a quoted string");
        }

        var text = new StringBuilder(line.Length);
        for (int i = 1; i < line.Length - 1; i++)
        {
            char c = line[i];
            if (c != '\\' || i + 1 >= line.Length - 1)
            {
                text.Append(c);
                continue;
            }

            char e = line[++i];
            switch (e)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'x' when i + 2 < line.Length - 1 && int.TryParse(line.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int b):
                    text.Append((char)b);
                    i += 2;
                    break;
                default: text.Append(e); break;
            }
        }

        return text.ToString();
    }

    private static void Need(List<object?> stack, int count, string path, string where, int opAt)
    {
        if (stack.Count < count || stack.Skip(stack.Count - count).Any(o => o == Mark))
        {
            throw Bad(path, where, opAt, "too few values on the stack", "a well-formed pickle");
        }
    }

    private static object? Pop(List<object?> stack)
    {
        object? top = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return top;
    }

    private static object? Top(List<object?> stack, string path, string where, int opAt)
    {
        Need(stack, 1, path, where, opAt);
        return stack[^1];
    }

    private static object? Recall(Dictionary<long, object?> memo, long key, string path, string where, int opAt) =>
        memo.TryGetValue(key, out object? value) ? value : throw Bad(path, where, opAt, $"memo {key}, never stored", "a well-formed pickle");

    private static List<object?> PopToMark(List<object?> stack, string path, string where, int opAt)
    {
        int mark = stack.LastIndexOf(Mark);
        if (mark < 0)
        {
            throw Bad(path, where, opAt, "no MARK", "a well-formed pickle");
        }

        List<object?> items = stack.GetRange(mark + 1, stack.Count - mark - 1);
        stack.RemoveRange(mark, stack.Count - mark);
        return items;
    }

    private static List<object?> ListAt(List<object?> stack, int index, string path, string where, int opAt) =>
        stack[index] as List<object?> ?? throw Bad(path, where, opAt, "an append to something that is not a list", "a well-formed pickle");

    private static Dictionary<object, object?> DictAt(List<object?> stack, string path, string where, int opAt) =>
        stack[^1] as Dictionary<object, object?> ?? throw Bad(path, where, opAt, "a set item on something that is not a dict", "a well-formed pickle");

    private static Dictionary<object, object?> ToDict(Dictionary<object, object?> dict, List<object?> items, string path, string where, int opAt)
    {
        if (items.Count % 2 != 0)
        {
            throw Bad(path, where, opAt, "an odd number of keys and values", "a well-formed pickle");
        }

        for (int i = 0; i < items.Count; i += 2)
        {
            // Keys are compared by value for strings and numbers; a container key is refused
            // (Python refuses unhashable lists; tuples as keys are not in pandas' labels).
            object key = items[i] switch
            {
                string or long or double or bool => items[i]!,
                _ => throw Bad(path, where, opAt, "a container as a dict key", "strings or numbers"),
            };
            dict[key] = items[i + 1];
        }

        return dict;
    }
}

using System.Globalization;
using System.Text;

namespace NeuroAlign;

/// <summary>
/// Makes text taken from a file safe to put in a one-line message: control characters (C0, DEL,
/// C1), line and paragraph separators, bidirectional overrides and lone surrogates become visible
/// escapes (\n, \x1B, \u202E), so a file cannot break a message over lines, recolour a terminal or
/// reorder what the user reads. Every reader's messages go through it (see <see cref="InvalidRecordingException"/>).
/// </summary>
public static class Printable
{
    /// <summary>The longest excerpt of file content a message quotes before cutting it with "...".</summary>
    public const int DefaultExcerptChars = 60;

    /// <summary>
    /// <paramref name="text"/> with every unsafe character escaped. Idempotent: the escapes are plain
    /// ASCII, so escaping twice changes nothing.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        int first = 0;
        while (first < text.Length && IsSafe(text, first))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }

            if (IsSafe(text, i))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when c <= 0xFF => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
            });
        }

        return escaped.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> escaped and, when longer than <paramref name="maxChars"/>, cut to
    /// that many characters plus "..." and the full length: a message quotes file content, it does
    /// not reproduce a megabyte of it.
    /// </summary>
    public static string Excerpt(string? text, int maxChars = DefaultExcerptChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 4);
        text ??= "";
        if (text.Length <= maxChars)
        {
            return Escape(text);
        }

        int cut = maxChars - 3;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Escape(text[..cut])}... ({text.Length} characters)");
    }

    /// <summary>Whether <paramref name="text"/> would be shown as it is (nothing to escape).</summary>
    public static bool IsPrintable(string? text) => text is null || Escape(text).Length == text.Length && Escape(text) == text;

    /// <summary>Whether the character at <paramref name="i"/> prints as itself on one line (a surrogate only as part of a whole pair).</summary>
    public static bool IsSafeAt(string text, int i)
    {
        ArgumentNullException.ThrowIfNull(text);
        return IsSafe(text, i);
    }

    private static bool IsSafe(string text, int i)
    {
        char c = text[i];
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        {
            return false;
        }

        if (char.IsSurrogate(c))
        {
            // Only a whole pair is a character; the loop above passes pairs through.
            return char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        }

        // U+2028/2029 break lines in many terminals and viewers; U+202A-202E and U+2066-2069 reorder
        // the text shown after them; U+FEFF and U+200B-200F are invisible.
        return c is not ('\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF' or (>= '\u200B' and <= '\u200F'));
    }
}

/// <summary>Checks that bytes read as JSON or text are UTF-8 before a parser decodes them lazily (and throws outside the reader's error handling).</summary>
public static class Utf8Text
{
    /// <summary>The offset of the first byte that is not valid UTF-8, or -1 when all are.</summary>
    public static long FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        Span<char> scratch = stackalloc char[1024];
        long done = 0;
        while (!bytes.IsEmpty)
        {
            System.Buffers.OperationStatus status = System.Text.Unicode.Utf8.ToUtf16(bytes, scratch, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            if (status == System.Buffers.OperationStatus.InvalidData)
            {
                return done + read;
            }

            done += read;
            bytes = bytes[read..];
            if (status == System.Buffers.OperationStatus.Done)
            {
                break;
            }
        }

        return -1;
    }

    /// <summary>Throws unless <paramref name="bytes"/> are UTF-8 (what JSON must be, RFC 8259 §8.1).</summary>
    /// <exception cref="InvalidRecordingException">The byte offset of the first invalid sequence.</exception>
    public static void Require(string path, ReadOnlySpan<byte> bytes)
    {
        long at = FirstInvalidByte(bytes);
        if (at >= 0)
        {
            throw new InvalidRecordingException(path, $"byte {at}", $"0x{bytes[(int)at]:X2}, not valid UTF-8", "UTF-8 text (JSON files are UTF-8)");
        }
    }
}

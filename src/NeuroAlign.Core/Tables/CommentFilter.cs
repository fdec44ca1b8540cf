namespace NeuroAlign.Tables;

/// <summary>
/// Drops # comment lines from text before the tokeniser sees it, keeping their line ends so line
/// numbers stay the file's. A comment is a line whose first non-blank character is # outside a
/// quoted cell; filtering before tokenising means a quote inside a comment (a 5" screen) cannot
/// open a quoted cell. One pass over each buffer, compacting in place.
/// </summary>
internal sealed class CommentFilter(TextReader inner) : SpanTextReader(inner)
{
    private bool _atLineStart = true;
    private bool _inQuotes;
    private bool _inComment;

    public override int Peek() => throw new NotSupportedException("the table reader reads blocks");

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        while (true)
        {
            int read = Inner.Read(buffer);
            if (read == 0)
            {
                return 0;
            }

            int kept = Filter(buffer[..read]);
            if (kept > 0)
            {
                return kept;
            }
        }
    }

    private int Filter(Span<char> text)
    {
        // Where the current line's output starts in this buffer (-1: in an earlier one), so the
        // blanks before a # are dropped with the comment.
        int lineStart = _atLineStart ? 0 : -1;
        int write = 0, i = 0;
        while (i < text.Length)
        {
            if (_inComment)
            {
                int end = text[i..].IndexOf('\n');
                if (end < 0)
                {
                    break;
                }

                i += end + 1;
                text[write++] = '\n';
                _inComment = false;
                _atLineStart = true;
                lineStart = write;
                continue;
            }

            if (_atLineStart)
            {
                char c = text[i];
                if (!_inQuotes && c is ' ' or '\t')
                {
                    text[write++] = c;
                    i++;
                    continue;
                }

                if (!_inQuotes && c == '#')
                {
                    _inComment = true;
                    write = lineStart >= 0 ? lineStart : write;
                    i++;
                    continue;
                }

                _atLineStart = false;
            }

            // Copy through the next quote or line end, which are the only characters that change state.
            int next = text[i..].IndexOfAny('"', '\n');
            int stop = next < 0 ? text.Length : i + next + 1;
            text[i..stop].CopyTo(text[write..]);
            write += stop - i;
            i = stop;
            if (next >= 0)
            {
                if (text[write - 1] == '"')
                {
                    _inQuotes = !_inQuotes;
                }
                else
                {
                    _atLineStart = true;
                    lineStart = write;
                }
            }
        }

        return write;
    }
}

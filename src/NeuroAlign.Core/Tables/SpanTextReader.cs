namespace NeuroAlign.Tables;

/// <summary>
/// A reader over another reader that implements <see cref="TextReader.Read(Span{char})"/>, with
/// <see cref="ReadBlock(Span{char})"/> filling the buffer from it (TextReader's own falls back to one
/// character at a time) and the inner reader disposed with it.
/// </summary>
/// <param name="inner">The reader wrapped; disposed with this one.</param>
internal abstract class SpanTextReader(TextReader inner) : TextReader
{
    protected TextReader Inner => inner;

    public abstract override int Read(Span<char> buffer);

    public override int ReadBlock(Span<char> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

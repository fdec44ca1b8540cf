using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.Npy;

/// <summary>
/// The header of a .npy file: format version, element type and byte order, shape, and where the
/// data starts. Only C-order arrays of plain numbers are accepted: they are what can be mapped as is.
/// </summary>
/// <param name="Path">The file.</param>
/// <param name="MajorVersion">Format version 1, 2 or 3.</param>
/// <param name="MinorVersion">Always 0 in the versions numpy writes.</param>
/// <param name="Descr">The dtype as numpy wrote it, e.g. "&lt;i2".</param>
/// <param name="ElementType">The element type.</param>
/// <param name="BigEndian">Whether elements are stored big-endian.</param>
/// <param name="Shape">The array's shape, outermost first (a 0-d array has none).</param>
/// <param name="DataOffsetBytes">Where element 0 starts.</param>
public sealed record NpyHeader(
    string Path,
    int MajorVersion,
    int MinorVersion,
    string Descr,
    SampleType ElementType,
    bool BigEndian,
    IReadOnlyList<long> Shape,
    long DataOffsetBytes)
{
    /// <summary>The dtypes this reader maps: every <see cref="SampleType"/>, in either byte order.</summary>
    public const string SupportedDtypes = "i1, u1, i2, u2, i4, u4, i8, u8, f4, f8 (with < or > byte order)";

    /// <summary>Number of elements (the product of the shape; 1 for a 0-d array).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long d in Shape)
            {
                count = checked(count * d);
            }

            return count;
        }
    }

    /// <summary>Bytes of element data the header promises.</summary>
    public long DataLengthBytes => checked(ElementCount * ElementType.SizeOf());

    /// <summary>Whether <paramref name="fileStart"/> begins with the NPY magic bytes.</summary>
    public static bool TryDetect(ReadOnlySpan<byte> fileStart) => fileStart.StartsWith(NpyConstants.Magic);

    /// <summary>Reads and validates the header of <paramref name="path"/>, including that the file holds all the data it promises.</summary>
    /// <exception cref="InvalidRecordingException">The file is not a .npy array this reader can map.</exception>
    public static NpyHeader Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] start;
        long fileLength;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            fileLength = stream.Length;
            var preamble = new byte[NpyConstants.PreambleBytesV2];
            int got = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
            int headerBytes = HeaderLength(path, preamble.AsSpan(0, got), out int preambleBytes);
            start = new byte[preambleBytes + headerBytes];
            stream.Position = 0;
            int total = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            if (total < start.Length)
            {
                throw new InvalidRecordingException(
                    path, $"byte {total}", "the end of the file", $"a {headerBytes}-byte header after the {preambleBytes}-byte preamble");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {Memory.FileErrors.Describe(e)}", e);
        }

        NpyHeader header = Parse(path, start);

        // Compared as the room left after the header: offset + length could pass 2^63.
        if (header.DataLengthBytes > fileLength - header.DataOffsetBytes)
        {
            Int128 needed = (Int128)header.DataOffsetBytes + header.DataLengthBytes;
            throw new InvalidRecordingException(
                path,
                "size",
                $"{fileLength} bytes, {needed - fileLength} bytes short",
                $"{needed} bytes ({header.DataOffsetBytes}-byte header + shape ({string.Join(", ", header.Shape)}) × {header.ElementType.SizeOf()}-byte {header.ElementType.ToText()}); the file is truncated");
        }

        return header;
    }

    /// <summary>Parses the preamble and header held in <paramref name="bytes"/> (the start of the file).</summary>
    public static NpyHeader Parse(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        int headerBytes = HeaderLength(path, bytes, out int preambleBytes);
        if (bytes.Length < preambleBytes + headerBytes)
        {
            throw new InvalidRecordingException(
                path, $"byte {bytes.Length}", "the end of the file", $"a {headerBytes}-byte header after the {preambleBytes}-byte preamble");
        }

        int major = bytes[NpyConstants.MajorVersionOffset];
        int minor = bytes[NpyConstants.MinorVersionOffset];

        // NEP 1: versions 1 and 2 encode the header in latin-1, version 3 in UTF-8.
        Encoding encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string text = encoding.GetString(bytes.Slice(preambleBytes, headerBytes));
        Dictionary<string, object?> dict = new PythonLiteral(path, text).ParseDict();

        string descr = dict.TryGetValue(NpyConstants.DescrKey, out object? d)
            ? d as string ?? throw new InvalidRecordingException(
                path, "header 'descr'", d is null ? "None" : "a structured (record) dtype", $"a plain numeric dtype: {SupportedDtypes}")
            : throw Missing(path, NpyConstants.DescrKey);
        if (!dict.TryGetValue(NpyConstants.FortranOrderKey, out object? fortran) || fortran is not bool isFortran)
        {
            throw Missing(path, NpyConstants.FortranOrderKey);
        }

        if (isFortran)
        {
            throw new InvalidRecordingException(
                path, "header 'fortran_order'", "True (column-major data)", "False: C order, one sample after another; save it with numpy.ascontiguousarray(a)");
        }

        long[] shape = dict.TryGetValue(NpyConstants.ShapeKey, out object? s) && s is long[] dims
            ? dims
            : throw Missing(path, NpyConstants.ShapeKey);
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw new InvalidRecordingException(path, "header 'shape'", $"({string.Join(", ", shape)})", "non-negative dimensions");
            }
        }

        (SampleType type, bool bigEndian) = ParseDescr(path, descr);

        // The shape's product is formed once here, exactly (Int128 saturates far above 2^63), so that
        // ElementCount and DataLengthBytes can never overflow: a lying shape such as (2^61, 4) is an
        // error naming the shape, not an OverflowException later.
        Int128 bytesPromised = type.SizeOf();
        foreach (long dim in shape)
        {
            bytesPromised = dim == 0 ? 0 : bytesPromised > long.MaxValue ? bytesPromised : bytesPromised * dim;
        }

        if (bytesPromised > long.MaxValue)
        {
            throw new InvalidRecordingException(
                path, "header 'shape'", $"({string.Join(", ", shape)}) of {type.SizeOf()}-byte {type.ToText()}", "a shape whose data fits in 2^63 bytes");
        }

        return new NpyHeader(path, major, minor, descr, type, bigEndian, shape, preambleBytes + headerBytes);
    }

    /// <summary>Maps a numpy dtype string ("&lt;i2", "&gt;f8", "|u1") to an element type and byte order.</summary>
    public static (SampleType Type, bool BigEndian) ParseDescr(string path, string descr)
    {
        ArgumentNullException.ThrowIfNull(descr);
        if (descr.Length >= 3 && descr[0] is '<' or '>' or '|' or '=')
        {
            SampleType? type = descr.AsSpan(1) switch
            {
                "i1" or "b" => SampleType.Int8,
                "u1" or "B" => SampleType.UInt8,
                "i2" => SampleType.Int16,
                "u2" => SampleType.UInt16,
                "i4" => SampleType.Int32,
                "u4" => SampleType.UInt32,
                "i8" => SampleType.Int64,
                "u8" => SampleType.UInt64,
                "f4" => SampleType.Float32,
                "f8" => SampleType.Float64,
                _ => null,
            };
            if (type is { } t)
            {
                bool big = descr[0] == '>' || (descr[0] == '=' && !BitConverter.IsLittleEndian);

                // '|' means "byte order not applicable", which numpy writes only for 1-byte types.
                if (descr[0] != '|' || t.SizeOf() == 1)
                {
                    return (t, big && t.SizeOf() > 1);
                }
            }
        }

        throw new InvalidRecordingException(path, "header 'descr'", $"'{descr}'{DescribeDtype(descr)}", $"a plain numeric dtype: {SupportedDtypes}");
    }

    private static string DescribeDtype(string descr) => descr.Length < 2 ? "" : descr[1] switch
    {
        'c' => " (complex)",
        'b' or '?' => " (bool)",
        'f' when descr.EndsWith('2') => " (float16)",
        'U' or 'S' or 'a' => " (text)",
        'O' => " (Python objects)",
        'M' or 'm' => " (datetime)",
        'V' => " (raw bytes)",
        _ => "",
    };

    private static int HeaderLength(string path, ReadOnlySpan<byte> bytes, out int preambleBytes)
    {
        if (bytes.Length < NpyConstants.PreambleBytesV1 || !TryDetect(bytes))
        {
            string found = bytes.Length == 0 ? "an empty file" : $"bytes {Convert.ToHexString(bytes[..Math.Min(6, bytes.Length)])}";
            throw new InvalidRecordingException(path, "byte 0", found, "the NPY magic \\x93NUMPY: this is not a .npy file");
        }

        int major = bytes[NpyConstants.MajorVersionOffset];
        int minor = bytes[NpyConstants.MinorVersionOffset];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new InvalidRecordingException(path, "byte 6 (format version)", $"{major}.{minor}", "1.0, 2.0 or 3.0");
        }

        long length;
        if (major == 1)
        {
            preambleBytes = NpyConstants.PreambleBytesV1;
            length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[NpyConstants.HeaderLengthOffset..]);
        }
        else
        {
            preambleBytes = NpyConstants.PreambleBytesV2;
            if (bytes.Length < preambleBytes)
            {
                throw new InvalidRecordingException(path, $"byte {bytes.Length}", "the end of the file", $"a {preambleBytes}-byte preamble");
            }

            length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[NpyConstants.HeaderLengthOffset..]);
        }

        if (length > NpyConstants.MaxHeaderBytes)
        {
            throw new InvalidRecordingException(path, "byte 8 (header length)", $"{length} bytes", $"at most {NpyConstants.MaxHeaderBytes} bytes");
        }

        return (int)length;
    }

    private static InvalidRecordingException Missing(string path, string key) =>
        new(path, $"header '{key}'", "no such key", "the keys 'descr', 'fortran_order' and 'shape' that numpy writes");

    /// <summary>
    /// The subset of Python literal syntax numpy writes in a header: a dict of str keys whose values
    /// are str, True/False/None, ints and tuples (NEP 1: "a Python literal expression of a dictionary").
    /// </summary>
    private ref struct PythonLiteral(string path, string text)
    {
        private readonly string _path = path;
        private readonly string _text = text;
        private int _pos;

        public Dictionary<string, object?> ParseDict()
        {
            var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}')
                {
                    _pos++;
                    break;
                }

                if (ParseValue() is not string key)
                {
                    throw Error("a quoted key");
                }

                Expect(':');
                dict[key] = ParseValue();
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                }
                else if (Peek() != '}')
                {
                    throw Error("',' or '}'");
                }
            }

            SkipSpace();
            return _pos == _text.Length ? dict : throw Error("the end of the header after '}'");
        }

        private object? ParseValue()
        {
            SkipSpace();
            char c = Peek();
            if (c is '\'' or '"')
            {
                int end = _text.IndexOf(c, _pos + 1);
                if (end < 0)
                {
                    throw Error("a closing quote");
                }

                string s = _text.Substring(_pos + 1, end - _pos - 1);
                _pos = end + 1;
                return s;
            }

            if (c is '(' or '[')
            {
                char close = c == '(' ? ')' : ']';
                _pos++;
                var items = new List<object?>();
                while (true)
                {
                    SkipSpace();
                    if (Peek() == close)
                    {
                        _pos++;
                        break;
                    }

                    items.Add(ParseValue());
                    SkipSpace();
                    if (Peek() == ',')
                    {
                        _pos++;
                    }
                    else if (Peek() != close)
                    {
                        throw Error($"',' or '{close}'");
                    }
                }

                // A tuple of ints is a shape; anything else (a structured dtype's list of fields) is returned as a list.
                return c == '(' && items.All(i => i is long) ? items.Cast<long>().ToArray() : items;
            }

            int start = _pos;
            while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '-' or '+'))
            {
                _pos++;
            }

            string word = _text[start.._pos];
            switch (word)
            {
                case "True": return true;
                case "False": return false;
                case "None": return null;
                default:
                    // Python 2 wrote long ints with an L suffix.
                    string digits = word.EndsWith('L') ? word[..^1] : word;
                    if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                    {
                        return n;
                    }

                    _pos = start;
                    throw Error("a str, int, tuple, True, False or None");
            }
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw Error($"'{c}'");
            }

            _pos++;
        }

        private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }

        private readonly InvalidRecordingException Error(string expected)
        {
            string found = _pos >= _text.Length ? "the end of the header" : $"'{_text.Substring(_pos, Math.Min(12, _text.Length - _pos))}'";
            return new InvalidRecordingException(_path, $"header character {_pos}", found, expected);
        }
    }
}
